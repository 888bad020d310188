"""A Scrapy DNS resolver for the cycle benchmark: every `*.bench.test` name (RFC 6761) is the loopback address,
so thousands of local sources each have a host (and a download slot) of their own.

    -s TWISTED_DNS_RESOLVER=bench.loopback.LoopbackResolver -s GOVMON_PROBE_RESOLVER=bench.loopback.ProbeResolver
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer


class LoopbackResolver(CachingThreadedResolver):
    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Any:
        if name.endswith(".bench.test"):
            return defer.succeed("127.0.0.1")
        return super().getHostByName(name, timeout)


class ProbeResolver:
    """The same for the change probe's aiohttp client (crawler/probe.py):

    -s GOVMON_PROBE_RESOLVER=bench.loopback.ProbeResolver
    """

    def __init__(self) -> None:
        from aiohttp import ThreadedResolver

        self.inner = ThreadedResolver()

    async def resolve(self, host: str, port: int = 0, family: int = 0) -> list[dict[str, Any]]:
        import socket

        if host.endswith(".bench.test"):
            return [{"hostname": host, "host": "127.0.0.1", "port": port, "family": socket.AF_INET, "proto": 0,
                     "flags": socket.AI_NUMERICHOST}]  # fmt: skip
        return await self.inner.resolve(host, port, family)  # type: ignore[arg-type]

    async def close(self) -> None:
        await self.inner.close()
