"""The compare page in a real browser (Debian's headless Chromium) at a desktop and a phone width.

Screenshots go to tests/artifacts/compare-<width>.png. Layout is measured by loading the page, unchanged, in an
iframe of the exact width inside a probe page (the probe's script reads the frame's layout; the compare page
itself has no script): nothing may overflow the viewport sideways, the wide table scrolls inside its box, the
chart fits, its labels stay legible and its bars are drawn longest first.
"""

from __future__ import annotations

import json
import struct
import subprocess
import tempfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import Engine

from monitor.publish.site import build_site
from tests.render.chromium import FLAGS, chromium, screenshot

pytestmark = pytest.mark.slow

PROBE = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="page" src="{src}" style="width:{width}px;height:1400px;border:0"></iframe>
<script>
document.getElementById("page").addEventListener("load", () => {{
  const w = document.getElementById("page").contentWindow, d = w.document;
  const box = (el) => el.getBoundingClientRect();
  const svg = d.querySelector("svg.bars"), scroller = d.querySelector(".scroll");
  document.body.setAttribute("data-layout", JSON.stringify({{
    viewport: w.innerWidth,
    page_width: d.documentElement.scrollWidth,
    svg_left: box(svg).left, svg_right: box(svg).right,
    label_heights: [...svg.querySelectorAll("g.bar text")].map((t) => box(t).height),
    bar_widths: [...svg.querySelectorAll("g.bar rect")].map((r) => box(r).width),
    reference_x: box(svg.querySelector("line.reference")).left,
    table_box_right: box(scroller).right, table_width: scroller.scrollWidth, table_box: scroller.clientWidth,
  }}));
}});
</script></body></html>"""


@pytest.fixture(scope="module")
def page(compare_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("site")
    build_site(compare_engine, site, "https://example.org/govmon")
    return site / "compare" / "gdp_growth" / "2025.html"


def _layout(page: Path, width: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="govmon-probe-") as tmp:
        probe = Path(tmp) / "probe.html"
        probe.write_text(PROBE.format(src=page.resolve().as_uri(), width=width), encoding="utf-8")
        command = [chromium(), *FLAGS, f"--user-data-dir={tmp}/profile", "--allow-file-access-from-files",
                   "--window-size=1400,1600", "--dump-dom", probe.as_uri()]  # fmt: skip
        dom = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout
    body = BeautifulSoup(dom, "lxml").body
    assert body is not None and body.get("data-layout"), "the probe could not read the page's layout"
    return json.loads(str(body["data-layout"]))  # type: ignore[no-any-return]


def _png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


@pytest.mark.parametrize("width", [1280, 390])
def test_compare_page_lays_out_at_desktop_and_phone_width(page: Path, width: int) -> None:
    layout = _layout(page, width)
    assert layout["viewport"] == width
    assert layout["page_width"] <= width, "the page scrolls sideways"
    assert 0 <= layout["svg_left"] < layout["svg_right"] <= width  # type: ignore[operator]
    assert min(layout["label_heights"]) >= 10, "chart labels too small to read"  # type: ignore[type-var]
    bars = layout["bar_widths"]
    assert isinstance(bars, list) and len(bars) == 3 and bars == sorted(bars, reverse=True) and bars[-1] > 20
    assert layout["svg_left"] < layout["reference_x"] < layout["svg_right"]  # type: ignore[operator]
    assert layout["table_box_right"] <= width and layout["table_box"] <= layout["table_width"]  # type: ignore[operator]


@pytest.mark.parametrize(("width", "height"), [(1280, 1000), (390, 1400)])
def test_compare_page_screenshot(page: Path, width: int, height: int) -> None:
    shot = screenshot(page, f"compare-{width}", width, height)
    assert _png_size(shot) == (width, height)
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
