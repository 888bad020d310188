"""Figures of the genres that are not work reports, in our own words and numbers: a bureau's summary of its year
with next year's plan, a province's action plan with 到20XX年 goals, an article on a city's bureaus.

Each row: (id, text, extract() keywords, expected figures in text order with only the listed fields compared);
`metric_has` checks that the metric name contains the string, `metric_lacks` that it does not.
"""

from __future__ import annotations

from typing import Any

import pytest

from monitor.extract import extract
from tests.extract.shape_check import check_target

Row = tuple[str, str, dict[str, Any], list[dict[str, Any]]]
SUMMARY = "某县农业农村局2024年工作总结和2025年工作思路\n一、2024年工作总结\n"
SUMMARY_PLAN = "二、2025年工作思路\n"
S = {"doc_type": "summary", "year": 2024}
DONE = {"status": "achieved", "year": 2024}
NEXT = {"status": "target", "year": 2025}
ACTION = "某省加快发展海洋经济行动方案（2024—2027年）\n一、主要目标\n"
A = {"doc_type": "plan", "year": 2024}

# which side of the number names it: the words before unless they are only verbs or scope words; the words after
# unless they are what the counted did
SIDES: list[Row] = [
    (
        "predicate after the count",
        "2024年，全县招引农产品加工项目12个，其中冷链物流项目5个落户园区。",
        S,
        [dict(metric_has="农产品加工项目", value=12), dict(metric_has="冷链物流项目", value=5)],
    ),
    (
        "people sent out to serve",
        SUMMARY_PLAN + "选派农技特派员120人次下乡服务，培训高素质农民3000人。",
        S,
        [dict(metric_has="农技特派员", value=120, **NEXT), dict(metric_has="高素质农民", value=3000, **NEXT)],
    ),
    (
        "award won by the counted",
        SUMMARY + "全年共有6个品牌获评省级区域公用品牌。",
        S,
        [dict(metric_has="品牌", metric_lacks="共有", value=6, **DONE)],
    ),
    (
        "scope word and verb only before",
        SUMMARY + "全县新增1800亩高标准农田。",
        S,
        [dict(metric_has="高标准农田", value=1800, unit="亩", kind="increment", **DONE)],
    ),
    (
        "aside in brackets between count and noun",
        SUMMARY + "全县新增320户（累计约900户）家庭农场纳入名录管理。",
        S,
        [dict(metric_has="家庭农场", value=320, **DONE), dict(metric_has="家庭农场", value=900, qualifier="约")],
    ),
    (
        "a clause-opening verb is no noun",
        SUMMARY_PLAN + "争取省级以上项目资金2亿元以上依托龙头企业建设示范基地。",
        S,
        [dict(metric_has="项目资金", value=2e8, qualifier="以上", **NEXT)],
    ),
]

# a summary dated by its own year: its results are of that year, its plan of the next
SUMMARY_YEARS: list[Row] = [
    (
        "summary opening with its year",
        SUMMARY + "2024年，全县粮食播种面积稳定在86万亩，产量达到7.2亿斤，增长1.8%。",
        S,
        [
            dict(metric_has="播种面积", value=860000, **DONE),
            dict(metric_key="grain_output", value=7.2e8, **DONE),
            dict(value=1.8, kind="growth", **DONE),
        ],
    ),
    (
        "一年来 in a summary",
        SUMMARY + "一年来，全县新建冷库15座，新增库容4.5万吨。",
        S,
        [dict(metric_has="冷库", value=15, **DONE), dict(metric_has="库容", value=45000, **DONE)],
    ),
    (
        "到年底 of the summary's year is a result",
        SUMMARY + "到2024年底，全县农民合作社累计达到1260家。",
        S,
        [dict(metric_has="农民合作社", value=1260, **DONE)],
    ),
    (
        "next year's plan after the results",
        SUMMARY + "2024年，全县新增家庭农场210家。\n" + SUMMARY_PLAN + "2025年，力争新增家庭农场250家。",
        S,
        [dict(metric_has="家庭农场", value=210, **DONE), dict(metric_has="家庭农场", value=250, **NEXT)],
    ),
    (
        "inferred from the title",
        SUMMARY + "2024年，全县新增家庭农场210家。",
        {},
        [dict(metric_has="家庭农场", value=210, **DONE)],
    ),
    (
        "到年底 in a report is of that past year",
        "各位代表：\n一、2024年工作回顾\n到2023年底，全省5G基站达到12万个。",
        {"year": 2024},
        [dict(metric_has="5G基站", value=120000, status="achieved", year=2023, term=None)],
    ),
]

