"""The diff engine on hand-built targets: every change kind, matching rules, significance, ambition, priorities."""

from __future__ import annotations

from typing import Any

import pytest

from monitor.compare.diff import diff, is_delta, match_targets, midpoint
from monitor.extract.model import DocumentInfo, Extraction, Priority, Target


def T(metric: str, value: float, unit: str = "%", qualifier: str | None = None, **kw: Any) -> Target:
    fields: dict[str, Any] = {
        "metric": metric,
        "metric_key": None,
        "phrase": metric,
        "value": value,
        "value_max": None,
        "unit": unit,
        "qualifier": qualifier,
        "kind": "growth",
        "status": "target",
        "year": None,
        "headline": True,
        "sentence": f"{metric}{value}{unit}{qualifier or ''}。",
        "span": (0, 1),
        "raw": f"{value}{unit}",
    }
    fields.update(kw)
    return Target(**fields)


def doc(*targets: Target, year: int = 2025, priorities: tuple[Priority, ...] = ()) -> Extraction:
    return Extraction(DocumentInfo(region="上海市", year=year, doc_type="work_report"), list(targets), list(priorities))


def kinds(old: Extraction, new: Extraction) -> dict[str, str]:
    return {c.metric: c.change for c in diff(old, new).changes}


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            T("经济增长", 5, qualifier="左右", metric_key="gdp_growth"),
            T("经济增长", 5.5, qualifier="左右", metric_key="gdp_growth"),
            "raised",
        ),
        (
            T("居民消费价格涨幅", 3, qualifier="左右", metric_key="cpi"),
            T("居民消费价格涨幅", 2, qualifier="左右", metric_key="cpi"),
            "lowered",
        ),
        (
            T("城镇调查失业率", 5.5, qualifier="左右", metric_key="surveyed_unemployment"),
            T("城镇调查失业率", 5.5, qualifier="左右", metric_key="surveyed_unemployment"),
            "unchanged",
        ),
        (
            T("经济增长", 5, qualifier="以上", metric_key="gdp_growth"),
            T("经济增长", 5, qualifier="左右", metric_key="gdp_growth"),
            "reworded",
        ),
        (T("居民消费价格涨幅", 3, metric_key="cpi"), T("居民消费价格增长", 3, metric_key="cpi"), "reworded"),
        # ranges compare by midpoint: 4.5—5.5 (5) against 5 is unchanged in value, reworded in form
        (
            T("经济增长", 4.5, value_max=5.5, metric_key="gdp_growth"),
            T("经济增长", 5, metric_key="gdp_growth"),
            "reworded",
        ),
        (
            T("经济增长", 6, value_max=6.5, metric_key="gdp_growth"),
            T("经济增长", 6, metric_key="gdp_growth"),
            "lowered",
        ),
        # unknown metrics match by phrase similarity
        (T("农村居民人均可支配收入增速", 6), T("农村居民人均可支配收入增幅", 6.5), "raised"),
    ],
)
def test_change_kinds(old: Target, new: Target, expected: str) -> None:
    (change,) = diff(doc(old, year=2024), doc(new)).changes
    assert change.change == expected
    assert change.old is old and change.new is new


def test_new_and_dropped() -> None:
    old = doc(
        T("环保投入相当于生产总值的比例", 3, qualifier="左右", metric_key="env_investment", kind="share"), year=2024
    )
    new = doc(T("城镇新增就业", 550000, unit="人", qualifier="以上", metric_key="urban_new_jobs", kind="increment"))
    assert kinds(old, new) == {"环保投入相当于生产总值的比例": "dropped", "城镇新增就业": "new"}


def test_differently_worded_metric_with_one_key_is_never_drop_plus_new() -> None:
    old = doc(T("居民消费价格涨幅", 3, qualifier="左右", metric_key="cpi"), year=2024)
    new = doc(T("居民消费价格增长", 2, qualifier="左右", metric_key="cpi"))
    assert [c.change for c in diff(old, new).changes] == ["lowered"]


