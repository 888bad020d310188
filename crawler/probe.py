"""The change probe: before a cycle's Scrapy batches, ask each source's list pages whether they changed.

For a source whose last crawl ran cleanly, the store kept each list page it fetched (URL, ETag, Last-Modified,
SHA-256 of the body). The probe makes the same requests the spider would make for those pages, with asyncio and
aiohttp at a fraction of Scrapy's cost per request, and a conditional GET where validators were kept: a 304, or a
200 whose body hashes the same, is an unchanged page. A source all of whose list pages are unchanged would lead
the spider to the same candidates as last time, which `monitor.ops.crawls` checks against the store before it
records the source as crawled without news; every other answer — a changed body, a redirect, an error, a
refusal, anything unusual — sends the source to Scrapy as before. The probe only ever saves work.

It behaves as the spider does towards a site: the egress guard's policy of the source (`crawler.guard`) on every
request, robots.txt first and obeyed with Scrapy's own parser (one fetch per host and port; a disallowed list
page is not fetched), the same User-Agent and default headers, one connection per host and the download delay
between a host's requests, the download timeout and size limit. Host names are resolved by a resolver that, as
`guard.PublicOnlyResolver` does for Scrapy, lets a host connect to public addresses only unless it is a start
URL's own host and port.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import ipaddress
import socket
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object

from crawler.guard import Policy, is_public, normal_host
from crawler.state import ListPage

__all__ = ["ProbeSettings", "Target", "Verdict", "probe"]


@dataclass(frozen=True)
class Target:
    """One source to probe: its guard policy and its list pages as its last crawl fetched them."""

    source_id: str
    policy: Policy
    lists: tuple[ListPage, ...]


@dataclass
class Verdict:
    """What the probe found for a source: `unchanged`, or why it goes to Scrapy; the requests it cost."""

    source_id: str
    unchanged: bool = False
    reason: str = "not probed"
    requests: int = 0  # robots.txt included (charged to the first source of its host, as the crawl does)
    responses: int = 0
    robots: int = 0


@dataclass(frozen=True)
class ProbeSettings:
    user_agent: str
    headers: dict[str, str]
    delay: float
    timeout: float
    max_size: int
    concurrency: int
    obey_robots: bool
    robots_agent: str
    robots_parser: Any
    resolver: Any = None  # an aiohttp resolver class (tests and benchmarks resolve their own host names)

    @classmethod
    def of(cls, settings: BaseSettings, parallel: int = 1) -> ProbeSettings:
        """From the crawl's Scrapy settings: what the spider would honour, the same way."""
        delay = settings.getfloat("DOWNLOAD_DELAY")
        if settings.getbool("AUTOTHROTTLE_ENABLED"):  # AutoThrottle starts at its start delay and only slows down
            delay = max(delay, settings.getfloat("AUTOTHROTTLE_START_DELAY"))
        agent = settings.get("USER_AGENT") or "Scrapy"
        headers = {str(k): str(v) for k, v in settings.getdict("DEFAULT_REQUEST_HEADERS").items()}
        headers |= {"User-Agent": agent, "Accept-Encoding": "gzip, deflate"}
        resolver = settings.get("GOVMON_PROBE_RESOLVER")
        return cls(
            user_agent=agent,
            headers=headers,
            delay=delay,
            timeout=settings.getfloat("DOWNLOAD_TIMEOUT"),
            max_size=settings.getint("DOWNLOAD_MAXSIZE"),
            concurrency=max(1, settings.getint("CONCURRENT_REQUESTS") * max(1, parallel)),
            obey_robots=settings.getbool("ROBOTSTXT_OBEY"),
            robots_agent=settings.get("ROBOTSTXT_USER_AGENT") or agent,
            robots_parser=load_object(settings.get("ROBOTSTXT_PARSER")),
            resolver=load_object(resolver) if resolver else None,
        )


def probe(targets: Sequence[Target], settings: ProbeSettings) -> dict[str, Verdict]:
    """Probe the targets' list pages; one verdict per target."""
    if not targets:
        return {}
    gc.freeze()  # what exists now lives on: the collector need not walk it again and again while thousands of
    try:  # requests make their garbage
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            return runner.run(_probe_all(targets, settings))
    finally:
        gc.unfreeze()


