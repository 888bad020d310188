"""The demo archive's charts, read back from the SVG: no two texts (ticks, years, figures) drawn over each other,
the value axis from zero, targets at the year they are for, results joined from every document type."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup, Tag

from tests.demo.conftest import DemoRuns

pytestmark = pytest.mark.slow
Box = tuple[float, float, float, float]


def _width(text: str, size: float) -> float:
    return sum(size if ord(ch) > 0x2E7F else size * 0.62 for ch in text)


def _box(text: Tag, size: float = 11.0) -> Box:
    x, y, label = float(text["x"]), float(text["y"]), text.get_text()  # type: ignore[arg-type]
    width = _width(label, size)
    anchor = text.get("text-anchor", "start")
    left = x - width if anchor == "end" else x - width / 2 if anchor == "middle" else x
    return (left, y - size * 0.9, left + width, y + size * 0.25)


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _charts(demo: DemoRuns) -> list[tuple[str, Tag]]:
    found = []
    for path in sorted((demo.paths.site / "regions").glob("*.html")):
        page = BeautifulSoup(path.read_bytes(), "lxml")
        found += [(f"{path.stem}/{fig.get('id')}", fig) for fig in page.select("figure.trend")]
    return found


def test_no_two_chart_labels_overlap(demo: DemoRuns) -> None:
    charts = _charts(demo)
    assert len(charts) > 10
    for name, figure in charts:
        texts = [t for t in figure.select("svg text") if t.get_text().strip()]
        boxes = [(t.get_text(), _box(t)) for t in texts]
        for i, (label, box) in enumerate(boxes):
            for other, other_box in boxes[i + 1 :]:
                assert not _overlap(box, other_box), f"{name}: {label!r} over {other!r}"


def test_one_chart_per_metric_and_the_axis_from_zero(demo: DemoRuns) -> None:
    for path in sorted((demo.paths.site / "regions").glob("*.html")):
        ids = [f.get("id") for f in BeautifulSoup(path.read_bytes(), "lxml").select("figure.trend")]
        assert len(ids) == len(set(ids)), f"{path.stem}: a metric charted twice"
    for name, figure in _charts(demo):
        ticks = [t.get_text() for t in figure.select("svg text[text-anchor=end]")]
        assert re.match(r"^0(?!\.)", ticks[0]), f"{name}: the axis starts at {ticks[0]}"
        if ticks[0].endswith("家"):
            assert all(re.fullmatch(r"\d+(万|亿)?家", t) for t in ticks), f"{name}: {ticks}"


def test_the_bureaus_results_join_its_targets(demo: DemoRuns) -> None:
    page = BeautifulSoup((demo.paths.site / "regions" / "示例市.html").read_bytes(), "lxml")
    trend = page.select_one("figure#metric-new_high_tech_enterprises")
    assert trend is not None
    rows = {
        r.select("td")[0].get_text(): [td.get_text() for td in r.select("td")[1:]] for r in trend.select("tbody tr")
    }
    assert rows["2023"][1] == "612家" and rows["2024"][1] == "736家"  # results of the summaries
    assert rows["2025"][0] == "800家以上"  # the 2024 summary's target for 2025, at 2025
