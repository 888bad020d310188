"""Figures of a province's policy document (实施意见 / 行动方案 / 若干措施: 到20XX年 goals, counts of platforms and
enterprises, support clauses with amounts and percentages) and of a bureau's year-end summary filed under another
type, in our own words and numbers.

Each row: (id, text, extract() keywords, expected figures in text order with only the listed fields compared);
`metric_has` checks that the metric name contains the string, `metric_lacks` that it does not.
"""

from __future__ import annotations

from typing import Any

import pytest

from monitor.extract import extract
from monitor.extract.document import summary_year
from monitor.extract.sections import classify_heading
from tests.extract.shape_check import check_target

Row = tuple[str, str, dict[str, Any], list[dict[str, Any]]]
POLICY = "某省人民政府办公厅关于加快培育海洋产业集群的实施意见\n一、发展目标\n"
P = {"doc_type": "plan", "year": 2024}
TERM = {"status": "target", "year": 2027, "term": (2024, 2027)}

POLICY_ROWS: list[Row] = [
    (
        "levels listed before one noun",
        POLICY + "新建6个省级、市级海洋中试基地，布局12家企业级、行业级工程研究中心。",
        P,
        [
            dict(metric_has="海洋中试基地", metric_lacks="、", value=6, unit="个"),
            dict(metric_has="工程研究中心", metric_lacks="、", value=12, unit="家"),
        ],
    ),
    (
        "an elided item at another level takes the noun before it",
        POLICY + "到2027年，培育国家级海洋特色产业集群3个、省级集群15个。",
        P,
        [
            dict(metric_has="海洋特色产业集群", value=3, **TERM),
            dict(metric_has="省级海洋特色产业集群", metric_lacks="国家级", value=15, **TERM),
        ],
    ),
    (
        "an elided item that is another noun stays as written",
        POLICY + "到2027年，建设国家级海洋牧场示范区4个、省级渔港经济区9个。",
        P,
        [
            dict(metric_has="海洋牧场示范区", value=4, **TERM),
            dict(metric_has="渔港经济区", metric_lacks="牧场", value=9, **TERM),
        ],
    ),
    (
        "超 an amount right before the counted things is their class",
        POLICY + "到2027年，培育年产值超五十亿元企业12家、超百亿元龙头企业4家。",
        P,
        [dict(metric_has="企业", value=12, unit="家", **TERM), dict(metric_has="龙头企业", value=4, **TERM)],
    ),
    (
        "an amount of one thing named by its class is still a figure",
        POLICY + "海洋装备产业园成为首个产值超过500亿元的海洋产业园区。",
        P,
        [dict(value=5e10, unit="元", qualifier="超过")],
    ),
    (
        "an amount reached by the things counted is still a figure",
        POLICY + "到2027年，海洋生产总值超过一万亿元，涉海企业达到5000家。",
        P,
        [dict(metric_has="海洋生产总值", value=1e12, unit="元"), dict(metric_has="涉海企业", value=5000)],
    ),
    (
        "the class clause between a count and its noun",
        POLICY + "到2027年，培育6家以上产值超30亿元的海工装备龙头企业。",
        P,
        [dict(metric_has="海工装备龙头企业", metric_lacks="产值", value=6, qualifier="以上", **TERM)],
    ),
    (
        "a numbered paragraph of goals ends at the next numbered paragraph",
        "某省关于加快海洋经济发展的实施意见\n（一）发展目标。到2027年，海洋生产总值达到1.2万亿元。\n"
        "（二）壮大集群。布局建设3个海洋产业园区。",
        P,
        [dict(value=1.2e12, **TERM), dict(metric_has="海洋产业园区", value=3, status="target", year=2024, term=None)],
    ),
    (
        "a part heading ends the goals' year",
        POLICY + "到2027年，全省海洋生产总值达到1.2万亿元。\n二、支持政策\n对新获批的省级海洋实验室给予200万元奖励。",
        P,
        [
            dict(value=1.2e12, **TERM),
            dict(metric_has="奖励", value=2e6, status="target", year=2024, term=None),
        ],
    ),
    (
        "a subheading inside the goals part keeps them",
        POLICY + "到2027年，主要指标如下：\n（一）产业规模。海洋生产总值达到1.2万亿元。",
        P,
        [dict(value=1.2e12, **TERM)],
    ),
    (
        "最高 names nothing: the cap is of the subsidy before it",
        POLICY.replace("一、发展目标", "三、支持措施")
        + "对企业购置深海装备的，按设备投资额的15%给予补贴，最高不超过300万元。",
        P,
        [
            dict(metric_has="补贴", value=15, unit="%"),
            dict(metric_has="补贴", metric_lacks="最高", value=3e6, kind="cap", qualifier="不超过"),
        ],
    ),
]

