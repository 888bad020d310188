"""Diff engine: how this year's targets and priorities differ from a prior year's (pure, no I/O).

The vocabulary shared with every layer: raised / lowered / unchanged / reworded / new / dropped for targets,
emerging / fading / intensified for priorities. The diff emits neutral structure; only the renderer turns it
into HTML or text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Literal

from monitor.extract.metrics import normalise_phrase
from monitor.extract.model import Extraction, Priority, Target

ChangeKind = Literal["raised", "lowered", "unchanged", "reworded", "new", "dropped"]
CHANGE_KINDS: tuple[ChangeKind, ...] = ("raised", "lowered", "unchanged", "reworded", "new", "dropped")

# Headline metrics and how much a change in each matters (GDP, fiscal, employment, prices, R&D first).
HEADLINE_WEIGHT: dict[str, float] = {
    "gdp_growth": 1.0,
    "deficit_ratio": 0.95,
    "general_budget_revenue": 0.9,
    "cpi": 0.9,
    "surveyed_unemployment": 0.9,
    "urban_new_jobs": 0.85,
    "rd_intensity": 0.85,
    "special_bonds": 0.8,
    "ultra_long_bonds": 0.8,
    "deficit": 0.8,
    "grain_output": 0.75,
    "energy_intensity": 0.75,
    "fixed_asset_investment": 0.7,
    "retail_sales": 0.7,
    "foreign_trade": 0.65,
    "resident_income": 0.65,
    "industrial_value_added": 0.6,
    "gdp": 0.6,
}
OTHER_HEADLINE_WEIGHT = 0.5
OTHER_WEIGHT = 0.3
CHANGE_FACTOR: dict[str, float] = {
    "raised": 0.7,
    "lowered": 0.7,
    "new": 0.8,
    "dropped": 0.8,
    "reworded": 0.45,
    "unchanged": 0.2,
}
PHRASE_SIMILARITY = 0.72  # two unkeyed metric phrases at least this alike are one metric
INTENSIFIED_RANKS = 2  # a theme that climbs at least this many places has intensified
_EPS = 1e-9
_DELTA_CUE = re.compile(r"(?:比上年|比去年|较上年|较去年|同比)(?:增加|提高|减少|下降|降低|多|少|扩大|缩小)[了约近]?$")


@dataclass(frozen=True, slots=True)
class Ambition:
    """This year's target against last year's result (or, lacking one, last year's target)."""

    basis: Literal["achieved", "prior_target"]
    value: float
    unit: str | None
    year: int | None
    delta: float
    sentence: str

    def to_dict(self) -> dict[str, Any]:
        return {"basis": self.basis, "value": self.value, "unit": self.unit, "year": self.year,
                "delta": self.delta, "sentence": self.sentence}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Change:
    metric: str
    metric_key: str | None
    change: ChangeKind
    old: Target | None
    new: Target | None
    significance: float
    ambition: Ambition | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "metric_key": self.metric_key,
            "change": self.change,
            "old": self.old.to_dict() if self.old else None,
            "new": self.new.to_dict() if self.new else None,
            "significance": self.significance,
            "ambition": self.ambition.to_dict() if self.ambition else None,
        }


