"""Which figure of a report stands for a metric in a comparison across regions (pure).

Two small functions decide everything the table shows: `annual_target` picks a region's goal of one metric
for its report's own year, `last_result` the result of the year before that the same report gives. Both keep
to one measure — a growth rate is compared with growth rates, a level with levels, tonnes with catties after
conversion — so a region that writes its target differently is compared on the same footing as the others.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from monitor.diff import ChangeKind, classify, is_delta, midpoint
from monitor.diff import unit_family as _diff_unit_family
from monitor.extract.model import Target

# Kinds whose numbers measure the same thing: a share or intensity is a level of a ratio; a cap (控制在5.5%以内)
# bounds whatever the metric measures, so it fits any measure of the same unit family.
KIND_CLASS = {"level": "level", "share": "level", "growth": "growth", "increment": "increment",
              "reduction": "reduction", "cumulative": "cumulative", "cap": "*"}  # fmt: skip
KG_PER_UNIT = {"斤": 0.5, "公斤": 1.0, "千克": 1.0, "吨": 1000.0}  # grain is written in 亿斤 one year, 万吨 the next
MASS = "mass"


@dataclass(frozen=True, slots=True)
class Measure:
    """What a figure's number measures: a kind class (level, growth, …) and a unit family (%, 元, mass, …)."""

    kind: str
    family: str


def unit_family(unit: str | None) -> str:
    return MASS if unit in KG_PER_UNIT else _diff_unit_family(unit)


def measure_of(t: Target) -> Measure:
    return Measure(KIND_CLASS.get(t.kind, t.kind), unit_family(t.unit))


def fits(t: Target, measure: Measure | None) -> bool:
    """Whether a figure measures what the comparison measures (a cap fits any measure of its unit family)."""
    if measure is None:
        return True
    own = measure_of(t)
    return own.family == measure.family and (own.kind == measure.kind or "*" in (own.kind, measure.kind))


def term_of(t: Target) -> object:
    """The multi-year term a figure is about (年均, 到2030年), None for an annual figure."""
    return getattr(t, "term", None)


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
        and term_of(t) is None and not is_delta(t) and fits(t, measure)
    ]  # fmt: skip
    return min(found, key=_preference, default=None)


def last_result(targets: Iterable[Target], metric_key: str, year: int, measure: Measure | None = None) -> Target | None:
    """The result for the year before `year` that the report of `year` gives (完成, 实现, else 预计)."""
    found = [
        t for t in targets
        if t.metric_key == metric_key and t.status in ("achieved", "expected") and t.year == year - 1
        and term_of(t) is None and fits(t, measure)
    ]  # fmt: skip
    return min(found, key=lambda t: (t.status != "achieved", *_preference(t)), default=None)


def in_unit(t: Target, unit: str | None) -> Target:
    """The figure in another unit of its family (1350万吨 → 270亿斤); unchanged when no conversion applies."""
    if t.unit == unit or t.unit not in KG_PER_UNIT or unit not in KG_PER_UNIT:
        return t
    factor = KG_PER_UNIT[t.unit] / KG_PER_UNIT[unit]
    high = None if t.value_max is None else t.value_max * factor
    return replace(t, value=t.value * factor, value_max=high, unit=unit)


def value_in(t: Target, unit: str | None) -> float:
    """The figure's midpoint (a range counts by its middle) in `unit`."""
    return midpoint(in_unit(t, unit))


def change_between(old: Target, new: Target) -> ChangeKind:
    """The diff's verdict on two figures of one measure, after unit conversion.

    Two wordings of one measure (a share and a level of a ratio, a cap and the figure it bounds) are compared by
    value; the same value in the other wording is `reworded`.
    """
    old = in_unit(old, new.unit)
    if old.kind == new.kind or not fits(old, measure_of(new)):
        return classify(old, new)
    kind = classify(replace(old, kind=new.kind), new)
    return "reworded" if kind == "unchanged" else kind


def gap(target: Target | None, result: Target | None) -> float | None:
    """Ambition gap: the target minus last year's result, in the target's unit; None when they do not compare."""
    if target is None or result is None or not fits(result, measure_of(target)):
        return None
    return round(midpoint(target) - value_in(result, target.unit), 6)
