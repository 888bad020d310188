"""The diff on real report pairs from ../shared (skipped when it is absent)."""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest

from monitor.compare.diff import Diff, diff
from monitor.extract import Extraction, extract
from tests import corpus

pytestmark = pytest.mark.skipif(not corpus.available(), reason="../shared corpus is absent")


@cache
def national(year: int) -> Extraction:
    return extract(corpus.national(year), region="全国", year=year, doc_type="work_report")


@cache
def shanghai(year: int) -> Extraction:
    return extract(corpus.shanghai(year), region="上海市", year=year, doc_type="work_report")


def by_key(result: Diff) -> dict[str, list[tuple[str, float | None, float | None]]]:
    out: dict[str, list[tuple[str, float | None, float | None]]] = {}
    for c in result.changes:
        old = c.old.value if c.old else None
        new = c.new.value if c.new else None
        out.setdefault(c.metric_key or c.metric, []).append((c.change, old, new))
    return out


def assert_no_drop_plus_new(result: Diff) -> None:
    kinds = Counter((c.metric_key, c.change) for c in result.changes if c.metric_key)
    both = {key for key, kind in kinds if kind == "dropped" and (key, "new") in kinds}
    assert not both, f"metrics reported as dropped and new: {both}"


def test_national_2024_to_2025() -> None:
    result = diff(national(2024), national(2025))
    changes = by_key(result)
    assert ("lowered", 3.0, 2.0) in changes["cpi"]
    assert ("raised", 3.0, 4.0) in changes["deficit_ratio"]
    assert ("raised", 1.3e12, 1.4e12) in changes["grain_output"]
    assert ("unchanged", 5.0, 5.0) in changes["gdp_growth"]
    assert ("unchanged", 5.5, 5.5) in changes["surveyed_unemployment"]
    assert_no_drop_plus_new(result)
    assert result.changes[0].metric_key in {"gdp_growth", "deficit_ratio", "cpi"}  # headline first


def test_national_emerging_priorities_2024_to_2025() -> None:
    emerging = {p.theme for p in diff(national(2024), national(2025)).emerging}
    assert {"具身智能", "6G", "量子科技"} <= emerging


@pytest.mark.parametrize("year", [2020, 2021, 2022, 2023, 2024, 2025])
def test_consecutive_national_pairs(year: int) -> None:
    result = diff(national(year - 1), national(year))
    assert_no_drop_plus_new(result)
    keys = {c.metric_key for c in result.changes}
    assert {"cpi", "surveyed_unemployment", "urban_new_jobs"} <= keys
    if year != 2020:  # the 2020 report set no GDP target
        gdp = by_key(result)["gdp_growth"]
        assert gdp and all(kind != "dropped" for kind, _, _ in gdp)


@pytest.mark.parametrize("year", [2021, 2022, 2023, 2024, 2025])
def test_consecutive_shanghai_pairs(year: int) -> None:
    result = diff(shanghai(year - 1), shanghai(year))
    assert_no_drop_plus_new(result)
    assert "rd_intensity" in by_key(result)


def test_shanghai_2023_to_2024_digest_headlines() -> None:
    changes = by_key(diff(shanghai(2023), shanghai(2024)))
    assert ("lowered", 5.5, 5.0) in changes["gdp_growth"]
    assert ("raised", 4.3, 4.5) in changes["rd_intensity"]
    assert ("lowered", 5.5, 5.0) in changes["general_budget_revenue"]
    assert any(kind == "dropped" for kind, _, _ in changes["env_investment"])


def test_seed_provincial_2022_plans_against_2025_reports() -> None:
    provinces = corpus.provinces_2025()
    matched = 0
    for province, text in corpus.seed001_sections():
        report = next((t for name, t in provinces.items() if name.startswith(province)), None)
        assert report is not None, province
        old = extract(text, region=province, year=2022, doc_type="work_report")
        result = diff(old, extract(report, region=province, year=2025, doc_type="work_report"))
        assert_no_drop_plus_new(result)
        matched += sum(1 for c in result.changes if c.old and c.new)
    assert matched >= 5
