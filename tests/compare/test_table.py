"""The two-year table on the fixture cities: every change kind, ranges by midpoint, a target that moved from
the targets paragraph into the body, 斤 against 吨, a region with no report yet, the national target beside."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from monitor.compare import CompareTable
from monitor.service.comparisons import load_table
from tests.compare.conftest import AWAITING, CITIES


def _table(engine: Engine, key: str) -> CompareTable:
    return load_table(engine, key, 2025, "city")


def _changes(table: CompareTable) -> dict[str, str | None]:
    return {r.region: r.change for r in table.rows}


def test_rows_are_the_regions_that_reported_and_the_summary_says_who_has_not(compare_engine: Engine) -> None:
    table = _table(compare_engine, "gdp_growth")
    assert tuple(r.region for r in table.rows) == CITIES
    s = table.summary
    assert (s.reported, s.expected, s.awaiting, s.no_prior_year) == (3, 4, (AWAITING,), 0)


def test_gdp_ranges_compare_by_midpoint(compare_engine: Engine) -> None:
    table = _table(compare_engine, "gdp_growth")
    # 5.5%左右 → 5%左右; 6.5%左右 → 6%—6.5% (midpoint 6.25); 5%—5.5% (midpoint 5.25) → 5.5%左右
    assert _changes(table) == {"东山市": "lowered", "南湖市": "lowered", "西河市": "raised"}
    assert table.summary.changes == {"raised": 1, "lowered": 2, "unchanged": 0, "reworded": 0, "new": 0,
                                     "dropped": 0}  # fmt: skip
    assert [r.gap for r in table.rows] == [pytest.approx(-0.2), pytest.approx(0.15), pytest.approx(0.2)]
    assert table.summary.spread is not None and table.summary.spread.median == pytest.approx(5.5)
    national = table.summary.national
    assert national is not None and (national.value, national.qualifier, national.year) == (5.0, "左右", 2025)


def test_every_change_kind_appears_across_the_headline_metrics(compare_engine: Engine) -> None:
    expected = {
        "cpi": {"东山市": "lowered", "南湖市": "lowered", "西河市": "unchanged"},
        "surveyed_unemployment": {"东山市": "unchanged", "南湖市": None, "西河市": "reworded"},  # 左右 → 以内
        "urban_new_jobs": {"东山市": "raised", "南湖市": "dropped", "西河市": None},
        "fixed_asset_investment": {"东山市": "new", "南湖市": None, "西河市": None},
        "retail_sales": {"东山市": None, "南湖市": "reworded", "西河市": None},  # 6%左右 → 6%以上
    }
    assert {key: _changes(_table(compare_engine, key)) for key in expected} == expected


def test_a_region_with_a_report_but_no_such_target_says_so(compare_engine: Engine) -> None:
    row = next(r for r in _table(compare_engine, "surveyed_unemployment").rows if r.region == "南湖市")
    assert (row.target, row.prior_target, row.change) == (None, None, None)
    assert row.document_id > 0 and row.prior_document_id is not None


def test_target_moved_from_the_targets_paragraph_into_the_body_is_still_compared(compare_engine: Engine) -> None:
    table = _table(compare_engine, "rd_intensity")
    assert _changes(table) == {"东山市": "dropped", "南湖市": None, "西河市": "raised"}
    row = table.rows[2]
    assert row.target is not None and row.prior_target is not None
    assert "主要预期目标" in row.prior_target.sentence and "主要预期目标" not in row.target.sentence
    assert row.gap == pytest.approx(0.05)  # 3.1%左右 against 3.05% achieved in 2024


def test_grain_in_jin_and_in_tonnes_compares_after_conversion(compare_engine: Engine) -> None:
    table = _table(compare_engine, "grain_output")
    # 50亿斤以上 → 260万吨以上 (52亿斤) is raised; 40亿斤以上 → 200万吨以上 (40亿斤) is unchanged
    assert _changes(table) == {"东山市": "raised", "南湖市": None, "西河市": "unchanged"}
    assert table.summary.unit == "吨"
    xihe = table.rows[2]
    assert xihe.prior_target is not None and xihe.prior_target.unit == "斤"  # shown as written
    assert xihe.gap == pytest.approx(-30000)  # 200万吨 against 203万吨 achieved
    assert table.summary.national is not None and table.summary.national.unit == "斤"


def test_json_contract_shape(compare_engine: Engine) -> None:
    data = _table(compare_engine, "gdp_growth").to_dict()
    assert set(data) >= {"metric", "year", "summary", "rows"}
    assert (data["metric"], data["metric_key"], data["year"]) == ("经济增长", "gdp_growth", 2025)
    row = data["rows"][0]
    assert set(row) >= {"region", "target", "prior_target", "prior_result", "change", "gap"}
    assert row["target"]["raw"] == "5%左右" and row["prior_target"]["raw"] == "5.5%左右"
    assert row["prior_result"]["status"] == "achieved" and row["prior_result"]["year"] == 2024
    assert data["summary"]["changes"]["lowered"] == 2 and data["summary"]["national"]["value"] == 5.0


def test_rows_carry_the_ambition_sense_of_their_change(compare_engine: Engine) -> None:
    """From the metric's direction in the catalogue: a lower GDP target is less ambitious, CPI has no direction."""
    assert [r.ambition for r in _table(compare_engine, "gdp_growth").rows] == ["less", "less", "more"]
    assert [r.ambition for r in _table(compare_engine, "cpi").rows] == [None, None, "same"]
    assert [r.ambition for r in _table(compare_engine, "grain_output").rows] == ["more", None, "same"]
