"""The archive's comparison pages: the bar chart as data, the rendered page and matrix, the site's files."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import Engine

from monitor.compare.bars import bar_chart
from monitor.compare.pages import compare_page, matrix_page
from monitor.publish.render import render_compare, render_matrix
from monitor.publish.site import build_site
from monitor.service.comparisons import load_matrix, load_table


def test_bars_run_longest_first_with_ranges_at_their_midpoint(compare_engine: Engine) -> None:
    chart = bar_chart(load_table(compare_engine, "gdp_growth", 2025, "city"))
    assert chart is not None
    # 南湖市 6%—6.5% (drawn to 6.25, whisker 6 to 6.5), 西河市 5.5%左右, 东山市 5%左右
    expected = [("南湖市", "6%—6.5%", "lowered"), ("西河市", "5.5%左右", "raised"), ("东山市", "5%左右", "lowered")]
    assert [(b.label, b.figure, b.change) for b in chart.bars] == expected
    widths = [b.width for b in chart.bars]
    assert widths == sorted(widths, reverse=True)
    nanhu = chart.bars[0]
    assert nanhu.whisker is not None and nanhu.whisker[0] < chart.left + nanhu.width < nanhu.whisker[1]
    per_point = chart.bars[1].width / 5.5
    assert chart.reference is not None and chart.reference.label == "全国 5%左右"
    assert chart.reference.x == pytest.approx(chart.left + 5 * per_point, abs=0.2)
    assert all(b.figure_x > chart.left + b.width for b in chart.bars)
    # the tooltip says what the earlier figure is, with its qualifier and range
    assert [b.title for b in chart.bars][:2] == ["南湖市 6%—6.5%（下调 ▼，上年目标 6.5%左右）",
                                                 "西河市 5.5%左右（上调 ▲，上年目标 5%—5.5%）"]  # fmt: skip


def test_no_chart_without_targets_and_grain_bars_after_conversion(compare_engine: Engine) -> None:
    table = load_table(compare_engine, "grain_output", 2025, "city")
    chart = bar_chart(table)
    assert chart is not None and [b.figure for b in chart.bars] == ["260万吨以上", "200万吨以上"]
    assert chart.reference is not None and chart.reference.label == "全国 1.4万亿斤左右"
    assert bar_chart(replace(table, rows=tuple(replace(r, target=None) for r in table.rows))) is None


def test_compare_page_shows_chart_table_summary_and_csv_link(compare_engine: Engine) -> None:
    table = load_table(compare_engine, "gdp_growth", 2025, "city")
    html = BeautifulSoup(render_compare(compare_page([table], [2025, 2024])), "lxml")
    assert html.select_one("h1").get_text() == "2025年各地经济增长目标"  # type: ignore[union-attr]
    assert not html.select("script")
    assert len(html.select("svg.bars g.bar rect")) == 3 and html.select("svg.bars line.reference")
    rows = [" ".join(tr.get_text(" ").split()) for tr in html.select("table.compare tbody tr")]
    assert rows[0] == "东山市 5%左右 下调 ▼ 5.5%左右 5.2% −0.2个百分点"
    summary = " ".join(html.select_one("section.level-city").get_text(" ").split())  # type: ignore[union-attr]
    assert "中位数 5.5%左右" in summary and "全国 5%左右" in summary and "北岭市" in summary
    assert html.select_one("a.csv")["href"] == "2025.csv"  # type: ignore[index]
    assert [a["href"] for a in html.select(".years a:not(.csv)")] == ["2024.html"]


def test_matrix_page_links_every_metric_page(compare_engine: Engine) -> None:
    matrix = load_matrix(compare_engine, 2025, "city")
    html = BeautifulSoup(render_matrix(matrix_page([matrix])), "lxml")
    assert html.select_one("h1").get_text() == "2025年各地主要预期目标一览"  # type: ignore[union-attr]
    heads = [a["href"] for a in html.select("table.matrix thead a")]
    assert heads[0] == "../compare/gdp_growth/2025.html" and "../compare/grain_output/2025.html" in heads
    xihe = next(tr for tr in html.select("table.matrix tbody tr") if "西河市" in tr.get_text())
    assert "5.5%左右▲" in xihe.get_text() and xihe.select_one(".mark-raised") is not None


def test_site_writes_pages_csv_and_links_the_latest_matrix(compare_engine: Engine, tmp_path: Path) -> None:
    written = {p.relative_to(tmp_path).as_posix() for p in build_site(compare_engine, tmp_path, "https://ex.org")}
    assert {"compare/2025.html", "compare/2024.html", "compare/gdp_growth/2025.html", "compare/gdp_growth/2025.csv",
            "compare/grain_output/2024.html", "compare/retail_sales/2025.html"} <= written  # fmt: skip
    index = BeautifulSoup((tmp_path / "index.html").read_text("utf-8"), "lxml")
    link = index.select_one("section.comparison a")
    assert link is not None and link["href"] == "compare/2025.html" and link.get_text() == "2025年各地主要预期目标一览"
    rows = list(csv.DictReader(io.StringIO((tmp_path / "compare/grain_output/2025.csv").read_text("utf-8-sig"))))
    assert [(r["region"], r["target"], r["change"]) for r in rows] == [
        ("东山市", "260万吨以上", "raised"), ("南湖市", "", ""), ("西河市", "200万吨以上", "unchanged")]  # fmt: skip
    page = BeautifulSoup((tmp_path / "compare/gdp_growth/2025.html").read_text("utf-8"), "lxml")
    for link in page.select("table.compare tbody a"):  # region and document pages, relative to the page
        assert (tmp_path / "compare/gdp_growth" / unquote(str(link["href"]))).resolve().is_file()
