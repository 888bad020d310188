"""The demo's digests and archive in a real browser (headless Debian Chromium driven by Selenium with Debian's
chromium-driver) at 1280 and 390 px: screenshots for a person to look at (tests/artifacts/, gitignored), and the
layout checked from the browser's own measurements — nothing wider than the window, no metric name squeezed to a
character a line, the chart labels apart."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from tests.demo.conftest import DemoRuns
from tests.render.chromium import ARTIFACTS
from tests.web.test_browser import _binaries

pytestmark = pytest.mark.slow
WIDTHS = (1280, 390)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = _binaries()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    flags = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--disable-background-networking", "--no-first-run", "--hide-scrollbars")  # fmt: skip
    for flag in (*flags, f"--user-data-dir={tmp_path_factory.mktemp('profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(chromedriver))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def _pages(demo: DemoRuns, tmp: Path) -> dict[str, Path]:
    pages = {"index": demo.paths.site / "index.html", "region": demo.paths.site / "regions" / "上海市.html"}
    documents = sorted((demo.paths.site / "documents").glob("*.html"), key=lambda p: -p.stat().st_size)
    pages["document"] = documents[0]  # the largest: the most figures and the longest names
    for eml in sorted(demo.paths.mail.glob("*.eml")):
        message = message_from_bytes(eml.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        html = message.get_body(("html",))
        assert html is not None
        who = eml.stem.split("-", 1)[1].split("@")[0].split("-")[0]  # analyst, shanghai, rd
        path = tmp / f"digest-{who}.html"
        path.write_text(html.get_content(), encoding="utf-8")
        pages[f"digest-{who}"] = path
    return pages


# The widest element beyond the window (ignoring what sits inside a horizontally scrolling box), and the names of
# metrics (a data table's first cell, a digest's metric) broken into lines of fewer than four characters.
MEASURE = """
const inScroller = (el) => { for (let p = el.parentElement; p; p = p.parentElement) {
    const s = getComputedStyle(p).overflowX; if (s === 'auto' || s === 'scroll') return true; } return false; };
let overflow = 0;
for (const el of document.body.querySelectorAll('*')) {
  if (inScroller(el)) continue;
  const r = el.getBoundingClientRect();
  if (r.width > 0 && r.right > window.innerWidth + 1) overflow = Math.max(overflow, r.right - window.innerWidth);
}
const squeezed = [];
for (const e of document.querySelectorAll('table.data td:first-child, span.metric')) {
  const range = document.createRange(), text = e.textContent.trim();
  range.selectNodeContents(e);
  const lines = new Set([...range.getClientRects()].map(r => Math.round(r.bottom))).size;
  if (lines > 1 && text.length / lines < 4) squeezed.push(text);
}
return [overflow, squeezed];
"""


def test_digests_and_archive_pages_at_1280_and_390(demo: DemoRuns, browser: Any, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pages = _pages(demo, tmp_path)
    assert {"index", "region", "document", "digest-analyst", "digest-shanghai", "digest-rd"} <= set(pages)
    for width in WIDTHS:
        browser.set_window_size(width, 1000)
        for name, path in pages.items():
            browser.get(path.resolve().as_uri())
            overflow, squeezed = browser.execute_script(MEASURE)
            assert overflow <= 1, f"{name} at {width}px: something is {overflow:.0f}px wider than the window"
            assert not squeezed, f"{name} at {width}px: metric names squeezed: {squeezed}"
            height = browser.execute_script("return document.documentElement.scrollHeight")
            browser.set_window_size(width, min(max(height, 600), 8000))
            shot = ARTIFACTS / f"demo-{name}-{width}.png"
            browser.save_screenshot(str(shot))
            assert shot.stat().st_size > 10_000
            browser.set_window_size(width, 1000)
