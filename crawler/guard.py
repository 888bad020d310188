"""EgressGuard: the crawler talks only to its source's own sites, since registries may come from users.

A downloader middleware that refuses every request — start page, followed link, attachment, redirect target,
robots.txt — whose

- scheme is not http or https (`file:`, `ftp:`, `data:`, `s3:` …), also as the Location of a redirect;
- host is an IP literal (any notation: `127.1`, `0x7f000001`, `[::ffff:127.0.0.1]`) or `localhost` in a loopback,
  private, link-local, reserved, multicast or unspecified range, unless host and port are those of one of the
  source's start URLs (tests, the offline demo and intranet sources run on such hosts: their other ports stay shut);
- host is neither one of the source's allowed domains nor a subdomain of one.

A refusal raises `Refused` (an `IgnoreRequest`), counts `govmon/refused/<scheme|private|offsite>` and logs a warning
naming the URL and the reason (once per URL; repeats at DEBUG). Requests are checked when they are
scheduled — Scrapy sends redirect targets back through the scheduler — and again before download, whatever their
`dont_filter`, which Scrapy's own OffsiteMiddleware honours (and a redirect inherits).

DNS rebinding: a host name that passes may still resolve to a private address. `PublicOnlyResolver` wraps the
reactor's name resolver so that the hosts the guard let through connect only to public addresses, unless they are
a start URL's own host and port. It filters the very addresses the connection then uses, so a second lookup cannot
change the answer. Trusted start hosts are shared by the sources crawled in one process; each source's own domain
check still applies. A `render_js` source's browser requests pass the same `Policy`, each redirect hop included
(crawler/render.py); what that cannot cover is DNS rebinding in the browser (it resolves names itself), nor HTTP
proxies (they resolve on their side). In a batch crawl each request is judged by its own source's policy (its
`meta["source"]`); robots.txt requests by the policy of all the batch's sources together.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.internet.interfaces import IHostnameResolver, IResolutionReceiver
from zope.interface import implementer

logger = logging.getLogger(__name__)

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
WEB_SCHEMES = {"http": 80, "https": 443}
LEGACY_IPV4 = re.compile(r"[0-9a-fx.]+", re.IGNORECASE)  # 127.1, 0x7f.1, 2130706433: inet_aton still accepts them
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
LOOPBACK = ipaddress.IPv4Address("127.0.0.1")


class Refused(IgnoreRequest):
    """A request the guard will not send; `reason` is `scheme`, `private` or `offsite`."""

    def __init__(self, url: str, reason: str, detail: str) -> None:
        super().__init__(f"refused {url} ({reason}): {detail}")
        self.url, self.reason, self.detail = url, reason, detail


# --- hosts and addresses -----------------------------------------------------------------------------------


def ip_literal(host: str) -> IP | None:
    """The address a host names literally, in any notation a resolver accepts (127.1, 0x7f000001, [::1]); else None."""
    host = host.strip("[]").rstrip(".").lower()
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])  # fe80::1%eth0: a zone id names no other host
    except ValueError:
        pass
    if not LEGACY_IPV4.fullmatch(host):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def is_localhost(host: str) -> bool:
    host = host.rstrip(".").lower()
    return host == "localhost" or host.endswith(".localhost")


def address_of(host: str) -> IP | None:
    """The address a host stands for without asking DNS: an IP literal, or loopback for `localhost`."""
    return LOOPBACK if is_localhost(host) else ip_literal(host)


def effective(address: IP) -> IP:
    """An IPv4 address embedded in IPv6 (mapped, 6to4, NAT64) is where a connection really goes."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped or address.sixtofour:
            return address.ipv4_mapped or address.sixtofour  # type: ignore[return-value]
        if address in NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def is_public(address: IP) -> bool:
    """Globally reachable unicast."""
    address = effective(address)
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return False
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_link_local or address.is_loopback
        or address.is_unspecified
    )  # fmt: skip


def normal_host(host: str) -> str:
    """Lower case, no trailing dot, IP literals in canonical form, international names in punycode."""
    host = host.strip().strip("[]").rstrip(".").lower()
    address = ip_literal(host)
    if address is not None:
        return address.compressed
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _domain(entry: str) -> str:
    """An allowed-domain entry as a host: tolerates `host:port`, a URL and a leading dot."""
    entry = entry.strip()
    if ip_literal(entry) is not None:
        return normal_host(entry)
    host = urlsplit(entry if "//" in entry else f"//{entry}").hostname or ""
    return normal_host(host.lstrip("."))


