"""The compare page's bar chart as data (pure): one bar per region's target, longest first, and the national
target as a reference line. The template only places these numbers in an inline `<svg>` (no script)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from monitor.compare.figures import scaled, value_in
from monitor.compare.levels import region_order, short_name
from monitor.compare.regions import CompareRow, CompareTable
from monitor.compare.views import change_label, figure
from monitor.digest.charts import nice_step
from monitor.format import format_value

WIDTH = 360  # phones show it near 1:1; wider screens scale it up to the CSS max-width
ROW, BAR, TOP, BOTTOM, RIGHT = 22, 14, 30, 24, 78  # px: row pitch, bar thickness, margins
CHAR = 11  # px per CJK character of a label
Scale = Callable[[float], float]


@dataclass(frozen=True)
class Bar:
    label: str  # 上海
    figure: str  # 5%左右
    change: str  # CSS class: raised / lowered / unchanged / reworded / new / none
    title: str  # tooltip: "上海市 5%左右（下调 ▼，上年目标 5.5%左右）"
    y: float  # top of the bar
    text_y: float  # baseline of the labels
    width: float
    whisker: tuple[float, float] | None  # x from–to of a range's span (4.5%—5%)
    figure_x: float  # where the figure's label starts, right of the bar (and of the whisker)


@dataclass(frozen=True)
class Reference:
    x: float
    label: str  # 全国 5%左右


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: float  # x of the bars' origin
    label_x: float  # right edge of the region labels
    bottom: float  # y of the axis
    bar_height: int
    description: str
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    reference: Reference | None


def bar_chart(table: CompareTable) -> BarChart | None:
    """None when no region of the table sets a target."""
    rows = [r for r in table.rows if r.target is not None]
    if not rows:
        return None
    unit = table.summary.unit
    national = table.summary.national
    values = {r.region: value_in(r.target, unit) for r in rows if r.target is not None}
    ordered = sorted(rows, key=lambda r: (-values[r.region], region_order(r.region)))
    left = max(len(short_name(r.region)) for r in rows) * CHAR + 10
    ends = [*values.values(), *([value_in(national, unit)] if national else [])]
    ends += [value_in(r.target, unit) for r in rows if r.target and r.target.value_max]
    low, high, step = _domain(ends)
    scale = (WIDTH - RIGHT - left) / (high - low)

    def x(v: float) -> float:
        return round(left + (v - low) * scale, 1)

    height = TOP + ROW * len(ordered) + BOTTOM
    bars = tuple(_bar(r, i, values[r.region], x, left, unit) for i, r in enumerate(ordered))
    ticks = tuple(Tick(x(low + i * step), format_value(round(low + i * step, 10), unit))
                  for i in range(round((high - low) / step) + 1))  # fmt: skip
    reference = Reference(x(value_in(national, unit)), f"全国 {figure(national)}") if national else None
    return BarChart(WIDTH, height, left, left - 6, height - BOTTOM, BAR, _description(table), bars, ticks, reference)


def _domain(values: Sequence[float]) -> tuple[float, float, float]:
    low, high = min(0.0, *values), max(values)
    if high == low:
        high = low + 1.0
    step = nice_step(high - low)
    return (low // step) * step, -(-high // step) * step, step


def _bar(row: CompareRow, i: int, value: float, x: Scale, left: float, unit: str | None) -> Bar:
    t = row.target
    assert t is not None
    top = TOP + i * ROW + (ROW - BAR) / 2
    whisker = None if t.value_max is None else (x(scaled(t.value, t.unit, unit)), x(scaled(t.value_max, t.unit, unit)))
    before = f"，上年目标 {figure(row.prior_target)}" if row.prior_target else ""
    change = f"（{change_label(row.change)}{before}）" if row.change else ""
    end = max(x(value), whisker[1] if whisker else 0.0)
    return Bar(short_name(row.region), figure(t), row.change or "none", f"{row.region} {figure(t)}{change}",
               round(top, 1), round(top + BAR - 3, 1), round(x(value) - left, 1), whisker, end + 4)  # fmt: skip


def _description(table: CompareTable) -> str:
    return f"{table.year}年各地{table.metric}目标，由高到低" + ("，虚线为全国目标" if table.summary.national else "")
