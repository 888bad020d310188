"""Trend charts as data (pure): a metric's yearly targets and results → coordinates, paths and labels.

The archive template only places what `trend_chart` computes inside an inline `<svg>`; every label is plain
text that the template escapes. Values are in the metric's base unit; ranges are plotted at their midpoint.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from monitor.format import format_value

WIDTH, HEIGHT = 560, 200
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 18, 34  # plot margins in px
SERIES_NAMES = {"target": "目标", "result": "实际"}
Scale = Callable[[float], float]


@dataclass(frozen=True)
class Observation:
    """One figure of one year: `label` is how it is printed (5%左右, 4.5%—5%)."""

    year: int
    value: float
    label: str


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    label_y: float  # baseline of the label above the point
    label: str  # the figure
    title: str  # tooltip: "2024年目标 5%左右"


@dataclass(frozen=True)
class ChartSeries:
    kind: str  # target / result: the template's CSS class
    name: str  # 目标 / 实际
    path: str  # SVG path data through the points, "" with a single point
    points: tuple[ChartPoint, ...]


@dataclass(frozen=True)
class Tick:
    position: float  # x for year ticks, y for value ticks
    label: str
    label_at: float  # the same coordinate for the label's baseline/centre


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: float  # x of the plot's right edge
    top: int
    bottom: float  # y of the plot's bottom edge (the x axis)
    y_label_x: float  # right edge of the value labels
    x_label_y: float  # baseline of the year labels
    description: str  # for screen readers: "经济增长，2023—2024年目标与实际"
    series: tuple[ChartSeries, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]


def nice_step(span: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 × 10ⁿ) that cuts `span` into about `ticks` parts."""
    raw = span / ticks if span > 0 else 1.0
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(f * magnitude for f in (1, 2, 2.5, 5, 10) if f * magnitude >= raw)


def value_range(values: Sequence[float]) -> tuple[float, float, float]:
    """Axis bounds and step that include every value with some head room."""
    low, high = min(values), max(values)
    pad = (high - low) * 0.1 or abs(low) * 0.2 or 1.0
    low, high = low - pad, high + pad
    step = nice_step(high - low)
    bottom = math.floor(low / step) * step
    if low >= 0 > bottom:
        bottom = 0.0
    return bottom, math.ceil(high / step) * step, step


def trend_chart(metric: str, unit: str | None, targets: Sequence[Observation],
                results: Sequence[Observation]) -> Chart:  # fmt: skip
    """A line chart of targets (dashed in the template) and results (solid) by year."""
    everything = [*targets, *results]
    if not everything:
        raise ValueError("a trend chart needs at least one observation")
    years = sorted({o.year for o in everything})
    low, high, step = value_range([o.value for o in everything])
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    x = _scale(years[0], years[-1], LEFT + 20, right - 20)
    y = _scale(low, high, bottom, TOP)
    series = tuple(
        _series(kind, observations, x, y)
        for kind, observations in (("target", targets), ("result", results))
        if observations
    )
    n_ticks = round((high - low) / step)
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=right,
        top=TOP,
        bottom=bottom,
        y_label_x=LEFT - 6,
        x_label_y=bottom + 18,
        description=f"{metric}，{years[0]}—{years[-1]}年目标与实际",
        series=series,
        x_ticks=tuple(Tick(round(x(year), 1), f"{year}", round(x(year), 1)) for year in years),
        y_ticks=tuple(_value_tick(y, low + i * step, unit) for i in range(n_ticks + 1)),
    )


def _value_tick(y: Scale, value: float, unit: str | None) -> Tick:
    return Tick(round(y(value), 1), format_value(round(value, 10), unit), round(y(value) + 4, 1))


def _scale(domain_low: float, domain_high: float, out_low: float, out_high: float) -> Scale:
    """A linear map of the domain onto the output range; a one-value domain maps to the middle."""
    if domain_high == domain_low:
        return lambda _v: (out_low + out_high) / 2
    ratio = (out_high - out_low) / (domain_high - domain_low)
    return lambda v: out_low + (v - domain_low) * ratio


def _series(kind: str, observations: Sequence[Observation], x: Scale, y: Scale) -> ChartSeries:
    name = SERIES_NAMES[kind]
    ordered = sorted(observations, key=lambda o: o.year)
    points = tuple(
        ChartPoint(
            round(x(o.year), 1), round(y(o.value), 1), round(y(o.value) - 9, 1), o.label, f"{o.year}年{name} {o.label}"
        )
        for o in ordered
    )
    path = " ".join(f"{'M' if i == 0 else 'L'}{p.x} {p.y}" for i, p in enumerate(points)) if len(points) > 1 else ""
    return ChartSeries(kind, name, path, points)


__all__ = ["Chart", "ChartPoint", "ChartSeries", "Observation", "Tick", "nice_step", "trend_chart", "value_range"]