SUPPORT = "某省人民政府办公厅关于支持海洋装备企业发展的若干措施\n三、支持措施\n"
POLICY_ROWS += [
    (
        "a grant for each item, with no subject before it",
        SUPPORT + "每年评选10个左右海洋装备首台套项目，每个项目给予最高80万元补助。",
        P,
        [dict(metric_has="首台套项目", value=10), dict(metric_has="补助", value=8e5, unit="元")],
    ),
    (
        "a list of thresholds is the class of what is supported, a list of amounts the grants",
        SUPPORT + "对年营业收入首次突破5亿元、20亿元的企业，分别给予30万元、60万元奖励。",
        P,
        [dict(metric_has="奖励", value=3e5), dict(metric_has="奖励", value=6e5)],
    ),
    (
        "a cap for each item said by 不超过",
        SUPPORT + "按照项目投资额的20%给予补贴，单个项目不超过300万元。",
        P,
        [dict(metric_has="补贴", value=20), dict(metric_has="补贴", metric_lacks="单个", value=3e6, kind="cap")],
    ),
    (
        "a per-item grant named before its cap",
        SUPPORT + "支持300家以上企业开展数字化改造，每家企业补助不超过40万元。",
        P,
        [dict(value=300), dict(metric_has="补助", metric_lacks="改造", value=4e5, kind="cap")],
    ),
    (
        "each of a county's towns builds one: no cap, no carried name",
        SUPPORT + "新建海洋科普馆3个，每个沿海乡镇建设1个渔业服务站。",
        P,
        [dict(metric_has="海洋科普馆", value=3), dict(metric_has="渔业服务站", value=1)],
    ),
    (
        "a condition ending in 的， before the grant is no figure; an article number is no part of a name",
        SUPPORT + "第二条 企业海洋装备研发投入年增长超过15%的，按增量部分的8%给予奖励。",
        P,
        [dict(metric_has="奖励", value=8, unit="%")],
    ),
    (
        "an article number before a named figure",
        SUPPORT + "第五条 省财政每年安排海洋装备专项资金2亿元。",
        P,
        [dict(metric_has="海洋装备专项资金", metric_lacks="第五条", value=2e8)],
    ),
    (
        "counties with their kinds in brackets, and a grant given to each",
        SUPPORT + "对20个县（市、区）给予每个县800万元支持。",
        P,
        [dict(metric_has="县", metric_lacks="对", value=20), dict(metric_has="支持资金", value=8e6)],
    ),
    (
        "a rate and its cap before the grant",
        SUPPORT + "按照设备购置额的12%、最高不超过600万元给予补助。",
        P,
        [dict(metric_has="补助", value=12, unit="%"), dict(metric_has="补助", value=6e6, kind="cap")],
    ),
    (
        "an amount reached after 首次突破 without 的 stays a figure",
        SUPPORT + "全省海洋装备产业营业收入首次突破800亿元。",
        P,
        [dict(metric_has="海洋装备产业营业收入", value=8e10, qualifier="突破")],
    ),
]

BUREAU = "某市商务局2024年工作总结和2025年工作计划\n一、主要工作开展情况\n全年实现外贸进出口总额320亿元。\n"
BUREAU_PLAN = "二、2025年工作计划\n力争外贸进出口总额增长6%，新引进外资项目15个。\n"

