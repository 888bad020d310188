"""Whole-report shapes: a report that opens a five-year plan, a short report without headings, a bureau summary
with next year's plan. Our own texts, written in the shapes of issue 12; no term goal (年均, 到20XX年) is ever
dated to the report's year or compared with an annual target.
"""

from __future__ import annotations

import re

import pytest

from monitor.compare.diff import diff
from monitor.extract import extract
from monitor.extract.model import Extraction, Target
from tests import corpus

# 2026: reviews the whole 十四五 term, sets the 十五五 goals, then the year's own targets
PLAN_OPENING_2026 = """2026年某省政府工作报告
各位代表：
一、“十四五”时期工作回顾
过去五年，全省地区生产总值年均增长5.8%，经济总量迈上5万亿元台阶，一般公共预算收入年均增长6.2%。五年来城镇新增就业累计达到420万人，居民人均可支配收入年均增长6.4%。
2025年，全省地区生产总值增长5.3%，城镇新增就业86万人，粮食产量达到700亿斤。
二、“十五五”时期主要目标和2026年工作安排
今后五年经济社会发展的主要目标是：全省地区生产总值年均增长5%左右，研发经费投入强度达到3%，城镇新增就业累计400万人以上。到2030年，常住人口城镇化率达到68%。
今年经济社会发展的主要预期目标是：全省地区生产总值增长5%以上，一般公共预算收入增长3%，城镇新增就业80万人以上，城镇调查失业率5.5%左右，居民消费价格涨幅2%左右，粮食产量稳定在700亿斤以上。
"""

# the year before, an ordinary report: its annual targets are what 2026's annual targets compare with
ORDINARY_2025 = """2025年某省政府工作报告
一、2024年工作回顾
全省地区生产总值增长5.1%，城镇新增就业84万人。
二、2025年工作安排
今年主要预期目标是：全省地区生产总值增长5.5%左右，一般公共预算收入增长3%，城镇新增就业80万人以上，城镇调查失业率5.5%左右，居民消费价格涨幅2%左右，粮食产量稳定在690亿斤以上。
"""

# a short report with no review or plan headings at all
SHORT_REPORT = """某市2026年政府工作报告（摘要）
过去一年，全市地区生产总值增长4.9%，一般公共预算收入增长2.1%。
今年全市经济社会发展的主要预期目标是：地区生产总值增长5%左右，一般公共预算收入增长2%，城镇新增就业6万人。
"""

# a bureau's summary: this year's results, then next year's plan
BUREAU_SUMMARY = """某市科学技术局2025年工作总结和2026年工作思路
一、工作总结
全年新认定高新技术企业320家，技术合同成交额达到95亿元、增长16%。
二、明年工作思路
力争新认定高新技术企业350家，技术合同成交额突破110亿元。
"""


def _figures(text: str, **kwargs: object) -> Extraction:
    return extract(text, region="某省", **kwargs)  # type: ignore[arg-type]


def _one(res: Extraction, raw: str, key: str | None = None) -> Target:
    (found,) = [t for t in res.targets if t.raw == raw and (key is None or t.metric_key == key)]
    return found


def test_the_past_term_is_reviewed_as_a_term() -> None:
    res = _figures(PLAN_OPENING_2026, year=2026)
    past = _one(res, "5.8%")
    assert (past.metric_key, past.status, past.year, past.term) == ("gdp_growth", "achieved", 2025, (2021, 2025))
    jobs = _one(res, "420万人")
    assert (jobs.status, jobs.term) == ("achieved", (2021, 2025))
    last_year = _one(res, "5.3%")
    assert (last_year.status, last_year.year, last_year.term) == ("achieved", 2025, None)


def test_the_new_plans_goals_are_term_goals_and_the_years_targets_are_the_years() -> None:
    res = _figures(PLAN_OPENING_2026, year=2026)
    goals = (("5%左右", "gdp_growth"), ("3%", "rd_intensity"), ("400万人以上", "urban_new_jobs"), ("68%", None))
    for raw, key in goals:
        goal = _one(res, raw, key)
        assert (goal.status, goal.year, goal.term) == ("target", 2030, (2026, 2030)), raw
    annual = [t for t in res.targets if t.status == "target" and t.term is None]
    assert {t.metric_key for t in annual} >= {"gdp_growth", "general_budget_revenue", "urban_new_jobs", "cpi"}
    assert all(t.year == 2026 for t in annual)
    assert (_one(res, "5%以上").year, _one(res, "5%以上").term) == (2026, None)
    assert res.review == []


def test_no_term_goal_is_compared_with_an_annual_target() -> None:
    changes = diff(_figures(ORDINARY_2025, year=2025), _figures(PLAN_OPENING_2026, year=2026)).changes
    by_key = {c.metric_key: c for c in changes}
    assert by_key["gdp_growth"].change == "lowered"  # 5.5%左右 → 5%以上, not the 年均 5%左右
    assert by_key["gdp_growth"].new is not None and by_key["gdp_growth"].new.raw == "5%以上"
    assert by_key["urban_new_jobs"].change == "unchanged"  # 80万人以上, not the five-year 400万人
    assert by_key["grain_output"].change == "raised"
    assert not [c for c in changes if (c.new and c.new.term) or (c.old and c.old.term)]
    assert not [c for c in changes if c.change in ("new", "dropped")]


