"""Robustness and purity: arbitrary input never crashes, work stays linear in the input (counted, not timed:
speed itself is measured by bench.extract), no pattern can backtrack catastrophically, no I/O imports."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import re._constants as sc
import re._parser as sp
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.extract import extract, html_to_text

PACKAGE = Path(__file__).resolve().parents[2] / "monitor" / "extract"
FORBIDDEN = {"scrapy", "sqlalchemy", "jinja2", "requests", "socket", "urllib", "http", "db", "crawler"}
# characters that exercise the number grammar: digits, masks, units, ranges, punctuation
ALPHABET = (
    "0123456789.,%-—～至万亿千百十一二两三五xX元人家个斤吨项倍番分之第“”《》+增长达到预计力争左右以上，。；、\n◉<>p/ "
)


@given(st.text())
def test_arbitrary_unicode_never_crashes(text: str) -> None:
    extract(text).to_dict()


@given(st.text(alphabet=ALPHABET, max_size=300))
@settings(max_examples=300)
def test_number_soup_never_crashes(text: str) -> None:
    for t in extract(text).targets:
        assert t.value >= 0 and (t.value_max is None or t.value_max >= t.value)


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01\x02", "<<<>>>", "<p>", "<html></html>", "\ufffd" * 50])
def test_degenerate_input(text: str) -> None:
    res = extract(text)
    assert res.targets == [] and isinstance(html_to_text(text), str)


# inputs that once made regular expressions or list handling blow up: long runs of one character or separator
PATHOLOGICAL = {
    "digits": lambda n: "1" * n,
    "numerals": lambda n: "一" * n,
    "quotes": lambda n: "“" * n + "5%",
    "percent list": lambda n: "5%、" * (n // 3),
    "tags": lambda n: "<p>" * (n // 3),
    "report lines": lambda n: (
        ("地区生产总值增长5%左右，新增高新技术企业1.8万家。" + "一" * 300 + "1" * 200 + "\n") * (n // 540)
    ),
}


def _calls(text: str) -> int:
    """Python-level calls (functions and builtins, regex calls included) one extraction makes: a count of work
    that does not depend on the machine or its load."""
    count = 0

    def profile(frame: object, event: str, arg: object) -> None:
        nonlocal count
        count += event in ("call", "c_call")

    sys.setprofile(profile)
    try:
        extract(text, year=2025)
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_work_grows_linearly_on_pathological_runs(name: str) -> None:
    make = PATHOLOGICAL[name]
    extract("预热：国内生产总值增长5%左右。")  # the catalogue loads once per process: keep it out of the count
    small, large = _calls(make(20_000)), _calls(make(80_000))
    assert large <= 4.4 * small + 500, (name, small, large)


def test_report_figures_scale_with_the_text() -> None:
    """Every copy of a report line yields its two figures, however long the text (no window or cap loses them)."""
    unit = "地区生产总值增长5%左右，新增高新技术企业1.8万家。" + "一" * 3000 + "1" * 2000 + "“" * 500 + "\n"
    assert len(extract(unit * 40, year=2025).targets) == 80


def _nested_unbounded(items: Any, inside: bool = False) -> list[str]:
    """Unbounded repeats standing inside another unbounded repeat: the shape that backtracks catastrophically."""
    found = []
    for op, av in items:
        if op in (sc.MAX_REPEAT, sc.MIN_REPEAT, sc.POSSESSIVE_REPEAT):
            unbounded = av[1] == sc.MAXREPEAT or av[1] > 50
            found += [f"{op} {av[0]}..{av[1]}"] if inside and unbounded else []
            found += _nested_unbounded(av[2], inside or unbounded)
        elif op == sc.SUBPATTERN:
            found += _nested_unbounded(av[3], inside)
        elif op == sc.BRANCH:
            for branch in av[1]:
                found += _nested_unbounded(branch, inside)
        elif op in (sc.ASSERT, sc.ASSERT_NOT):
            found += _nested_unbounded(av[1], inside)
    return found


def test_no_pattern_nests_unbounded_repeats() -> None:
    checked = 0
    for info in pkgutil.iter_modules([str(PACKAGE)]):
        module = importlib.import_module(f"monitor.extract.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                checked += 1
                assert not _nested_unbounded(sp.parse(value.pattern, value.flags)), (info.name, name)
    assert checked > 50  # the scan sees the package's patterns


def test_nested_repeat_check_finds_the_dangerous_shape() -> None:
    assert _nested_unbounded(sp.parse(r"^(?:[一二三]+是|年)+"))
    assert not _nested_unbounded(sp.parse(r"^(?:[一二三]{1,3}是|年)+"))


def test_extract_imports_no_io_layer() -> None:
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not {n.split(".")[0] for n in names} & FORBIDDEN, (path.name, names)
