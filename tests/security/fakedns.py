"""A Scrapy DNS resolver for the tests: every `*.test` name (RFC 6761) resolves to 127.0.0.1.

It plays the attacker's DNS of a rebinding attack, offline:
`-s TWISTED_DNS_RESOLVER=tests.security.fakedns.LocalTestResolver`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer


class LocalTestResolver(CachingThreadedResolver):
    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Any:
        if name.endswith(".test"):
            return defer.succeed("127.0.0.1")
        return super().getHostByName(name, timeout)
