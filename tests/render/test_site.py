"""The archive site: which files are written, what each page holds (parsed), a valid Atom feed, the command."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup
from lxml import etree
from sqlalchemy import Engine

from monitor.digest.archive import headline_changes, region_href, region_slug, rfc3339
from monitor.digest.selection import StoredChangeIn
from tests.monitor.cli_helpers import run
from tests.render.samples import BASE_URL

ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def page(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_bytes(), "lxml")


def document_page(site_dir: Path, title: str) -> BeautifulSoup:
    return next(d for p in (site_dir / "documents").glob("*.html") if title in (d := page(p)).title.get_text())  # type: ignore[union-attr]


def test_site_layout(site_dir: Path) -> None:
    assert (site_dir / "index.html").is_file() and (site_dir / "feed.atom").is_file()
    assert len(list((site_dir / "documents").glob("*.html"))) == 3
    assert (site_dir / "regions" / "示例市.html").is_file()


def test_index_lists_regions_and_latest_documents_with_headline_changes(site_dir: Path) -> None:
    doc = page(site_dir / "index.html")
    regions = {a.get_text(): a["href"] for a in doc.select(".regions a")}
    assert regions["示例市"] == region_href("示例市")
    latest = next(li for li in doc.select("li.document") if "2024年示例市" in li.get_text())
    assert latest.select_one("a.doc-link")["href"].startswith("documents/")  # type: ignore[index]
    first = latest.select_one("li.change")
    assert first is not None and "change-lowered" in first["class"] and "5.5%以上" in first.get_text()


def test_every_internal_link_resolves(site_dir: Path) -> None:
    for path in site_dir.rglob("*.html"):
        for a in page(path).find_all("a"):
            href = str(a["href"])
            if not href.startswith("http"):
                assert (path.parent / unquote(href)).resolve().is_file(), f"{path.name}: {href}"


def test_document_page_has_changes_targets_by_status_and_priorities(site_dir: Path) -> None:
    doc = document_page(site_dir, "2024年示例市政府工作报告")
    h1 = doc.select_one("h1 a")
    assert h1 is not None and h1["href"] == "https://www.example.gov.cn/zfgzbg/2024.html"
    rows = {r.select("td")[0].get_text(): r for r in doc.select("table.changes tbody tr")}
    assert "change-lowered" in rows["经济增长"]["class"] and "5%左右" in rows["经济增长"].get_text()
    assert "change-raised" in rows["研发经费投入强度"]["class"]
    statuses = [s["id"] for s in doc.select("section[id^=status-]")]
    assert statuses[0] == "status-target" and "status-achieved" in statuses
    figures = [r.select_one(".figure").get_text() for r in doc.select("#status-target tr.target")]  # type: ignore[union-attr]
    assert "5%左右" in figures and "4.5%左右" in figures
    assert doc.select_one("#priorities") is not None


def test_region_page_has_a_trend_chart_per_metric(site_dir: Path) -> None:
    doc = page(site_dir / "regions" / "示例市.html")
    gdp = doc.select_one("figure#metric-gdp_growth")
    assert gdp is not None
    svg = gdp.select_one("svg")
    assert svg is not None and svg["viewbox" if svg.has_attr("viewbox") else "viewBox"].startswith("0 0 ")
    assert gdp.select_one("path.series-target") is not None
    labels = [t.get_text() for t in gdp.select("text.label-target")]
    assert labels == ["5.5%以上", "5%左右"]
    years = [r.select("td")[0].get_text() for r in gdp.select("table.trend-table tbody tr")]
    assert years == sorted(years) and "2024" in years


def test_atom_feed_is_valid_atom_1_0(site_dir: Path) -> None:
    root = etree.fromstring((site_dir / "feed.atom").read_bytes())
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{required}") is not None
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == f"{BASE_URL}/feed.atom"  # type: ignore[union-attr]
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 3
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids) and all(i and i.startswith(BASE_URL) for i in ids)
    stamps = [root.findtext(f"{ATOM}updated")] + [e.findtext(f"{ATOM}updated") for e in entries]
    assert all(s and RFC3339.match(s) for s in stamps)
    assert stamps[0] == max(stamps[1:])
    for entry in entries:
        assert entry.find(f"{ATOM}title") is not None
        assert entry.find(f"{ATOM}link[@rel='alternate']") is not None
        assert entry.find(f"{ATOM}content").get("type") == "xhtml"  # type: ignore[union-attr]


def test_feed_entry_lists_headline_changes(site_dir: Path) -> None:
    root = etree.fromstring((site_dir / "feed.atom").read_bytes())
    entry = next(e for e in root.findall(f"{ATOM}entry") if "2024年示例市" in (e.findtext(f"{ATOM}title") or ""))
    items = [li.text for li in entry.iter("{http://www.w3.org/1999/xhtml}li")]
    assert "经济增长（下调 ▼）：5.5%以上 → 5%左右" in items


@pytest.mark.parametrize(("name", "slug"), [("上海市", "上海市"), ("<b>x</b>", "b-x-b"), ("../..", "region")])
def test_region_slug_is_a_safe_file_name(name: str, slug: str) -> None:
    assert region_slug(name) == slug


def test_rfc3339_is_utc() -> None:
    assert rfc3339(datetime(2024, 1, 30, 8, 0)) == "2024-01-30T08:00:00Z"
    assert rfc3339(datetime(2024, 1, 30, 8, 0, tzinfo=timezone(timedelta(hours=8)))) == "2024-01-30T00:00:00Z"
    assert rfc3339(datetime(2024, 1, 30, tzinfo=UTC)).endswith("Z")


def test_headline_changes_prefer_headline_metrics_and_skip_unchanged() -> None:
    def c(key: str, kind: str, sig: float) -> StoredChangeIn:
        return StoredChangeIn("target", key, key, kind, {"value": 1, "unit": "%"}, {"value": 2, "unit": "%"}, sig)

    views = headline_changes([c("cpi", "unchanged", 0.9), c("other", "raised", 0.8), c("gdp_growth", "lowered", 0.5)])
    assert [v.metric_key for v in views] == ["gdp_growth", "other"]


def test_site_build_command(capsys: pytest.CaptureFixture[str], archive_engine: Engine, tmp_path: Path) -> None:
    result = run(
        capsys,
        "--db",
        archive_engine.url.render_as_string(hide_password=False),
        "site",
        "build",
        str(tmp_path / "out"),
        "--base-url",
        BASE_URL,
    )
    assert result.code == 0, result.err
    assert f"wrote {tmp_path / 'out' / 'index.html'}" in result.out
    assert "3 document pages, 2 region pages" in result.out
    assert (tmp_path / "out" / "feed.atom").is_file()


def test_region_page_leads_with_gdp(site_dir: Path) -> None:
    figures = page(site_dir / "regions" / "示例市.html").select("figure.trend")
    assert figures[0]["id"] == "metric-gdp_growth"