# an action plan: 到20XX年 goals run from the plan's own year; its support clauses hold conditions, not figures
ACTION_PLANS: list[Row] = [
    (
        "到 goals from the plan's year",
        ACTION + "到2025年，全省海洋生产总值达到1.2万亿元。到2027年，海洋生产总值突破1.5万亿元。",
        A,
        [
            dict(value=1.2e12, status="target", year=2025, term=(2024, 2025)),
            dict(value=1.5e12, status="target", year=2027, term=(2024, 2027)),
        ],
    ),
    (
        "a report's 到2025年 is the five-year plan's",
        "各位代表：\n二、2024年主要目标\n到2025年，全省海洋生产总值达到1.2万亿元。",
        {"year": 2024},
        [dict(value=1.2e12, status="target", year=2025, term=(2021, 2025))],
    ),
    (
        "the amount that picks the counted",
        ACTION + "培育年营业收入超50亿元的海工装备企业4家、配套企业12家。",
        A,
        [
            dict(metric_has="海工装备企业", value=4, kind="increment"),
            dict(metric_has="配套企业", value=12, kind="increment"),
        ],
    ),
    (
        "the condition of a support measure",
        ACTION + "对年产值首次突破10亿元的企业，给予一次性奖励200万元。",
        A,
        [dict(metric_has="奖励", value=2e6, unit="元")],
    ),
    (
        "the rhythm of a procedure",
        ACTION + "建立联席会议制度，每季度召开1次调度会，每月通报1次进展。全年举办招商推介会6场。",
        A,
        [dict(metric_has="招商推介会", value=6)],
    ),
    (
        "the verb before a list holds for its items",
        ACTION + "新建深水泊位8个、陆上风电场3座，累计建成海洋牧场20个、人工鱼礁区5处。",
        A,
        [
            dict(metric_has="深水泊位", kind="increment"),
            dict(metric_has="陆上风电场", kind="increment"),
            dict(metric_has="海洋牧场", kind="cumulative"),
            dict(metric_has="人工鱼礁区", kind="cumulative"),
        ],
    ),
    (
        "a stock after a list keeps its measure",
        ACTION + "新建深水泊位8个，沿海港口货物吞吐量达到6亿吨。",
        A,
        [dict(metric_has="深水泊位", kind="increment"), dict(metric_has="吞吐量", kind="level")],
    ),
]

# a bureau's 工作总结及工作计划: the title names both parts; 完成情况 looks back
BUREAU = "某市文化和旅游局2023年工作总结及2024年工作计划\n一、2023年工作完成情况\n"
B = {"doc_type": "summary", "year": 2023}
B_DONE = {"status": "achieved", "year": 2023}
BUREAU_SUMMARIES: list[Row] = [
    (
        "完成情况 is a review",
        BUREAU + "全市接待游客3860万人次，旅游总收入完成410亿元。\n二、2024年工作计划\n接待游客增长8%。",
        B,
        [
            dict(metric_has="游客", value=3.86e7, **B_DONE),
            dict(metric_has="旅游总收入", value=4.1e10, **B_DONE),
            dict(metric_has="游客", value=8, status="target", year=2024),
        ],
    ),
    (
        "分别 after the figures it lists",
        BUREAU + "全市国内游客3700万人次、入境游客16万人次，分别增长12.5%、86%。",
        B,
        [
            dict(metric_has="国内游客"),
            dict(metric_has="入境游客"),
            dict(metric_has="国内游客", value=12.5, kind="growth", **B_DONE),
            dict(metric_has="入境游客", value=86, kind="growth", **B_DONE),
        ],
    ),
    (
        "是上年的 is this year's",
        BUREAU + "全市文旅消费额突破90亿元，是上年的1.4倍。",
        B,
        [dict(value=9e9, **B_DONE), dict(metric_has="文旅消费额", value=1.4, unit="倍", **B_DONE)],
    ),
    (
        "items under 其中 keep their own names",
        BUREAU + "新增规上文化企业42家，其中制造业15家、服务业27家。",
        B,
        [
            dict(metric_has="文化企业", value=42, kind="increment"),
            dict(metric="制造业", value=15),
            dict(metric="服务业", value=27),
        ],
    ),
]

# an article on a bureau's year: totals after increments, funds obtained, completion rates, next year's resolve
ARTICLE = "某市人社工作亮点\n今年以来，市人社局扎实推进各项工作。\n"
ARTICLES: list[Row] = [
    (
        "a total after an increment",
        ARTICLE + "新增省级技能大师工作室6家，总数达31家。",
        B,
        [
            dict(metric_has="技能大师工作室", value=6, kind="increment", **B_DONE),
            dict(metric_has="技能大师工作室", metric_lacks="新增", value=31, kind="level", **B_DONE),
        ],
    ),
    (
        "净增 after a stock",
        ARTICLE + "全市技能人才总量达到42万人，较上年净增3.1万人。",
        B,
        [dict(value=420000, kind="level"), dict(value=31000, kind="increment", **B_DONE)],
    ),
    (
        "funds obtained are a result",
        ARTICLE + "为企业争取各类就业补助资金1.6亿元。",
        B,
        [dict(metric_has="补助资金", value=1.6e8, **B_DONE)],
    ),
    (
        "a completion rate is a result",
        ARTICLE + "城镇新增就业完成4.2万人，是年度目标的120%。",
        B,
        [dict(value=42000, **B_DONE), dict(value=120, **B_DONE)],
    ),
    (
        "the actor's resolve is no part of the name",
        ARTICLE + "下一步，市人社局将力争明年城镇新增就业4.5万人。",
        B,
        [dict(metric_key="urban_new_jobs", value=45000, status="target", year=2024)],
    ),
]

