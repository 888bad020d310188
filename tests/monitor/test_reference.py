"""The reference line of a change: what this year's target is compared with, said in full.

A reference keeps the qualifier and the range of the figure it refers to (3%左右, 2500家以上, 5%—5.5%, 近3000家),
says whether it is last year's target, last year's result or an estimate, and is printed by the one function
every face uses. The figures below are invented for the tests.
"""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from monitor.compare.diff import diff
from monitor.digest.views import baseline, change_view
from monitor.extract.model import DocumentInfo, Extraction, Target
from monitor.format import format_figure, reference
from monitor.vocabulary import StoredChange

ROOT = Path(__file__).resolve().parents[2]


def target(value: float, unit: str = "%", qualifier: str | None = None, **kw: Any) -> Target:
    fields: dict[str, Any] = {"metric": "经济增长", "metric_key": "gdp_growth", "phrase": "经济增长", "value": value,
                              "value_max": None, "unit": unit, "qualifier": qualifier, "kind": "growth",
                              "status": "target", "year": 2025, "sentence": "本市经济保持增长。", "span": (0, 4),
                              "raw": "", "headline": True}  # fmt: skip
    fields.update(kw)
    return Target(**fields)


def extraction(*targets: Target, year: int) -> Extraction:
    return Extraction(DocumentInfo(region="江苏省", year=year, doc_type="work_report"), list(targets), [])


def firms(value: float, qualifier: str | None, **kw: Any) -> Target:
    return target(value, "家", qualifier, kind="increment", metric="新增高新技术企业", metric_key="new_hightech", **kw)


LAST = 2024  # the year of last year's report and of the results this year's report states
# (case, last year's target, this year's target, a result this year's report states or None, expected line)
CASES = [
    ("result keeps 左右", target(5, qualifier="左右", year=LAST), target(5, qualifier="左右"),
     target(5, qualifier="左右", status="achieved", year=LAST), "2024年实际 5%左右"),
    ("result keeps 近 before the figure", firms(2500, "以上", year=LAST), firms(3000, "以上"),
     firms(2980, "近", status="achieved", year=LAST), "2024年实际 近2980家"),
    ("result keeps its range", target(5, qualifier="以上", year=LAST), target(5.5, qualifier="左右"),
     target(5, value_max=5.5, status="achieved", year=LAST), "2024年实际 5%—5.5%"),
    ("an estimate is called one", target(5, qualifier="左右", year=LAST), target(5, qualifier="左右"),
     target(4.9, qualifier="左右", status="expected", year=LAST), "2024年预计 4.9%左右"),
    ("no result: last target's qualifier kept", target(3, qualifier="左右", year=LAST), target(2, qualifier="左右"),
     None, "上年目标 3%左右"),
    ("no result: last year's range kept", target(5, value_max=5.5, year=LAST), target(5, qualifier="左右"),
     None, "上年目标 5%—5.5%"),
    ("no result: 以上 kept on a count", firms(2500, "以上", year=LAST), firms(2800, "以上"),
     None, "上年目标 2500家以上"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "result", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_reference_line_from_a_diff(old: Target, new: Target, result: Target | None, expected: str) -> None:
    news = [new, result] if result is not None else [new]
    (change,) = [c for c in diff(extraction(old, year=2024), extraction(*news, year=2025)).changes]
    assert change.baseline is not None
    stored = change.baseline.to_dict()
    assert reference(stored) == expected
    # the change card shows a result (the arrow's left side is last year's target already)
    shown = baseline(stored)
    assert shown == (expected if stored["basis"] == "achieved" else "")


def test_reference_survives_storage_as_json() -> None:
    """What the database keeps is JSON: the line read back is the line computed."""
    import json

    change = diff(extraction(target(5, qualifier="以上", year=2024), year=2024),
                  extraction(target(5, qualifier="左右"), target(5.2, qualifier="左右", status="achieved", year=2024),
                             year=2025)).changes[0]  # fmt: skip
    assert change.baseline is not None
    assert reference(json.loads(json.dumps(change.baseline.to_dict()))) == "2024年实际 5.2%左右"


def test_a_baseline_stored_before_qualifiers_were_kept_prints_its_value() -> None:
    """Older rows have only the midpoint: it is printed bare, never with an invented qualifier."""
    old_row = {"basis": "achieved", "value": 4.4, "unit": "%", "year": 2023, "delta": 0.6, "sentence": ""}
    assert reference(old_row) == "2023年实际 4.4%"
    assert reference({**old_row, "year": None}) == "上年实际 4.4%"
    assert reference(None) == "" and baseline({**old_row, "basis": "prior_target"}) == ""
    # a midpoint its sentence never stated is not printed as if it were the result
    assert reference({**old_row, "sentence": "全年经济增长4.4%。"}) == "2023年实际 4.4%"
    assert reference({**old_row, "value": 5.25, "sentence": "全年经济增长5%—5.5%。"}) == ""


def test_the_change_card_carries_the_full_reference() -> None:
    result = {"basis": "achieved", "value": 5.25, "low": 5.0, "value_max": 5.5, "qualifier": None, "unit": "%",
              "year": 2024, "status": "achieved"}  # fmt: skip
    new = {"value": 5.0, "unit": "%", "qualifier": "左右", "kind": "growth", "sentence": "经济增长5%左右。",
           "raw": "5%左右", "baseline": result}  # fmt: skip
    old = {"value": 5.0, "unit": "%", "qualifier": "以上", "kind": "growth", "sentence": "经济增长5%以上。"}
    stored = StoredChange("target", "经济增长", "gdp_growth", "reworded", old, new, 0.5)
    view = change_view(stored, "江苏省")
    assert (view.arrow, view.baseline) == ("5%以上 → 5%左右", "2024年实际 5%—5.5%")
    with_near = replace(stored, new={**new, "baseline": {**new["baseline"], "low": 5.0, "value_max": None,
                                                           "qualifier": "近"}})  # fmt: skip
    assert change_view(with_near).baseline == "2024年实际 近5%"


@pytest.mark.parametrize(
    ("args", "expected"),
    [((3, "%", None, "左右"), "3%左右"), ((2500, "家", None, "以上"), "2500家以上"), ((5, "%", 5.5, None), "5%—5.5%"),
     ((3000, "家", None, "近"), "近3000家"), ((2e10, "元", None, "突破"), "突破200亿元")],
)  # fmt: skip
def test_one_formatting_function(args: tuple[float, str, float | None, str | None], expected: str) -> None:
    assert format_figure(*args) == expected


# Modules that print a bare value that is no stated figure: chart axis ticks, the spread of a comparison's values.
BARE_VALUES = {"monitor/digest/charts.py", "monitor/compare/bars.py", "monitor/compare/views.py"}


def test_figures_are_printed_through_the_one_function() -> None:
    """Nothing outside monitor/format.py puts a qualifier to a figure itself, and only axis ticks and statistics
    print a bare value: every face prints a stated figure with format_figure, format_target or reference
    (directly or through the digest's views)."""
    qualified, bare = [], []
    for path in [*ROOT.glob("monitor/**/*.py"), *ROOT.glob("db/**/*.py")]:
        where = str(path.relative_to(ROOT))
        if where == "monitor/format.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            called = getattr(node.func, "id", getattr(node.func, "attr", "")) if isinstance(node, ast.Call) else ""
            if called == "with_qualifier":
                qualified.append(f"{where}:{node.lineno}")
            if called == "format_value" and where not in BARE_VALUES:
                bare.append(f"{where}:{node.lineno}")
    assert qualified == [] and bare == []
