"""The HTML digest and archive pages as a browser shows them (headless Chromium).

Screenshots land in tests/artifacts/ (gitignored; CI keeps them as artifacts): look at them after changing a
template. The DOM checks make sure a reader sees the headline changes, not only that the HTML contains them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from monitor.publish.render import render_digest_html
from tests.render import samples
from tests.render.chromium import dump_dom, screenshot

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def digest_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("digest") / "digest.html"
    path.write_text(render_digest_html(samples.shanghai_digest()), encoding="utf-8")
    return path


def test_browser_dom_shows_region_document_and_headline_changes(digest_file: Path) -> None:
    dom = BeautifulSoup(dump_dom(digest_file), "lxml")
    section = dom.select_one("td.section")
    assert section is not None
    text = " ".join(section.get_text(" ").split())
    assert "上海市" in text and "2024年上海市政府工作报告" in text
    assert [" ".join(f.get_text(" ").split()) for f in dom.select(".figures")][:3] == [
        "5.5%以上 → 5%左右",
        "— → 55万人以上",
        "5.5% → 5%",
    ]
    assert dom.select_one("h2.doc-title a")["href"] == samples.SH_URL  # type: ignore[index]


def test_digest_screenshot_at_phone_and_mail_widths(digest_file: Path) -> None:
    assert screenshot(digest_file, "digest-640", 640, 1000).stat().st_size > 10_000
    assert screenshot(digest_file, "digest-375", 375, 812).stat().st_size > 10_000


def test_browser_dom_of_archive_pages(site_dir: Path) -> None:
    document = next(p for p in (site_dir / "documents").glob("*.html") if "2024年示例市" in p.read_text("utf-8"))
    dom = BeautifulSoup(dump_dom(document), "lxml")
    rows = [" ".join(r.get_text(" ").split()) for r in dom.select("table.changes tbody tr")]
    assert any(r.startswith("经济增长 下调 ▼ 5.5%以上 → 5%左右") for r in rows)
    region = BeautifulSoup(dump_dom(site_dir / "regions" / "示例市.html"), "lxml")
    assert region.select("figure.trend svg circle")
    screenshot(document, "archive-document", 900, 1200)
    screenshot(site_dir / "regions" / "示例市.html", "archive-region", 900, 1200)
    screenshot(site_dir / "index.html", "archive-index", 900, 900)