# --- the policy of one source ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    domains: tuple[str, ...]
    origins: frozenset[tuple[str, int]]  # (host, port) of the start URLs: the only private places allowed

    @classmethod
    def of(cls, allowed_domains: Iterable[str], start_urls: Iterable[str]) -> Policy:
        origins = frozenset(o for u in start_urls if (o := _origin(u)) is not None)
        domains = [_domain(d) for d in allowed_domains if d] or [host for host, _ in origins]
        return cls(tuple(sorted({d for d in domains if d})), origins)

    @classmethod
    def for_spider(cls, spider: Spider) -> Policy:
        """Every source of the spider together (a ReportSpider crawls a batch), else its `start_urls`."""
        crawls = getattr(spider, "crawls", None)
        starts = (
            [u for c in crawls.values() for u in c.source.start_urls] if crawls else getattr(spider, "start_urls", ())
        )
        return cls.of(getattr(spider, "allowed_domains", None) or (), starts)

    def verdict(self, url: str) -> tuple[str, str] | None:
        """(reason, detail) when `url` must not be fetched, else None. It depends on the scheme, host and port
        only, so it is worked out once per origin."""
        match = ORIGIN.match(url)
        return _verdict(self, match.group(0) if match else url)

    def _decide(self, url: str) -> tuple[str, str] | None:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in WEB_SCHEMES:
            return "scheme", f"{scheme or 'no'} scheme: only http and https are fetched"
        origin = _origin(url)
        if origin is None:
            return "offsite", "no host or a malformed port"
        host, port = origin
        address = address_of(host)
        if address is not None and not is_public(address) and origin not in self.origins:
            return "private", f"{_netloc(host, port)}: {address_kind(address)} address, not a start URL's host and port"
        if not self.allows(host):
            return "offsite", f"{host} is not one of the allowed domains ({', '.join(self.domains) or 'none'})"
        return None

    def allows(self, host: str) -> bool:
        """The host is an allowed domain or a subdomain of an allowed name (an IP literal only matches itself).
        Looked up by the host's suffixes, so a batch of thousands of domains costs no more than one."""
        if host in self._exact:
            return True
        if ip_literal(host) is not None:
            return False
        labels = host.split(".")
        return any(".".join(labels[i:]) in self._names for i in range(1, len(labels)))

    @cached_property
    def _exact(self) -> frozenset[str]:
        return frozenset(self.domains)

    @cached_property
    def _names(self) -> frozenset[str]:
        return frozenset(d for d in self.domains if ip_literal(d) is None)


ORIGIN = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*")


@lru_cache(maxsize=8192)
def _verdict(policy: Policy, origin: str) -> tuple[str, str] | None:
    return policy._decide(origin)


def _origin(url: str) -> tuple[str, int] | None:
    match = ORIGIN.match(url)
    return _origin_of(match.group(0)) if match else _origin_of(url)


@lru_cache(maxsize=8192)
def _origin_of(url: str) -> tuple[str, int] | None:
    parts = urlsplit(url)
    try:
        port = parts.port or WEB_SCHEMES.get(parts.scheme.lower(), 0)
    except ValueError:
        return None
    return (normal_host(parts.hostname), port) if parts.hostname else None


def address_kind(address: IP) -> str:
    """What kind of non-public address this is, in words: loopback, link-local, private …"""
    address = effective(address)
    for kind in ("loopback", "link_local", "unspecified", "multicast", "private", "reserved"):
        if getattr(address, f"is_{kind}"):
            return kind.replace("_", "-")
    return "non-public"