SUMMARY_ROWS: list[Row] = [
    (
        "summary of its own year filed as a work report",
        BUREAU + BUREAU_PLAN,
        {"doc_type": "work_report", "year": 2024},
        [
            dict(value=3.2e10, status="achieved", year=2024),
            dict(value=6, status="target", year=2025),
            dict(metric_has="外资项目", value=15, status="target", year=2025),
        ],
    ),
    (
        "summary of its own year filed as a plan",
        BUREAU + BUREAU_PLAN,
        {"doc_type": "plan", "year": 2024},
        [
            dict(value=3.2e10, status="achieved", year=2024),
            dict(value=6, status="target", year=2025),
            dict(value=15, status="target", year=2025),
        ],
    ),
    (
        "the same text filed with the year it plans stays a work report",
        BUREAU + BUREAU_PLAN,
        {"doc_type": "work_report", "year": 2025},
        [
            dict(value=3.2e10, status="achieved", year=2024),
            dict(value=6, status="target", year=2025),
            dict(value=15, status="target", year=2025),
        ],
    ),
    (
        "year-end 今年 and 明年 without headings",
        "某区文旅局2024年工作总结\n今年，全区接待游客860万人次。明年，力争接待游客突破900万人次。",
        {"doc_type": "work_report", "year": 2024},
        [
            dict(metric_has="游客", value=8.6e6, status="achieved", year=2024),
            dict(metric_has="游客", value=9e6, status="target", year=2025),
        ],
    ),
]

RUNNING = (
    "今年以来，我局围绕年初目标扎实推进各项工作。\n一、工作完成情况\n1-10月，全区新签约项目84个，同比增长9%。\n"
    "二、存在的问题\n三、下步打算\n力争新签约项目100个，实际到位资金增长8%以上。\n"
)
SUMMARY_ROWS += [
    (
        "a year still running in the results makes a summary of its own year",
        RUNNING,
        {"doc_type": "work_report", "year": 2024},
        [
            dict(metric_has="新签约项目", value=84, status="achieved", year=2024),
            dict(value=9, status="achieved", year=2024),
            dict(metric_has="新签约项目", value=100, status="target", year=2025),
            dict(value=8, status="target", year=2025, qualifier="以上"),
        ],
    ),
    (
        "a report's first months of the new year do not",
        "各位代表：\n一、2023年工作回顾\n全市新签约项目84个。今年以来，1-2月工业增加值增长9%。\n二、2024年工作安排\n"
        "力争新签约项目100个。",
        {"doc_type": "work_report", "year": 2024},
        [
            dict(value=84, status="achieved", year=2023),
            dict(value=9, status="achieved", year=2024),
            dict(value=100, status="target", year=2024),
        ],
    ),
]

SUMMARY_ROWS += [
    (
        "the own year's paragraph before a paragraph planning the next reports results",
        "2024年，全县新建冷链仓储设施12个。\n2025年，我局将新建冷链仓储设施15个。",
        {"doc_type": "work_report", "year": 2024},
        [dict(value=12, status="achieved", year=2024), dict(value=15, status="target", year=2025)],
    ),
    (
        "a report planning its own year after the last year's results is left as it is",
        "2023年，全县新建冷链仓储设施12个。\n2024年，我们将新建冷链仓储设施15个。",
        {"doc_type": "work_report", "year": 2024},
        [dict(value=12, status="achieved", year=2023), dict(value=15, status="target", year=2024)],
    ),
]

