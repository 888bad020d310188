"""A scraped title holding a script and a `javascript:` source URL are inert in every output."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from lxml import etree

from monitor.publish.render import is_web_url, render_digest_html, render_digest_text
from tests.render import samples

ATOM = "{http://www.w3.org/2005/Atom}"


def assert_inert_html(html: str) -> BeautifulSoup:
    doc = BeautifulSoup(html, "lxml")
    assert not doc.find_all(["script", "iframe", "object", "embed"])
    assert "<script" not in html.lower()
    for tag in doc.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.startswith("on"), f"event handler attribute {name} on <{tag.name}>"
            assert "javascript:" not in str(value).lower(), f"{tag.name}[{name}]={value}"
    return doc


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://www.gov.cn/a.html", True),
        ("HTTP://www.gov.cn/", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\nscript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("//evil.example/x", False),
        ("file:///etc/passwd", False),
        ("https://", False),
        ("", False),
        (None, False),
    ],
)
def test_only_http_urls_count_as_links(url: str | None, ok: bool) -> None:
    assert is_web_url(url) is ok


def test_html_digest_escapes_title_and_drops_the_javascript_link() -> None:
    doc = assert_inert_html(render_digest_html(samples.evil_digest()))
    title = doc.select_one("h2.doc-title")
    assert title is not None and title.get_text(strip=True) == samples.EVIL_TITLE  # shown as text
    assert title.find("a") is None  # not clickable


def test_text_digest_omits_the_javascript_url() -> None:
    text = render_digest_text(samples.evil_digest())
    assert "javascript:" not in text.lower()
    assert "原文：（链接不是网页地址，未显示）" in text


def _pages(site_dir: Path) -> list[Path]:
    return sorted(site_dir.rglob("*.html"))


def test_every_archive_page_is_inert(site_dir: Path) -> None:
    pages = _pages(site_dir)
    assert len(pages) >= 5
    for page in pages:
        assert_inert_html(page.read_text(encoding="utf-8"))


def test_hostile_document_page_shows_the_title_as_text(site_dir: Path) -> None:
    evil = next(p for p in _pages(site_dir) if samples.EVIL_TITLE in BeautifulSoup(p.read_bytes(), "lxml").get_text())
    heading = BeautifulSoup(evil.read_bytes(), "lxml").select_one("h1")
    assert heading is not None and heading.get_text(strip=True) == samples.EVIL_TITLE and heading.find("a") is None


def test_hostile_region_name_makes_a_safe_file_name(site_dir: Path) -> None:
    names = [p.name for p in (site_dir / "regions").iterdir()]
    assert all("<" not in n and "/" not in n for n in names)
    assert "b-恶意-b.html" in names


def test_atom_feed_is_inert(site_dir: Path) -> None:
    raw = (site_dir / "feed.atom").read_bytes()
    root = etree.fromstring(raw)
    assert not [el for el in root.iter() if isinstance(el.tag, str) and el.tag.endswith("script")]
    for el in root.iter():
        assert all("javascript:" not in v.lower() for v in el.attrib.values())
    titles = [t.text for t in root.iter(f"{ATOM}title")]
    assert f"<b>恶意</b> {samples.EVIL_TITLE}" in titles  # escaped in the XML, text once parsed
