"""Whole-document figure scores (``figures/`` gold): value, unit and position, then the name, measure, status, year.

A gold figure is found in the prepared text through its cue; an emitted figure matches it when their spans
overlap and value, upper bound and unit agree. The match is right when the emitted metric name contains one of
the gold `subject` strings. Precision counts every emitted figure inside the annotated scope: unmatched ones
(not figures, misnamed numbers) are errors, restatements of a matched figure in the same sentence are neutral.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.extract import goldset as gs

_FOLD = str.maketrans("", "", "“”\"'‘’「」《》 ")


def _norm(s: str) -> str:
    from monitor.extract.text import fold

    return fold(s).translate(_FOLD).upper()


def name_right(g: gs.Figure, t: Any) -> bool:
    """The metric name says what is measured: it contains one of the gold subjects."""
    name = _norm(str(t.metric))
    return any(_norm(s) in name for s in g.subject)


@dataclass
class FigureResult:
    name: str
    counts: gs.Counts = field(default_factory=gs.Counts)
    located: int = 0  # gold figures matched by value and position, whatever their name
    measure_ok: int = 0
    status_ok: int = 0
    year_ok: int = 0
    unlocated: list[str] = field(default_factory=list)  # gold cues not found in the prepared text
    problems: list[str] = field(default_factory=list)
    attrs: list[str] = field(default_factory=list)  # measure/status/year/term disagreements on matched figures

    @staticmethod
    def report(results: list[FigureResult], verbose: bool, attrs: bool = False) -> str:
        lines = [f"{'figures':<22} {'gold':>4} {'named':>5} {'FP':>3} {'recall':>6} {'prec':>6} {'found':>5} "
                 f"{'meas':>5} {'stat':>5} {'year':>5}"]  # fmt: skip
        total = gs.Counts()
        for r in results:
            total.add(r.counts)
            c = r.counts
            scores = f"{100 * c.recall:6.1f} {100 * c.precision:6.1f}"
            lines.append(f"{r.name:<22} {c.gold:>4} {c.hit:>5} {c.fp:>3} {scores} {r.located:>5} {r.measure_ok:>5} "
                         f"{r.status_ok:>5} {r.year_ok:>5}")  # fmt: skip
        found = sum(r.located for r in results) or 1
        lines.append(
            f"FIGURES recall {total.recall:.3f} precision {total.precision:.3f} (names right; {total.hit}/{total.gold},"
            f" {total.fp} FP); on {found} figures found by value and position: measure "
            f"{sum(r.measure_ok for r in results) / found:.3f} status {sum(r.status_ok for r in results) / found:.3f}"
            f" year {sum(r.year_ok for r in results) / found:.3f}"
        )
        unlocated = sum(len(r.unlocated) for r in results)
        if unlocated:
            lines.append(f"  ({unlocated} gold cues not found in the prepared text: counted as misses)")
        if verbose:
            for r in results:
                if r.problems or r.unlocated:
                    lines += [f"\n== {r.name}"] + [f"  {p}" for p in r.unlocated + r.problems]
        if attrs:
            for r in results:
                if r.attrs:
                    lines += [f"\n== {r.name} attributes (gold → emitted)"] + [f"  {a}" for a in r.attrs]
        return "\n".join(lines)


def _overlap(a: tuple[int, int], b: Sequence[int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _at(span: tuple[int, int], t: Any, g: gs.Figure) -> bool:
    return _overlap(span, t.span) and gs.same_number(g, t)


def _scope(located: gs.Located, scope: tuple[str | None, str | None]) -> tuple[int, int]:
    start = located.find(scope[0]) if scope[0] else 0
    start = start or 0
    end = located.find(scope[1], start) if scope[1] else None
    return start, end if end is not None else len(located.text)


def _show(t: Any) -> str:
    return f"{t.raw!r:<14} [{t.metric}] {t.kind} {t.status} {t.year}"


def score_figures(gold: gs.FiguresGold, targets: Sequence[Any], prepared: str) -> FigureResult:
    res = FigureResult(gold.name)
    located = gs.Located(prepared)
    lo, hi = _scope(located, gold.scope)
    pool = [t for t in targets if lo <= t.span[0] < hi]
    used: dict[int, gs.Figure] = {}
    res.counts.gold = sum(not g.optional for g in gold.figures)
    for g in gold.figures:
        span = located.span(g.cue, g.raw)
        if span is None:
            res.unlocated.append(f"UNLOCATED {g.raw!r} cue: {g.cue}")
            continue
        i = next((i for i, t in enumerate(pool) if i not in used and _at(span, t, g)), None)
        if i is None:
            near = [t for t in pool if _overlap(span, t.span)]
            got = f"; got {_show(near[0])} {near[0].value:g}{near[0].unit}" if near else ""
            res.problems += [] if g.optional else [f"MISS  {g.raw!r} {g.subject[0]} cue: {g.cue}{got}"]
            continue
        used[i] = g
        _score_pair(res, g, pool[i])
    for i, t in enumerate(pool):
        if i in used:
            continue
        if _restates(t, [pool[j] for j in used]):
            continue
        res.counts.fp += 1
        res.problems.append(f"FP    {_show(t)} | {' '.join(t.sentence.split())[:100]}")
    return res


def _score_pair(res: FigureResult, g: gs.Figure, t: Any) -> None:
    if g.optional:
        return
    res.located += 1
    res.measure_ok += t.kind == g.measure
    res.status_ok += t.status == g.status
    res.year_ok += t.year == g.year and gs.term_of(t) == g.term
    wrong = attr_disagreements(g, t)
    if wrong:
        res.attrs.append(f"{' '.join(wrong):<40} {g.raw!r} [{t.metric}] cue: {g.cue}")
    if name_right(g, t):
        res.counts.hit += 1
        return
    res.counts.fp += 1  # a figure under a wrong name is wrong output as well as a miss
    res.problems.append(f"NAME  {_show(t)} want {list(g.subject)} cue: {g.cue}")


def attr_disagreements(g: gs.Figure, t: Any) -> list[str]:
    """The attributes of a matched figure that differ from the gold, each as ``attr:gold→emitted``."""
    pairs = [("measure", g.measure, t.kind), ("status", g.status, t.status), ("year", g.year, t.year),
             ("term", g.term, gs.term_of(t))]  # fmt: skip
    return [f"{a}:{_brief(want)}→{_brief(got)}" for a, want, got in pairs if want != got]


def _brief(v: Any) -> str:
    return "-" if v is None else "-".join(map(str, v)) if isinstance(v, tuple | list) else str(v)


def _restates(t: Any, matched: Sequence[Any]) -> bool:
    return any(m.sentence == t.sentence and m.value == t.value and m.unit == t.unit for m in matched)


def run_figures(part: str, only: Sequence[str] = ()) -> list[FigureResult]:
    from monitor.extract import extract

    out = []
    for path in gs.files(part, "figures"):
        if only and path.stem not in only:
            continue
        gold = gs.load_figures(path)
        d = gold.doc
        res = extract(d.text(), region=d.region, year=d.report_year, doc_type=d.doc_type)
        out.append(score_figures(gold, res.targets, res.text))
    return out