# support clauses: the grant names its amounts and rates whoever the clause before says receives it; thresholds
# that pick the beneficiary are no figures
POLICY_ROWS += [
    (
        "a tiered award after the beneficiary clause names each amount",
        SUPPORT + "对获得一、二、三等奖的项目分别给予50万元、30万元、10万元奖励。",
        P,
        [dict(metric_has="奖励", value=5e5), dict(metric_has="奖励", value=3e5), dict(metric_has="奖励", value=1e5)],
    ),
    (
        "一次性 between a list of amounts and the grant",
        SUPPORT + "对年营业收入首次突破1亿元、5亿元、10亿元的企业，分别给予100万元、300万元、500万元一次性奖励。",
        P,
        [dict(metric_has="奖励", value=1e6), dict(metric_has="奖励", value=3e6), dict(metric_has="奖励", value=5e6)],
    ),
    (
        "a capped rate of a base before the grant",
        SUPPORT + "按照不超过项目设备投资的8%给予补助，单个项目支持金额不超过3000万元。",
        P,
        [dict(metric_has="补助", value=8, unit="%"), dict(value=3e7, kind="cap", qualifier="不超过")],
    ),
    (
        "a rate named by the grant after it",
        SUPPORT + "对企业的技术改造贷款，给予实际贷款利息50%的贴息，贴息期限最长3年。",
        P,
        [dict(metric="技术改造贷款贴息", value=50, unit="%")],
    ),
    (
        "分别按 a rate, then 分别 caps: all the grant's",
        SUPPORT + "对完成Ⅰ、Ⅱ期临床试验的创新药，分别按不超过研发投入的20%给予补助，最高分别不超过1000万元、2000万元。",
        P,
        [
            dict(metric_has="补助", value=20, unit="%"),
            dict(metric_has="补助", value=1e7, kind="cap"),
            dict(metric_has="补助", value=2e7),
        ],
    ),
    (
        "computing power in PFlops",
        POLICY + "到2027年，全省智能算力规模达到5000PFlops。",
        P,
        [dict(metric_has="智能算力", value=5000, unit="PFlops", **TERM)],
    ),
    (
        "a 到20XX年 goal inside a numbered item ends at the next item",
        POLICY.replace("一、发展目标", "二、重点任务")
        + "三是深化改革。到2027年，建成海洋创新型县5个。\n四是优化服务。全年培训海洋科技人才1000名以上。",
        P,
        [
            dict(metric_has="海洋创新型县", value=5, **TERM),
            dict(metric_has="海洋科技人才", value=1000, status="target", year=2024, term=None),
        ],
    ),
]

SUMMARY_ROWS += [
    (
        "a change against the end of last year carries the subject before it",
        "某区科技局2024年工作总结\n一、主要工作成效\n截至11月底，全区高新技术企业达到312家，较去年底净增41家。",
        {"doc_type": "summary", "year": 2024},
        [
            dict(metric_has="高新技术企业", value=312, status="achieved", year=2024),
            dict(metric_has="高新技术企业", value=41, kind="increment", status="achieved", year=2024),
        ],
    ),
    (
        "a change against a named year carries the subject, and is of the estimate's year",
        "某市科技局2024年工作总结\n一、2024年工作开展情况\n全年预计技术合同成交额42亿元，较2023年增长17%。",
        {"doc_type": "summary", "year": 2024},
        [
            dict(metric_has="技术合同成交额", value=4.2e9, status="expected", year=2024),
            dict(metric_has="技术合同成交额", value=17, kind="growth", status="expected", year=2024),
        ],
    ),
    (
        "a summary filed under the year after its title's year",
        "某市科技局2024年工作总结和2025年工作思路\n一、2024年工作总结\n今年以来，新认定高新技术企业186家。"
        "\n二、2025年工作思路\n新增科技型中小企业1600家以上。",
        {"doc_type": "summary", "year": 2025},
        [dict(value=186, status="achieved", year=2024), dict(value=1600, status="target", year=2025)],
    ),
    (
        "a summary without a dated title, filed under the year its plan part names",
        "某市科技局工作报告\n一、2024年工作情况\n截至10月底，全市累计建成孵化载体58家。预计全年技术合同成交额达到86亿元。"
        "\n二、2025年工作思路\n新增科技型中小企业1600家以上。",
        {"doc_type": "summary", "year": 2025},
        [
            dict(value=58, status="achieved", year=2024),
            dict(value=8.6e9, status="expected", year=2024),
            dict(value=1600, status="target", year=2025),
        ],
    ),
    (
        "a year-end summary with an undated review, filed as a report of the year its plan part names",
        "今年以来，区科技局扎实推进各项工作。\n一、主要工作成效\n截至11月底，全区高新技术企业达到312家。"
        "预计全年研发投入突破13亿元。\n二、2025年工作计划\n新增科技型中小企业100家以上。",
        {"doc_type": "work_report", "year": 2025},
        [
            dict(value=312, status="achieved", year=2024),
            dict(value=1.3e9, status="expected", year=2024),
            dict(value=100, status="target", year=2025),
        ],
    ),
    (
        "filed as a report of its own year, a review before a plan headed with the next year is a summary",
        "一、2024年工作回顾\n一年来，全市高新技术企业从2023年底的520家增加到608家。\n二、2025年工作重点\n"
        "高新技术企业数量突破680家，力争到2027年建成省级孵化器15家。",
        {"doc_type": "work_report", "year": 2024},
        [
            dict(value=520, status="achieved", year=2023),
            dict(value=608, status="achieved", year=2024),
            dict(value=680, status="target", year=2025),
            dict(value=15, status="target", year=2027, term=(2025, 2027)),
        ],
    ),
    (
        "an undated review before a plan headed with the next year, filed as a report of its own year",
        "一、主要工作成效\n全区新增众创空间3家。\n二、2025年工作计划\n新建众创空间2家。",
        {"doc_type": "work_report", "year": 2024},
        [dict(value=3, status="achieved", year=2024), dict(value=2, status="target", year=2025)],
    ),
    (
        "the same summary filed as a report of the plan's year",
        "某市科技局工作报告\n一、2024年工作情况\n截至10月底，全市累计建成孵化载体58家。"
        "\n二、2025年工作思路\n新增科技型中小企业1600家以上。",
        {"doc_type": "work_report", "year": 2025},
        [dict(value=58, status="achieved", year=2024), dict(value=1600, status="target", year=2025)],
    ),
]

