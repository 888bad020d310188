"""The gold sets of ``tests/extract/gold/{tune,validation}`` (format: ``gold/SCHEMA.md``) as typed records.

Three kinds of file: ``headline/`` (a report's annual headline targets and its term goals), ``figures/`` (every
figure of a document or of one part of it) and ``changes/`` (year-over-year headline changes). Cues are verbatim
substrings of the raw document; `Located` finds them in the extractor's prepared text, where spans point.
"""

from __future__ import annotations

import bisect
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

if __package__ in (None, ""):  # run as a script: make `tests` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.corpus import SHARED, container_text, document_path

GOLD = Path(__file__).resolve().parent / "gold"
PARTS = ("tune", "validation")
KINDS = ("headline", "figures", "changes")
# the twelve headline metrics of a report (gold/SCHEMA.md); urban and rural income stand in for resident income
HEADLINE12 = (
    "gdp_growth",
    "cpi",
    "surveyed_unemployment",
    "urban_new_jobs",
    "general_budget_revenue",
    "fixed_asset_investment",
    "retail_sales",
    "industrial_value_added",
    "foreign_trade",
    "rd_intensity",
    "resident_income",
    "grain_output",
)
STANDS_IN = ("urban_income", "rural_income")
# keys the change gold compares besides the twelve (national reports set these as targets)
CHANGE_EXTRA = (
    "deficit_ratio",
    "deficit",
    "special_bonds",
    "ultra_long_bonds",
    "special_treasury_bonds",
    "energy_intensity",
    "registered_unemployment",
    "exports",
    "gdp",
    "foreign_investment",
    "general_budget_expenditure",
)


def _num(v: Any) -> float | None:
    return None if v is None else float(v)


@dataclass(frozen=True)
class Figure:
    """One gold figure (headline target, term goal or document figure)."""

    value: float
    value_max: float | None
    unit: str
    qualifier: str | None
    measure: str
    cue: str
    raw: str = ""
    metric_key: str | None = None
    status: str = "target"
    year: int | None = None
    term: tuple[int, int] | None = None
    subject: tuple[str, ...] = ()
    optional: bool = False

    @classmethod
    def of(cls, d: dict[str, Any], **defaults: Any) -> Figure:
        term = d.get("term")
        return cls(
            value=float(d["value"]),
            value_max=_num(d.get("value_max")),
            unit=str(d["unit"]),
            qualifier=d.get("qualifier"),
            measure=str(d.get("measure", "")),
            cue=str(d.get("cue", "")),
            raw=str(d.get("raw", "")),
            metric_key=d.get("metric_key"),
            status=d.get("status", defaults.get("status", "target")),
            year=d.get("year", defaults.get("year")),
            term=tuple(term) if term else None,  # type: ignore[arg-type]
            subject=tuple(d.get("subject") or ()),
            optional=bool(d.get("optional", False)),
        )


@dataclass(frozen=True)
class DocSpec:
    path: str
    format: str
    key: Any
    region: str | None
    report_year: int | None
    doc_type: str | None

    @classmethod
    def of(cls, d: dict[str, Any], outer: dict[str, Any] | None = None) -> DocSpec:
        outer = outer or d
        return cls(d["path"], d["format"], d.get("key"), outer.get("region"), outer.get("report_year"),
                   outer.get("doc_type"))  # fmt: skip

    def text(self, shared: Path = SHARED) -> str:
        return container_text(document_path(self.path, shared), self.format, self.key)


@dataclass
class HeadlineGold:
    name: str
    doc: DocSpec
    targets: list[Figure]
    absent: list[str]
    term_goals: list[Figure]


@dataclass
class FiguresGold:
    name: str
    doc: DocSpec
    scope: tuple[str | None, str | None]
    figures: list[Figure]
    not_figures: list[tuple[str, str]]  # (raw, cue)


@dataclass(frozen=True)
class GoldChange:
    metric_key: str
    change: str
    old: str | None
    new: str | None
    old_cue: str | None
    new_cue: str | None


@dataclass
class ChangesGold:
    name: str
    old: DocSpec
    new: DocSpec
    changes: list[GoldChange] = field(default_factory=list)


def files(part: str, kind: str) -> list[Path]:
    return sorted((GOLD / part / kind).glob("*.yaml"))


