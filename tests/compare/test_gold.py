"""The 2025 table of every headline metric over the 31 provincial reports of ../shared, cell by cell against the
hand-annotated headline gold of the extraction work (tests/extract/gold/{tune,validation}/headline).

A cell is a province × metric: the gold's annual targets of that metric in the table's measure (a growth table
expects the growth target, not the level of the same metric), or none when the report sets none. The table
agrees when it shows one of them — value, range, unit and qualifier — or shows nothing when there is none;
`optional` gold entries (debatable ones) count either way. Every disagreeing cell is listed in the failure
message and in tests/artifacts/compare-gold.txt; the test asserts the agreement rate. The extractor is not
tuned here: a disagreement is the extraction's, and the table must not hide it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine

from db.migrate import upgrade
from db.repository import FetchedDocument, store_fetched
from db.session import make_engine, session_scope
from monitor.compare import CompareRow, CompareTable
from monitor.compare.figures import Measure, fits
from monitor.extract.model import Target
from monitor.format import format_target
from monitor.ops.jobs import process_new_versions
from monitor.service.comparisons import load_table
from tests import corpus

pytestmark = [pytest.mark.shared, pytest.mark.slow]

GOLD = Path(__file__).resolve().parents[1] / "extract" / "gold"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
HEADLINE = ("gdp_growth", "cpi", "surveyed_unemployment", "urban_new_jobs", "general_budget_revenue",
            "fixed_asset_investment", "retail_sales", "industrial_value_added", "foreign_trade", "rd_intensity",
            "resident_income", "grain_output")  # fmt: skip  # the gold's twelve (tests/extract/gold/SCHEMA.md)
MIN_AGREEMENT = 0.99  # measured 0.995 (370 of 372 cells) with the extractor of main at e71c7a4


def _gold() -> dict[str, dict[str, Any]]:
    files = sorted(GOLD.glob("*/headline/*_2025.yaml"))
    return {spec["region"]: spec for spec in (yaml.safe_load(f.read_text("utf-8")) for f in files)}


@pytest.fixture(scope="module")
def gold() -> dict[str, dict[str, Any]]:
    if not corpus.available():
        pytest.skip(f"{corpus.RAW} is absent (the shared corpus is only beside the project checkout)")
    found = _gold()
    assert len(found) == 31, sorted(found)
    return found


@pytest.fixture(scope="module")
def provinces(gold: dict[str, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('gold') / 'govmon.db'}")
    upgrade(engine)
    with session_scope(engine) as session:
        for region, spec in gold.items():
            text = corpus.container_text(corpus.SHARED / spec["document"]["path"], "txt")
            store_fetched(session, _document(f"file:///gold/{region}", region, text))
        store_fetched(session, _document("file:///gold/national-2025", "全国", corpus.national(2025)))
    assert not process_new_versions(engine).errors
    yield engine
    engine.dispose()


def _document(url: str, region: str, text: str) -> FetchedDocument:
    return FetchedDocument(url=url, region=region, text=text, raw=text.encode(), title=f"2025年{region}政府工作报告",
                           doc_type="work_report", report_year=2025)  # fmt: skip


def _as_target(entry: dict[str, Any]) -> Target:
    return Target(metric="", metric_key=entry["metric_key"], phrase="", value=float(entry["value"]),
                  value_max=_float(entry.get("value_max")), unit=entry.get("unit"), qualifier=entry.get("qualifier"),
                  kind=entry["measure"], status="target", year=2025, sentence=entry["cue"], span=(0, 0),
                  raw=entry["cue"])  # fmt: skip


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _same(shown: Target, entry: Target) -> bool:
    def close(a: float | None, b: float | None) -> bool:
        return a == b or (a is not None and b is not None and math.isclose(a, b, rel_tol=1e-6))

    return (close(shown.value, entry.value) and close(shown.value_max, entry.value_max)
            and shown.unit == entry.unit and shown.qualifier == entry.qualifier)  # fmt: skip


def _verdict(row: CompareRow, spec: dict[str, Any], key: str, measure: Measure | None) -> str | None:
    """None when the cell agrees with the gold, else what is wrong."""
    entries = [e for e in spec.get("targets", []) if e["metric_key"] == key]
    expected = [_as_target(e) for e in entries if not e.get("optional") and fits(_as_target(e), measure)]
    debatable = [_as_target(e) for e in entries if e.get("optional")]
    shown = row.target
    if shown is None:
        return None if not expected else f"missing, gold {' / '.join(e.raw for e in expected)}"
    if any(_same(shown, e) for e in expected + debatable):
        return None
    wanted = " / ".join(e.raw for e in expected) or "none"
    return f"shows {format_target(shown)} ({shown.sentence[:40]}…), gold {wanted}"


def test_2025_tables_agree_with_the_31_province_gold(provinces: Engine, gold: dict[str, dict[str, Any]]) -> None:
    tables = {key: load_table(provinces, key, 2025, "province") for key in HEADLINE}
    cells = disagreements = 0
    report: list[str] = []
    for key, table in tables.items():
        assert {r.region for r in table.rows} == set(gold)
        for row in table.rows:
            cells += 1
            verdict = _verdict(row, gold[row.region], key, table.summary.measure)
            if verdict is not None:
                disagreements += 1
                report.append(f"{row.region} {key}: {verdict}")
    rate = (cells - disagreements) / cells
    summary = f"agreement {rate:.3f} ({cells - disagreements} of {cells} cells)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "compare-gold.txt").write_text("\n".join([summary, *report]) + "\n", encoding="utf-8")
    assert rate >= MIN_AGREEMENT, "\n".join([summary, *report])
    _national_targets_agree(tables)


def _national_targets_agree(tables: dict[str, CompareTable]) -> None:
    """The national 2025 targets beside the tables, as published (see tests/extract/gold/national_2025.yaml)."""
    shown = {key: format_target(t.summary.national) for key, t in tables.items() if t.summary.national}
    assert shown == {"gdp_growth": "5%左右", "cpi": "2%左右", "surveyed_unemployment": "5.5%左右",
                     "urban_new_jobs": "1200万人以上", "grain_output": "1.4万亿斤左右"}  # fmt: skip
