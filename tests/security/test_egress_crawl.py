"""End to end: `govmon crawl` on a local site whose links and redirects lead off the source, to a second local
server, to private addresses and to file:///etc/passwd. Nothing off the source is contacted, fetched or stored,
and every refusal is counted and logged. Redirect targets pass the guard: one to the source's own host on another
port is refused, which Scrapy's OffsiteMiddleware alone would have let through."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from db.repository import list_documents
from db.runs import recent_runs
from db.session import make_engine, session_scope
from tests.crawler.conftest import run_crawl
from tests.security.conftest import SECRET_PAGE, Site, article, list_page

pytestmark = pytest.mark.slow
REPORT = "2025年全市经济社会发展主要预期目标为：地区生产总值增长5%左右，城镇新增就业8万人以上。"
FAKE_DNS = "-sTWISTED_DNS_RESOLVER=tests.security.fakedns.LocalTestResolver"


def write_registry(path: Path, *entries: dict[str, Any]) -> Path:
    base = {"region": "安全市", "level": "city", "cms": "generic"}
    path.write_text(yaml.safe_dump([base | e for e in entries], allow_unicode=True), encoding="utf-8")
    return path


def stored(url: str) -> dict[str, str]:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            return {row.title: row.url for row in list_documents(session)}
    finally:
        engine.dispose()


def run_stats(url: str, run_id: int) -> dict[str, Any]:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            run = {r.id: r for r in recent_runs(session, 1000)}.get(run_id)
            assert run is not None
            return dict(run.stats or {})
    finally:
        engine.dispose()


def test_links_and_redirects_off_the_source_are_refused(
    source_site: Site, other_site: Site, sqlite_url: str, tmp_path: Path
) -> None:
    b = other_site.base
    source_site.redirects.update(
        {
            "/go/port.html": f"{b}/art/secret.html",  # the source's own host (127.0.0.1), another port
            "/go/localhost.html": f"http://localhost:{other_site.port}/art/secret.html",
            "/go/metadata.html": "http://169.254.169.254/latest/meta-data/",
            "/go/elsewhere.html": "https://www.example.org/report.html",
            "/go/file.html": "file:///etc/passwd",
        }
    )
    refresh = f'<meta http-equiv="refresh" content="0;url={b}/art/refresh.html">'
    source_site.generated.update(
        {
            "/list.html": list_page(
                [
                    ("/art/ok.html", "安全市2025年政府工作报告"),
                    ("/go/port.html", "安全市2024年政府工作报告"),
                    ("/go/localhost.html", "安全市2023年政府工作报告"),
                    ("/go/metadata.html", "安全市2022年政府工作报告"),
                    ("/go/elsewhere.html", "安全市2021年政府工作报告"),
                    ("/go/file.html", "安全市2020年政府工作报告"),
                    ("/art/refresh.html", "安全市2019年政府工作报告"),
                    (f"http://localhost:{other_site.port}/art/direct.html", "安全市2018年政府工作报告"),
                    ("https://www.example.org/2017.html", "安全市2017年政府工作报告"),
                ]
            ),
            "/art/ok.html": article("安全市2025年政府工作报告", REPORT),
            "/art/refresh.html": article("安全市2019年政府工作报告", "正在跳转", head=refresh),
        }
    )
    registry = write_registry(
        tmp_path / "registry.yaml", {"id": "sec-links", "start_urls": [f"{source_site.base}/list.html"]}
    )

    crawl = run_crawl(sqlite_url, registry)

    assert crawl.code == 0, crawl.stderr
    assert other_site.requests == []  # not a page, not even robots.txt
    assert "/art/ok.html" in source_site.requests
    documents = stored(sqlite_url)
    assert set(documents) == {"安全市2025年政府工作报告"}
    stats = run_stats(sqlite_url, crawl.of("sec-links")["run_id"])
    refused = {k.removeprefix("govmon/refused/"): v for k, v in stats.items() if k.startswith("govmon/refused/")}
    # private: port, localhost, metadata, meta refresh, direct link; offsite: elsewhere and its link; scheme: file
    assert refused == {"private": 5, "offsite": 2, "scheme": 1}, stats
    for url, reason in (
        (f"{b}/art/secret.html", "private"),
        ("http://169.254.169.254/latest/meta-data/", "private"),
        ("https://www.example.org/report.html", "offsite"),
        ("file:///etc/passwd", "scheme"),
    ):
        assert f"refused {url} ({reason})" in crawl.stderr
    assert "root:" not in crawl.stderr and SECRET_PAGE not in crawl.stderr


def test_a_name_resolving_to_a_private_address_is_not_connected(
    source_site: Site, other_site: Site, sqlite_url: str, tmp_path: Path
) -> None:
    """DNS rebinding: `intranet.test` is an allowed domain, but (fake DNS) resolves to 127.0.0.1."""
    target = f"http://intranet.test:{other_site.port}/art/rebind.html"
    source_site.generated["/list.html"] = list_page([(target, "安全市2016年政府工作报告")])
    entry = {"id": "sec-rebind", "start_urls": [f"{source_site.base}/list.html"],
             "allowed_domains": ["127.0.0.1", "intranet.test"]}  # fmt: skip
    crawl = run_crawl(sqlite_url, write_registry(tmp_path / "registry.yaml", entry), FAKE_DNS)

    assert crawl.code == 0, crawl.stderr
    assert "/list.html" in source_site.requests
    assert other_site.requests == []
    assert stored(sqlite_url) == {}
    assert "refused intranet.test: it resolves to 127.0.0.1, a non-public address" in crawl.stderr


def test_a_source_on_a_private_host_name_still_crawls_its_own_site(
    source_site: Site, sqlite_url: str, tmp_path: Path
) -> None:
    """The start URL's own host and port are trusted even when its name resolves to a private address."""
    start = f"http://intranet.test:{source_site.port}/list.html"
    source_site.generated.update(
        {
            "/list.html": list_page([("/art/ok.html", "安全市2025年政府工作报告")]),
            "/art/ok.html": article("安全市2025年政府工作报告", REPORT),
        }
    )
    crawl = run_crawl(sqlite_url, write_registry(tmp_path / "registry.yaml", {"id": "sec-own", "start_urls": [start]}),
                      FAKE_DNS)  # fmt: skip

    assert crawl.code == 0, crawl.stderr
    assert stored(sqlite_url) == {"安全市2025年政府工作报告": f"http://intranet.test:{source_site.port}/art/ok.html"}
    assert "refused" not in crawl.stderr
