"""Corpus evaluation of ``monitor.extract`` against the hand-checked gold in ``tests/extract/gold/*.yaml``.

Gold files (one per document) list every quantitative statement about the headline metrics (``HEADLINE_KEYS``)
for the whole region. Each entry: ``metric_key`` (or a list of acceptable keys), ``value``/``value_max`` in base units,
``unit``, ``qualifier``, ``status`` (or a list of acceptable statuses, the first preferred), ``year``,
optional ``period: [a, b]`` (multi-year figure; the extractor may give any year in the period or none),
optional ``region`` (multi-region digests), ``optional: true`` (a debatable figure: matching it earns nothing,
emitting it costs nothing) and a short ``cue``.
A fact stated several times (e.g. a target restated in the explanation that follows) is one entry.

Scoring, per document, after one-to-one matching of emitted headline targets to gold entries:
- recall = required gold entries matched / required gold entries;
- precision = emitted headline targets matched to a required entry / (those + unmatched emitted headline targets);
  an emitted target that only repeats an already matched fact (same key, unit, value, value_max, year) or matches an
  optional entry is left out of both counts;
- status accuracy = matched pairs whose status is acceptable / matched pairs, where the pairs also include a miss and
  a false positive that differ only in the year (the usual trace of a status error, e.g. a result read as a target).
Values compare by magnitude (relative tolerance 1e-6): a decline "下降1.7%" is 1.7 in the gold, and may be -1.7 or 1.7.

Run: ``.venv/bin/python -m tests.extract.gold_eval [-v] [--doc NAME] [--ignore-year]``.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

if __package__ in (None, ""):  # run as a script: make `tests` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.corpus import container_text

REPO = Path(__file__).resolve().parents[2]
GOLD_DIR = Path(__file__).resolve().parent / "gold"
SHARED = Path(os.environ.get("GOVMON_SHARED", REPO.parent / "shared"))

HEADLINE_KEYS = frozenset(
    {
        "gdp_growth",
        "gdp",
        "cpi",
        "surveyed_unemployment",
        "registered_unemployment",
        "urban_new_jobs",
        "deficit_ratio",
        "deficit",
        "special_bonds",
        "ultra_long_bonds",
        "grain_output",
        "energy_intensity",
        "rd_intensity",
        "general_budget_revenue",
        "fixed_asset_investment",
        "retail_sales",
        "foreign_trade",
        "foreign_investment",
        "resident_income",
        "industrial_value_added",
    }
)
STATUSES = frozenset({"target", "achieved", "expected"})
REL_TOL = 1e-6


# ----------------------------------------------------------------------------------------------------------- gold


@dataclass
class GoldTarget:
    metric_keys: tuple[str, ...]
    value: float
    value_max: float | None
    unit: str
    qualifier: str | None
    statuses: tuple[str, ...]
    year: int | None
    cue: str
    period: tuple[int, int] | None = None
    region: str | None = None
    optional: bool = False

    @property
    def metric_key(self) -> str:
        return self.metric_keys[0]

    @property
    def status(self) -> str:
        return self.statuses[0]


@dataclass
class GoldDoc:
    name: str
    path: str
    format: str
    key: Any
    region: str | None
    report_year: int | None
    doc_type: str | None
    targets: list[GoldTarget] = field(default_factory=list)


def _as_tuple(v: Any) -> tuple[Any, ...]:
    return tuple(v) if isinstance(v, list | tuple) else (v,)


def _num(v: Any) -> float | None:
    return None if v is None else float(v)  # yaml reads "5.66e12" as a string in some forms; float() handles both


def load_gold(gold_dir: Path = GOLD_DIR) -> list[GoldDoc]:
    docs = []
    for f in sorted(gold_dir.glob("*.yaml")):
        raw = yaml.safe_load(f.read_text(encoding="utf-8"))
        d = raw["document"]
        doc = GoldDoc(
            name=f.stem,
            path=d["path"],
            format=d["format"],
            key=d.get("key"),
            region=raw.get("region"),
            report_year=raw.get("report_year"),
            doc_type=raw.get("doc_type"),
        )
        for t in raw.get("targets") or []:
            period = t.get("period")
            doc.targets.append(
                GoldTarget(
                    metric_keys=_as_tuple(t["metric_key"]),
                    value=float(t["value"]),
                    value_max=_num(t.get("value_max")),
                    unit=t["unit"],
                    qualifier=t.get("qualifier"),
                    statuses=_as_tuple(t["status"]),
                    year=t.get("year"),
                    cue=t.get("cue", ""),
                    period=tuple(period) if period else None,
                    region=t.get("region", doc.region),
                    optional=bool(t.get("optional", False)),
                )
            )
        docs.append(doc)
    return docs


def load_text(doc: GoldDoc, shared: Path = SHARED) -> str:
    """The document text, taken out of its container (jsonl record / csv row / tsv line selected by ``key``)."""
    return container_text(shared / doc.path, doc.format, doc.key)


# -------------------------------------------------------------------------------------------------------- scoring


def _unit(u: Any) -> str:
    return str(u or "").replace("％", "%").strip()


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    a, b = abs(float(a)), abs(float(b))
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-9)


def _year_ok(g: GoldTarget, year: Any, ignore_year: bool) -> bool:
    if ignore_year:
        return True
    if g.period is not None:
        return year is None or g.period[0] <= int(year) <= g.period[1]
    return year == g.year


def matches(g: GoldTarget, t: Any, ignore_year: bool = False) -> bool:
    """Same fact: metric key, unit, value (and value_max), year; region too when both sides carry one."""
    if t.metric_key not in g.metric_keys or _unit(t.unit) != g.unit:
        return False
    if not (_close(t.value, g.value) and _close(getattr(t, "value_max", None), g.value_max)):
        return False
    t_region = getattr(t, "region", None)
    if g.region and t_region and g.region != t_region:
        return False
    return _year_ok(g, getattr(t, "year", None), ignore_year)


def _fact(t: Any) -> tuple[Any, ...]:
    vmax = getattr(t, "value_max", None)
    return (
        t.metric_key,
        _unit(t.unit),
        round(abs(float(t.value)), 6),
        None if vmax is None else round(abs(float(vmax)), 6),
        getattr(t, "year", None),
    )


@dataclass
class DocResult:
    name: str
    required: int = 0
    matched: list[tuple[GoldTarget, Any]] = field(default_factory=list)  # required entries
    matched_optional: list[tuple[GoldTarget, Any]] = field(default_factory=list)
    misses: list[GoldTarget] = field(default_factory=list)
    false_positives: list[Any] = field(default_factory=list)
    # a miss and a false positive that are the same figure with another year (usually a status error: a result read
    # as this year's target). Still a miss and a false positive; also scored for status.
    year_mismatches: list[tuple[GoldTarget, Any]] = field(default_factory=list)
    duplicates: int = 0
    error: str | None = None

    @property
    def pairs(self) -> list[tuple[GoldTarget, Any]]:
        return self.matched + self.matched_optional

    @property
    def status_pairs(self) -> list[tuple[GoldTarget, Any]]:
        return self.pairs + self.year_mismatches

    @property
    def status_ok(self) -> int:
        return sum(t.status in g.statuses for g, t in self.status_pairs)

    @property
    def qualifier_ok(self) -> int:
        return sum((t.qualifier or None) == (g.qualifier or None) for g, t in self.pairs)


def score_document(gold: GoldDoc, emitted: Iterable[Any], ignore_year: bool = False) -> DocResult:
    res = DocResult(gold.name, required=sum(not g.optional for g in gold.targets))
    keys = HEADLINE_KEYS.union(*(g.metric_keys for g in gold.targets))
    pool = [t for t in emitted if t.metric_key in keys]
    used: set[int] = set()

    def take(g: GoldTarget, loose: bool = False) -> Any | None:
        cands = [i for i, t in enumerate(pool) if i not in used and matches(g, t, ignore_year or loose)]
        if not cands:
            return None
        # prefer a candidate with an acceptable status, then the first in document order
        best = min(cands, key=lambda i: (pool[i].status not in g.statuses, i))
        used.add(best)
        return pool[best]

    for g in (g for g in gold.targets if not g.optional):  # required entries first, then optional ones
        t = take(g)
        if t is None:
            res.misses.append(g)
        else:
            res.matched.append((g, t))
    for g in (g for g in gold.targets if g.optional):
        t = take(g)
        if t is not None:
            res.matched_optional.append((g, t))

    seen = {_fact(t) for _, t in res.pairs}
    dup = {i for i, t in enumerate(pool) if i not in used and _fact(t) in seen}
    res.duplicates = len(dup)  # repeats of a fact already counted
    used |= dup
    for g in res.misses:
        t = take(g, loose=True)
        if t is not None:
            res.year_mismatches.append((g, t))
    loose_fp = {id(t) for _, t in res.year_mismatches}
    res.false_positives = [
        t for i, t in enumerate(pool) if t.metric_key in HEADLINE_KEYS and (i not in used or id(t) in loose_fp)
    ]
    return res


@dataclass
class Totals:
    required: int
    matched: int
    emitted: int
    false_positives: int
    pairs: int  # scored for status (matched pairs and same-figure-other-year pairs)
    status_ok: int
    qualifier_pairs: int  # matched pairs
    qualifier_ok: int

    @property
    def recall(self) -> float:
        return self.matched / self.required if self.required else 1.0

    @property
    def precision(self) -> float:
        denom = self.matched + self.false_positives
        return self.matched / denom if denom else 1.0

    @property
    def status_accuracy(self) -> float:
        return self.status_ok / self.pairs if self.pairs else 1.0

    @property
    def qualifier_accuracy(self) -> float:
        return self.qualifier_ok / self.qualifier_pairs if self.qualifier_pairs else 1.0


def totals(results: Iterable[DocResult]) -> Totals:
    rs = list(results)
    return Totals(
        required=sum(r.required for r in rs),
        matched=sum(len(r.matched) for r in rs),
        emitted=sum(len(r.matched) + len(r.false_positives) for r in rs),
        false_positives=sum(len(r.false_positives) for r in rs),
        pairs=sum(len(r.status_pairs) for r in rs),
        status_ok=sum(r.status_ok for r in rs),
        qualifier_pairs=sum(len(r.pairs) for r in rs),
        qualifier_ok=sum(r.qualifier_ok for r in rs),
    )


# ------------------------------------------------------------------------------------------------------- running


def run_document(gold: GoldDoc, shared: Path = SHARED, ignore_year: bool = False) -> DocResult:
    from monitor.extract import extract  # imported late: the gold can be checked without the extractor

    text = load_text(gold, shared)
    try:
        out = extract(text, region=gold.region, year=gold.report_year, doc_type=gold.doc_type)
    except Exception as exc:  # report it and keep scoring the other documents
        res = DocResult(gold.name, required=sum(not g.optional for g in gold.targets))
        res.misses = [g for g in gold.targets if not g.optional]
        res.error = f"{type(exc).__name__}: {exc}"
        return res
    return score_document(gold, out.targets, ignore_year)


def run(shared: Path = SHARED, only: Iterable[str] = (), ignore_year: bool = False) -> list[DocResult]:
    names = set(only)
    return [run_document(d, shared, ignore_year) for d in load_gold() if not names or d.name in names]


def _pct(x: float) -> str:
    return f"{100 * x:5.1f}"


def _fmt_value(v: Any, vmax: Any, unit: Any) -> str:
    s = f"{float(v):g}" + (f"–{float(vmax):g}" if vmax is not None else "")
    return f"{s} {_unit(unit)}"


def report(results: list[DocResult], verbose: bool = True) -> str:
    lines = [
        f"{'document':<16} {'gold':>4} {'hit':>4} {'recall':>6} {'emit':>4} {'FP':>3} {'prec':>6} {'dup':>3} "
        f"{'status':>6} {'qual':>6}"
    ]
    for r in results:
        t = totals([r])
        lines.append(
            f"{r.name:<16} {t.required:>4} {t.matched:>4} {_pct(t.recall):>6} {t.emitted:>4} {t.false_positives:>3} "
            f"{_pct(t.precision):>6} {r.duplicates:>3} {_pct(t.status_accuracy):>6} {_pct(t.qualifier_accuracy):>6}"
            + (f"  ERROR {r.error}" if r.error else "")
        )
    t = totals(results)
    lines.append(
        f"{'TOTAL':<16} {t.required:>4} {t.matched:>4} {_pct(t.recall):>6} {t.emitted:>4} {t.false_positives:>3} "
        f"{_pct(t.precision):>6} {sum(r.duplicates for r in results):>3} {_pct(t.status_accuracy):>6} "
        f"{_pct(t.qualifier_accuracy):>6}"
    )
    lines.append(
        f"recall {t.recall:.3f}  precision {t.precision:.3f}  status accuracy {t.status_accuracy:.3f}  "
        f"(qualifier agreement {t.qualifier_accuracy:.3f}, informational)"
    )
    if verbose:
        for r in results:
            bad_status = [(g, e) for g, e in r.pairs if e.status not in g.statuses]
            if not (r.misses or r.false_positives or bad_status):
                continue
            lines.append(f"\n== {r.name}")
            shifted = {id(g) for g, _ in r.year_mismatches} | {id(e) for _, e in r.year_mismatches}
            for g, e in r.year_mismatches:
                lines.append(
                    f"  YEAR {g.metric_key:<22} {_fmt_value(g.value, g.value_max, g.unit):<16} gold {g.status} {g.year}"
                    f" got {e.status} {e.year}  | {' '.join(str(getattr(e, 'sentence', '')).split())[:120]}"
                )
            for g in (g for g in r.misses if id(g) not in shifted):
                lines.append(
                    f"  MISS {g.metric_key:<22} {_fmt_value(g.value, g.value_max, g.unit):<16} {g.status:<8} "
                    f"{g.year}  cue: {g.cue}"
                )
            for e in (e for e in r.false_positives if id(e) not in shifted):
                lines.append(
                    f"  FP   {e.metric_key:<22} {_fmt_value(e.value, e.value_max, e.unit):<16} {e.status:<8} "
                    f"{e.year}  | {' '.join(str(getattr(e, 'sentence', '')).split())[:160]}"
                )
            for g, e in bad_status:
                lines.append(
                    f"  STATUS {g.metric_key:<20} {_fmt_value(g.value, g.value_max, g.unit):<16} gold {g.status} "
                    f"got {e.status}  | {' '.join(str(getattr(e, 'sentence', '')).split())[:140]}"
                )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--doc", action="append", default=[], help="only this gold file (stem), repeatable")
    ap.add_argument("--ignore-year", action="store_true", help="do not require the year to match")
    ap.add_argument("-q", "--quiet", action="store_true", help="table only, no list of misses / false positives")
    ap.add_argument("--shared", type=Path, default=SHARED)
    args = ap.parse_args(argv)
    if not args.shared.is_dir():
        print(f"shared directory {args.shared} not found", file=sys.stderr)
        return 2
    results = run(args.shared, args.doc, args.ignore_year)
    print(report(results, verbose=not args.quiet))
    return 0


if __name__ == "__main__":
    if __package__ in (None, ""):
        sys.path.insert(0, str(REPO))
    raise SystemExit(main())
