"""Sentence → targets: one table row per rule of issue 4 (own sentences, real figures)."""

from __future__ import annotations

from typing import Any

import pytest

from monitor.extract import extract

REVIEW = "一、2024年工作回顾\n"
PLAN = "二、2025年目标任务\n"

# (id, text, extract() keywords, expected targets: only the listed fields are compared, in text order)
CASES: list[tuple[str, str, dict[str, Any], list[dict[str, Any]]]] = [
    (
        "plan targets with qualifiers",
        PLAN + "全省地区生产总值增长5.5%左右，一般公共预算收入增长3%，城镇调查失业率控制在5.5%以内。",
        {"year": 2025},
        [
            dict(
                metric_key="gdp_growth",
                value=5.5,
                unit="%",
                qualifier="左右",
                kind="growth",
                status="target",
                year=2025,
            ),
            dict(metric_key="general_budget_revenue", value=3, unit="%", kind="growth", status="target"),
            dict(metric_key="surveyed_unemployment", value=5.5, qualifier="以内", kind="cap", status="target"),
        ],
    ),
    (
        "review results and an elided subject after 、",
        REVIEW + "全市生产总值达到4.72万亿元、增长5%，城镇新增就业60.6万人。",
        {"year": 2025},
        [
            dict(metric_key="gdp", value=4.72e12, unit="元", kind="level", status="achieved", year=2024),
            dict(metric_key="gdp_growth", value=5, unit="%", kind="growth", status="achieved", year=2024),
            dict(metric_key="urban_new_jobs", value=606_000, unit="人", kind="increment", status="achieved"),
        ],
    ),
    (
        "分别 list",
        REVIEW + "高技术制造业、装备制造业增加值分别增长8.9%、7.7%。",
        {"year": 2025},
        [
            dict(metric_key="high_tech_manufacturing", metric="高技术制造业增加值", value=8.9, kind="growth"),
            dict(metric_key="equipment_manufacturing", value=7.7, kind="growth", status="achieved"),
        ],
    ),
    (
        "分别 list joined by 和",
        "一、2021年工作回顾\n全区高新技术企业和科技型中小企业分别达到1220家、828家。",
        {"year": 2022},
        [
            dict(metric_key="high_tech_enterprises", value=1220, unit="家", year=2021),
            dict(metric_key="tech_smes", value=828, unit="家", year=2021),
        ],
    ),
    (
        "a qualifier after the last figure of a 分别 list holds for all",
        PLAN + "城镇调查失业率、居民消费价格涨幅分别控制在5%和3%以内。",
        {"year": 2025},
        [
            dict(metric_key="surveyed_unemployment", value=5, qualifier="以内"),
            dict(metric_key="cpi", value=3, qualifier="以内"),
        ],
    ),
    (
        "each clause its own subject",
        PLAN + "城镇新增就业1200万人以上，城镇调查失业率5.5%左右；居民消费价格涨幅2%左右。",
        {"year": 2025},
        [
            dict(metric_key="urban_new_jobs", value=12_000_000, qualifier="以上", kind="increment", status="target"),
            dict(metric_key="surveyed_unemployment", value=5.5, qualifier="左右"),
            dict(metric_key="cpi", value=2, qualifier="左右", kind="growth"),
        ],
    ),
    (
        "预计 in the review part is an estimate of the reviewed year",
        REVIEW + "预计全年地区生产总值增长6%左右、突破2.6万亿元。",
        {"year": 2025},
        [
            dict(metric_key="gdp_growth", value=6, status="expected", year=2024),
            dict(metric_key="gdp", value=2.6e12, qualifier="突破", status="expected", year=2024),
        ],
    ),
    (
        "fiscal figures; the change against last year is not headline",
        PLAN + "赤字率拟按4%左右安排、比上年提高1个百分点，赤字规模5.66万亿元；拟安排地方政府专项债券4.4万亿元。",
        {"year": 2025},
        [
            dict(metric_key="deficit_ratio", value=4, qualifier="左右", status="target", headline=True),
            dict(metric_key="deficit_ratio", value=1, unit="个百分点", kind="growth", headline=False),
            dict(metric_key="deficit", value=5.66e12, unit="元", headline=True),
            dict(metric_key="special_bonds", value=4.4e12, unit="元", status="target"),
        ],
    ),
    (
        "R&D intensity, four wordings",
        PLAN
        + "全社会研发经费支出相当于全市生产总值的比例达到4.6%左右。R&D经费占GDP比重达到3.3%。"
        + "研究与试验发展经费投入强度提高到2.7%。研发投入强度提高0.1个百分点。",
        {"year": 2025},
        [
            dict(metric_key="rd_intensity", value=4.6, qualifier="左右", kind="share"),
            dict(metric_key="rd_intensity", value=3.3, kind="share"),
            dict(metric_key="rd_intensity", value=2.7, kind="share"),
            dict(metric_key="rd_intensity", value=0.1, unit="个百分点", kind="growth"),
        ],
    ),
    (
        "R&D spending is not intensity",
        "二、2022年发展规划\n全社会研究与试验发展经费投入增长8%。",
        {"year": 2022},
        [dict(metric_key="rd_expenditure", value=8, kind="growth", status="target", year=2022)],
    ),
    (
        "a share of an aggregate is not the aggregate",
        REVIEW + "对共建国家进出口占全省比重提升至47.5%。",
        {"year": 2025},
        [dict(metric_key=None, value=47.5, kind="share")],
    ),
    (
        "从X增加到Y: the starting point is a result of its own year",
        REVIEW + "居民人均可支配收入从2019年的5万元增加到7.2万元。",
        {"year": 2025},
        [
            dict(metric_key="resident_income", value=50_000, unit="元", status="achieved", year=2019),
            dict(metric_key="resident_income", value=72_000, unit="元", status="achieved", year=2024),
        ],
    ),
    (
        "a part is not the whole: 海洋生产总值, 人均生产总值, 跨境电商进出口",
        REVIEW + "海洋生产总值增长6.5%，人均生产总值达到17.8万元，跨境电商进出口增长20.1%。",
        {"year": 2025},
        [dict(metric_key=None, value=6.5), dict(metric_key=None, value=178_000), dict(metric_key=None, value=20.1)],
    ),
    (
        "plan document: everything is a target of its year",
        "2025年全市科技工作要点\n新增高新技术企业220家、省科技型中小企业1200家，技术交易额450亿元。",
        {},
        [
            dict(metric_key="new_high_tech_enterprises", value=220, kind="increment", status="target", year=2025),
            dict(metric_key="new_tech_smes", value=1200, kind="increment", status="target", year=2025),
            dict(metric_key="tech_contract_value", value=4.5e10, status="target", year=2025),
        ],
    ),
    (
        "a named year in the plan",
        PLAN + "到2027年，全社会研发经费投入强度达到3.5%。",
        {"year": 2025},
        [dict(metric_key="rd_intensity", value=3.5, status="target", year=2027)],
    ),
    (
        "figure before the metric",
        PLAN + "全力完成5200亿元固定资产投资目标。",
        {"year": 2022},
        [dict(metric_key="fixed_asset_investment", value=5.2e11, unit="元", status="target")],
    ),
    (
        "energy and environment",
        PLAN + "单位地区生产总值能耗下降2.5%，细颗粒物平均浓度控制在30微克/立方米以下，空气质量优良天数比例达到90%。",
        {"year": 2025},
        [
            dict(metric_key="energy_intensity", value=2.5, kind="reduction"),
            dict(metric_key="pm25", value=30, unit="微克/立方米", qualifier="以下", kind="cap"),
            dict(metric_key="good_air_days", value=90, kind="share"),
        ],
    ),
    (
        "grain in 亿斤 and 吨",
        REVIEW + "粮食总产量达到1.4万亿斤，油料产量3900万吨。",
        {"year": 2025},
        [dict(metric_key="grain_output", value=1.4e12, unit="斤"), dict(metric_key=None, value=3.9e7, unit="吨")],
    ),
    (
        "翻番 and prefix qualifiers",
        PLAN
        + "有研发活动的规上工业企业数量翻番，外贸进出口总额突破1000亿元，"
        + "技术合同成交额超过400亿元，实际使用外资约5亿美元。",
        {"year": 2022},
        [
            dict(metric_key=None, value=2, unit="倍", kind="growth"),
            dict(metric_key="foreign_trade", value=1e11, qualifier="突破"),
            dict(metric_key="tech_contract_value", value=4e10, qualifier="超过"),
            dict(metric_key="foreign_investment", value=5e8, unit="美元", qualifier="约"),
        ],
    ),
    (
        "inline digest headers (2021工作回顾 / 2022发展规划)",
        "NO.5·某省 2021工作回顾 技术合同成交额实现352.9亿元。 2022发展规划 实现技术合同成交额400亿元。",
        {},
        [
            dict(metric_key="tech_contract_value", value=3.529e10, status="achieved", year=2021),
            dict(metric_key="tech_contract_value", value=4e10, status="target", year=2022),
        ],
    ),
    (
        "bullet digest without headings: results and a floor",
        "◉ 技术合同成交额达到 5200.7 亿元、增长 7.2%。\n◉ 示范区承接科技成果不少于 300 项。",
        {"year": 2025, "doc_type": "other"},
        [
            dict(metric_key="tech_contract_value", value=5.2007e11, status="achieved", year=2024),
            dict(metric_key="tech_contract_value", value=7.2, kind="growth", status="achieved"),
            dict(metric_key=None, value=300, unit="项", qualifier="不低于", status="target"),
        ],
    ),
    (
        "age brackets and plenary sessions are not figures; the old standard is the current level",
        PLAN + "为全省60岁以上老年人免费接种疫苗，为0-6岁儿童免费筛查。按照十一届市委十二次全会部署，"
        "孤儿基本生活保障标准从每人每月2295元提高到2375元，人均预期寿命达到80岁。",
        {"year": 2025},
        [
            dict(value=2295, unit="元", status="achieved", year=2024),
            dict(value=2375, unit="元", status="target", year=2025),
            dict(metric_key="life_expectancy", value=80, unit="岁"),
        ],
    ),
    (
        "a count of a list (…等15个产业) is not its last item",
        PLAN + "培育新型显示、新能源汽车及动力电池等15个产业。",
        {"year": 2025},
        [dict(metric_key=None, value=15, unit="个")],
    ),
    (
        "outside report parts a figure shares the status of the sentence",
        "◉ 转化重大科技成果622项,认定高新技术企业 1200 家以上。",
        {"year": 2025, "doc_type": "other"},
        [dict(value=622, status="achieved"), dict(value=1200, qualifier="以上", status="achieved")],
    ),
    (
        "numbers inside names and masked numbers give nothing",
        "纵深推进“315”科创体系建设，实施“5个90%”行动，打造“4+4科创工程”，召开第七届创新大会，落实“十四五”规划。"
        "高企总数增长到1xx1家，共达成合作意向1xx项，xx65家企业入库。",
        {"year": 2023},
        [],
    ),
    (
        "a real number of a masked year is a figure, named without the mask",
        REVIEW + "20xx年全市研发投入占GDP的2.5%，高企总数从20xx年的750家增长到1xx1家。",
        {"year": 2025},
        [
            dict(metric="研发投入占GDP的", value=2.5, kind="share", status="achieved"),
            dict(metric_key="high_tech_enterprises", value=750, unit="家", status="achieved"),
        ],
    ),
]