POLICY_ROWS += [
    (
        "a grant is named by its receiver in the 对 clause",
        SUPPORT + "对新认定的国家级、省级智能工厂，分别奖励300万元、100万元；对首次纳入规模以上统计的工业企业，"
        "给予一次性奖励20万元。",
        P,
        [
            dict(metric="智能工厂奖励", value=3e6),
            dict(metric="智能工厂奖励", value=1e6),
            dict(metric="工业企业奖励", value=2e5),
        ],
    ),
    (
        "support (支持) after the amount is the grant",
        SUPPORT + "对新建的省级工业互联网平台，择优给予最高100万元支持。",
        P,
        [dict(metric="工业互联网平台支持资金", value=1e6)],
    ),
    (
        "amounts listed 按照…的标准 are the grant's",
        SUPPORT + "对年主营业务收入首次突破10亿元、50亿元的企业，分别按照100万元、300万元的标准给予奖励。",
        P,
        [dict(metric_has="奖励", value=1e6), dict(metric_has="奖励", value=3e6)],
    ),
    (
        "a condition clause with a count of people is no figure; the cap is of the grant named after its amount",
        SUPPORT + "对当年新吸纳就业50人以上且签订1年以上劳动合同的企业，按每人2000元给予一次性扩岗补助，"
        "每家企业每年累计不超过100万元。",
        P,
        [dict(metric_has="扩岗补助", value=2000, unit="元"), dict(metric_has="扩岗补助", value=1e6, kind="cap")],
    ),
]

SUMMARY_ROWS += [
    (
        "a change against the same months of last year carries the subject",
        "某县科技局2024年工作总结\n一、2024年工作完成情况\n今年1—10月，全县规上工业企业研发费用支出3.2亿元，"
        "比上年同期增长14.5%。",
        {"doc_type": "summary", "year": 2024},
        [dict(value=3.2e8, status="achieved", year=2024), dict(metric_has="研发费用", value=14.5, kind="growth")],
    ),
    (
        "places gained in a ranking are no figure; copies handed out are",
        "某县科技局2024年工作总结\n一、2024年工作完成情况\n研发经费投入强度预计达到2.1%，较上年提升2位。"
        "发放科技资料5000余份。",
        {"doc_type": "summary", "year": 2024},
        [
            dict(value=2.1, status="expected", year=2024),
            dict(metric_has="科技资料", value=5000, unit="份", qualifier="余", status="achieved"),
        ],
    ),
]

# bandwidth is a figure where it reaches somewhere or a link is raised to it; 千兆城市 and 5G基站 are names
POLICY_ROWS += [
    (
        "bandwidth levels by where they reach",
        POLICY.replace("一、发展目标", "二、重点任务")
        + "对骨干网络进行扩容，达到万兆到县、千兆到乡镇（街道）、50兆进农户的带宽要求，省数据中心出口扩容至10G。",
        P,
        [
            dict(metric="县带宽", value=10000, unit="兆"),
            dict(metric="乡镇带宽", value=1000, unit="兆"),
            dict(metric="农户带宽", value=50, unit="兆"),
            dict(metric_has="出口", value=10, unit="G"),
        ],
    ),
    (
        "gigabit and 5G as names",
        POLICY.replace("一、发展目标", "二、重点任务") + "创建千兆城市，建设双千兆网络，新增5G基站800个。",
        P,
        [dict(metric_has="5G基站", value=800)],
    ),
]

