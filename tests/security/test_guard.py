"""EgressGuard on Request objects: schemes, private addresses in every notation, subdomains, the own-host exception,
and the DNS wrapper that keeps allowed host names off private addresses."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, Spider, signals
from scrapy.http import Response
from scrapy.utils.conf import build_component_list
from scrapy.utils.test import get_crawler
from twisted.internet.address import IPv4Address, IPv6Address
from twisted.python.failure import Failure

from crawler.guard import DnsPolicy, EgressGuard, PublicOnlyResolver, Refused, install_dns_guard
from crawler.runner import crawl_settings
from crawler.spiders.reports import ReportSpider

START = "http://127.0.0.1:8000/zfgzbg/index.html"


def guard_for(allowed: list[str], starts: list[str]) -> EgressGuard:
    class Source(Spider):
        name = "source"
        allowed_domains = allowed
        start_urls = starts

    crawler = get_crawler(Source)
    crawler.spider = Source.from_crawler(crawler)
    return EgressGuard.from_crawler(crawler)


def refusal(guard: EgressGuard, url: str, **kw: Any) -> str | None:
    try:
        guard.process_request(Request(url, **kw))
    except Refused as exc:
        return exc.reason
    return None


@pytest.mark.parametrize(
    "host",
    [
        "10.0.0.1", "10.255.255.254", "192.168.1.1", "172.16.0.1", "172.31.255.255", "169.254.169.254",
        "127.0.0.1", "127.0.0.2", "0.0.0.0", "100.64.0.1", "224.0.0.251", "240.0.0.1", "[::1]", "[::]", "[fd00::1]",
        "[fdff:ffff::1]", "[fe80::1]", "[::ffff:10.0.0.1]", "[::ffff:169.254.169.254]", "[2002:a00:1::]",
        "localhost", "LOCALHOST.", "db.localhost", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "10.1",
    ],
)  # fmt: skip
def test_private_addresses_are_refused_even_as_allowed_domains(host: str) -> None:
    """A user registry cannot open the cloud metadata service or the intranet by listing it as a domain."""
    guard = guard_for([host.strip("[]"), "www.gov.cn"], ["https://www.gov.cn/zhengce/"])
    assert refusal(guard, f"http://{host}/latest/meta-data/") == "private"
    assert refusal(guard, f"http://{host}:8080/") == "private"


def test_the_metadata_service_is_refused_with_a_warning_and_a_stat(caplog: pytest.LogCaptureFixture) -> None:
    guard = guard_for(["www.gov.cn"], ["https://www.gov.cn/zhengce/"])
    with caplog.at_level(logging.DEBUG, logger="crawler.guard"), pytest.raises(Refused) as refused:
        guard.process_request(Request("http://169.254.169.254/latest/meta-data/iam/"))
    assert "169.254.169.254" in str(refused.value) and "link-local" in str(refused.value)
    assert guard.crawler.stats is not None
    assert guard.crawler.stats.get_value("govmon/refused/private") == 1
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert "http://169.254.169.254/latest/meta-data/iam/ (private)" in record.getMessage()


def test_the_own_start_host_and_port_are_allowed_other_ports_and_names_not() -> None:
    guard = guard_for(["127.0.0.1"], [START])
    assert refusal(guard, "http://127.0.0.1:8000/zfgzbg/2025.html") is None
    assert refusal(guard, "http://127.0.0.1:8000/robots.txt") is None
    assert refusal(guard, "http://127.0.0.1:6379/") == "private"  # Redis on the same machine
    assert refusal(guard, "http://127.0.0.1/") == "private"
    assert refusal(guard, "http://localhost:8000/") == "private"  # another host name for the guard
    assert refusal(guard, "http://10.0.0.1:8000/") == "private"
    assert refusal(guard, "http://[::1]:8000/") == "private"


def test_an_intranet_source_keeps_its_own_host() -> None:
    guard = guard_for([], ["http://10.1.2.3/gongkai/list.html", "https://[fd00::5]/x/"])
    assert refusal(guard, "http://10.1.2.3/gongkai/2025.html") is None
    assert refusal(guard, "https://[fd00::5]/x/2025.html") is None
    assert refusal(guard, "http://10.1.2.4/") == "private"
    assert refusal(guard, "https://10.1.2.3/") == "private"  # another port


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://www.gov.cn/zhengce/2025.html", None),
        ("http://www.gov.cn:8080/a.html", None),
        ("https://WWW.GOV.CN./a.html", None),
        ("https://sousuo.www.gov.cn/s.htm", None),  # a subdomain of an allowed domain
        ("https://a.b.www.gov.cn/", None),
        ("https://gov.cn/", "offsite"),  # the parent is not allowed
        ("https://evilwww.gov.cn/", "offsite"),
        ("https://www.gov.cn.evil.example/", "offsite"),
        ("https://www.beijing.gov.cn/", "offsite"),
        ("http://8.8.8.8/", "offsite"),  # a public IP literal is just another host
        ("http://5.1.2.3.4/", "offsite"),  # not a "subdomain" of the IP literal 1.2.3.4
        ("https://xn--sxaa.xn--fiqs8s/", None),  # punycode of an allowed international name
    ],
)
def test_subdomains_of_allowed_domains_and_nothing_else(url: str, reason: str | None) -> None:
    guard = guard_for(["www.gov.cn", "1.2.3.4", "ηη.中国"], ["https://www.gov.cn/zhengce/"])
    assert refusal(guard, url) == reason


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://www.gov.cn/a.pdf",
        "data:text/html,<h1>x</h1>",
        "s3://bucket/key",
        "gopher://www.gov.cn/",
    ],
)
def test_only_http_and_https(url: str) -> None:
    assert refusal(guard_for(["www.gov.cn"], ["https://www.gov.cn/"]), url) == "scheme"


def test_dont_filter_does_not_bypass_the_guard() -> None:
    """Scrapy's OffsiteMiddleware lets dont_filter requests through, and a redirect inherits dont_filter."""
    guard = guard_for(["www.gov.cn"], ["https://www.gov.cn/"])
    assert refusal(guard, "http://10.0.0.1/", dont_filter=True) == "private"
    assert refusal(guard, "https://evil.example/", dont_filter=True, meta={"allow_offsite": True}) == "offsite"