def test_level_and_increment_of_one_metric_are_separate_goals() -> None:
    old = doc(
        T("高新技术企业", 12000, unit="家", metric_key="high_tech_enterprises", kind="level"),
        T("新增高新技术企业", 800, unit="家", metric_key="high_tech_enterprises", kind="increment"),
        year=2024,
    )
    new = doc(
        T("高新技术企业", 13000, unit="家", metric_key="high_tech_enterprises", kind="level"),
        T("新增高新技术企业", 700, unit="家", metric_key="high_tech_enterprises", kind="increment"),
    )
    assert sorted(c.change for c in diff(old, new).changes) == ["lowered", "raised"]


def test_one_goal_restated_in_another_form_is_reworded_not_drop_plus_new() -> None:
    old = doc(T("新增高新技术企业", 800, unit="家", metric_key="high_tech_enterprises", kind="increment"), year=2024)
    new = doc(T("高新技术企业", 12000, unit="家", metric_key="high_tech_enterprises", kind="level"))
    assert [c.change for c in diff(old, new).changes] == ["reworded"]


def test_unrelated_phrases_do_not_match() -> None:
    pairs = match_targets([T("森林覆盖率", 30, kind="level")], [T("粮食播种面积", 30, kind="level")])
    assert sorted((o is None, n is None) for o, n in pairs) == [(False, True), (True, False)]


def test_multi_year_goals_are_not_compared_with_annual_ones() -> None:
    term = T("研发经费投入强度", 4.5, qualifier="以上", metric_key="rd_intensity", kind="share", year=2027)
    annual = T("研发经费投入强度", 4.3, qualifier="左右", metric_key="rd_intensity", kind="share", year=2023)
    later = T("研发经费投入强度", 4.5, qualifier="左右", metric_key="rd_intensity", kind="share", year=2024)
    (change,) = diff(doc(term, annual, year=2023), doc(later, year=2024)).changes
    assert (change.change, change.old) == ("raised", annual)


def test_summaries_compare_their_goals_for_the_next_year() -> None:
    info = DocumentInfo(region="示例市", year=2024, doc_type="summary")
    old = Extraction(
        DocumentInfo(region="示例市", year=2023, doc_type="summary"),
        [T("技术合同成交额", 2e10, unit="元", kind="level", year=2024)],
        [],
    )
    new = Extraction(info, [T("技术合同成交额", 2.5e10, unit="元", kind="level", year=2025)], [])
    assert [c.change for c in diff(old, new).changes] == ["raised"]


def test_unkeyed_minor_figures_of_a_report_are_not_compared() -> None:
    minor = T("改造老旧小区", 300, unit="个", headline=False, kind="increment")
    assert diff(doc(year=2024), doc(minor)).changes == []


def test_every_target_of_a_plan_is_compared() -> None:
    minor = T("新增科技型中小企业", 500, unit="家", headline=False, kind="increment")
    plan = Extraction(DocumentInfo(region="某市", year=2025, doc_type="plan"), [minor], [])
    assert [c.change for c in diff(Extraction(plan.document, [], []), plan).changes] == ["new"]


def _bonds(value: float, raw: str, sentence: str, kind: str = "level") -> Target:
    return T("地方政府专项债券", value, unit="元", metric_key="special_bonds", kind=kind, sentence=sentence, raw=raw)


def test_results_are_not_goals_and_a_difference_stands_for_its_metric_only_alone() -> None:
    achieved = T("经济增长", 5.2, metric_key="gdp_growth", status="achieved", year=2024)
    sentence = "拟安排地方政府专项债券4.4万亿元、比上年增加5000亿元。"
    level, delta = _bonds(4.4e12, "4.4万亿元", sentence), _bonds(5e11, "5000亿元", sentence, "increment")
    assert is_delta(delta) and not is_delta(level)
    last_year = doc(_bonds(3.9e12, "3.9万亿元", "拟安排地方政府专项债券3.9万亿元。"), year=2024)
    both = diff(last_year, doc(achieved, level, delta)).changes
    assert [(c.change, c.new.raw if c.new else None) for c in both] == [("raised", "4.4万亿元")]
    alone = diff(last_year, doc(_bonds(5e11, "5000亿元", "专项债券比上年增加5000亿元。", "increment"))).changes
    assert [(c.change, c.ambition) for c in alone] == [("raised", "more")]
    cut = diff(last_year, doc(_bonds(2e11, "2000亿元", "专项债券比上年减少2000亿元。", "increment"))).changes
    assert [c.change for c in cut] == ["lowered"]
    assert [c.change for c in diff(doc(year=2024), doc(delta)).changes] == ["new"]