SUMMARY_ROWS += [
    (
        "a summary of a plan's last year: goals 到2030年 in its sentence are of the next plan's term",
        "某市科技局2025年工作总结和2026年工作思路\n一、2025年工作总结\n新建院士工作站4家。\n二、2026年工作思路\n"
        "新培育省级众创空间5家，力争到2030年全市高新技术企业突破1000家。",
        {"doc_type": "summary", "year": 2025},
        [
            dict(value=4, status="achieved", year=2025),
            dict(value=5, status="target", year=2026),
            dict(value=1000, status="target", year=2030, term=(2026, 2030)),
        ],
    ),
    (
        "a plan part headed 工作重点 plans the next year; a 十五五 part the term",
        "某市科技局2025年工作回顾和2026年工作重点\n一、2025年工作回顾\n新建院士工作站4家。\n二、2026年工作重点\n"
        "新培育省级众创空间5家。\n三、“十五五”时期工作谋划\n到2030年，全市高新技术企业突破1000家。",
        {"doc_type": "summary", "year": 2025},
        [
            dict(value=4, status="achieved", year=2025),
            dict(value=5, status="target", year=2026),
            dict(value=1000, status="target", year=2030, term=(2026, 2030)),
        ],
    ),
]

# the procedure of a support measure holds no figure: its deadlines, instalments and durations
POLICY_ROWS += [
    (
        "deadlines, instalments and durations of a procedure",
        SUPPORT + "企业应在30个工作日内完成整改。补贴资金分2批拨付，连续补贴不超过3个月。",
        P,
        [],
    ),
    (
        "the time words of a condition clause do not date the grant",
        SUPPORT + "对上年度研发投入占营业收入比例不低于3%的企业，按研发投入增量的10%给予奖励。",
        P,
        [dict(metric_has="奖励", value=10, unit="%", status="target", year=2024)],
    ),
    (
        "a yearly amount after the funds it is of",
        SUPPORT + "由省财政安排海洋产业专项资金，每年不少于5亿元。",
        P,
        [dict(metric_has="专项资金", value=5e8, unit="元")],
    ),
]

POLICY_ROWS += [
    (
        "三年累计 in a plan whose title gives no span runs from the plan's year",
        "为推动海洋产业发展，制定本行动方案。 一、主要目标 全省海洋生产总值达到1.2万亿元，"
        "三年累计新增海洋专业人才2万人。",
        P,
        [
            dict(value=1.2e12, status="target", year=2024),
            dict(metric_has="海洋专业人才", value=20000, status="target", year=2026, term=(2024, 2026)),
        ],
    ),
]

# what is added within the period is an increment, whichever verb adds it, and a list opened by such a verb adds
# each of its items, whether the noun stands before or after the count
MEASURES: list[Row] = [
    (
        "things laid out, raised or fitted in the year",
        POLICY.replace("一、发展目标", "二、重点任务")
        + "布局4个海洋科创走廊。募集海洋产业见习岗位2000个。加装岸电设施30套。",
        P,
        [
            dict(metric_has="海洋科创走廊", value=4, kind="increment"),
            dict(metric_has="见习岗位", value=2000, kind="increment"),
            dict(metric_has="岸电设施", value=30, kind="increment"),
        ],
    ),
    (
        "a number-first list opened by 新建 adds each item",
        POLICY.replace("一、发展目标", "二、重点任务") + "新建3个海洋实验室、5个中试验证中心。",
        P,
        [
            dict(metric_has="海洋实验室", value=3, kind="increment"),
            dict(metric_has="中试验证中心", value=5, kind="increment"),
        ],
    ),
    (
        "a total area after the new ones is a level",
        POLICY.replace("一、发展目标", "二、重点任务") + "新建12个海洋冷链仓库、总面积30万平方米。",
        P,
        [dict(value=12, kind="increment"), dict(metric_has="总面积", value=3e5, kind="level")],
    ),
    (
        "a total after the new ones is a level",
        POLICY.replace("一、发展目标", "二、重点任务") + "新建3个海洋实验室、总数达到12个。",
        P,
        [dict(value=3, kind="increment"), dict(value=12, kind="level")],
    ),
]

