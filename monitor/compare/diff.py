"""Diff engine: how this year's targets and priorities differ from a prior year's (pure, no I/O).

The vocabulary shared with every layer: raised / lowered / unchanged / reworded / new / dropped for targets,
emerging / fading / intensified for priorities. The diff emits neutral structure; only the renderer turns it
into HTML or text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Literal

from monitor.compare.identity import Identity, delta_sign, identity, is_delta, metric_text, midpoint, period_class
from monitor.extract.metrics import headline_weight, metric
from monitor.extract.model import Extraction, Priority, Target
from monitor.vocabulary import ChangeKind

__all__ = ["Baseline", "Change", "ChangeKind", "Diff", "PriorityChange", "diff", "identity", "is_delta", "midpoint"]

AmbitionSense = Literal["more", "less", "same"]

OTHER_HEADLINE_WEIGHT = 0.5  # a headline figure (主要预期目标) of a metric the catalogue does not weigh
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


@dataclass(frozen=True, slots=True)
class Baseline:
    """This year's target against last year's result (or, lacking one, last year's target).

    `value` is the reference's midpoint (what `delta` is measured from); `low`, `value_max` and `qualifier` are the
    figure as its sentence states it (5%—5.5%, 3%左右, 近3000家), so that a reference line can print it whole;
    `status` says whether a result is reported (achieved) or estimated (expected)."""

    basis: Literal["achieved", "prior_target"]
    value: float
    unit: str | None
    year: int | None
    delta: float
    sentence: str
    low: float | None = None
    value_max: float | None = None
    qualifier: str | None = None
    status: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"basis": self.basis, "value": self.value, "unit": self.unit, "year": self.year,
                "delta": self.delta, "sentence": self.sentence, "low": self.low, "value_max": self.value_max,
                "qualifier": self.qualifier, "status": self.status}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Change:
    metric: str
    metric_key: str | None
    change: ChangeKind
    old: Target | None
    new: Target | None
    significance: float
    baseline: Baseline | None = None
    ambition: AmbitionSense | None = None  # from the metric's direction: a larger reduction target is "more"

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "metric_key": self.metric_key,
            "change": self.change,
            "old": self.old.to_dict() if self.old else None,
            "new": self.new.to_dict() if self.new else None,
            "significance": self.significance,
            "ambition": self.ambition,
            "baseline": self.baseline.to_dict() if self.baseline else None,
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
        """What `govmon diff --json` prints: field names are a contract, only ever added to."""
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


def plan_year(extraction: Extraction) -> int | None:
    """The year a document's own targets are for (a summary's plan part is for the year after its results)."""
    year = extraction.document.year
    return year + 1 if year is not None and extraction.document.doc_type == "summary" else year


def comparable_targets(extraction: Extraction) -> list[Target]:
    """The goals a diff compares: the document's own-year targets and its term goals, one per identity.

    The first mention wins (the 预期目标 paragraph comes before later repetitions), except that a goal stated
    outright wins over one stated as a difference from last year. Targets for another single year (到2027年 …,
    last year's goal quoted) are not this year's goals, and a second figure of a metric in the same sentence
    (财政支出超过23万亿元，增长6.5%) restates the first.
    """
    plan_like = extraction.document.doc_type in ("plan", "summary")
    year = plan_year(extraction)
    chosen: dict[Identity, Target] = {}
    seen: set[tuple[str, str, str]] = set()
    for t in extraction.targets:
        if t.status != "target" or not (t.headline or t.metric_key or plan_like):
            continue
        if t.term is None and year is not None and t.year is not None and t.year != year:
            continue
        said = (t.metric_key or "", period_class(t), t.sentence)
        if t.metric_key and said in seen and identity(t) not in chosen:
            continue
        seen.add(said)
        key = identity(t)
        if key not in chosen or (is_delta(chosen[key]) and not is_delta(t)):
            chosen[key] = t
    return list(chosen.values())


def classify(old: Target, new: Target) -> ChangeKind:
    if identity(old)[1:] != identity(new)[1:]:
        return "reworded"  # another kind or unit: the values are not comparable
    if sign := delta_sign(new):
        return "raised" if sign > 0 else "lowered"  # 比去年增加1万亿元: higher than last year's
    if is_delta(old):
        return "reworded"  # last year's goal was only a difference: no level to compare with
    a, b = midpoint(old), midpoint(new)
    if abs(b - a) > _EPS * max(1.0, abs(a)):
        return "raised" if b > a else "lowered"
    same_form = (old.value_max is None) == (new.value_max is None)
    if old.qualifier != new.qualifier or metric_text(old) != metric_text(new) or not same_form:
        return "reworded"
    return "unchanged"


def ambition(change: ChangeKind, t: Target) -> AmbitionSense | None:
    """more / less / same ambition, from the metric's direction (a looser cap is less, a deeper cut more)."""
    if change in ("unchanged", "reworded"):
        return "same"
    if change not in ("raised", "lowered"):
        return None
    found = metric(t.metric_key)
    direction = found.direction if found is not None else ("down" if t.kind == "cap" else "up")
    if direction not in ("up", "down"):
        return None
    return "more" if (change == "raised") == (direction == "up") else "less"


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
    """A goal of the same known metric and period stated in another form (新增800家 → 达到1.2万家)."""
    return next(
        (c for c in candidates if t.metric_key and c.metric_key == t.metric_key and period_class(c) == period_class(t)),
        None,
    )


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
    weight = headline_weight(t.metric_key)
    base = weight if weight is not None else OTHER_HEADLINE_WEIGHT if t.headline else OTHER_WEIGHT
    score = base * CHANGE_FACTOR[change]
    if old and new and change in ("raised", "lowered") and not is_delta(new):
        a, b = midpoint(old), midpoint(new)
        score += base * min(0.3, abs(b - a) / max(abs(a), _EPS) * 0.5)
    return round(score, 4)


def baseline(new: Target, new_doc: Extraction, old_target: Target | None) -> Baseline | None:
    """Compare a target with last year's result in the new report, else with last year's target."""
    results = [
        t
        for t in new_doc.targets
        if t.status in ("achieved", "expected")
        and identity(t) == identity(new)
        and (new.year is None or t.year is None or t.year < new.year)
    ]
    basis_target, basis = (results[0], "achieved") if results else (old_target, "prior_target")
    if basis_target is None or is_delta(new) or is_delta(basis_target):
        return None
    delta = round(midpoint(new) - midpoint(basis_target), 6)
    return Baseline(basis, midpoint(basis_target), basis_target.unit, basis_target.year, delta,  # type: ignore[arg-type]
                    basis_target.sentence, basis_target.value, basis_target.value_max, basis_target.qualifier,
                    basis_target.status)  # fmt: skip


def plan_goals(extraction: Extraction) -> list[Target]:
    """The goals of a five-year plan that the document opens (十五五 goals in 2026), if it opens one."""
    year = plan_year(extraction)
    return [t for t in extraction.targets if t.term and t.term[0] == year and t.term[1] - t.term[0] == 4]


def _periods(old_doc: Extraction, new_doc: Extraction) -> tuple[list[Target], list[Target]]:
    """Annual targets always; term goals only when both documents open a plan (十五五 goals with 十四五 goals)."""
    old, new = comparable_targets(old_doc), comparable_targets(new_doc)
    if plan_goals(old_doc) and plan_goals(new_doc):
        goals = {id(t) for t in plan_goals(old_doc) + plan_goals(new_doc)}
        return [t for t in old if not t.term or id(t) in goals], [t for t in new if not t.term or id(t) in goals]
    return [t for t in old if not t.term], [t for t in new if not t.term]


def diff_targets(old_doc: Extraction, new_doc: Extraction) -> list[Change]:
    changes: list[Change] = []
    old_targets, new_targets = _periods(old_doc, new_doc)
    for old, new in match_targets(old_targets, new_targets):
        kind: ChangeKind = "new" if old is None else "dropped" if new is None else classify(old, new)
        t = new or old
        assert t is not None
        base = baseline(new, new_doc, old) if new is not None else None
        changes.append(
            Change(t.metric, t.metric_key, kind, old, new, significance(kind, old, new), base, ambition(kind, t))
        )
    changes.sort(key=lambda c: (-c.significance, c.metric_key or "~", c.metric))
    return changes


DROPPED_SHARE = 0.75  # a diff that would drop at least this share of last year's headline targets is suspect
MIN_HEADLINES = 4


def review_reasons(changes: Sequence[Change]) -> list[str]:
    """Why a diff is suspect: nearly all of last year's headline targets would come out dropped (a misread report)."""
    old = [c for c in changes if c.old is not None and headline_weight(c.metric_key) is not None and not c.old.term]
    dropped = [c for c in old if c.change == "dropped"]
    if len(old) >= MIN_HEADLINES and len(dropped) >= DROPPED_SHARE * len(old):
        return [f"上年{len(old)}项主要目标中{len(dropped)}项将显示为删去"]
    return []


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