@dataclass(frozen=True, slots=True)
class PriorityChange:
    theme: str
    change: Literal["emerging", "fading", "intensified"]
    old_count: int
    new_count: int
    old_rank: int | None
    new_rank: int | None
    sentences: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"theme": self.theme, "old_count": self.old_count, "new_count": self.new_count,
                "old_rank": self.old_rank, "new_rank": self.new_rank, "sentences": list(self.sentences)}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Diff:
    changes: list[Change]
    emerging: list[PriorityChange] = field(default_factory=list)
    fading: list[PriorityChange] = field(default_factory=list)
    intensified: list[PriorityChange] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The `diff --json` contract (ARCHITECTURE §4)."""
        return {
            "changes": [c.to_dict() for c in self.changes],
            "priorities": {
                "emerging": [p.to_dict() for p in self.emerging],
                "fading": [p.to_dict() for p in self.fading],
                "intensified": [p.to_dict() for p in self.intensified],
            },
        }

    @property
    def meaningful(self) -> bool:
        """Whether anything changed that deserves an alert."""
        moved = any(c.change != "unchanged" for c in self.changes)
        return moved or bool(self.emerging or self.fading or self.intensified)


# --- targets -------------------------------------------------------------------------------------------------


def comparable_targets(extraction: Extraction) -> list[Target]:
    """The goals a diff compares: headline targets and every target of a known metric, one per identity.

    The first mention wins (the 预期目标 paragraph comes before later repetitions of the same goal). Goals for a
    later year than the document's (今后五年…, 到2027年) are a different horizon and are not compared year on year.
    """
    plan_like = extraction.document.doc_type in ("plan", "summary")
    year = extraction.document.year
    if year is not None and extraction.document.doc_type == "summary":
        year += 1  # 工作总结和工作思路: the review of a year and the goals of the next
    chosen: dict[tuple[str, str, str], Target] = {}
    for t in extraction.targets:
        if t.status != "target" or not (t.headline or t.metric_key or plan_like) or is_delta(t):
            continue
        if year is not None and t.year is not None and t.year > year:
            continue
        chosen.setdefault(identity(t), t)
    return list(chosen.values())


def is_delta(t: Target) -> bool:
    """A year-on-year difference restating another target (比上年增加5000亿元, 提高1个百分点), not a goal itself."""
    if t.unit == "%" and t.kind == "growth":
        return False  # 比上年增长5% is a growth target
    at = t.sentence.find(t.raw)
    return at > 0 and _DELTA_CUE.search(t.sentence[max(0, at - 12) : at]) is not None


def identity(t: Target) -> tuple[str, str, str]:
    """What makes two targets the same goal: the metric, its kind (growth vs level vs increment) and unit family."""
    return (t.metric_key or "~" + metric_text(t), t.kind, unit_family(t.unit))


def metric_text(t: Target) -> str:
    return normalise_phrase(t.metric or t.phrase)


def unit_family(unit: str | None) -> str:
    return "%" if unit in ("%", "个百分点") else (unit or "")


def midpoint(t: Target) -> float:
    return t.value if t.value_max is None else (t.value + t.value_max) / 2


def classify(old: Target, new: Target) -> ChangeKind:
    if identity(old)[1:] != identity(new)[1:]:
        return "reworded"  # another kind or unit: the values are not comparable
    a, b = midpoint(old), midpoint(new)
    if abs(b - a) > _EPS * max(1.0, abs(a)):
        return "raised" if b > a else "lowered"
    same_form = (old.value_max is None) == (new.value_max is None) and old.unit == new.unit
    if old.qualifier != new.qualifier or metric_text(old) != metric_text(new) or not same_form:
        return "reworded"
    return "unchanged"


def match_targets(old: Sequence[Target], new: Sequence[Target]) -> list[tuple[Target | None, Target | None]]:
    """Pairs by identity, then unkeyed leftovers by phrase similarity; the rest are dropped or new."""
    by_id = {identity(t): t for t in old}
    pairs: list[tuple[Target | None, Target | None]] = []
    unmatched_new: list[Target] = []
    for t in new:
        partner = by_id.pop(identity(t), None)
        if partner is None:
            unmatched_new.append(t)
        else:
            pairs.append((partner, t))
    leftovers = list(by_id.values())
    for t in unmatched_new:
        partner = _same_key(t, leftovers) or _most_similar(t, leftovers)
        if partner is not None:
            leftovers.remove(partner)
        pairs.append((partner, t))
    pairs.extend((t, None) for t in leftovers)
    return pairs


def _same_key(t: Target, candidates: Iterable[Target]) -> Target | None:
    """A goal of the same known metric stated in another form (新增800家 → 达到1.2万家)."""
    return next((c for c in candidates if t.metric_key and c.metric_key == t.metric_key), None)


def _most_similar(t: Target, candidates: Iterable[Target]) -> Target | None:
    best, best_score = None, PHRASE_SIMILARITY
    for c in candidates:
        if (c.metric_key and t.metric_key) or identity(c)[1:] != identity(t)[1:]:
            continue
        score = SequenceMatcher(None, metric_text(c), metric_text(t)).ratio()
        if score >= best_score:
            best, best_score = c, score
    return best


def significance(change: ChangeKind, old: Target | None, new: Target | None) -> float:
    t = new or old
    assert t is not None
    base = HEADLINE_WEIGHT.get(t.metric_key or "", OTHER_HEADLINE_WEIGHT if t.headline else OTHER_WEIGHT)
    score = base * CHANGE_FACTOR[change]
    if old and new and change in ("raised", "lowered"):
        a, b = midpoint(old), midpoint(new)
        score += base * min(0.3, abs(b - a) / max(abs(a), _EPS) * 0.5)
    return round(score, 4)


def ambition(new: Target, new_doc: Extraction, old_target: Target | None) -> Ambition | None:
    """Compare a target with last year's result in the new report, else with last year's target."""
    results = [
        t
        for t in new_doc.targets
        if t.status in ("achieved", "expected") and identity(t) == identity(new)
        and (new.year is None or t.year is None or t.year < new.year)
    ]  # fmt: skip
    basis_target, basis = (results[0], "achieved") if results else (old_target, "prior_target")
    if basis_target is None:
        return None
    delta = round(midpoint(new) - midpoint(basis_target), 6)
    return Ambition(basis, midpoint(basis_target), basis_target.unit, basis_target.year, delta,  # type: ignore[arg-type]
                    basis_target.sentence)  # fmt: skip


def diff_targets(old_doc: Extraction, new_doc: Extraction) -> list[Change]:
    changes: list[Change] = []
    for old, new in match_targets(comparable_targets(old_doc), comparable_targets(new_doc)):
        kind: ChangeKind = "new" if old is None else "dropped" if new is None else classify(old, new)
        t = new or old
        assert t is not None
        amb = ambition(new, new_doc, old) if new is not None else None
        changes.append(Change(t.metric, t.metric_key, kind, old, new, significance(kind, old, new), amb))
    changes.sort(key=lambda c: (-c.significance, c.metric_key or "~", c.metric))
    return changes


# --- priorities ----------------------------------------------------------------------------------------------


def _ranks(priorities: Sequence[Priority]) -> dict[str, tuple[int, Priority]]:
    themes = [p for p in priorities if p.source == "theme" and p.count > 0]
    themes.sort(key=lambda p: (-p.weight, -p.count, p.theme))
    return {p.theme: (rank, p) for rank, p in enumerate(themes, start=1)}


def diff_priorities(old_doc: Extraction, new_doc: Extraction) -> tuple[list[PriorityChange], ...]:
    old, new = _ranks(old_doc.priorities), _ranks(new_doc.priorities)
    emerging = [_pc(t, "emerging", None, new[t]) for t in new if t not in old]
    fading = [_pc(t, "fading", old[t], None) for t in old if t not in new]
    intensified = [
        _pc(t, "intensified", old[t], new[t]) for t in new if t in old and old[t][0] - new[t][0] >= INTENSIFIED_RANKS
    ]
    return emerging, fading, intensified


def _pc(theme: str, kind: Any, old: tuple[int, Priority] | None, new: tuple[int, Priority] | None) -> PriorityChange:
    source = new or old
    assert source is not None
    return PriorityChange(
        theme=theme,
        change=kind,
        old_count=old[1].count if old else 0,
        new_count=new[1].count if new else 0,
        old_rank=old[0] if old else None,
        new_rank=new[0] if new else None,
        sentences=tuple(source[1].sentences[:3]),
    )


def diff(old_doc: Extraction, new_doc: Extraction) -> Diff:
    """Every comparable target of either document with its change, and the priority shifts."""
    emerging, fading, intensified = diff_priorities(old_doc, new_doc)
    return Diff(diff_targets(old_doc, new_doc), emerging, fading, intensified)