# a grant is an amount given (level) whoever it is given to, and its most (最高) or a per-unit 不超过 is its cap;
# 奖补 is a grant like 补助
GRANTS: list[Row] = [
    (
        "a grant to those newly recognised is no increment",
        POLICY.replace("一、发展目标", "三、保障措施") + "对首次认定的海洋领军企业给予20万元奖励。",
        P,
        [dict(metric_has="奖励", value=2e5, kind="level", qualifier=None)],
    ),
    (
        "the most a grant gives",
        POLICY.replace("一、发展目标", "三、保障措施") + "对新获批的国家级海洋创新平台给予最高1000万元支持。",
        P,
        [dict(metric_has="支持", value=1e7, kind="cap", qualifier="最高")],
    ),
    (
        "the most per project, said after the grant",
        POLICY.replace("一、发展目标", "三、保障措施") + "单个项目支持金额最高500万元。",
        P,
        [dict(metric_has="支持金额", metric_lacks="最高", value=5e6, kind="cap", qualifier="最高")],
    ),
    (
        "an amount given to a counted recipient is the grant",
        POLICY.replace("一、发展目标", "三、保障措施") + "举办海洋创新创业大赛，给予18家获奖企业87万元支持。",
        P,
        [dict(metric_has="获奖企业", value=18), dict(metric_has="支持", value=8.7e5, kind="level")],
    ),
    (
        "the most per enterprise after a grant per item",
        POLICY.replace("一、发展目标", "三、保障措施")
        + "对通过一致性评价的仿制药，每个品种奖励200万元，单家企业每年最高1000万元。",
        P,
        [
            dict(metric_has="奖励", value=2e6, kind="level"),
            dict(metric_has="奖励", value=1e7, kind="cap", qualifier="最高"),
        ],
    ),
    (
        "a rate given as 奖补 and its cap per enterprise and year",
        POLICY.replace("一、发展目标", "三、保障措施")
        + "对年度研发投入超过1亿元的企业，按其新增研发投入的10%给予奖补，单个企业每年不超过1000万元。",
        P,
        [
            dict(metric_has="奖补", value=10, unit="%", kind="share"),
            dict(metric_has="奖补", value=1e7, kind="cap", qualifier="不超过"),
        ],
    ),
]

# a support policy under a title the crawler's rules do not know (…十条举措): its grants are what it undertakes,
# targets of its year, and a condition clause after the item's mark (二、对…超过100万人次的景区) picks the
# beneficiary
MEASURES_TEN = "关于促进某市文旅消费的十条举措\n一、对新评为国家5A级旅游景区的，给予一次性奖励500万元。\n"
UNKNOWN_POLICIES: list[Row] = [
    (
        "grants of a policy with an unknown title are targets",
        MEASURES_TEN + "二、对年接待游客超过100万人次的景区，按门票收入的5%给予补贴。\n"
        "三、支持举办大型演出活动，每场给予最高30万元补助。",
        {"year": 2026},
        [
            dict(metric_has="奖励", value=5e6, kind="level", status="target", year=2026),
            dict(metric_has="补贴", value=5, unit="%", status="target", year=2026),
            dict(metric_has="补助", value=3e5, kind="cap", status="target", year=2026),
        ],
    ),
    (
        "one grant does not make a plan",
        "某市文旅局举办消费季活动\n活动期间，对参与商户给予一次性奖励2000元。全市共接待游客120万人次。",
        {"year": 2026},
        [dict(metric_has="奖励", status="achieved"), dict(metric_has="游客", status="achieved")],
    ),
]

