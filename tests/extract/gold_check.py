"""Checks the hand-made gold files of ``tests/extract/gold/{tune,validation}`` against their documents.

Every cue must be a verbatim, unique substring of its document (of the annotated scope in ``figures/`` files),
every ``raw`` a substring of its cue, every field of the vocabulary in ``gold/SCHEMA.md`` spelled right, and every
headline file must account for all twelve headline metrics. Prints one line per problem and exits 1 when there is
one; reads ``../shared`` and exits 0 with a note when it is absent.

Run: ``.venv/bin/python -m tests.extract.gold_check [FILE ...]``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

if __package__ in (None, ""):  # run as a script: make `tests` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.corpus import SHARED, container_text, document_path

GOLD = Path(__file__).resolve().parent / "gold"
PARTS = ("tune", "validation")
HEADLINE = (
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
STANDS_IN = {"urban_income": "resident_income", "rural_income": "resident_income"}
MEASURES = frozenset({"level", "increment", "growth", "share", "reduction", "cap", "cumulative"})
STATUSES = frozenset({"target", "achieved", "expected"})
CHANGES = frozenset({"raised", "lowered", "unchanged", "reworded", "new", "dropped"})
DOC_TYPES = frozenset({"work_report", "plan", "summary"})


def gold_files(part: str | None = None) -> list[Path]:
    parts = (part,) if part else PARTS
    return sorted(f for p in parts for f in (GOLD / p).rglob("*.yaml"))


def document_text(spec: dict[str, Any]) -> str:
    return container_text(document_path(spec["path"]), spec["format"], spec.get("key"))


def _scope(text: str, scope: dict[str, Any] | None) -> tuple[str, list[str]]:
    if not scope:
        return text, []
    problems, start, end = [], 0, len(text)
    if scope.get("from"):
        start = text.find(scope["from"])
        if start < 0 or text.count(scope["from"]) != 1:
            problems.append(f"scope.from {scope['from']!r} is not a unique substring")
            start = max(start, 0)
    if scope.get("to"):
        end = text.find(scope["to"], start)
        if end < 0:
            problems.append(f"scope.to {scope['to']!r} not found after scope.from")
            end = len(text)
    return text[start:end], problems


def _cue(text: str, cue: Any, what: str) -> Iterator[str]:
    if not isinstance(cue, str) or not cue:
        yield f"{what}: no cue"
    elif (n := text.count(cue)) != 1:
        yield f"{what}: cue {cue!r} occurs {n} times (must be exactly once)"


def _number(entry: dict[str, Any], field: str, what: str) -> Iterator[str]:
    value = entry.get(field)
    if value is None and field == "value":
        yield f"{what}: no value"
    elif value is not None:
        try:
            float(value)
        except (TypeError, ValueError):
            yield f"{what}: {field} {value!r} is not a number"


def _figure_like(entry: dict[str, Any], what: str, *, need_status: bool) -> Iterator[str]:
    yield from _number(entry, "value", what)
    yield from _number(entry, "value_max", what)
    if not entry.get("unit"):
        yield f"{what}: no unit"
    if entry.get("measure") not in MEASURES:
        yield f"{what}: measure {entry.get('measure')!r} not one of {sorted(MEASURES)}"
    if need_status and entry.get("status") not in STATUSES:
        yield f"{what}: status {entry.get('status')!r} not one of {sorted(STATUSES)}"
    term = entry.get("term")
    if term is not None and not (isinstance(term, list) and len(term) == 2 and term[0] <= term[1]):
        yield f"{what}: term {term!r} is not [first, last]"


def check_headline(raw: dict[str, Any], text: str) -> Iterator[str]:
    covered: set[str] = set()
    for i, t in enumerate(raw.get("targets") or []):
        what = f"targets[{i}] {t.get('metric_key')}"
        yield from _figure_like(t, what, need_status=False)
        yield from _cue(text, t.get("cue"), what)
        covered.add(STANDS_IN.get(t.get("metric_key", ""), t.get("metric_key", "")))
    absent = set(raw.get("absent") or [])
    if unknown := absent - set(HEADLINE):
        yield f"absent: unknown keys {sorted(unknown)}"
    if both := covered & absent:
        yield f"both in targets and absent: {sorted(both)}"
    if missing := set(HEADLINE) - covered - absent:
        yield f"neither in targets nor absent: {sorted(missing)}"
    for i, t in enumerate(raw.get("term_goals") or []):
        what = f"term_goals[{i}] {t.get('metric_key')}"
        yield from _figure_like(t, what, need_status=False)
        yield from _cue(text, t.get("cue"), what)
        if not t.get("term"):
            yield f"{what}: a term goal needs term: [first, last]"


def check_figures(raw: dict[str, Any], text: str) -> Iterator[str]:
    scoped, problems = _scope(text, raw.get("scope"))
    yield from problems
    for i, f in enumerate(raw.get("figures") or []):
        what = f"figures[{i}] {f.get('raw')!r}"
        yield from _figure_like(f, what, need_status=True)
        yield from _cue(scoped, f.get("cue"), what)
        if f.get("raw") not in (f.get("cue") or ""):
            yield f"{what}: raw is not inside its cue"
        subject = f.get("subject")
        if not (isinstance(subject, list) and subject and all(isinstance(s, str) and s for s in subject)):
            yield f"{what}: subject must be a non-empty list of strings"
        if f.get("year") is None:
            yield f"{what}: no year"
    for i, n in enumerate(raw.get("not_figures") or []):
        what = f"not_figures[{i}] {n.get('raw')!r}"
        yield from _cue(scoped, n.get("cue"), what)
        if n.get("raw") not in (n.get("cue") or ""):
            yield f"{what}: raw is not inside its cue"


def check_changes(raw: dict[str, Any]) -> Iterator[str]:
    texts = {side: document_text(raw[side]) for side in ("old", "new")}
    seen: set[str] = set()
    for i, c in enumerate(raw.get("changes") or []):
        what = f"changes[{i}] {c.get('metric_key')}"
        if c.get("change") not in CHANGES:
            yield f"{what}: change {c.get('change')!r} not one of {sorted(CHANGES)}"
        if c.get("metric_key") in seen:
            yield f"{what}: metric listed twice"
        seen.add(c.get("metric_key"))
        for side in ("old", "new"):
            cue = c.get(f"{side}_cue")
            if cue is not None:
                yield from _cue(texts[side], cue, f"{what} {side}_cue")
            elif c.get(side) is not None:
                yield f"{what}: {side} value given without {side}_cue"


def check_file(path: Path) -> list[str]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    kind = path.parent.name
    if kind == "changes":
        return list(check_changes(raw))
    problems = [] if raw.get("doc_type") in DOC_TYPES else [f"doc_type {raw.get('doc_type')!r}"]
    text = document_text(raw["document"])
    check = check_headline if kind == "headline" else check_figures
    return problems + list(check(raw, text))


def main(argv: list[str]) -> int:
    if not SHARED.is_dir():
        print(f"{SHARED} is absent: nothing to check")
        return 0
    files = [Path(a) for a in argv] or gold_files()
    bad = 0
    for path in files:
        try:
            problems = check_file(path)
        except Exception as exc:  # a broken file is reported, the others are still checked
            problems = [f"{type(exc).__name__}: {exc}"]
        for p in problems:
            print(f"{path.relative_to(GOLD) if path.is_relative_to(GOLD) else path}: {p}")
        bad += bool(problems)
    print(f"{len(files)} files, {bad} with problems", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