def _netloc(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


# --- the middleware ----------------------------------------------------------------------------------------


class EgressGuard:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._policy: tuple[Any, Policy] | None = None
        self._warned: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EgressGuard:
        guard = cls(crawler)
        crawler.signals.connect(guard.request_scheduled, signal=signals.request_scheduled)
        return guard

    def request_scheduled(self, request: Request, **_: Any) -> None:
        self.check(request.url, request)  # raising IgnoreRequest here keeps the request out of the scheduler

    def process_request(self, request: Request) -> None:
        self.check(request.url, request)
        install_dns_guard()

    def process_response(self, request: Request, response: Response) -> Response:
        """A redirect to `file:` and the like: Scrapy does not follow it, but nothing should act on it either."""
        location = response.headers.get("Location") if 300 <= response.status < 400 else None
        if location:
            target = urljoin(request.url, location.decode("latin-1").strip())
            if urlsplit(target).scheme.lower() not in WEB_SCHEMES:
                self.refuse(target, "scheme", f"redirect from {request.url} to a non-web scheme", request)
        return response

    def check(self, url: str, request: Request | None = None) -> None:
        policy = self.policy(request)
        verdict = policy.verdict(url)
        if verdict is not None:
            self.refuse(url, *verdict, request)
        origin = _origin(url)
        if origin is not None:  # always, once the verdict is clear
            DNS.allow(origin, trusted=origin in policy.origins)

    def policy(self, request: Request | None = None) -> Policy:
        """The policy of the request's source in a batch crawl; else (robots.txt) the spider's, all its sources'."""
        spider = self.crawler.spider
        crawls = getattr(spider, "crawls", None)
        if request is not None and crawls and request.meta.get("source") in crawls:
            return crawls[request.meta["source"]].policy
        key = (id(spider), tuple(getattr(spider, "allowed_domains", None) or ()))
        if self._policy is None or self._policy[0] != key:
            self._policy = (key, Policy.for_spider(spider) if spider is not None else Policy((), frozenset()))
        return self._policy[1]

    def refuse(self, url: str, reason: str, detail: str, request: Request | None = None) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"govmon/refused/{reason}")
        crawls = getattr(self.crawler.spider, "crawls", None)
        if request is not None and crawls and request.meta.get("source") in crawls:
            crawls[request.meta["source"]].count(f"refused/{reason}")  # the source's own run shows it
        level = logging.DEBUG if url in self._warned else logging.WARNING  # a link on every list page: warn once
        self._warned.add(url)
        logger.log(level, "refused %s (%s): %s", url, reason, detail)
        raise Refused(url, reason, detail)


# --- DNS: allowed host names connect to public addresses only -----------------------------------------------


@dataclass
class DnsPolicy:
    """Process-wide: the host names the guards let through, and the start URLs' (host, port) trusted as private."""

    targets: set[str] = field(default_factory=set)
    trusted: set[tuple[str, int]] = field(default_factory=set)

    def allow(self, origin: tuple[str, int], trusted: bool) -> None:
        self.targets.add(origin[0])
        if trusted:
            self.trusted.add(origin)

    def guards(self, host: str, port: int) -> bool:
        host = normal_host(host)
        return host in self.targets and (host, port) not in self.trusted


DNS = DnsPolicy()


@implementer(IHostnameResolver)
class PublicOnlyResolver:
    """Wraps an IHostnameResolver (zope interfaces are typed `Any`: mypy cannot check them)."""

    def __init__(self, inner: Any, policy: DnsPolicy = DNS) -> None:
        self.inner, self.policy = inner, policy

    def resolveHostName(
        self,
        resolutionReceiver: Any,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Any = None,
        transportSemantics: str = "TCP",
    ) -> Any:
        receiver = (
            _PublicOnly(resolutionReceiver, hostName)
            if self.policy.guards(hostName, portNumber)
            else resolutionReceiver
        )
        return self.inner.resolveHostName(receiver, hostName, portNumber, addressTypes, transportSemantics)


@implementer(IResolutionReceiver)
class _PublicOnly:
    def __init__(self, receiver: Any, host: str) -> None:
        self.receiver, self.host = receiver, host

    def resolutionBegan(self, resolution: Any) -> None:
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: Any) -> None:
        ip = ip_literal(str(getattr(address, "host", "")))
        if ip is not None and is_public(ip):
            self.receiver.addressResolved(address)
            return
        logger.warning("refused %s: it resolves to %s, a non-public address", self.host, getattr(address, "host", "?"))

    def resolutionComplete(self) -> None:
        self.receiver.resolutionComplete()


def install_dns_guard(reactor: Any = None) -> None:
    """Wrap the reactor's name resolver once (again if something replaced it); a no-op before a reactor exists."""
    if reactor is None:
        from scrapy.utils.reactor import is_reactor_installed

        if not is_reactor_installed():
            return
        from twisted.internet import reactor
    if not isinstance(reactor.nameResolver, PublicOnlyResolver):
        reactor.installNameResolver(PublicOnlyResolver(reactor.nameResolver))
