"""The live archive: the same pages as `govmon site build` (one rendering path), caching headers and 304s,
Atom feeds of everything, of a region and of a metric."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy import Engine

from monitor.config import Settings
from monitor.publish.site import build_site
from tests.web.conftest import BASE, report, store

ATOM = "{http://www.w3.org/2005/Atom}"
NAV = '<a href="{root}subscribe">邮件订阅</a>'


def test_live_pages_are_the_static_sites_pages(client: TestClient, db: Engine, tmp_path: Path) -> None:
    site = tmp_path / "site"
    written = build_site(db, site, BASE)
    expected = {"index.html", "feed.atom", "archive.css", "regions/示例市.html", "regions/示例市.atom",
                "metrics/gdp_growth.html", "metrics/rd_intensity.atom"}  # fmt: skip
    assert {p.relative_to(site).as_posix() for p in written} >= expected
    for path in written:
        relative = path.relative_to(site).as_posix()
        live = client.get("/" + quote(relative))
        assert live.status_code == 200, relative
        root = "../" * relative.count("/")
        expected = path.read_text(encoding="utf-8")
        if relative.endswith(".html"):  # the one difference: live pages link to the sign-up form
            assert NAV.format(root=root) in live.text
            expected = expected.replace("</a></nav>", "</a>" + NAV.format(root=root) + "</nav>", 1)
        assert live.text == expected, relative


def test_etag_and_last_modified_answer_304(client: TestClient) -> None:
    first = client.get("/regions/示例市.html")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert first.headers["cache-control"].startswith("public")
    assert client.get("/regions/示例市.html", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/regions/示例市.html", headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get("/regions/示例市.html", headers={"If-Modified-Since": modified}).status_code == 304
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert client.get("/regions/示例市.html", headers={"If-Modified-Since": old}).status_code == 200
    assert client.head("/feed.atom").status_code == 200


def test_new_documents_show_at_once_with_new_validators(client: TestClient, db: Engine) -> None:
    before = client.get("/index.html")
    store(db, report(2024, region="另一市"))
    after = client.get("/index.html", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and "另一市" in after.text and after.headers["etag"] != before.headers["etag"]
    assert client.get("/regions/另一市.html").status_code == 200


def test_feeds_of_everything_a_region_and_a_metric(client: TestClient) -> None:
    for path, entries in (("/feed.atom", 2), ("/regions/示例市.atom", 2), ("/metrics/gdp_growth.atom", 1)):
        answer = client.get(path)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/atom+xml")
        root = etree.fromstring(answer.content)
        assert len(root.findall(f"{ATOM}entry")) == entries, path
        assert root.find(f"{ATOM}link[@rel='self']").get("href") == BASE + path.replace("示例市", "示例市")  # type: ignore[union-attr]
    gdp = etree.fromstring(client.get("/metrics/gdp_growth.atom").content)
    items = [li.text for li in gdp.iter("{http://www.w3.org/1999/xhtml}li")]
    assert items == ["经济增长（下调 ▼）：5.5%以上 → 5%左右"]


def test_metric_page_lists_each_region(client: TestClient) -> None:
    page = client.get("/metrics/rd_intensity.html")
    assert page.status_code == 200 and "研发经费投入强度" in page.text and "示例市" in page.text
    assert "4.5%左右" in page.text and "4.3%左右" in page.text  # this year's target and the one before


def test_unknown_pages_are_404_pages(client: TestClient) -> None:
    for path in ("/documents/999.html", "/documents/x.html", "/regions/nowhere.html", "/metrics/nothing.atom",
                 "/regions/..%2F..%2Fetc.html", "/anything"):  # fmt: skip
        answer = client.get(path)
        assert answer.status_code == 404 and "没有这个页面" in answer.text, path
        assert answer.headers["content-type"].startswith("text/html")


def test_settings_base_url_not_the_host_header_makes_feed_links(make_client, settings: Settings) -> None:
    client = make_client(base_url="https://govmon.example.org")
    feed = client.get("/feed.atom", headers={"Host": "evil.example"})
    assert "https://govmon.example.org/documents/" in feed.text and "evil.example" not in feed.text
