"""The archive's comparison pages as data (pure): `compare/<metric>/<year>` and the year's headline matrix.

Views hold only pre-formatted text and relative links (`root` leads back to the site root), like the other
archive pages; `monitor/publish/render.py` turns them into HTML and `monitor/publish/site.py` decides where they
are written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from monitor.compare.bars import BarChart, bar_chart
from monitor.compare.levels import LEVEL_WORDS
from monitor.compare.matrix import Matrix
from monitor.compare.regions import CompareRow, CompareTable
from monitor.compare.views import (
    change_label,
    counts_line,
    figure,
    gap_text,
    mark,
    median_label,
    national_label,
    reported_line,
    spread_label,
)
from monitor.digest.archive import region_href
from monitor.digest.views import excerpt


def compare_href(metric_key: str, year: int, suffix: str = "html") -> str:
    """Where a metric's page of a year lives, relative to the site root."""
    return f"compare/{metric_key}/{year}.{suffix}"


def matrix_href(year: int) -> str:
    return f"compare/{year}.html"


def matrix_title(year: int) -> str:
    return f"{year}年各地主要预期目标一览"


@dataclass(frozen=True)
class RowView:
    region: str
    region_href: str
    document_href: str
    target: str  # 5%左右, or 未设定
    has_target: bool
    change: str  # CSS class
    change_label: str  # 下调 ▼
    prior_target: str
    prior_result: str  # 5.2%
    prior_result_note: str  # 预计 when last year's figure is an estimate, not a result
    gap: str  # +0.4个百分点
    excerpt: str  # the clause that sets the target
    held: bool  # the report is flagged for review: its figures may be wrong


@dataclass(frozen=True)
class LevelSection:
    level: str
    heading: str  # 省份 / 城市
    chart: BarChart | None
    rows: tuple[RowView, ...]
    reported: str
    counts: str
    median: str
    spread: str
    national: str


@dataclass(frozen=True)
class YearLink:
    year: int
    href: str
    current: bool


@dataclass(frozen=True)
class ComparePage:
    root: str
    title: str  # 2025年各地经济增长目标
    metric: str
    metric_key: str
    year: int
    sections: tuple[LevelSection, ...]
    csv_href: str  # relative to the page
    matrix_href: str  # relative to the site root
    matrix_title: str
    years: tuple[YearLink, ...]


def _row_view(row: CompareRow) -> RowView:
    result = row.prior_result
    return RowView(
        region=row.region,
        region_href=region_href(row.region),
        document_href=f"documents/{row.document_id}.html",
        target=figure(row.target) if row.target else "未设定",
        has_target=row.target is not None,
        change=row.change or "none",
        change_label=change_label(row.change),
        prior_target=figure(row.prior_target),
        prior_result=figure(result),
        prior_result_note="预计" if result is not None and result.status == "expected" else "",
        gap=gap_text(row.gap, row.target.unit if row.target else None),
        excerpt=excerpt(row.target.sentence, row.target.raw, row.target.phrase) if row.target else "",
        held=row.held,
    )


def level_section(table: CompareTable) -> LevelSection:
    return LevelSection(
        level=table.level,
        heading=LEVEL_WORDS.get(table.level, "地区"),
        chart=bar_chart(table),
        rows=tuple(_row_view(r) for r in table.rows),
        reported=reported_line(table),
        counts=counts_line(table),
        median=median_label(table),
        spread=spread_label(table),
        national=national_label(table),
    )


def compare_page(tables: Sequence[CompareTable], years: Sequence[int]) -> ComparePage:
    """The page of one metric and year: one section per level that has reported (provinces, then cities)."""
    first = tables[0]
    return ComparePage(
        root="../../",
        title=f"{first.year}年各地{first.metric}目标",
        metric=first.metric,
        metric_key=first.metric_key,
        year=first.year,
        sections=tuple(level_section(t) for t in tables if t.rows),
        csv_href=f"{first.year}.csv",
        matrix_href=matrix_href(first.year),
        matrix_title=matrix_title(first.year),
        years=tuple(YearLink(y, f"{y}.html", y == first.year) for y in sorted(years, reverse=True)),
    )


# --- the matrix ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixCellView:
    text: str  # 5%左右
    mark: str  # ▼
    change: str  # CSS class
    title: str  # tooltip


@dataclass(frozen=True)
class MatrixColumn:
    metric: str
    href: str  # the metric's compare page, relative to the site root
    median: str
    national: str


@dataclass(frozen=True)
class MatrixRowView:
    region: str
    href: str
    cells: tuple[MatrixCellView, ...]


@dataclass(frozen=True)
class MatrixSection:
    heading: str  # 省份
    reported: str
    columns: tuple[MatrixColumn, ...]
    rows: tuple[MatrixRowView, ...]
    rare: str  # headline metrics too few regions set, with links left to the metric pages


@dataclass(frozen=True)
class MatrixPage:
    root: str
    title: str
    year: int
    sections: tuple[MatrixSection, ...]


def _cell(matrix: Matrix, table: CompareTable, region: str) -> MatrixCellView:
    row = matrix.cell(table, region).row
    if row is None or row.target is None:
        change = row.change if row else None
        return MatrixCellView(figure(None), mark(change), change or "none", change_label(change))
    before = f"；上年目标 {figure(row.prior_target)}" if row.prior_target else ""
    title = f"{region} {table.metric} {figure(row.target)}{before}"
    return MatrixCellView(figure(row.target), mark(row.change), row.change or "none", title)


def matrix_section(matrix: Matrix) -> MatrixSection:
    columns = tuple(MatrixColumn(t.metric, compare_href(t.metric_key, matrix.year), median_label(t),
                                 national_label(t)) for t in matrix.tables)  # fmt: skip
    rows = tuple(MatrixRowView(region, region_href(region), tuple(_cell(matrix, t, region) for t in matrix.tables))
                 for region in matrix.regions)  # fmt: skip
    rare = "、".join(f"{t.metric}（{t.summary.with_target}）" for t in matrix.rare)
    reported = reported_line(matrix.tables[0]) if matrix.tables else ""
    return MatrixSection(LEVEL_WORDS.get(matrix.level, "地区"), reported, columns, rows, rare)


def matrix_page(matrices: Sequence[Matrix]) -> MatrixPage:
    year = matrices[0].year
    sections = tuple(matrix_section(m) for m in matrices if m.regions)
    return MatrixPage("../", matrix_title(year), year, sections)
