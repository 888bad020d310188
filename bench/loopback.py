"""A Scrapy DNS resolver for the cycle benchmark: every `*.bench.test` name (RFC 6761) is the loopback address,
so thousands of local sources each have a host (and a download slot) of their own.

    -s TWISTED_DNS_RESOLVER=bench.loopback.LoopbackResolver
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