# the base a share or a ratio is taken of stands with the verbs: the name is what is measured
BASES: list[Row] = [
    (
        "分别占 the whole",
        BUREAU + "国有企业、民营企业纳税额分别占全市的38.5%、52.1%。",
        B,
        [
            dict(metric_has="国有企业纳税额", metric_lacks="的", value=38.5, kind="share"),
            dict(metric_has="民营企业纳税额", metric_lacks="的", value=52.1, kind="share"),
        ],
    ),
    (
        "分别完成 the year's task",
        BUREAU + "人工造林、封山育林分别完成年度任务的112%、105%。",
        B,
        [dict(metric="人工造林", value=112, **B_DONE), dict(metric="封山育林", value=105, **B_DONE)],
    ),
    (
        "a floor is no cap",
        ACTION + "农村低保标准不低于城市低保标准的80%。",
        A,
        [dict(metric_has="农村低保标准", metric_lacks="城市", value=80, qualifier=None, kind="share")],
    ),
]

# a bureau's 工作要点: every figure a target of its year; compound counters and rates held where they are
POINTS = "2025年全县市场监管工作要点\n"
POINTS_ROWS: list[Row] = [
    (
        "a compound counter",
        POINTS + "开展食品安全监督抽检3200批次，检查特种设备使用单位600家次以上。",
        {},
        [
            dict(metric_has="食品安全监督抽检", value=3200, unit="批次", status="target", year=2025),
            dict(metric_has="特种设备使用单位", value=600, unit="家次", qualifier="以上"),
        ],
    ),
    (
        "a rate held",
        POINTS + "食品抽检合格率保持98%以上，投诉举报按时办结率维持100%。",
        {},
        [
            dict(metric="食品抽检合格率", value=98, kind="share", qualifier="以上"),
            dict(metric="投诉举报按时办结率", value=100, kind="share"),
        ],
    ),
]

# a subject carried to a figure of another measure loses the verb that made it a flow
CARRIED: list[Row] = [
    (
        "a running total after an increment",
        ACTION + "到2027年，新增国家储备林50万亩、累计达到300万亩。",
        A,
        [
            dict(metric_has="国家储备林", value=5e5, kind="increment"),
            dict(metric_has="国家储备林", metric_lacks="新增", value=3e6, kind="cumulative"),
        ],
    ),
    (
        "a stock after an increment",
        ACTION + "新建公共充电桩2万个，总量达到8万个。",
        A,
        [
            dict(metric_has="公共充电桩", value=20000, kind="increment"),
            dict(metric_has="公共充电桩", metric_lacks="新建", value=80000, kind="level"),
        ],
    ),
    (
        "a level shared by different things is no reference back",
        SUMMARY + "新增省级农业产业化龙头企业12家；8家省级示范家庭农场获评先进。",
        S,
        [dict(metric_has="龙头企业", value=12), dict(metric_has="示范家庭农场", metric_lacks="龙头企业", value=8)],
    ),
]

# the country's own reports name GDP as the country does
NATIONAL: list[Row] = [
    (
        "国内生产总值 in a national report",
        "各位代表：\n一、过去一年工作回顾\n国内生产总值达到130万亿元，增长5.2%。",
        {"year": 2024, "region": "全国"},
        [dict(metric_key="gdp", metric="国内生产总值", value=1.3e14), dict(metric_key="gdp_growth")],
    ),
    (
        "地区生产总值 in a province's",
        "各位代表：\n一、过去一年工作回顾\n全省地区生产总值达到6.2万亿元，增长5.5%。",
        {"year": 2024, "region": "某省"},
        [dict(metric_key="gdp", metric="地区生产总值", value=6.2e12), dict(metric_key="gdp_growth")],
    ),
]

# a briefing early in the year: what stands now is of the document's year; a rate named before its verb
BRIEFING = "各位代表：\n一、2023年工作回顾\n"
BRIEFINGS: list[Row] = [
    (
        "目前 is now",
        BRIEFING + "目前，全市共有规上工业企业1460家。",
        {"year": 2024},
        [dict(metric_has="规上工业企业", value=1460, status="achieved", year=2024)],
    ),
    (
        "今年以来 and the first months",
        BRIEFING + "今年以来，全市签约项目86个；前两个月规上工业增加值增速达到9.6%。",
        {"year": 2024},
        [
            dict(metric_has="签约项目", value=86, status="achieved", year=2024),
            dict(metric_has="工业增加值", value=9.6, kind="growth", status="achieved", year=2024),
        ],
    ),
    (
        "a ratio to a base in 倍",
        BRIEFING + "全市托育机构数量达到420家，是五年前的3.5倍。",
        {"year": 2024},
        [dict(value=420, kind="level"), dict(value=3.5, unit="倍", kind="share")],
    ),
    (
        "ongoing work and money do not carry 新",
        ACTION + "安排重点项目300个、年度计划投资2000亿元，推进建设一流学科10个、特色学科20个。",
        A,
        [
            dict(value=300),
            dict(metric_has="年度计划投资", value=2e11, kind="level"),
            dict(value=10),
            dict(metric_has="特色学科", value=20, kind="level"),
        ],
    ),
]