def _loop_factory() -> Any:
    """uvloop's event loop where it is installed (it is a dependency off Windows): aiohttp's requests cost about
    half the CPU there."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


class Unusual(Exception):
    """An answer the probe does not interpret: the source goes to Scrapy."""


@dataclass
class _Host:
    """A download slot, as Scrapy keys them (the host name): its requests one at a time, `delay` apart."""

    targets: list[Target] = field(default_factory=list)
    last: float = -1e9
    robots: dict[str, Any] = field(default_factory=dict)  # scheme://netloc → parser, or an Unusual
    in_flight: asyncio.Semaphore | None = None  # shared by every host: the requests in flight at once


async def _probe_all(targets: Sequence[Target], settings: ProbeSettings) -> dict[str, Verdict]:
    hosts: dict[str, _Host] = {}
    for target in targets:
        hostname = urlsplit(target.lists[0].url).hostname or ""
        hosts.setdefault(hostname, _Host()).targets.append(target)
    trusted = {origin for t in targets for origin in t.policy.origins}
    resolver = _GuardedResolver(settings.resolver() if settings.resolver else aiohttp.ThreadedResolver(), trusted)
    # A host's requests run one after the other (one connection each); `in_flight` bounds the requests of all
    # hosts together. It is a semaphore rather than the connector's limit: thousands of hosts waiting on that
    # cost time quadratic in their number, and the download timeout would count the wait.
    in_flight = asyncio.Semaphore(settings.concurrency)
    connector = aiohttp.TCPConnector(limit=0, limit_per_host=1, resolver=resolver, ttl_dns_cache=300)
    timeout = aiohttp.ClientTimeout(total=settings.timeout)
    verdicts: dict[str, Verdict] = {t.source_id: Verdict(t.source_id) for t in targets}
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, headers=settings.headers,
                                     cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=True) as session:  # fmt: skip
        await asyncio.gather(*(_probe_host(session, host, settings, verdicts, in_flight) for host in hosts.values()))
    return verdicts


async def _probe_host(session: aiohttp.ClientSession, host: _Host, settings: ProbeSettings,
                      verdicts: dict[str, Verdict], in_flight: asyncio.Semaphore) -> None:  # fmt: skip
    host.in_flight = in_flight
    for target in host.targets:
        verdict = verdicts[target.source_id]
        try:
            await _probe_source(session, host, target, settings, verdict)
        except Unusual as exc:
            verdict.unchanged, verdict.reason = False, str(exc)
        except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
            verdict.unchanged, verdict.reason = False, f"probe failed: {type(exc).__name__}: {exc}"[:300]


async def _probe_source(session: aiohttp.ClientSession, host: _Host, target: Target, settings: ProbeSettings,
                        verdict: Verdict) -> None:  # fmt: skip
    for page in target.lists:
        refused = target.policy.verdict(page.url)
        if refused is not None:
            raise Unusual(f"the egress guard refuses {page.url} ({refused[0]})")
        if settings.obey_robots:
            await _obey_robots(session, host, target, page.url, settings, verdict)
        headers = {}
        if page.etag:
            headers["If-None-Match"] = page.etag
        if page.last_modified:
            headers["If-Modified-Since"] = page.last_modified
        status, body = await _get(session, host, page.url, headers, settings, verdict)
        if status == 304 and headers:
            continue
        if status != 200:
            raise Unusual(f"list page {page.url}: HTTP {status}")
        if hashlib.sha256(body).hexdigest() != page.sha256:
            raise Unusual(f"list page {page.url} changed")
    verdict.unchanged, verdict.reason = True, "list pages unchanged"


async def _obey_robots(session: aiohttp.ClientSession, host: _Host, target: Target, url: str,
                       settings: ProbeSettings, verdict: Verdict) -> None:  # fmt: skip
    parts = urlsplit(url)
    key = f"{parts.scheme}://{parts.netloc}"
    if key not in host.robots:
        robots_url = f"{key}/robots.txt"
        refused = target.policy.verdict(robots_url)
        try:
            if refused is not None:
                raise Unusual(f"the egress guard refuses {robots_url} ({refused[0]})")
            status, body = await _get(session, host, robots_url, {}, settings, verdict, robots=True)
            if not (200 <= status < 300 or 400 <= status < 500):  # Scrapy would retry, follow, or allow all
                raise Unusual(f"robots.txt of {key}: HTTP {status}")
            host.robots[key] = settings.robots_parser(body, None)
        except Unusual as exc:
            host.robots[key] = exc
        except (aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
            host.robots[key] = Unusual(f"robots.txt of {key} failed: {type(exc).__name__}: {exc}"[:300])
    parser = host.robots[key]
    if isinstance(parser, Unusual):
        raise parser
    if not parser.allowed(url, settings.robots_agent):
        raise Unusual(f"robots.txt forbids {url}")  # the spider records the refusal as it always has


async def _get(session: aiohttp.ClientSession, host: _Host, url: str, headers: dict[str, str],
               settings: ProbeSettings, verdict: Verdict, robots: bool = False) -> tuple[int, bytes]:  # fmt: skip
    """One request in the host's slot, the download delay after the slot's previous one began (as Scrapy
    counts it); no redirect followed, the size limit kept."""
    await asyncio.sleep(max(0.0, host.last + settings.delay - time.monotonic()))
    assert host.in_flight is not None
    async with host.in_flight:
        host.last = time.monotonic()
        verdict.requests += 1
        verdict.robots += robots
        return await _fetch(session, url, headers, settings, verdict)


async def _fetch(session: aiohttp.ClientSession, url: str, headers: dict[str, str], settings: ProbeSettings,
                 verdict: Verdict) -> tuple[int, bytes]:  # fmt: skip
    async with session.get(url, headers=headers, allow_redirects=False) as reply:
        verdict.responses += 1
        if 300 <= reply.status < 400 and reply.status != 304:
            raise Unusual(f"{url} redirects (HTTP {reply.status})")
        if settings.max_size and (reply.content_length or 0) > settings.max_size:
            raise Unusual(f"{url} is larger than DOWNLOAD_MAXSIZE")
        body = bytearray()
        async for chunk in reply.content.iter_chunked(1 << 16):
            body += chunk
            if settings.max_size and len(body) > settings.max_size:
                raise Unusual(f"{url} is larger than DOWNLOAD_MAXSIZE")
        return reply.status, bytes(body)


class _GuardedResolver(aiohttp.abc.AbstractResolver):
    """Host names connect to public addresses only, unless they are a start URL's own host and port."""

    def __init__(self, inner: Any, trusted: Iterable[tuple[str, int]]) -> None:
        self.inner, self.trusted = inner, set(trusted)

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> Any:
        found = await self.inner.resolve(host, port, family)
        if (normal_host(host), port) in self.trusted:
            return found
        public = [r for r in found if is_public(ipaddress.ip_address(r["host"]))]
        if not public:
            raise OSError(f"refused {host}: it resolves to a non-public address")
        return public

    async def close(self) -> None:
        await self.inner.close()