# a round capacity before a product names a plant or a programme (百万吨乙烯, 千万吨粮食增产计划); a capacity
# written as a value is a figure
NAMES: list[Row] = [
    (
        "round capacities in names",
        POLICY.replace("一、发展目标", "二、重点任务")
        + "推动百万吨级海水淡化项目和千万吨海洋渔获增产计划实施，建成百万吨乙烯项目。",
        P,
        [],
    ),
    (
        "a capacity written as a value",
        POLICY.replace("一、发展目标", "二、重点任务") + "海水淡化能力达到百万吨以上，海洋渔获产量达到三百万吨。",
        P,
        [dict(value=1e6, unit="吨", qualifier="以上"), dict(value=3e6, unit="吨")],
    ),
]

# an industry programme's conditions and names: who may apply, the bound of a class written 在…以上的, an area
# named by its travel time; the figures around them stay
CONDITIONS: list[Row] = [
    (
        "eligibility conditions of an application",
        POLICY.replace("一、发展目标", "三、保障措施")
        + "申报企业须在本省注册满2年，且上年度营业收入不低于3000万元。对首次认定的海洋领军企业奖励200万元。",
        P,
        [dict(metric_has="奖励", value=2e6)],
    ),
    (
        "a class bounded by 在…以上的",
        POLICY.replace("一、发展目标", "二、重点任务") + "重点支持长度在50米以上的海洋科考船，建成科考船12艘。",
        P,
        [dict(metric_has="科考船", value=12, unit="艘")],
    ),
    (
        "an area named by its travel time",
        POLICY.replace("一、发展目标", "二、重点任务") + "构建沿海1小时交通圈和2小时物流圈，新建渔港8个。",
        P,
        [dict(metric_has="渔港", value=8)],
    ),
    (
        "the part above a growth is the base of a grant, the rate given on it is the grant's",
        POLICY.replace("一、发展目标", "三、保障措施") + "企业研发投入较上年增长20%以上的部分，按10%给予补助。",
        P,
        [dict(metric_has="补助", value=10, unit="%")],
    ),
    (
        "a regulatory class of a product",
        POLICY.replace("一、发展目标", "三、保障措施") + "对取得注册证书的1类新药和二类医疗器械，每个品种奖励500万元。",
        P,
        [dict(metric_has="奖励", value=5e6)],
    ),
    (
        "the later years of a support period name no figure",
        POLICY.replace("一、发展目标", "三、保障措施") + "租用厂房前2年按租金的50%给予补贴，后3年按25%给予补贴。",
        P,
        [dict(metric_has="补贴", value=50), dict(metric_has="补贴", metric_lacks="年", value=25)],
    ),
    (
        "a quoted name opening with a digit after the count",
        POLICY.replace("一、发展目标", "二、重点任务") + "遴选30个“5G+智慧海洋”标杆项目。",
        P,
        [dict(metric_has="智慧海洋标杆项目", value=30)],
    ),
]

CASES = POLICY_ROWS + SUMMARY_ROWS + MEASURES + GRANTS + UNKNOWN_POLICIES + NAMES + CONDITIONS


@pytest.mark.parametrize(("text", "kwargs", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_policy_and_summary_shapes(text: str, kwargs: dict[str, Any], expected: list[dict[str, Any]]) -> None:
    targets = extract(text, **kwargs).targets
    assert len(targets) == len(expected), [(t.metric, t.raw, t.kind, t.status, t.year, t.term) for t in targets]
    for target, want in zip(targets, expected, strict=True):
        check_target(target, want)


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("一、2024年工作开展情况", "review"),
        ("二、重点任务推进情况", "review"),
        ("（三）政策落实情况", "review"),
        ("三、2025年工作计划", "plan"),
        ("三、下步打算", "plan"),
        ("二、2025年工作重点", "plan"),
        ("三、“十五五”时期工作谋划", "plan"),
        ("二、2025年思路举措", "plan"),
        ("一、2024年工作重点完成情况", "review"),
        ("四、保障措施", None),
    ],
)
def test_what_was_done_heads_a_review(heading: str, kind: str | None) -> None:
    assert classify_heading(heading) == kind


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("某市商务局2024年工作总结和2025年工作计划", 2024),
        ("某县科技局2023年度工作开展情况", 2023),
        ("2025年某省政府工作报告", None),
        ("某市2025年工作要点", None),
    ],
)
def test_summary_year_from_title(title: str, year: int | None) -> None:
    assert summary_year(title + "\n正文。", None) == year