def test_growth_target_after_bishangnian_is_a_goal() -> None:
    t = T(
        "一般公共预算收入", 5, metric_key="general_budget_revenue", sentence="一般公共预算收入比上年增长5%。", raw="5%"
    )
    assert not is_delta(t)


def test_headline_changes_lead() -> None:
    old = doc(
        T("高标准农田", 3, unit="万亩", kind="increment"),
        T("经济增长", 5.5, qualifier="以上", metric_key="gdp_growth"),
        T("研发经费投入强度", 4.3, metric_key="rd_intensity", kind="share"),
        year=2024,
    )
    new = doc(
        T("高标准农田", 4, unit="万亩", kind="increment"),
        T("经济增长", 5, qualifier="左右", metric_key="gdp_growth"),
        T("研发经费投入强度", 4.5, metric_key="rd_intensity", kind="share"),
    )
    order = [c.metric_key or c.metric for c in diff(old, new).changes]
    assert order == ["gdp_growth", "rd_intensity", "高标准农田"]


def test_larger_moves_weigh_more() -> None:
    small = diff(
        doc(T("固定资产投资", 5, metric_key="fixed_asset_investment"), year=2024),
        doc(T("固定资产投资", 5.5, metric_key="fixed_asset_investment")),
    ).changes[0]
    large = diff(
        doc(T("固定资产投资", 5, metric_key="fixed_asset_investment"), year=2024),
        doc(T("固定资产投资", 8, metric_key="fixed_asset_investment")),
    ).changes[0]
    assert large.significance > small.significance


def test_baseline_is_last_years_result_else_last_target() -> None:
    old_target = T("研发经费投入强度", 1.5, metric_key="rd_intensity", kind="share", year=2024)
    new_target = T("研发经费投入强度", 1.6, metric_key="rd_intensity", kind="share", year=2025)
    result = T("研发经费投入强度", 1.4, metric_key="rd_intensity", kind="share", status="achieved", year=2024)
    with_result = diff(doc(old_target, year=2024), doc(new_target, result)).changes[0].baseline
    assert with_result is not None and (with_result.basis, with_result.value) == ("achieved", 1.4)
    assert with_result.delta == pytest.approx(0.2)
    without = diff(doc(old_target, year=2024), doc(new_target)).changes[0].baseline
    assert without is not None and (without.basis, without.value) == ("prior_target", 1.5)


def test_midpoint() -> None:
    assert midpoint(T("x", 4.5, value_max=5)) == 4.75


def P(theme: str, weight: float, count: int = 1) -> Priority:
    return Priority(theme, weight, count, [f"发展{theme}。"])


def test_priorities_emerging_fading_intensified() -> None:
    old = doc(priorities=(P("人工智能", 9), P("氢能", 5), P("低空经济", 2), P("数据要素", 3), P("算力", 4)), year=2024)
    new = doc(priorities=(P("人工智能", 9), P("具身智能", 4), P("低空经济", 8), P("数据要素", 3), P("算力", 2)))
    result = diff(old, new)
    assert [p.theme for p in result.emerging] == ["具身智能"]
    assert [p.theme for p in result.fading] == ["氢能"]
    assert [p.theme for p in result.intensified] == ["低空经济"]
    assert result.emerging[0].sentences == ("发展具身智能。",)


def test_keywords_are_not_priorities_to_diff() -> None:
    keyword = Priority("某新词", 5.0, 3, [], source="keyword")
    assert diff(doc(year=2024), doc(priorities=(keyword,))).emerging == []


