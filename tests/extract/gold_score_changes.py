"""Year-over-year change scores (``changes/`` gold): the change kind of every headline metric of a pair.

Each gold entry is compared with the emitted change of its metric (the one whose figures stand at the gold cues
when the metric has several); accuracy = right kinds / gold entries. A false dropped or new is an emitted
`dropped`/`new` of a compared metric that the gold calls otherwise or does not list at all; other emitted changes
of compared metrics that the gold does not list are counted as spurious.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.extract import goldset as gs

REPORT_KEYS = frozenset(gs.HEADLINE12) | frozenset(gs.STANDS_IN)
NATIONAL_KEYS = REPORT_KEYS | frozenset(gs.CHANGE_EXTRA)  # the national reports' fiscal and other targets


def compared(gold: gs.ChangesGold) -> frozenset[str]:
    """The keys a pair is scored on: the twelve (with urban/rural income), and for national reports the rest."""
    return NATIONAL_KEYS if gold.new.region == "全国" else REPORT_KEYS


@dataclass
class ChangeResult:
    name: str
    gold: int = 0
    right: int = 0
    false_dropped: int = 0
    false_new: int = 0
    spurious: int = 0
    problems: list[str] = field(default_factory=list)

    @staticmethod
    def report(results: list[ChangeResult], verbose: bool) -> str:
        lines = [f"{'changes':<26} {'gold':>4} {'right':>5} {'acc':>6} {'f.drop':>6} {'f.new':>5} {'spur':>4}"]
        for r in results:
            acc = r.right / r.gold if r.gold else 1.0
            lines.append(f"{r.name:<26} {r.gold:>4} {r.right:>5} {100 * acc:6.1f} {r.false_dropped:>6} "
                         f"{r.false_new:>5} {r.spurious:>4}")  # fmt: skip
        gold, right = sum(r.gold for r in results), sum(r.right for r in results)
        lines.append(
            f"CHANGES accuracy {right / gold if gold else 1.0:.3f} ({right}/{gold}); false dropped "
            f"{sum(r.false_dropped for r in results)}, false new {sum(r.false_new for r in results)}, spurious "
            f"{sum(r.spurious for r in results)}"
        )
        if verbose:
            for r in results:
                if r.problems:
                    lines += [f"\n== {r.name}"] + [f"  {p}" for p in r.problems]
        return "\n".join(lines)


def _at(located: gs.Located, cue: str | None, t: Any) -> bool:
    if not cue or t is None:
        return False
    at = located.find(cue)
    return at is not None and at <= t.span[0] and t.span[1] <= at + len(cue) + 2  # the figure stands in the cue


def _pick(g: gs.GoldChange, emitted: list[Any], old: gs.Located, new: gs.Located) -> Any | None:
    mine = [c for c in emitted if c.metric_key == g.metric_key]
    at_cue = [c for c in mine if _at(new, g.new_cue, c.new) or _at(old, g.old_cue, c.old)]
    return (at_cue or mine or [None])[0]


def _figure(t: Any) -> str:
    return "—" if t is None else f"{t.raw}({t.kind},{t.year},term={gs.term_of(t)})"


def score_changes(gold: gs.ChangesGold, changes: Sequence[Any], old_text: str, new_text: str) -> ChangeResult:
    res = ChangeResult(gold.name, gold=len(gold.changes))
    old, new = gs.Located(old_text), gs.Located(new_text)
    emitted = [c for c in changes if c.metric_key in compared(gold)]
    picked: set[int] = set()
    wanted = {g.metric_key: g.change for g in gold.changes}
    for g in gold.changes:
        c = _pick(g, [c for c in emitted if id(c) not in picked], old, new)
        if c is not None:
            picked.add(id(c))
        if c is not None and c.change == g.change:
            res.right += 1
            continue
        got = f"{c.change} {_figure(c.old)} → {_figure(c.new)}" if c else "nothing"
        res.problems.append(f"WRONG {g.metric_key:<24} gold {g.change} {g.old} → {g.new}; got {got}")
    for c in emitted:
        if c.change in ("dropped", "new") and wanted.get(c.metric_key) != c.change:
            res.false_dropped += c.change == "dropped"
            res.false_new += c.change == "new"
            res.problems.append(f"FALSE {c.change} {c.metric_key} {_figure(c.old)} → {_figure(c.new)}")
        elif c.metric_key not in wanted and c.change != "unchanged":
            res.spurious += 1
            res.problems.append(f"SPUR  {c.change} {c.metric_key} {_figure(c.old)} → {_figure(c.new)}")
    return res


def run_changes(part: str, only: Sequence[str] = ()) -> list[ChangeResult]:
    from monitor.compare.diff import diff
    from monitor.extract import extract

    out = []
    for path in gs.files(part, "changes"):
        if only and path.stem not in only:
            continue
        gold = gs.load_changes(path)
        sides = [
            extract(d.text(), region=d.region, year=d.report_year, doc_type=d.doc_type) for d in (gold.old, gold.new)
        ]
        out.append(score_changes(gold, diff(*sides).changes, sides[0].text, sides[1].text))
    return out