# stocks as they stand and the starting points of changes, inside a plan part
PLAN_PART = "各位代表：\n二、2025年主要目标和重点任务\n"
STANDING: list[Row] = [
    (
        "拥有 is the stock as it stands",
        PLAN_PART + "我省拥有6个千亿元级产业集群，今年新培育2个。",
        {"year": 2025},
        [dict(value=6, status="achieved", year=2024), dict(value=2, status="target", year=2025)],
    ),
    (
        "existing resources put to work are no stock",
        PLAN_PART + "利用现有闲置校舍改造建设托育机构20个。",
        {"year": 2025},
        [dict(metric_has="托育机构", value=20, status="target", year=2025)],
    ),
    (
        "拥有量 is a name, not a stock cue",
        PLAN_PART + "每万人口高价值发明专利拥有量达到15件。",
        {"year": 2025},
        [dict(metric_has="发明专利拥有量", value=15, status="target", year=2025)],
    ),
    (
        "every starting point of a listed change",
        PLAN_PART + "城乡低保标准分别从每人每月800元、620元提高到850元、660元。",
        {"year": 2025},
        [
            dict(value=800, status="achieved", year=2024),
            dict(value=620, status="achieved", year=2024),
            dict(value=850, status="target", year=2025),
            dict(value=660, status="target", year=2025),
        ],
    ),
    (
        "in a review of the past term, a term word of an earlier clause does not spread to a level",
        "各位代表：\n一、过去五年工作回顾\n五年累计新登记市场主体86万户，每千人企业数量增加到92户；政务服务网办率达到88%。",
        {"year": 2024},
        [
            dict(value=860000, kind="cumulative", status="achieved", year=2023, term=(2019, 2023)),
            dict(value=92, kind="level", status="achieved", year=2023, term=None),
            dict(value=88, kind="share", status="achieved", year=2023, term=None),
        ],
    ),
    (
        "what a clause says was added over its years is summed over the term",
        "各位代表：\n一、过去五年工作回顾\n五年新增托育机构托位1.2万个、社区食堂85家；五年来新建改建农村公路420公里。",
        {"year": 2024},
        [
            dict(value=12000, kind="cumulative", status="achieved", year=2023, term=(2019, 2023)),
            dict(value=85, kind="cumulative", status="achieved", year=2023, term=(2019, 2023)),
            dict(value=420, kind="cumulative", status="achieved", year=2023, term=(2019, 2023)),
        ],
    ),
    (
        "in a review of the past term, a stock reached is of the term's last year, its verb inside the subject or not",
        "各位代表：\n一、过去五年工作回顾\n全市规上工业总产值迈上8000亿元台阶，高新技术企业总数达到2100家。",
        {"year": 2024},
        [
            dict(value=8e11, kind="level", status="achieved", year=2023, term=None),
            dict(value=2100, kind="level", status="achieved", year=2023, term=None),
        ],
    ),
    (
        "a cut over the recent years, the verb before the list holding for each item",
        "各位代表：\n一、2023年工作回顾\n近三年化解过剩产能煤炭1200万吨、钢铁300万吨；全年新增就业8万人。",
        {"year": 2024},
        [
            dict(value=1.2e7, kind="reduction", status="achieved", year=2023, term=(2021, 2023)),
            dict(value=3e6, kind="reduction", status="achieved", year=2023, term=(2021, 2023)),
            dict(value=80000, kind="increment", status="achieved", year=2023, term=None),
        ],
    ),
    (
        "work a clause says was done over its years is summed; what was started is added",
        "各位代表：\n一、过去五年工作回顾\n五年完成旧住房成套改造120万平方米。\n二、2024年工作安排\n启动8个城中村改造项目。",
        {"year": 2024},
        [
            dict(value=1.2e6, kind="cumulative", status="achieved", year=2023, term=(2019, 2023)),
            dict(value=8, kind="increment", status="target", year=2024),
        ],
    ),
    (
        "the starting year of a listed change",
        "各位代表：\n一、过去五年工作回顾\n规上工业企业、专精特新企业分别从2019年的8200家、960家增加到1.1万家、2100家。",
        {"year": 2024},
        [
            dict(value=8200, year=2019),
            dict(value=960, status="achieved", year=2019),
            dict(value=11000),
            dict(value=2100),
        ],
    ),
]

# levels and spans that qualify a noun named before them
LEVELS: list[Row] = [
    (
        "其中 a level of the things before",
        SUMMARY + "培育市级以上农业产业化龙头企业45家，其中国家级2家、省级15家。",
        S,
        [
            dict(metric_has="龙头企业", value=45),
            dict(metric="国家级农业产业化龙头企业", value=2),
            dict(metric="省级农业产业化龙头企业", value=15),
        ],
    ),
    (
        "其中 a grade of the things before",
        SUMMARY + "全县共有A级景区18个，其中4A级以上5个。",
        S,
        [dict(metric="A级景区", value=18, **DONE), dict(metric="4A级景区", value=5, **DONE)],
    ),
    (
        "a span of years is no name",
        SUMMARY + "全县粮食总产量达到6.5亿斤，连续5年稳定在6亿斤以上。",
        S,
        [dict(metric_key="grain_output", value=6.5e8), dict(metric_key="grain_output", value=6e8, qualifier="以上")],
    ),
    (
        "共有 in a name is kept",
        SUMMARY + "全年筹集共有产权住房1200套。",
        S,
        [dict(metric_has="共有产权住房", value=1200)],
    ),
]

