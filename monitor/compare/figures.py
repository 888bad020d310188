"""Which figure of a report stands for a metric in a comparison across regions (pure).

Two small functions decide everything the table shows: `annual_target` picks a region's goal of one metric
for its report's own year, `last_result` the result of the year before that the same report gives. Both keep
to one figure identity (`monitor/compare/identity.py`): the same measure class — a growth rate with growth rates, a
level with levels, a cap with the measure it bounds — and unit family (亿斤 and 万吨 alike), one year, not a
term. Values are compared on the family's base scale and shown in the unit the target is written in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from monitor.compare.diff import ChangeKind, classify
from monitor.compare.identity import is_delta, measure_class, midpoint, unit_family
from monitor.extract.model import Target
from monitor.extract.units import in_family_base


@dataclass(frozen=True, slots=True)
class Measure:
    """What a figure's number measures: its measure class (level, growth, share …) and unit family."""

    kind: str
    family: str


def measure_of(t: Target) -> Measure:
    return Measure(measure_class(t), unit_family(t))


def fits(t: Target, measure: Measure | None) -> bool:
    """Whether a figure measures what the comparison measures (None: any measure)."""
    return measure is None or measure_of(t) == measure


def _preference(t: Target) -> tuple[bool, int]:
    return (not t.headline, t.span[0])  # the 主要预期目标 paragraph first, then the earliest mention


def annual_target(
    targets: Iterable[Target], metric_key: str, year: int, measure: Measure | None = None
) -> Target | None:
    """A region's annual target of a metric for `year`, from that year's report: a goal (status target) of that
    year (or undated, in the report of that year), not a term goal nor a restated difference, of the measure."""
    found = [
        t for t in targets
        if t.metric_key == metric_key and t.status == "target" and t.year in (None, year)
        and t.term is None and not is_delta(t) and fits(t, measure)
    ]  # fmt: skip
    return min(found, key=_preference, default=None)


def last_result(targets: Iterable[Target], metric_key: str, year: int, measure: Measure | None = None) -> Target | None:
    """The result for the year before `year` that the report of `year` gives (完成, 实现, else 预计)."""
    found = [
        t for t in targets
        if t.metric_key == metric_key and t.status in ("achieved", "expected") and t.year == year - 1
        and t.term is None and not is_delta(t) and fits(t, measure)
    ]  # fmt: skip
    return min(found, key=lambda t: (t.status != "achieved", *_preference(t)), default=None)


def scaled(value: float, unit: str | None, to_unit: str | None) -> float:
    """A value of `unit` in `to_unit` of the same family (1350万吨 → 270亿斤); unchanged outside a family."""
    return in_family_base(value, unit) / in_family_base(1.0, to_unit)


def value_in(t: Target, unit: str | None) -> float:
    """The figure's midpoint (a range counts by its middle) in `unit`."""
    return midpoint(t) / in_family_base(1.0, unit)


def change_between(old: Target, new: Target) -> ChangeKind:
    """The diff's verdict on last year's and this year's figure of one identity."""
    return classify(old, new)


def gap(target: Target | None, result: Target | None) -> float | None:
    """Ambition gap: the target minus last year's result, in the target's unit; None when they do not compare."""
    if target is None or result is None or not fits(result, measure_of(target)):
        return None
    return round(value_in(target, target.unit) - value_in(result, target.unit), 6)