def _check(target: Any, expected: dict[str, Any]) -> None:
    for field, value in expected.items():
        got = getattr(target, field)
        if isinstance(value, float | int) and not isinstance(value, bool) and got is not None:
            assert got == pytest.approx(value), (field, target)
        else:
            assert got == value, (field, target)


@pytest.mark.parametrize(("text", "kwargs", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_sentence_table(text: str, kwargs: dict[str, Any], expected: list[dict[str, Any]]) -> None:
    targets = extract(text, **kwargs).targets
    assert len(targets) == len(expected), [(t.metric_key, t.raw, t.phrase) for t in targets]
    for target, want in zip(targets, expected, strict=True):
        _check(target, want)


def test_span_and_raw_point_into_the_prepared_text() -> None:
    res = extract(PLAN + "国内生产总值增长５％左右。", year=2025)  # full-width digits are folded
    (t,) = res.targets
    assert res.text[t.span[0] : t.span[1]] == t.raw == "5%左右"
    assert t.sentence == "国内生产总值增长5%左右。"
    assert t.phrase == "国内生产总值增长"


def test_to_dict_is_the_contract_shape() -> None:
    data = extract(PLAN + "城镇新增就业1200万人以上。", year=2025, region="全国").to_dict()
    assert set(data) == {"document", "targets", "priorities", "needs_review"}
    assert set(data["document"]) == {"title", "region", "year", "doc_type", "url"}
    target = data["targets"][0]
    assert {
        "metric",
        "metric_key",
        "phrase",
        "value",
        "value_max",
        "unit",
        "qualifier",
        "kind",
        "status",
        "year",
        "sentence",
        "span",
        "raw",
        "term",
        "confidence",
    } <= set(target)
    assert target["span"] == [len(PLAN) + 6, len(PLAN) + 14]


def test_html_input_is_converted() -> None:
    html = "<html><body><h2>二、2025年目标任务</h2><p>地区生产总值增长<span>5%</span>左右。</p></body></html>"
    res = extract(html, year=2025)
    assert res.text.splitlines() == ["二、2025年目标任务", "地区生产总值增长5%左右。"]
    assert [(t.metric_key, t.status, t.qualifier) for t in res.targets] == [("gdp_growth", "target", "左右")]