# counts that share the noun named after the last of them
SHARED_NOUNS: list[Row] = [
    (
        "modifiers ending in 的 share the noun",
        ACTION + "用好降税清单，针对首年零关税的1800种、十年内降税的2300种进口商品，扩大进口。",
        A,
        [dict(metric_has="进口商品", value=1800), dict(metric_has="进口商品", value=2300)],
    ),
    (
        "tiers between counts and their noun",
        BRIEFING + "五年来，建成30多个50亿级以上、260多个5亿级以上的先进制造业项目。",
        {"year": 2024},
        [dict(metric_has="先进制造业项目", value=30), dict(metric_has="先进制造业项目", value=260)],
    ),
    (
        "the unit a rate is stated per",
        BRIEFING + "全市生产总值每增长1个百分点，可带动就业2.1万人。",
        {"year": 2024},
        [dict(metric_has="就业", value=21000)],
    ),
    (
        "an industry's own counter",
        BRIEFING + "淘汰落后平板玻璃产能1200多万重量箱。",
        {"year": 2024},
        [dict(metric_has="平板玻璃", value=1.2e7, unit="重量箱", qualifier="余")],
    ),
]

# the phrase after a share, a threshold of a class, a list of parts of one total
MORE_SHAPES: list[Row] = [
    (
        "a one-character noun before a predicate",
        BRIEFING + "75%的乡镇建成综合养老服务中心，90%的县建成三级医院。",
        {"year": 2024},
        [dict(metric_has="乡镇", value=75), dict(metric_has="县", metric_lacks="乡镇", value=90)],
    ),
    (
        "a bare threshold before 的",
        BRIEFING + "在人口30万以上的县建成特殊教育学校12所。",
        {"year": 2024},
        [dict(metric_has="特殊教育学校", value=12)],
    ),
    (
        "件次 and 人次 of one total",
        BRIEFING + "全市信访总量件次、人次分别下降12.5%、10.8%。",
        {"year": 2024},
        [dict(metric="信访总量件次", value=12.5), dict(metric="信访总量人次", value=10.8)],
    ),
]

# names when the words before a number are only a base, a span or a purpose
BARE: list[Row] = [
    (
        "the task whose share is done",
        BRIEFING + "推广林光互补新模式，累计完成治沙总任务的46%。",
        {"year": 2024},
        [dict(metric="治沙总任务", value=46, kind="share")],
    ),
    (
        "a span of years inside a name",
        BRIEFING + "政务服务好评率连续3年保持99%以上。",
        {"year": 2024},
        [dict(metric="政务服务好评率", value=99, kind="share")],
    ),
    (
        "服务 opening a noun",
        BRIEFING + "新上线48个服务事项。",
        {"year": 2024},
        [dict(metric="服务事项", value=48)],
    ),
    (
        "funds named by what they pay for",
        BRIEFING + "统筹15亿元实施8个重大科技专项。",
        {"year": 2024},
        [dict(metric="重大科技专项资金", value=1.5e9), dict(metric="重大科技专项", value=8)],
    ),
]

# what is cut, counted; a percentage of the things named after it
CUTS_AND_SHARES: list[Row] = [
    (
        "what is cut is a reduction",
        BRIEFING + "淘汰落后产能120项，取消行政许可事项36项，压减地下水开采量0.8亿立方米。",
        {"year": 2024},
        [
            dict(metric_has="落后产能", value=120, kind="reduction"),
            dict(metric_has="行政许可事项", value=36, kind="reduction"),
            dict(metric_has="地下水开采量", value=8e7, kind="reduction"),
        ],
    ),
    (
        "a percentage of the things after it",
        BRIEFING + "65%的乡镇卫生院达到服务能力标准，全市保持6%以上的增长。",
        {"year": 2024},
        [dict(metric_has="乡镇卫生院", value=65, kind="share"), dict(value=6, kind="growth")],
    ),
]

# an action plan for a span of years: sums and averages over it are the span's
SPAN = "某省推进城市更新行动方案（2024—2026年）\n一、工作目标\n"
SPANS: list[Row] = [
    (
        "a sum over the plan's span",
        SPAN + "每年新建改造城市道路200公里以上，三年累计新增停车位10万个。",
        {"doc_type": "plan"},
        [
            dict(value=200, status="target", year=2024, term=None),
            dict(value=100000, kind="cumulative", status="target", year=2026, term=(2024, 2026)),
        ],
    ),
    (
        "an average over the plan's span",
        SPAN + "城市绿地面积年均增长3%。",
        {"doc_type": "plan"},
        [dict(value=3, kind="growth", year=2026, term=(2024, 2026))],
    ),
    (
        "a single-year plan has no span",
        "2024年城市更新工作要点\n新增停车位累计达到5万个。",
        {"doc_type": "plan"},
        [dict(value=50000, year=2024, term=None)],
    ),
]

