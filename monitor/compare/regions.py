"""One metric across every region that has reported a year: the table analysts build by hand each March (pure).

Input: the stored reports of a year and of the year before (`ReportFigures`, gathered by `db/comparison.py`).
Output: a `CompareTable` — one row per region with a report of the year (this year's target, last year's
target, last year's result, the change and the ambition gap) and a summary (how many have reported, counts per
change, median and spread, the national target alongside). `to_dict` is the `compare --json` contract.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from monitor.compare.catalogue import metric_name
from monitor.compare.diff import CHANGE_KINDS, ChangeKind, ambition
from monitor.compare.figures import Measure, annual_target, change_between, gap, last_result, measure_of, value_in
from monitor.compare.levels import NATIONAL, expected_count, in_level, region_level, region_order
from monitor.extract.model import Target


@dataclass(frozen=True)
class ReportFigures:
    """One stored report (its latest version) with its figures of the metrics asked about."""

    document_id: int
    region: str
    year: int
    title: str
    url: str
    targets: tuple[Target, ...]
    held: bool = False  # extraction is unsure of this report: its headline figures wait for review


@dataclass(frozen=True)
class Gathered:
    """Everything a comparison of `year` needs: the reports of that year and of the year before."""

    year: int
    current: tuple[ReportFigures, ...]
    prior: tuple[ReportFigures, ...]
    regions_seen: frozenset[str] = frozenset()  # regions with a report of the type in any stored year


@dataclass(frozen=True)
class CompareRow:
    region: str
    level: str
    document_id: int
    title: str
    url: str
    target: Target | None
    prior_target: Target | None
    prior_result: Target | None
    change: ChangeKind | None  # None: no target either year, or no report of the year before is stored
    gap: float | None
    prior_document_id: int | None
    ambition: str | None = None  # more / less / same, from the metric's direction (a looser cap is less)
    held: bool = False  # the report is flagged for review (`govmon review`): its figures may be wrong

    def to_dict(self) -> dict[str, Any]:
        figure = lambda t: t.to_dict() if t is not None else None  # noqa: E731
        return {"region": self.region, "level": self.level, "document_id": self.document_id,
                "prior_document_id": self.prior_document_id, "target": figure(self.target),
                "prior_target": figure(self.prior_target), "prior_result": figure(self.prior_result),
                "change": self.change, "gap": self.gap, "ambition": self.ambition, "held": self.held}  # fmt: skip


@dataclass(frozen=True)
class Spread:
    """Targets' midpoints in the table's unit: median, quartiles and extremes."""

    median: float
    p25: float
    p75: float
    low: float
    high: float


@dataclass(frozen=True)
class CompareSummary:
    level: str
    reported: int  # regions of the level with a report of the year
    expected: int  # regions of the level that could report (31 provinces; else those ever stored)
    with_target: int
    changes: dict[str, int]  # every change kind, zeros included
    no_prior_year: int  # reporting regions whose report of the year before is not stored
    awaiting: tuple[str, ...]  # regions that reported the year before but not yet this year
    measure: Measure | None
    unit: str | None
    spread: Spread | None
    national: Target | None
    national_prior: Target | None

    def to_dict(self) -> dict[str, Any]:
        spread = self.spread
        return {
            "level": self.level, "reported": self.reported, "expected": self.expected,
            "with_target": self.with_target, "changes": dict(self.changes), "no_prior_year": self.no_prior_year,
            "awaiting": list(self.awaiting), "kind": self.measure.kind if self.measure else None, "unit": self.unit,
            "median": spread.median if spread else None, "p25": spread.p25 if spread else None,
            "p75": spread.p75 if spread else None, "min": spread.low if spread else None,
            "max": spread.high if spread else None,
            "national": self.national.to_dict() if self.national else None,
            "national_prior": self.national_prior.to_dict() if self.national_prior else None,
        }  # fmt: skip


@dataclass(frozen=True)
class CompareTable:
    metric_key: str
    metric: str  # the catalogue's Chinese name
    year: int
    level: str
    rows: tuple[CompareRow, ...]
    summary: CompareSummary

    def to_dict(self) -> dict[str, Any]:
        """The `compare --json` contract."""
        return {"metric": self.metric, "metric_key": self.metric_key, "year": self.year, "level": self.level,
                "summary": self.summary.to_dict(), "rows": [r.to_dict() for r in self.rows]}  # fmt: skip

    @property
    def targets(self) -> list[Target]:
        return [r.target for r in self.rows if r.target is not None]


# --- building ------------------------------------------------------------------------------------------------


def one_per_region(reports: Iterable[ReportFigures]) -> dict[str, ReportFigures]:
    """A region's report of a year; of two stored copies, the one with more figures (then the newest)."""
    chosen: dict[str, ReportFigures] = {}
    for r in reports:
        held = chosen.get(r.region)
        if held is None or (len(r.targets), r.document_id) > (len(held.targets), held.document_id):
            chosen[r.region] = r
    return chosen


