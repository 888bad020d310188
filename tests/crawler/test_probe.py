"""The change probe's HTTP side (crawler/probe.py) on a loopback site: what it asks, what it concludes, and what it
never asks (robots.txt, the egress guard, redirects, limits)."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings

from crawler import settings as crawler_settings
from crawler.guard import Policy
from crawler.probe import ProbeSettings, Target, probe
from crawler.state import ListPage
from monitor.demo.server import Reply, SiteServer

LIST = (
    '<html><head><meta charset="utf-8"><title>计划规划</title></head><body><ul>'
    '<li><a href="./202501/t20250110_1.html">样例市2025年政务公开工作要点</a><span>2025-01-10</span></li>'
    "</ul></body></html>"
).encode()


class Site(SiteServer):
    """The list page, with or without validators; robots.txt, failures and redirects as a test sets them."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.robots = b"User-agent: *\nAllow: /\n"
        self.plain = True  # the list page without ETag or Last-Modified
        self.special: dict[str, Reply] = {}
        self.headers_seen: list[dict[str, str]] = []

    def route(self, path: str) -> Reply | None:
        if path == "/robots.txt":
            return Reply(200, self.robots, "text/plain")
        if path in self.special:
            return self.special[path]
        body = self.resolve(path, "")
        if self.plain and body is not None:
            return Reply(200, body)
        return None


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    root = tmp_path / "site"
    root.mkdir()
    (root / "list.html").write_bytes(LIST)
    with Site(root) as server:
        yield server


def settings(**more: Any) -> ProbeSettings:
    base = Settings()
    base.setmodule(crawler_settings)
    base.setdict({"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_TIMEOUT": 5, **more})
    return ProbeSettings.of(base)


def target(site: Site, page: ListPage | None = None, policy: Policy | None = None) -> Target:
    url = f"{site.base}/list.html"
    page = page or ListPage(url, None, None, hashlib.sha256(LIST).hexdigest())
    return Target("s1", policy or Policy.of([], [url]), (page,))


def test_same_body_is_unchanged_and_costs_robots_and_the_list(site: Site) -> None:
    verdict = probe([target(site)], settings())["s1"]
    assert verdict.unchanged and verdict.reason == "list pages unchanged"
    assert site.requests == ["/robots.txt", "/list.html"]
    assert (verdict.requests, verdict.responses, verdict.robots) == (2, 2, 1)


def test_changed_body_goes_to_scrapy(site: Site) -> None:
    site.overrides["/list.html"] = LIST.replace(b"</ul>", b'<li><a href="./202501/t20250111_2.html">x</a></li></ul>')
    verdict = probe([target(site)], settings())["s1"]
    assert not verdict.unchanged and "changed" in verdict.reason


def test_validators_are_sent_and_304_is_unchanged(site: Site) -> None:
    site.plain = False  # the demo server's ETag and 304
    url = f"{site.base}/list.html"
    etag = '"' + hashlib.sha1(LIST).hexdigest()[:16] + '"'
    page = ListPage(url, etag, None, "a body hash the server's 304 makes irrelevant")
    verdict = probe([target(site, page)], settings())["s1"]
    assert verdict.unchanged
    stale = ListPage(url, '"another"', None, "not the body's hash")
    assert not probe([target(site, stale)], settings())["s1"].unchanged  # 200 with another body: changed


def test_robots_disallowed_list_is_not_fetched(site: Site) -> None:
    site.robots = b"User-agent: *\nDisallow: /list.html\n"
    verdict = probe([target(site)], settings())["s1"]
    assert not verdict.unchanged and "robots.txt forbids" in verdict.reason
    assert site.requests == ["/robots.txt"]


def test_robots_for_govmon_only_is_obeyed_by_user_agent(site: Site) -> None:
    site.robots = b"User-agent: govmon\nDisallow: /\n\nUser-agent: *\nAllow: /\n"
    assert not probe([target(site)], settings())["s1"].unchanged
    assert site.requests == ["/robots.txt"]