# a support measure's rate and cap
SUPPORT = "某省支持数字化转型若干政策措施\n二、支持措施\n"
SUPPORTS: list[Row] = [
    (
        "a grant's rate and its cap for each",
        SUPPORT + "对企业技术改造项目，按设备投资额的15%给予补助，单个企业最高不超过500万元。",
        {"year": 2023, "doc_type": "plan"},
        [
            dict(metric="企业技术改造项目补助", value=15, kind="share", status="target"),
            dict(metric="企业技术改造项目补助", value=5e6, kind="cap", qualifier="不超过"),
        ],
    ),
    (
        "a scope with its own noun is no cap scope",
        SUPPORT + "每个设区市建设1个以上数字化转型促进中心。",
        {"year": 2023, "doc_type": "plan"},
        [dict(metric="数字化转型促进中心", value=1, qualifier="以上")],
    ),
]

# years listed with 分别, and adverbs left behind when a name is cut at its predicate
LISTED_YEARS: list[Row] = [
    (
        "each figure the year of its place",
        SPAN + "全省老旧小区改造开工1200个；2025年、2026年分别开工1000个、800个。",
        {"doc_type": "plan"},
        [dict(value=1200, year=2024), dict(value=1000, year=2025), dict(value=800, year=2026)],
    ),
    (
        "首都 keeps its last character",
        BRIEFING + "全市56亿元绿色农产品进首都。",
        {"year": 2024},
        [dict(metric_has="进首都", value=5.6e9)],
    ),
    (
        "a rate of what is resolved is no reduction",
        BRIEFING + "化解信访积案120件，化解率达92%。",
        {"year": 2024},
        [dict(value=120), dict(metric="化解率", value=92, kind="share")],
    ),
    (
        "funds named by what they build",
        BRIEFING + "筹资8.5亿元建成市疾控中心。",
        {"year": 2024},
        [dict(metric="市疾控中心资金", value=8.5e8)],
    ),
    (
        "how a predicate was done is no part of the name",
        BRIEFING + "30件民生实事全部完成，12项重点改革任务全面完成。",
        {"year": 2024},
        [dict(metric="民生实事", value=30), dict(metric="重点改革任务", value=12)],
    ),
]

# lists without 分别, kinds listed before a head noun
IMPLICIT_LISTS: list[Row] = [
    (
        "values listed after subjects listed",
        BRIEFING + "集成电路、生物医药产业产值增长18.5%、12.3%。",
        {"year": 2024},
        [dict(metric_has="集成电路", value=18.5), dict(metric_has="生物医药产业产值", value=12.3)],
    ),
    (
        "two counts of the same thing",
        BRIEFING + "道路交通事故起数、死亡人数分别下降8.2%、6.5%。",
        {"year": 2024},
        [dict(metric="道路交通事故起数", value=8.2), dict(metric="道路交通事故死亡人数", value=6.5)],
    ),
    (
        "items with the same opening share the tail",
        BRIEFING + "基本养老、基本医疗保险参保率稳定在96%和97%以上。",
        {"year": 2024},
        [dict(metric="基本养老保险参保率", value=96), dict(metric="基本医疗保险参保率", value=97)],
    ),
    (
        "before an event is no rank",
        SUPPORT + "完成系统上线前12项数据接口改造，评选全省前10名示范企业。",
        {"year": 2023, "doc_type": "plan"},
        [dict(metric_has="数据接口改造", value=12)],
    ),
    (
        "a count after a modifying clause names what follows",
        SUPPORT + "针对降税的1200种进口商品和关税较低的800种商品，扩大进口。",
        {"year": 2023, "doc_type": "plan"},
        [dict(metric="进口商品", value=1200), dict(metric="进口商品", value=800)],
    ),
    (
        "the change of a count just named after its number",
        BRIEFING + "多项成果入选年度十大进展，在省科学技术奖评选中荣获36个奖项、比上次增长20%。",
        {"year": 2024},
        [dict(metric="奖项", value=36), dict(metric="奖项", value=20, kind="growth")],
    ),
    (
        "kinds listed before the head noun",
        BRIEFING + "开工建设320个交通、水利、能源等重大项目。",
        {"year": 2024},
        [dict(metric_has="重大项目", value=320)],
    ),
]