def table_measure(reports: Iterable[ReportFigures], key: str) -> Measure | None:
    """The measure most regions set their target in (growth for GDP, a level for grain …)."""
    measures = [measure_of(t) for r in reports if (t := annual_target(r.targets, key, r.year)) is not None]
    return Counter(measures).most_common(1)[0][0] if measures else None


def compare(gathered: Gathered, key: str, level: str = "province") -> CompareTable:
    """The table of one metric for `gathered.year` across the regions of a level."""
    current, prior = one_per_region(gathered.current), one_per_region(gathered.prior)
    mine = {name: r for name, r in current.items() if in_level(name, level)}
    measure = table_measure(mine.values(), key)
    rows = tuple(_row(mine[name], prior.get(name), key, measure) for name in sorted(mine, key=region_order))
    summary = _summary(rows, level, measure, gathered, current, prior, key)
    return CompareTable(key, metric_name(key), gathered.year, level, rows, summary)


def _row(report: ReportFigures, before: ReportFigures | None, key: str, measure: Measure | None) -> CompareRow:
    target = annual_target(report.targets, key, report.year, measure)
    prior_target = annual_target(before.targets, key, before.year, measure) if before else None
    result = last_result(report.targets, key, report.year, measure)
    change = _change(target, prior_target, before is not None)
    shown = target or prior_target
    sense = ambition(change, shown) if change is not None and shown is not None else None
    return CompareRow(report.region, region_level(report.region), report.document_id, report.title, report.url,
                      target, prior_target, result, change, gap(target, result),
                      before.document_id if before else None, sense, report.held)  # fmt: skip


def _change(target: Target | None, prior: Target | None, prior_stored: bool) -> ChangeKind | None:
    if target is not None and prior is not None:
        return change_between(prior, target)
    if target is not None:
        return "new" if prior_stored else None
    return "dropped" if prior is not None else None


def _summary(rows: Sequence[CompareRow], level: str, measure: Measure | None, gathered: Gathered,
             current: dict[str, ReportFigures], prior: dict[str, ReportFigures],
             key: str) -> CompareSummary:  # fmt: skip
    counts = Counter(r.change for r in rows if r.change is not None)
    unit = main_unit(r.target for r in rows)
    seen = {name for name in gathered.regions_seen | current.keys() | prior.keys() if in_level(name, level)}
    nation_now, nation_before = current.get(NATIONAL), prior.get(NATIONAL)
    return CompareSummary(
        level=level,
        reported=len(rows),
        expected=expected_count(level, len(seen)),
        with_target=sum(1 for r in rows if r.target is not None),
        changes={kind: counts.get(kind, 0) for kind in CHANGE_KINDS},
        no_prior_year=sum(1 for r in rows if r.prior_document_id is None),
        awaiting=tuple(sorted((n for n in prior if in_level(n, level) and n not in current), key=region_order)),
        measure=measure,
        unit=unit,
        spread=spread([value_in(r.target, unit) for r in rows if r.target is not None]),
        national=annual_target(nation_now.targets, key, gathered.year, measure) if nation_now else None,
        national_prior=annual_target(nation_before.targets, key, gathered.year - 1, measure) if nation_before else None,
    )


def main_unit(targets: Iterable[Target | None]) -> str | None:
    """The unit most targets are written in (亿斤 rather than 万吨 when most provinces write 斤)."""
    units = Counter(t.unit for t in targets if t is not None)
    return units.most_common(1)[0][0] if units else None


def spread(values: Sequence[float]) -> Spread | None:
    if not values:
        return None
    low, high = min(values), max(values)
    if len(values) == 1:
        return Spread(values[0], low, high, low, high)
    p25, _, p75 = statistics.quantiles(values, n=4, method="inclusive")
    return Spread(round(statistics.median(values), 6), round(p25, 6), round(p75, 6), low, high)


def latest_year(reporting: dict[int, frozenset[str]], level: str) -> int | None:
    """The newest year in which some region of the level has a report."""
    return max((year for year, regions in reporting.items() if any(in_level(r, level) for r in regions)), default=None)