def load_headline(path: Path) -> HeadlineGold:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    year = raw.get("report_year")
    targets = [Figure.of(t, status="target", year=year) for t in raw.get("targets") or []]
    terms = [Figure.of(t, status="target") for t in raw.get("term_goals") or []]
    terms = [Figure(**{**g.__dict__, "year": g.term[1] if g.term else g.year}) for g in terms]
    return HeadlineGold(path.stem, DocSpec.of(raw["document"], raw), targets, list(raw.get("absent") or []), terms)


def load_figures(path: Path) -> FiguresGold:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    scope = raw.get("scope") or {}
    nots = [(str(n.get("raw", "")), str(n.get("cue", ""))) for n in raw.get("not_figures") or []]
    figures = [Figure.of(f) for f in raw.get("figures") or []]
    return FiguresGold(path.stem, DocSpec.of(raw["document"], raw), (scope.get("from"), scope.get("to")), figures, nots)


def load_changes(path: Path) -> ChangesGold:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    changes = [
        GoldChange(c["metric_key"], c["change"], c.get("old"), c.get("new"), c.get("old_cue"), c.get("new_cue"))
        for c in raw.get("changes") or []
    ]
    return ChangesGold(path.stem, DocSpec.of(raw["old"]), DocSpec.of(raw["new"]), changes)


# --- comparing ---------------------------------------------------------------------------------------------------

REL_TOL = 1e-6


def close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(abs(float(a)), abs(float(b)), rel_tol=REL_TOL, abs_tol=1e-9)


def base_unit(unit: str) -> str:
    """The contract's base unit of a unit as an annotator may write it (名 → 人, 千克 → 公斤)."""
    from monitor.extract.units import base_unit as extractor_base

    return extractor_base(unit) or unit


def same_number(g: Figure, t: Any) -> bool:
    same_unit = str(t.unit or "") == g.unit or base_unit(str(t.unit or "")) == base_unit(g.unit)
    return same_unit and close(t.value, g.value) and close(t.value_max, g.value_max)


def term_of(t: Any) -> tuple[int, int] | None:
    term = getattr(t, "term", None)
    return tuple(term) if term else None  # type: ignore[return-value]


# --- headline ------------------------------------------------------------------------------------------------


@dataclass
class Counts:
    """recall = hit / gold; precision = hit / (hit + fp)."""

    gold: int = 0
    hit: int = 0
    fp: int = 0

    def add(self, other: Counts) -> None:
        self.gold, self.hit, self.fp = self.gold + other.gold, self.hit + other.hit, self.fp + other.fp

    @property
    def recall(self) -> float:
        return self.hit / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.hit / (self.hit + self.fp) if self.hit + self.fp else 1.0


# --- finding cues in the prepared text -----------------------------------------------------------------------

_SPACE = re.compile(r"\s+")


class Located:
    """A prepared text searchable without whitespace and with full-width forms folded, as the extractor sees it."""

    def __init__(self, prepared: str) -> None:
        from monitor.extract.text import fold

        self.text = prepared
        keep = [(i, c) for i, c in enumerate(prepared) if not c.isspace()]
        self._offsets = [i for i, _ in keep]
        self._squashed = fold("".join(c for _, c in keep))

    def _squash(self, s: str) -> str:
        from monitor.extract.text import fold

        return fold(_SPACE.sub("", s))

    def find(self, cue: str, start: int = 0) -> int | None:
        """Offset in the prepared text where `cue` starts (at or after `start`), or None."""
        at = bisect.bisect_left(self._offsets, start)
        i = self._squashed.find(self._squash(cue), at)
        return None if i < 0 or not cue else self._offsets[i]

    def span(self, cue: str, raw: str) -> tuple[int, int] | None:
        """The prepared-text span of `raw` inside `cue` (the cue's own span when raw is empty)."""
        at = self.find(cue)
        if at is None:
            return None
        sq_cue, sq_raw = self._squash(cue), self._squash(raw or cue)
        inner = sq_cue.find(sq_raw)
        if inner < 0 or not sq_raw:
            return None
        first = bisect.bisect_left(self._offsets, at) + inner
        last = first + len(sq_raw) - 1
        return self._offsets[first], self._offsets[last] + 1