# a province's annual plan (年度计划): the lists, divisions and services it names by a number are no figures; the
# time limits and course sessions it sets are
ANNUAL_PLAN = "某省2025年国民经济和社会发展计划\n二、2025年重点任务\n"
AP = {"doc_type": "plan", "year": 2025}
AP_NEXT = {"status": "target", "year": 2025}
ANNUAL_PLANS: list[Row] = [
    (
        "a list of undertakings taken up by its count",
        ANNUAL_PLAN + "继续实施15项民生工程，办好12件民生实事，新增托位1.5万个。",
        AP,
        [dict(metric_has="托位", value=15000, **AP_NEXT)],
    ),
    (
        "the region's own divisions as the scope of a goal",
        ANNUAL_PLAN + "全省16个市州全部建成数字乡村示范区，全省108个县（市、区）均实现污水处理全覆盖。",
        AP,
        [],
    ),
    (
        "a service named by its round-the-clock hours",
        ANNUAL_PLAN + "推广24小时自助政务服务，24小时内办结的事项达到300项。",
        AP,
        [dict(metric_has="事项", value=300, **AP_NEXT)],
    ),
    (
        "a time limit in working days",
        ANNUAL_PLAN + "企业开办时间压缩至2个工作日以内。",
        AP,
        [dict(metric_has="企业开办时间", value=2, unit="个工作日", qualifier="以内", **AP_NEXT)],
    ),
    (
        "the gap between a result and its target restates both and sets no goal",
        "关于某省2024年计划执行情况与2025年计划草案的报告\n一、2024年计划执行情况\n"
        + "全省地区生产总值增长5.1%，低于年初预期目标0.4个百分点；城镇新增就业70万人，完成年度目标的107.7%。"
        + "固定资产投资增长2.1%，比预期目标低2.9个百分点；进出口总额增长4%。",
        AP,
        [
            dict(metric_key="gdp_growth", value=5.1, status="achieved", year=2024),
            dict(metric_has="城镇新增就业", value=70e4, status="achieved", year=2024),
            dict(value=107.7, unit="%", status="achieved", year=2024),
            dict(metric_key="fixed_asset_investment", value=2.1, status="achieved", year=2024),
            dict(metric_key="foreign_trade", value=4, status="achieved", year=2024),
        ],
    ),
    (
        "a per-head rate is no name: the clause before names it",
        ANNUAL_PLAN + "提高城乡居民基础养老金最低标准，每人每月提高25元。",
        AP,
        [dict(metric_has="基础养老金", value=25, unit="元", **AP_NEXT)],
    ),
    (
        "a bare amount after a count is the amount of the things counted",
        ANNUAL_PLAN + "签约项目80个以上、金额400亿元以上，引进落地产业项目50个，总投资达到120亿元。",
        AP,
        [
            dict(metric_has="签约项目", value=80),
            dict(metric_has="签约项目金额", value=4e10),
            dict(metric_has="产业项目", value=50, kind="increment"),
            dict(metric_has="产业项目总投资", metric_lacks="引进", value=1.2e10, kind="level"),
        ],
    ),
    (
        "sessions of a course",
        ANNUAL_PLAN + "全年举办企业家专题培训不少于6期。",
        AP,
        [dict(metric_has="培训", value=6, unit="期", qualifier="不低于", **AP_NEXT)],
    ),
]

# a part of the year run so far (1—11月, 前三季度, 上半年) gives results of the year not yet closed, in whatever
# part of the document it stands: a summary's own year, the year before an annual plan's
YEAR_TO_DATE: list[Row] = [
    (
        "month range in a summary's plan part",
        SUMMARY_PLAN + "1—11月，全县新增家庭农场45家。力争新增家庭农场60家。",
        S,
        [dict(metric_has="家庭农场", value=45, **DONE), dict(metric_has="家庭农场", value=60, **NEXT)],
    ),
    (
        "quarters in an annual plan's goals",
        "某市2025年国民经济和社会发展计划\n二、2025年主要目标\n前三季度，全市地区生产总值增长5.2%。"
        "2025年地区生产总值增长5.5%左右。",
        {"doc_type": "plan", "year": 2025},
        [
            dict(metric_key="gdp_growth", value=5.2, status="achieved", year=2024),
            dict(metric_key="gdp_growth", value=5.5, status="target", year=2025),
        ],
    ),
    (
        "a goal for the first half stays a goal",
        SUMMARY_PLAN + "力争上半年新增家庭农场30家。",
        S,
        [dict(metric_has="家庭农场", value=30, **NEXT)],
    ),
]

# a summary of the year so far, dated by its page only (今年以来工作总结和下一步工作打算): its results and its
# 全年 goals are of its own year, 明年 of the next
TO_DATE = "某市商务局今年以来工作总结和下一步工作打算\n一、主要工作成效\n"
TO_DATE_SUMMARIES: list[Row] = [
    (
        "results, then the rest of the year and the next",
        TO_DATE + "今年新建标准化菜市场12个，新设外商投资企业74家。\n二、下一步工作打算\n"
        "力争全年社会消费品零售总额增长5.5%左右。明年新增限额以上商贸企业150家。",
        {"doc_type": "summary", "year": 2026},
        [
            dict(metric_has="菜市场", value=12, status="achieved", year=2026),
            dict(metric_has="外商投资企业", value=74, kind="increment", status="achieved", year=2026),
            dict(metric_key="retail_sales", value=5.5, status="target", year=2026),
            dict(metric_has="商贸企业", value=150, status="target", year=2027),
        ],
    ),
]