def test_json_contract() -> None:
    data = diff(
        doc(T("经济增长", 5, metric_key="gdp_growth"), year=2024), doc(T("经济增长", 5, metric_key="gdp_growth"))
    ).to_dict()
    assert set(data) == {"changes", "priorities"}
    assert set(data["priorities"]) == {"emerging", "fading", "intensified"}
    change = data["changes"][0]
    assert {"metric", "metric_key", "change", "old", "new", "significance"} <= set(change)
    assert change["new"]["span"] == [0, 1] and change["change"] == "unchanged"


def test_meaningful() -> None:
    same = doc(T("经济增长", 5, metric_key="gdp_growth"))
    assert not diff(same, same).meaningful
    assert diff(same, doc(T("经济增长", 6, metric_key="gdp_growth"))).meaningful


# --- figure identity: like with like (issue 12) ------------------------------------------------------------------


def _changes(old_text: str, new_text: str, old_year: int = 2025, new_year: int = 2026) -> dict[str, Any]:
    from monitor.extract import extract

    old = extract("二、今年主要目标\n" + old_text, year=old_year, region="某省")
    new = extract("二、今年主要目标\n" + new_text, year=new_year, region="某省")
    return {c.metric_key or c.metric: c for c in diff(old, new).changes}


@pytest.mark.parametrize(
    ("old", "new", "key", "change", "ambition"),
    [
        (
            "粮食产量稳定在260亿斤以上。",
            "粮食产量1350万吨以上。",
            "grain_output",
            "raised",
            "more",
        ),  # 1350万吨 = 270亿斤
        ("粮食产量稳定在1300万吨以上。", "粮食产量260亿斤以上。", "grain_output", "unchanged", "same"),
        ("粮食总产量达到650万吨。", "粮食总产量稳定在65亿公斤。", "grain_output", "unchanged", "same"),
        (
            "一般公共预算收入达到1.2万亿元。",
            "一般公共预算收入达到12500亿元。",
            "general_budget_revenue",
            "raised",
            "more",
        ),
        (
            "单位地区生产总值能耗降低2.5%左右。",
            "单位地区生产总值能耗降低3%左右。",
            "energy_intensity",
            "raised",
            "more",
        ),
        ("城镇调查失业率控制在5.5%以内。", "城镇调查失业率6%左右。", "surveyed_unemployment", "raised", "less"),
        ("城镇调查失业率5.5%左右。", "城镇调查失业率控制在5%以内。", "surveyed_unemployment", "lowered", "more"),
        ("城镇新增就业岗位55万个以上。", "城镇新增就业55万人以上。", "urban_new_jobs", "unchanged", "same"),
        ("居民消费价格涨幅3%左右。", "居民消费价格涨幅控制在2%左右。", "cpi", "lowered", None),
        ("财政赤字5.6万亿元。", "财政赤字比去年增加1万亿元。", "deficit", "raised", "more"),
    ],
)
def test_like_with_like(old: str, new: str, key: str, change: str, ambition: str | None) -> None:
    found = _changes(old, new)[key]
    assert (found.change, found.ambition) == (change, ambition)


def test_an_annual_target_is_never_compared_with_a_term_goal() -> None:
    changes = _changes(
        "地区生产总值增长5.5%左右。",
        "今后五年经济社会发展的主要目标是：地区生产总值年均增长5%左右。\n今年主要预期目标是：地区生产总值增长5.5%左右。",
    )
    gdp = changes["gdp_growth"]
    assert gdp.change == "unchanged" and gdp.new is not None and gdp.new.term is None


def test_a_plans_term_goals_compare_with_the_last_plans() -> None:
    from monitor.extract import extract

    def plan(year: int, growth: str, rd: str) -> Any:
        text = (
            f"二、今后五年的主要目标\n今后五年经济社会发展的主要目标是：地区生产总值年均增长{growth}，"
            f"研发经费投入强度达到{rd}。"
        )
        return extract(text, year=year, region="某省")

    changes = {c.metric_key: c for c in diff(plan(2021, "6%左右", "2.5%"), plan(2026, "5%左右", "3%")).changes}
    assert (changes["gdp_growth"].change, changes["rd_intensity"].change) == ("lowered", "raised")
    assert changes["gdp_growth"].new is not None and changes["gdp_growth"].new.term == (2026, 2030)
