"""Scores of ``monitor.extract`` and ``monitor.compare.diff`` against the gold of one part (``gold/SCHEMA.md``).

- headline: a report's annual headline targets, right when key, value, unit, year (the report's) and status
  (target) are; recall over the gold entries, precision over the emitted annual targets of the twelve headline
  keys (and of any other key the file lists), leaving out year-on-year differences as the diff does
  (比去年增加5600亿元). Term goals (年均, 到20XX年, 累计) are scored apart, by key, value
  and term.
- figures: every figure of a document (part), matched by value, unit and position (the gold cue located in the
  text); right when the metric name contains one of the gold subjects. Measure, status and year accuracy are
  given over the figures matched by value and position.
- changes: the change kind of every headline metric of a year pair, and how many emitted changes are a false
  dropped or new.

An emitted figure that restates a matched one (same key/value, or same value and sentence) is neutral, as is
one matched to an `optional` entry.

Run: ``.venv/bin/python -m tests.extract.gold_score --part tune [--kind headline] [--doc NAME] [-v] [--attrs]``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `tests` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.extract import goldset as gs
from tests.extract.gold_score_changes import ChangeResult, run_changes
from tests.extract.gold_score_figures import FigureResult, run_figures
from tests.extract.goldset import Counts, same_number, term_of


@dataclass
class HeadlineResult:
    name: str
    annual: Counts = field(default_factory=Counts)
    term: Counts = field(default_factory=Counts)
    measure_ok: int = 0
    problems: list[str] = field(default_factory=list)


Pairs = list[tuple[gs.Figure, Any]]


def _fact(t: Any) -> tuple[Any, ...]:
    return (t.metric_key, t.unit, round(abs(t.value), 6), term_of(t))


def _match(gold: Sequence[gs.Figure], pool: list[Any], same: Any) -> tuple[Counts, Pairs, list[gs.Figure], list[Any]]:
    """One-to-one matching, required entries first; restatements of a matched fact and optional hits are neutral."""
    used: set[int] = set()
    pairs, misses = [], []
    for g in sorted(gold, key=lambda g: g.optional):
        i = next((i for i, t in enumerate(pool) if i not in used and same(g, t)), None)
        if i is None:
            misses += [] if g.optional else [g]
            continue
        used.add(i)
        pairs += [] if g.optional else [(g, pool[i])]
    facts = {_fact(t) for i, t in enumerate(pool) if i in used}
    extra = [t for i, t in enumerate(pool) if i not in used and _fact(t) not in facts]
    counts = Counts(sum(not g.optional for g in gold), len(pairs), len(extra))
    return counts, pairs, misses, extra


def _delta(t: Any) -> bool:
    from monitor.compare.diff import is_delta

    return hasattr(t, "sentence") and is_delta(t)


def _same_annual(g: gs.Figure, t: Any) -> bool:
    return bool(t.metric_key == g.metric_key and same_number(g, t))


def _same_term(g: gs.Figure, t: Any) -> bool:
    return _same_annual(g, t) and term_of(t) == g.term


def score_headline(gold: gs.HeadlineGold, targets: Sequence[Any]) -> HeadlineResult:
    res = HeadlineResult(gold.name)
    year = gold.doc.report_year
    keys = set(gs.HEADLINE12) | set(gs.STANDS_IN) | {g.metric_key for g in gold.targets + gold.term_goals}
    scored = [t for t in targets if t.metric_key in keys and t.status == "target" and not _delta(t)]
    annual = [t for t in scored if t.year == year and not term_of(t)]
    terms = [t for t in scored if term_of(t)]
    res.annual, pairs, misses, extra = _match(gold.targets, annual, _same_annual)
    res.measure_ok = sum(t.kind == g.measure for g, t in pairs)
    res.problems += [_why_missed(g, targets) for g in misses]
    res.problems += [f"FP    {_show(t)}" for t in extra]
    if gold.term_goals or terms:
        res.term, _, t_miss, t_extra = _match(gold.term_goals, terms, _same_term)
        res.problems += [f"TERM MISS {g.metric_key} {g.value:g}{g.unit} {g.term} cue: {g.cue}" for g in t_miss]
        res.problems += [f"TERM FP   {_show(t)}" for t in t_extra]
    return res


def _show(t: Any) -> str:
    return (f"{t.metric_key or '-':<22} {t.value:g}{t.unit or ''} {t.kind} {t.status} {t.year} term={term_of(t)} "
            f"[{t.metric}] | {' '.join(str(t.sentence).split())[:110]}")  # fmt: skip


def _why_missed(g: gs.Figure, targets: Sequence[Any]) -> str:
    near = [t for t in targets if same_number(g, t) and t.metric_key == g.metric_key]
    near = near or [t for t in targets if same_number(g, t)]
    got = f"; got {_show(near[0])}" if near else ""
    return f"MISS  {g.metric_key} {g.value:g}{g.unit} {g.measure} cue: {g.cue}{got}"


def run_headline(part: str, only: Sequence[str] = ()) -> list[HeadlineResult]:
    from monitor.extract import extract

    out = []
    for path in gs.files(part, "headline"):
        if only and path.stem not in only:
            continue
        gold = gs.load_headline(path)
        d = gold.doc
        res = extract(d.text(), region=d.region, year=d.report_year, doc_type=d.doc_type)
        out.append(score_headline(gold, res.targets))
    return out


# --- report --------------------------------------------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{100 * x:5.1f}"


def headline_report(results: list[HeadlineResult], verbose: bool) -> tuple[str, Counts]:
    lines = [f"{'headline':<22} {'gold':>4} {'hit':>4} {'FP':>3} {'recall':>6} {'prec':>6}   term g/h/fp"]
    total, term = Counts(), Counts()
    for r in results:
        total.add(r.annual)
        term.add(r.term)
        a = r.annual
        lines.append(f"{r.name:<22} {a.gold:>4} {a.hit:>4} {a.fp:>3} {_pct(a.recall)} {_pct(a.precision)}"
                     f"   {r.term.gold}/{r.term.hit}/{r.term.fp}")  # fmt: skip
    measure = sum(r.measure_ok for r in results)
    lines.append(f"HEADLINE recall {total.recall:.3f} precision {total.precision:.3f} (key+year+status; "
                 f"{total.hit}/{total.gold}, {total.fp} FP); measure {measure}/{total.hit}; "
                 f"term goals recall {term.recall:.3f} precision {term.precision:.3f}")  # fmt: skip
    if verbose:
        for r in results:
            lines += [f"\n== {r.name}"] + [f"  {p}" for p in r.problems] if r.problems else []
    return "\n".join(lines), total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--part", choices=gs.PARTS, default="tune")
    ap.add_argument("--kind", choices=gs.KINDS, action="append", default=[])
    ap.add_argument("--doc", action="append", default=[], help="only this gold file (stem), repeatable")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every miss and false positive")
    ap.add_argument("--attrs", action="store_true", help="list the measure/status/year/term disagreements of the "
                    "figures matched by value and position")  # fmt: skip
    args = ap.parse_args(argv)
    if not gs.SHARED.is_dir():
        print(f"shared directory {gs.SHARED} not found", file=sys.stderr)
        return 2
    kinds = args.kind or list(gs.KINDS)
    if "headline" in kinds:
        print(headline_report(run_headline(args.part, args.doc), args.verbose)[0] + "\n")
    if "figures" in kinds:
        print(FigureResult.report(run_figures(args.part, args.doc), args.verbose, args.attrs) + "\n")
    if "changes" in kinds:
        print(ChangeResult.report(run_changes(args.part, args.doc), args.verbose))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