# a plan's indicator table written as text lines: a header that dates its columns, one row per indicator with its
# unit in brackets after its name or in a 单位 column, the values bare numbers
FIVE_YEAR = "某市“十五五”生态环境保护规划\n二、主要指标\n"
TERM = {"status": "target", "year": 2030, "term": (2026, 2030)}
BASE = {"status": "achieved", "year": 2025, "term": None}
TABLES: list[Row] = [
    (
        "indicator table with | and the unit in brackets",
        FIVE_YEAR + "序号 | 指标名称 | 2025年基期值 | 2030年目标值 | 属性\n"
        "1 | 森林覆盖率（%） | 41.2 | 43 | 约束性\n2 | 污水处理厂（座） | 36 | 45 | 预期性\n"
        "3 | 环保产业营业收入（亿元） | 260 | 400 | 预期性\n",
        {"year": 2026, "doc_type": "plan"},
        [
            dict(metric_has="森林覆盖率", value=41.2, unit="%", kind="share", **BASE),
            dict(metric_has="森林覆盖率", value=43, unit="%", kind="share", **TERM),
            dict(metric_has="污水处理厂", value=36, unit="座", **BASE),
            dict(metric_has="污水处理厂", value=45, unit="座", **TERM),
            dict(metric_has="环保产业营业收入", value=2.6e10, unit="元", **BASE),
            dict(metric_has="环保产业营业收入", value=4e10, unit="元", **TERM),
        ],
    ),
    (
        "indicator table with tabs, a unit column and a rate of the past term",
        FIVE_YEAR + "指标\t单位\t2025年\t2030年\n农村生活污水治理率\t%\t45\t60\n化学需氧量排放量年均下降\t%\t2.1\t—\n",
        {"year": 2026, "doc_type": "plan"},
        [
            dict(metric_has="农村生活污水治理率", value=45, kind="share", **BASE),
            dict(metric_has="农村生活污水治理率", value=60, kind="share", **TERM),
            dict(metric_has="化学需氧量", value=2.1, kind="reduction", status="achieved", year=2025, term=(2021, 2025)),
        ],
    ),
    (
        "a table's headline row keeps its catalogue key",
        "某省2027年国民经济和社会发展计划\n指标名称 | 2026年预计 | 2027年目标\n地区生产总值增长（%） | 5.2 | 5.5左右\n",
        {"year": 2027, "doc_type": "plan"},
        [
            dict(metric_key="gdp_growth", value=5.2, status="expected", year=2026),
            dict(metric_key="gdp_growth", value=5.5, qualifier="左右", status="target", year=2027, term=None),
        ],
    ),
    (
        "cells written with their own units",
        FIVE_YEAR
        + "指标名称 | 2025年 | 2030年目标\n研发经费投入强度 | 2.62% | 3.2%以上\n"
        + "技术合同成交额 | 135亿元 | 300亿元左右\n",
        {"year": 2026, "doc_type": "plan"},
        [
            dict(metric_key="rd_intensity", value=2.62, **BASE),
            dict(metric_key="rd_intensity", value=3.2, qualifier="以上", **TERM),
            dict(metric_has="技术合同成交额", value=1.35e10, unit="元", **BASE),
            dict(metric_has="技术合同成交额", value=3e10, qualifier="左右", **TERM),
        ],
    ),
    (
        "a table written one cell per line, a caption before its header and a unit column",
        FIVE_YEAR + "主要指标\n指标\n单位\n2025年\n2030年目标\n属性\n农村生活污水治理率\n%\n45\n60\n约束性\n"
        "新能源公交车占比\n%\n70\n—\n预期性\n到2030年，生态环境质量明显改善。\n",
        {"year": 2026, "doc_type": "plan"},
        [
            dict(metric_has="农村生活污水治理率", value=45, kind="share", **BASE),
            dict(metric_has="农村生活污水治理率", value=60, kind="share", **TERM),
            dict(metric_has="新能源公交车占比", value=70, kind="share", **BASE),
        ],
    ),
    (
        "one cell per line: the rows stop where a run of lines is no row",
        FIVE_YEAR + "指标名称\n2025年基期值\n2030年目标值\n属性\n森林覆盖率（%）\n41.2\n43\n约束性\n"
        "生态环境\n湿地保护率（%）\n55\n60\n",
        {"year": 2026, "doc_type": "plan"},
        [
            dict(metric_has="森林覆盖率", value=41.2, **BASE),
            dict(metric_has="森林覆盖率", value=43, **TERM),
        ],
    ),
    (
        "short lines that name columns, then prose, are no table",
        FIVE_YEAR + "指标名称\n2025年\n2030年\n属性\n全市森林覆盖率达到43%，\n污水处理厂\n36座\n45座\n",
        {"year": 2026, "doc_type": "plan"},
        [dict(metric_has="森林覆盖率", value=43, unit="%", **TERM)],
    ),
    (
        "a row without a unit is no figure",
        FIVE_YEAR + "指标名称 | 2025年 | 2030年\n生态环境质量指数 | 78 | 80\n",
        {"year": 2026, "doc_type": "plan"},
        [],
    ),
]

CASES = (
    SIDES
    + SUMMARY_YEARS
    + ACTION_PLANS
    + BUREAU_SUMMARIES
    + ARTICLES
    + BASES
    + POINTS_ROWS
    + CARRIED
    + NATIONAL
    + BRIEFINGS
    + STANDING
    + LEVELS
    + SHARED_NOUNS
    + MORE_SHAPES
    + BARE
    + CUTS_AND_SHARES
    + SPANS
    + SUPPORTS
    + LISTED_YEARS
    + IMPLICIT_LISTS
    + ANNUAL_PLANS
    + TABLES
    + YEAR_TO_DATE
    + TO_DATE_SUMMARIES
)


@pytest.mark.parametrize(("text", "kwargs", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_genre_shape(text: str, kwargs: dict[str, Any], expected: list[dict[str, Any]]) -> None:
    targets = extract(text, **kwargs).targets
    assert len(targets) == len(expected), [(t.metric, t.raw, t.kind, t.status, t.year) for t in targets]
    for target, want in zip(targets, expected, strict=True):
        check_target(target, want)
