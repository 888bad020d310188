"""`render_js: true` through Debian's chromium (scrapy-playwright): the list a script draws is crawled, and every
request the browser makes — the page's own fetches and scripts, a redirect of a followed link — passes the
egress guard first: nothing off the source is contacted. Skipped without chromium or scrapy-playwright, unless CI
is set: then it fails."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.crawler.conftest import run_crawl
from tests.security.conftest import Site, article
from tests.security.test_egress_crawl import REPORT, stored, write_registry

pytestmark = pytest.mark.slow


def _browser() -> None:
    try:
        import scrapy_playwright  # noqa: F401
    except ImportError:
        missing = "scrapy-playwright (pip install govmon[js])"
    else:
        missing = "" if shutil.which("chromium") else "chromium (apt-get install chromium)"
    if missing and os.environ.get("CI"):
        pytest.fail(f"{missing} is required in CI")
    if missing:
        pytest.skip(f"{missing} is not installed")


def drawn_list(other: str) -> bytes:
    """A list page whose items a script fetches and draws, and which also reaches for another host."""
    script = f"""
      fetch('/data.json').then(r => r.json()).then(items => {{
        document.getElementById('list').innerHTML = '<ul>' + items.map(i =>
          '<li><a href="' + i.url + '">' + i.title + '</a><span>' + i.date + '</span></li>').join('') + '</ul>';
      }});
      fetch('{other}/art/secret.html').catch(() => {{}});
      var s = document.createElement('script'); s.src = '{other.replace("127.0.0.1", "localhost")}/art/direct.html';
      document.head.appendChild(s);
    """
    return (
        '<html><head><meta charset="utf-8"><title>安全市人民政府 - 计划规划</title></head><body>'
        f'<div id="list"></div><script>{script}</script></body></html>'
    ).encode()


def test_a_script_drawn_list_is_crawled_in_the_browser_behind_the_guard(
    source_site: Site, other_site: Site, sqlite_url: str, tmp_path: Path
) -> None:
    _browser()
    other = other_site.base
    source_site.redirects["/go/port.html"] = f"{other}/art/secret.html"
    items = [
        {"url": "/art/ok.html", "title": "安全市2025年政府工作报告", "date": "2025-02-14"},
        {"url": "/go/port.html", "title": "安全市2024年政府工作报告", "date": "2024-02-14"},
    ]
    source_site.generated.update(
        {
            "/list.html": drawn_list(other),
            "/data.json": json.dumps(items, ensure_ascii=False).encode(),
            "/art/ok.html": article("安全市2025年政府工作报告", REPORT),
        }
    )
    entry = {"id": "sec-render", "render_js": True, "start_urls": [f"{source_site.base}/list.html"]}
    crawl = run_crawl(sqlite_url, write_registry(tmp_path / "registry.yaml", entry), "-sDOWNLOAD_TIMEOUT=20")

    assert crawl.code == 0, crawl.stderr
    assert stored(sqlite_url) == {"安全市2025年政府工作报告": f"{source_site.base}/art/ok.html"}
    assert other_site.requests == []  # not the fetch, not the script, not the redirect target
    assert "/data.json" in source_site.requests and "/go/port.html" in source_site.requests
    assert f"refused {other}/art/secret.html (private) in the browser" in crawl.stderr


def test_without_render_js_the_same_source_is_broken_with_the_reason(
    source_site: Site, other_site: Site, sqlite_url: str, tmp_path: Path
) -> None:
    source_site.generated["/list.html"] = drawn_list(other_site.base).replace(
        b"<script>", b'<script type="text/x-template" id="tpl"><li>{{title}}</li></script><script>', 1
    )
    entry = {"id": "sec-plain", "start_urls": [f"{source_site.base}/list.html"]}
    crawl = run_crawl(sqlite_url, write_registry(tmp_path / "registry.yaml", entry))

    assert crawl.code == 7
    assert crawl.of("sec-plain")["health"] == "broken"
    assert crawl.of("sec-plain")["reason"].startswith("list drawn by JavaScript: set render_js: true")
    assert other_site.requests == []