def test_user_agent_and_scrapy_headers_are_sent(site: Site) -> None:
    seen: list[dict[str, str]] = []
    handler: Any = site.httpd.RequestHandlerClass

    class Recording(handler):  # type: ignore[misc,valid-type]
        def do_GET(self) -> None:
            seen.append(dict(self.headers))
            super().do_GET()

    site.httpd.RequestHandlerClass = Recording
    assert probe([target(site)], settings(USER_AGENT="govmon-test/1.0"))["s1"].unchanged
    assert [h["User-Agent"] for h in seen] == ["govmon-test/1.0", "govmon-test/1.0"]
    assert seen[1]["Accept-Language"] == "en" and seen[1]["Accept"].startswith("text/html")  # Scrapy's defaults
    assert "Cookie" not in seen[1]


def test_guard_refused_list_is_never_contacted(site: Site) -> None:
    """A list page on a loopback port that is not a start URL's, or off the allowed domains: no request at all."""
    other_port = Policy.of([], ["http://127.0.0.1:1/"])  # loopback, but not this host and port
    verdict = probe([target(site, policy=other_port)], settings())["s1"]
    assert not verdict.unchanged and "egress guard" in verdict.reason and "private" in verdict.reason
    offsite = Policy.of(["www.example.gov.cn"], ["https://www.example.gov.cn/"])
    verdict = probe([target(site, policy=offsite)], settings())["s1"]
    assert not verdict.unchanged and "egress guard" in verdict.reason
    assert site.requests == []


class Loopback:
    """Every name is 127.0.0.1: a public-looking host name that resolves to a private address."""

    async def resolve(self, host: str, port: int = 0, family: int = 0) -> list[dict[str, Any]]:
        return [{"hostname": host, "host": "127.0.0.1", "port": port, "family": socket.AF_INET, "proto": 0,
                 "flags": socket.AI_NUMERICHOST}]  # fmt: skip

    async def close(self) -> None:
        pass


def test_host_name_resolving_to_a_private_address_is_refused(site: Site) -> None:
    """DNS rebinding: an allowed name whose address is private is refused unless it is a start URL's host and
    port (as `guard.PublicOnlyResolver` does for Scrapy)."""
    resolver = f"{__name__}.Loopback"
    url = f"http://www.example.gov.cn:{site.port}/list.html"
    page = ListPage(url, None, None, hashlib.sha256(LIST).hexdigest())
    elsewhere = Policy.of(["example.gov.cn"], [f"http://www.example.gov.cn:{site.port + 1}/"])
    verdict = probe([Target("s1", elsewhere, (page,))], settings(GOVMON_PROBE_RESOLVER=resolver))["s1"]
    assert not verdict.unchanged and "DNSError" in verdict.reason  # the resolver dropped its only address
    assert site.requests == []
    own = Policy.of(["example.gov.cn"], [url])  # the start URL's own host and port: trusted, as for Scrapy
    assert probe([Target("s1", own, (page,))], settings(GOVMON_PROBE_RESOLVER=resolver))["s1"].unchanged


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(302, b"", None, {"Location": "/elsewhere.html"}), "redirects"),
        (Reply(503, b"busy"), "HTTP 503"),
        (Reply(304, b"", None), "HTTP 304"),  # not modified although nothing was asked conditionally
        (Reply(200, b"x" * 5000), "DOWNLOAD_MAXSIZE"),
    ],
)
def test_unusual_answers_go_to_scrapy(site: Site, reply: Reply, reason: str) -> None:
    site.special["/list.html"] = reply
    verdict = probe([target(site)], settings(DOWNLOAD_MAXSIZE=4096))["s1"]
    assert not verdict.unchanged and reason in verdict.reason


def test_unreachable_site_is_a_probe_error(site: Site) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused
        url = f"http://127.0.0.1:{port}/list.html"
        page = ListPage(url, None, None, "0" * 64)
        verdict = probe([Target("s1", Policy.of([], [url]), (page,))], settings())["s1"]
    assert not verdict.unchanged and verdict.reason.startswith(("probe failed", "robots.txt"))


def test_robots_fetched_once_per_host_for_its_sources(site: Site) -> None:
    url = f"{site.base}/list.html"
    page = ListPage(url, None, None, hashlib.sha256(LIST).hexdigest())
    targets = [Target(f"s{i}", Policy.of([], [url]), (page,)) for i in range(3)]
    verdicts = probe(targets, settings())
    assert all(v.unchanged for v in verdicts.values())
    assert site.requests.count("/robots.txt") == 1 and site.requests.count("/list.html") == 3
    assert sum(v.robots for v in verdicts.values()) == 1