def test_a_short_report_without_headings() -> None:
    res = _figures(SHORT_REPORT, year=2026)
    assert [(t.metric_key, t.status, t.year) for t in res.targets] == [
        ("gdp_growth", "achieved", 2025),
        ("general_budget_revenue", "achieved", 2025),
        ("gdp_growth", "target", 2026),
        ("general_budget_revenue", "target", 2026),
        ("urban_new_jobs", "target", 2026),
    ]


def test_a_bureau_summary_plans_the_next_year() -> None:
    res = extract(BUREAU_SUMMARY, region="某市")
    assert (res.document.doc_type, res.document.year) == ("summary", 2025)
    got = [(t.metric_key, t.kind, t.status, t.year) for t in res.targets]
    assert got == [
        ("new_high_tech_enterprises", "increment", "achieved", 2025),
        ("tech_contract_value", "level", "achieved", 2025),
        ("tech_contract_value", "growth", "achieved", 2025),
        ("new_high_tech_enterprises", "increment", "target", 2026),
        ("tech_contract_value", "level", "target", 2026),
    ]


# --- national reports that open a five-year plan (../shared; skipped when absent) -------------------------------

_TERM_CUE = re.compile(r"年均|(?:到|至)(?:“?十[一二三四五六]五”?末|(?P<year>20\d\d)年)")


def _term_worded(res: Extraction, t: Target, year: int) -> bool:
    """The figure's own clause words it as a term goal: 年均, or 到 a year after the report's."""
    start = max(res.text.rfind(c, 0, t.span[0]) for c in "，。；：\n") + 1
    for m in _TERM_CUE.finditer(res.text, start, t.span[0]):
        if m.group("year") is None or int(m.group("year")) > year:
            return True
    return False


@pytest.mark.shared
@pytest.mark.parametrize("year", [2016, 2021])
def test_national_plan_opening_reports_keep_term_goals_apart(year: int) -> None:
    if not corpus.available():
        pytest.skip("../shared is absent")
    res = extract(corpus.national(year), region="全国", year=year)
    goals = [t for t in res.targets if t.status == "target" and _term_worded(res, t, year)]
    assert goals, "the report states term goals"
    dated = [t for t in goals if t.term is None or t.year == year]
    assert not dated, f"{len(dated)} term goals dated to {year}"
    changes = diff(extract(corpus.national(year - 1), region="全国", year=year - 1), res).changes
    compared = [c for c in changes if (c.new is not None and c.new.term) or (c.old is not None and c.old.term)]
    assert not compared, f"{len(compared)} term goals compared with annual targets"
    assert "gdp_growth" in {c.metric_key for c in changes if c.new is not None}  # the year's own GDP target


ACTION_PLAN = """某省制造业数字化转型行动计划（2025—2027年）
一、总体要求
坚持应用牵引、企业主体，加快制造业数字化转型。
二、主要目标
到2027年，全省规模以上工业企业数字化改造覆盖率达到80%，培育省级工业互联网平台20个。
——基础设施更加完善。新建5G基站2万个，建成算力中心5个。
三、重点任务
（一）实施智能工厂培育工程。每年遴选30家企业开展试点。
"""


def test_an_action_plans_goals_are_for_its_last_year() -> None:
    res = extract(ACTION_PLAN, region="某省")
    assert (res.document.doc_type, res.document.year) == ("plan", 2025)
    goals = [(t.raw, t.status, t.year, t.term) for t in res.targets if t.term]
    assert goals == [
        ("80%", "target", 2027, (2025, 2027)),
        ("20个", "target", 2027, (2025, 2027)),
        ("2万个", "target", 2027, (2025, 2027)),
        ("5个", "target", 2027, (2025, 2027)),
    ]
    (yearly,) = [t for t in res.targets if t.term is None]
    assert (yearly.raw, yearly.status) == ("30家", "target")


# 2021: a review headed by the past plan's name, goals headed by the new plan's, then the year's targets
PLAN_OPENING_2021 = """2021年某市政府工作报告
一、“十三五”时期发展成就
“十三五”时期，全市生产总值从2015年的2.5万亿元增加到2020年的3.9万亿元，年均增长6%左右。五年累计新增就业岗位290万个。
2020年，全市生产总值增长1.7%，地方一般公共预算收入下降1.7%。
二、“十四五”时期主要目标和2021年工作
“十四五”时期经济社会发展的主要目标是：全市生产总值年均增长5%左右。到2025年，常住人口城镇化率达到90%。
今年全市经济社会发展的主要预期目标是：全市生产总值增长6%以上，地方一般公共预算收入增长5%，新增就业岗位50万个以上。
"""


def test_plan_names_in_headings_and_sentences_date_the_review_and_the_goals() -> None:
    res = extract(PLAN_OPENING_2021, region="某市", year=2021)
    got = [(t.raw, t.kind, t.status, t.year, t.term) for t in res.targets]
    assert got == [
        ("2.5万亿元", "level", "achieved", 2015, None),  # the starting point of the change, of its own year
        ("3.9万亿元", "level", "achieved", 2020, None),  # the end of the past term: a level, not a sum
        ("6%左右", "growth", "achieved", 2020, (2016, 2020)),
        ("290万个", "cumulative", "achieved", 2020, (2016, 2020)),
        ("1.7%", "growth", "achieved", 2020, None),
        ("1.7%", "reduction", "achieved", 2020, None),
        ("5%左右", "growth", "target", 2025, (2021, 2025)),
        ("90%", "share", "target", 2025, (2021, 2025)),
        ("6%以上", "growth", "target", 2021, None),
        ("5%", "growth", "target", 2021, None),
        ("50万个以上", "increment", "target", 2021, None),
    ]