def test_refused_at_scheduling_so_redirects_and_links_never_queue() -> None:
    guard = guard_for(["www.gov.cn"], ["https://www.gov.cn/"])
    results = guard.crawler.signals.send_catch_log(
        signals.request_scheduled, request=Request("http://127.0.0.1:6379/"), spider=guard.crawler.spider
    )
    failures = [r for _, r in results if isinstance(r, Failure)]
    assert len(failures) == 1 and isinstance(failures[0].value, Refused) and failures[0].value.reason == "private"


def test_a_redirect_to_a_file_url_is_refused() -> None:
    guard = guard_for(["www.gov.cn"], ["https://www.gov.cn/"])
    request = Request("https://www.gov.cn/a.html")
    moved = Response(request.url, status=302, headers={"Location": "file:///etc/passwd"}, request=request)
    with pytest.raises(Refused, match="file:///etc/passwd"):
        guard.process_response(request, moved)
    fine = Response(request.url, status=302, headers={"Location": "/b.html"}, request=request)
    assert guard.process_response(request, fine) is fine


def test_the_report_spider_is_guarded_by_its_registry_entry(tmp_path: Path) -> None:
    registry = tmp_path / "sources.yaml"
    registry.write_text(
        "- {id: local, region: 示例市, start_urls: ['http://127.0.0.1:8000/list.html'], allowed_domains: [127.0.0.1]}",
        encoding="utf-8",
    )
    crawler = get_crawler(ReportSpider)
    crawler.spider = ReportSpider.from_crawler(crawler, source="local", sources_file=str(registry))
    guard = EgressGuard.from_crawler(crawler)
    assert refusal(guard, "http://127.0.0.1:8000/art/1.html") is None
    assert refusal(guard, "http://127.0.0.1:8001/art/1.html") == "private"


def test_the_guard_runs_before_robots_txt_and_every_other_middleware() -> None:
    """Placed first, a refused host never even gets a robots.txt request."""
    settings = crawl_settings("sqlite://")  # what `govmon crawl` runs with
    order = [path.rpartition(".")[2] for path in build_component_list(settings.getwithbase("DOWNLOADER_MIDDLEWARES"))]
    assert order[0] == "EgressGuard", order
    assert "RobotsTxtMiddleware" in order and "RedirectMiddleware" in order


# --- DNS -------------------------------------------------------------------------------------------------------


class Receiver:
    def __init__(self) -> None:
        self.addresses: list[str] = []
        self.complete = False

    def resolutionBegan(self, resolution: object) -> None:
        pass

    def addressResolved(self, address: IPv4Address | IPv6Address) -> None:
        self.addresses.append(address.host)

    def resolutionComplete(self) -> None:
        self.complete = True


class StubResolver:
    """What a rebinding attacker's DNS answers: a mix of private and public addresses."""

    answers = ("10.0.0.5", "93.184.216.34", "127.0.0.1", "169.254.169.254", "::1", "2606:2800:220:1::1")

    def resolveHostName(self, receiver: Any, host: str, port: int = 0, *_: Any) -> Any:
        receiver.resolutionBegan(object())
        for answer in self.answers:
            receiver.addressResolved((IPv6Address if ":" in answer else IPv4Address)("TCP", answer, port))
        receiver.resolutionComplete()
        return receiver


def resolve(resolver: PublicOnlyResolver, host: str, port: int) -> list[str]:
    receiver = Receiver()
    resolver.resolveHostName(receiver, host, port)
    assert receiver.complete
    return receiver.addresses


def test_allowed_names_resolve_to_public_addresses_only(caplog: pytest.LogCaptureFixture) -> None:
    policy = DnsPolicy()
    policy.allow(("www.gov.cn", 443), trusted=False)
    policy.allow(("intranet.example", 8080), trusted=True)
    resolver = PublicOnlyResolver(StubResolver(), policy)
    with caplog.at_level(logging.WARNING, logger="crawler.guard"):
        assert resolve(resolver, "www.gov.cn", 443) == ["93.184.216.34", "2606:2800:220:1::1"]
    assert "refused www.gov.cn: it resolves to 10.0.0.5, a non-public address" in caplog.text
    assert resolve(resolver, "intranet.example", 8080) == list(StubResolver.answers)  # a start URL's own host
    assert resolve(resolver, "intranet.example", 6379) == ["93.184.216.34", "2606:2800:220:1::1"]
    assert resolve(resolver, "proxy.corp", 3128) == list(StubResolver.answers)  # not a crawl target: untouched


def test_the_dns_guard_wraps_the_reactor_resolver_once() -> None:
    class Reactor:
        nameResolver: Any = StubResolver()

        def installNameResolver(self, resolver: Any) -> None:
            self.nameResolver = resolver

    reactor = Reactor()
    install_dns_guard(reactor)
    install_dns_guard(reactor)
    assert isinstance(reactor.nameResolver, PublicOnlyResolver)
    assert isinstance(reactor.nameResolver.inner, StubResolver)
