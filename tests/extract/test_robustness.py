"""Robustness and purity: arbitrary input never crashes, large input stays linear, no I/O imports."""

from __future__ import annotations

import ast
import time
from pathlib import Path

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


@pytest.mark.slow
def test_fifty_megabytes_complete_in_linear_time() -> None:
    unit = "地区生产总值增长5%左右，新增高新技术企业1.8万家。" + "一" * 3000 + "1" * 2000 + "“" * 500 + "\n"
    text = unit * (50_000_000 // len(unit))
    start = time.perf_counter()
    res = extract(text, year=2025)
    assert len(res.targets) == 2 * (50_000_000 // len(unit))
    assert time.perf_counter() - start < 240


def test_pathological_runs_stay_fast() -> None:
    for text in ("1" * 200_000, "一" * 200_000, "“" * 100_000 + "5%", "5%、" * 50_000, "<p>" * 50_000):
        start = time.perf_counter()
        extract(text)
        assert time.perf_counter() - start < 5, text[:10]


def test_extract_imports_no_io_layer() -> None:
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not {n.split(".")[0] for n in names} & FORBIDDEN, (path.name, names)
