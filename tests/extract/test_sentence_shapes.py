"""Every sentence shape of issue 12, in our own words and numbers, several of each kind.

Each row: (id, text, extract() keywords, expected figures in text order with only the listed fields compared).
A field `metric_has` checks that the metric name contains the string (a name says what is measured).
"""

from __future__ import annotations

from typing import Any

import pytest

from monitor.extract import extract

REVIEW = "一、2025年工作回顾\n"
PLAN = "二、2026年主要目标和重点任务\n"
Y = {"year": 2026, "region": "某省"}

Row = tuple[str, str, dict[str, Any], list[dict[str, Any]]]

# 分别 lists aligned with their subjects; 城乡 splits in two; single-character crops expand
LISTS: list[Row] = [
    (
        "城乡 income 分别",
        PLAN + "城乡居民人均可支配收入分别增长5.5%、6.5%左右。",
        Y,
        [dict(metric_key="urban_income", value=5.5, qualifier="左右"), dict(metric_key="rural_income", value=6.5)],
    ),
    (
        "城镇和农村 income 分别",
        PLAN + "城镇和农村居民人均可支配收入分别增长5%和7%。",
        Y,
        [dict(metric_key="urban_income", value=5), dict(metric_key="rural_income", value=7)],
    ),
    (
        "常住居民 income 分别",
        REVIEW + "城镇和农村常住居民人均可支配收入分别增长4.6%、6.1%。",
        Y,
        [
            dict(metric_key="urban_income", value=4.6, status="achieved", year=2025),
            dict(metric_key="rural_income", value=6.1, status="achieved", year=2025),
        ],
    ),
    (
        "crops run 分别",
        PLAN + "粮棉油产量分别稳定在560亿斤、1.2亿斤、60亿斤以上。",
        Y,
        [
            dict(metric_key="grain_output", value=5.6e10, unit="斤", qualifier="以上"),
            dict(metric_has="棉花", value=1.2e8),
            dict(metric_has="油料", value=6e9),
        ],
    ),
    (
        "shared prefix 分别",
        PLAN + "单位地区生产总值能耗、二氧化碳排放量分别下降2.8%、3.2%。",
        Y,
        [
            dict(metric_key="energy_intensity", kind="reduction", value=2.8),
            dict(metric_key="carbon_intensity", kind="reduction", value=3.2),
        ],
    ),
    (
        "shared head 分别",
        REVIEW + "电子信息、生物医药产业增加值分别增长11.2%、8.4%。",
        Y,
        [dict(metric_has="电子信息", value=11.2, kind="growth"), dict(metric_has="生物医药产业增加值", value=8.4)],
    ),
    (
        "shared suffix list",
        REVIEW + "发明专利申请量、授权量分别增长9%、6%。",
        Y,
        [dict(metric_has="申请量", value=9), dict(metric_has="发明专利授权量", value=6)],
    ),
    (
        "from-to 分别",
        REVIEW + "高新技术企业、科技型中小企业分别从2020年的3100家、5200家增加到6400家、9800家。",
        Y,
        [
            dict(metric_key="high_tech_enterprises", value=3100, year=2020),
            dict(metric_key="tech_smes", value=5200),
            dict(metric_key="high_tech_enterprises", value=6400, year=2025),
            dict(metric_key="tech_smes", value=9800),
        ],
    ),
]

# a subject elided after 、 or ， is completed from the figure before it
ELIDED: list[Row] = [
    (
        "grain area then output",
        PLAN + "粮食播种面积稳定在5200万亩、产量1450万吨以上。",
        Y,
        [
            dict(metric_has="播种面积", value=5.2e7, unit="亩"),
            dict(metric_key="grain_output", value=1.45e7, unit="吨", qualifier="以上"),
        ],
    ),
    (
        "grain area then 总产",
        REVIEW + "粮食播种面积3600万亩，总产量达到320亿斤。",
        Y,
        [dict(value=3.6e7, unit="亩"), dict(metric_key="grain_output", value=3.2e10, status="achieved")],
    ),
    (
        "level then growth",
        REVIEW + "全省地区生产总值达到3.16万亿元、增长5.3%。",
        Y,
        [dict(metric_key="gdp", value=3.16e12), dict(metric_key="gdp_growth", value=5.3, kind="growth")],
    ),
    (
        "level, growth, then its share of the whole",
        REVIEW + "全区地区生产总值462.8亿元，同比增长7.1%，占全市比重达到18.6%。",
        Y,
        [
            dict(metric_key="gdp", value=4.628e10),
            dict(metric_key="gdp_growth", value=7.1),
            dict(metric_key=None, metric_has="生产总值占全市比重", value=18.6, kind="share"),
        ],
    ),
    (
        "a part of what was newly added is added",
        REVIEW + "全年新登记市场主体5860户，其中企业3120户。",
        Y,
        [dict(value=5860, kind="increment"), dict(metric_has="企业", value=3120, kind="increment")],
    ),
    (
        "a part of a stock built is a stock",
        REVIEW + "建设专业园区10个，其中产值超500亿元的园区2个。",
        Y,
        [dict(value=10), dict(metric_has="园区", value=2, kind="level")],
    ),
    (
        "growth then stretch",
        PLAN + "固定资产投资增长6%以上、力争达到8%。",
        Y,
        [
            dict(metric_key="fixed_asset_investment", value=6, kind="growth"),
            dict(metric_key="fixed_asset_investment", value=8, kind="growth"),
        ],
    ),
    (
        "one number for both (均)",
        REVIEW + "专精特新中小企业、科技型中小企业均突破3000家。",
        Y,
        [dict(metric_has="专精特新", value=3000), dict(metric_key="tech_smes", value=3000)],
    ),
    (
        "one number for each (各)",
        REVIEW + "省级、市级创新平台各新增12家。",
        Y,
        [dict(metric_has="省级创新平台", value=12), dict(metric_has="市级创新平台", value=12)],
    ),
    (
        "a short name for the thing before",
        REVIEW + "3个国家技术创新中心开工建设，2个中心建成运行。",
        Y,
        [dict(metric_has="国家技术创新中心", value=3), dict(metric_has="国家技术创新中心", value=2)],
    ),
    (
        "a part of the year names nothing",
        REVIEW + "上半年全市社会消费品零售总额392.7亿元，增长5.1%；前三季度达到603.5亿元，增长5.4%。",
        Y,
        [
            dict(metric_key="retail_sales", value=3.927e10),
            dict(metric_key="retail_sales", value=5.1),
            dict(metric_key="retail_sales", value=6.035e10, status="achieved", year=2025),
            dict(metric_key="retail_sales", value=5.4),
        ],
    ),
    (
        "a month range names nothing",
        REVIEW + "网络零售额增长12%；1—10月完成128.6亿元。",
        Y,
        [dict(metric_has="网络零售额", value=12), dict(metric_has="网络零售额", value=1.286e10)],
    ),
    (
        "a change of pace against an earlier quarter",
        REVIEW + "工业用电量增长6.1%，增速比一季度加快0.9个百分点。",
        Y,
        [dict(metric_has="工业用电量", value=6.1), dict(metric_has="工业用电量", value=0.9, kind="growth")],
    ),
    (
        "a change since the end of the last plan",
        REVIEW + "五年来，地区生产总值年均增长6.5%，比“十三五”末增加118亿元。",
        Y,
        [
            dict(metric_key="gdp_growth", value=6.5, term=(2021, 2025)),
            dict(metric_has="生产总值", value=1.18e10, kind="increment", status="achieved", year=2025),
        ],
    ),
    (
        "the noun after a count ends where its predicate starts",
        REVIEW + "示范区形成制度创新成果112项，38项成果已向全国复制推广。",
        Y,
        [dict(metric_has="制度创新成果", value=112), dict(metric_has="制度创新成果", value=38)],
    ),
    (
        "modifier then counts",
        REVIEW + "建成现代农业产业园24个，其中国家级3个、省级9个。",
        Y,
        [
            dict(metric_has="现代农业产业园", value=24),
            dict(metric_has="国家级现代农业产业园", value=3),
            dict(metric_has="省级现代农业产业园", value=9),
        ],
    ),
]

# number-first phrasing: the noun after the number names it; verb fragments never do
NUMBER_FIRST: list[Row] = [
    (
        "a rule's growth rate is the growth of what the clause before names",
        PLAN + "稳定财政农业投入，落实好10%的刚性增长机制。",
        Y,
        [dict(metric_has="财政农业投入", value=10, unit="%", kind="growth")],
    ),
    (
        "a count of people described by a list of qualities, then 是",
        REVIEW + "全市1200万勤劳、智慧、坚韧的人民是城市发展的力量源泉。",
        Y,
        [dict(metric="人民", value=1.2e7, unit="人")],
    ),
    (
        "a share opening its clause is named by what the part does",
        REVIEW + "涉企审批事项压减三成，90%以上实行告知承诺制；政务服务事项梳理完毕，85%实现网上办理。",
        Y,
        [
            dict(metric_has="实行告知承诺制", value=90, unit="%", kind="share", qualifier="以上"),
            dict(metric="实现网上办理", value=85, unit="%", kind="share"),
        ],
    ),
    (
        "a head noun after the count refers back to the thing just counted",
        REVIEW + "自贸片区形成86项制度创新成果，24项成果已在全省复制推广。",
        Y,
        [dict(metric="制度创新成果", value=86), dict(metric="制度创新成果", value=24)],
    ),
    (
        "places listed with their counts, what is measured named after the last",
        REVIEW + "长江38公里、赣江26公里岸线整治完成。",
        Y,
        [
            dict(metric="长江岸线整治", value=38, unit="公里"),
            dict(metric="赣江岸线整治", value=26, unit="公里"),
        ],
    ),
    (
        "a count of the people who live in the thing named after it",
        PLAN + "完成约30万人居住的老旧小区改造，带动约5万人就业的返乡创业园区建设。",
        Y,
        [
            dict(metric_has="老旧小区改造", value=300000, unit="人"),
            dict(metric_has="返乡创业园区", value=50000, unit="人"),
        ],
    ),
    (
        "新增…，占…的四分之一",
        REVIEW + "新增省级众创空间32家，占全省总数的三分之一。",
        Y,
        [dict(metric_has="众创空间", value=32, kind="increment"), dict(metric_has="众创空间", unit="%", kind="share")],
    ),
    (
        "counted then evaluated",
        REVIEW + "12家省级科技企业孵化器获评优秀。",
        Y,
        [dict(metric_has="科技企业孵化器", value=12, unit="家")],
    ),
    (
        "启动首批",
        PLAN + "启动首批6家概念验证中心建设。",
        Y,
        [dict(metric_has="概念验证中心", value=6, status="target")],
    ),
    ("共有…获奖", REVIEW + "全年共有41项成果获奖。", Y, [dict(metric_has="成果", value=41, unit="项")]),
    (
        "累计超 carried",
        REVIEW + "引进海外高层次人才，累计超120人。",
        Y,
        [dict(metric_has="人才", value=120, qualifier="超过")],
    ),
    ("培育 N 家", PLAN + "培育20家“链主”企业。", Y, [dict(metric_has="链主", value=20, kind="increment")]),
    ("建设 N 个 …基地", PLAN + "建设50个智慧农业示范基地。", Y, [dict(metric_has="智慧农业示范基地", value=50)]),
    (
        "新建 Chinese numeral",
        PLAN + "新建十二个重点实验室。",
        Y,
        [dict(metric_has="重点实验室", value=12, kind="increment")],
    ),
    (
        "owner before the count",
        REVIEW + "省内高校与科研院所的300余名专家深入企业服务。",
        Y,
        [dict(metric_has="专家", value=300, qualifier="余")],
    ),
    ("quoted noun after", PLAN + "打造15个“数字车间”。", Y, [dict(metric_has="数字车间", value=15)]),
    ("size of a pool", REVIEW + "组建了260人的产业技术专家库。", Y, [dict(metric_has="专家库", value=260, unit="人")]),
    ("share of a crowd", REVIEW + "全省承担了全国18%的跨境电商包裹。", Y, [dict(metric_has="跨境电商包裹", value=18)]),
    (
        "people without a counter",
        REVIEW + "帮扶5.6万困难群众实现就业。",
        Y,
        [dict(metric_has="困难群众", value=56_000, unit="人")],
    ),
]

# not figures: counts of the text's own points, tiers, round-the-clock durations, ranks, names, thresholds
NOT_FIGURES: list[Row] = [
    ("points of the text", PLAN + "重点抓好以下8个方面工作。", Y, []),
    ("points in words", PLAN + "今年要着力做好以下九个方面。", Y, []),
    ("tier", PLAN + "打造一批千亿元级产业集群。", Y, []),
    ("tier with count", PLAN + "培育6个百亿级龙头企业。", Y, [dict(metric_has="龙头企业", value=6)]),
    ("round the clock", PLAN + "政务热线全天24小时在线服务。", Y, []),
    ("every day of the week", PLAN + "便民服务中心每周7天开放。", Y, []),
    ("rank", REVIEW + "区域创新能力居全国第7位，排名上升2位。", Y, []),
    ("world 500", REVIEW + "引进世界500强企业。", Y, []),
    ("programme name", PLAN + "深入实施“1235”工程和“双千”计划。", Y, []),
    ("policy package", PLAN + "落实支持民营经济发展的15条措施。", Y, []),
    ("amount defining a class", PLAN + "推动营收10亿元以上企业建设研发中心。", Y, []),
    ("one batch", PLAN + "建设一批重大项目。", Y, []),
    ("steps of a round size", REVIEW + "全县经济总量连跨两个百亿元台阶。", Y, []),
    (
        "a step reached is a figure",
        REVIEW + "地区生产总值迈上5万亿元新台阶。",
        Y,
        [dict(metric_key="gdp", value=5e12)],
    ),
    ("the count closing a list said of all", REVIEW + "PM2.5等六项污染物年均浓度全面达到二级标准。", Y, []),
    (
        "the count closing a list, then a figure of them",
        REVIEW + "化工、建材等5个园区完成产值1200亿元。",
        Y,
        [dict(value=5), dict(value=1.2e11)],
    ),
]

# numbers written in other forms
FORMS: list[Row] = [
    ("per day", PLAN + "新增城镇污水处理能力12万吨/日。", Y, [dict(value=120_000, unit="吨/日", kind="increment")]),
    ("per second", PLAN + "提升城市排涝能力300立方米/秒。", Y, [dict(value=300, unit="立方米/秒")]),
    ("half", REVIEW + "行政审批事项减少一半以上。", Y, [dict(value=50, unit="%", qualifier="以上", kind="reduction")]),
    ("slash fraction", PLAN + "将1/4以上的专项资金投向基础研究。", Y, [dict(value=25, unit="%", qualifier="以上")]),
    ("years with a fraction", PLAN + "劳动年龄人口平均受教育年限达到11.2年。", Y, [dict(value=11.2, unit="年")]),
    ("万多亿", REVIEW + "住户存款新增3万多亿元。", Y, [dict(value=3e12, unit="元", qualifier="余")]),
    (
        "场次 and 类",
        PLAN + "开展普法宣传活动超1200场次，抽检10类以上重点商品。",
        Y,
        [dict(value=1200, unit="场次", qualifier="超过"), dict(value=10, unit="类", qualifier="以上")],
    ),
    ("within hours", PLAN + "对鲜活商品实行12小时内通关。", Y, [dict(metric_has="通关时间", value=12, unit="小时")]),
    ("numbered item", PLAN + "16.全市新建口袋公园40个。", Y, [dict(metric="新建口袋公园", value=40)]),
    ("people counted first", REVIEW + "解决12万农村人口饮水安全问题。", Y, [dict(value=120_000, unit="人")]),
]

# a rule's procedural deadlines and a formula's weights are not figures
PROCEDURES: list[Row] = [
    (
        "deadline of a duty",
        "第十条 主管部门应当自收到申请之日起5个工作日内作出答复。",
        {"year": 2024, "doc_type": "plan"},
        [],
    ),
    ("extension cap", "第十一条 确需延长的，延长期限不超过10个工作日。", {"year": 2024, "doc_type": "plan"}, []),
    (
        "formula weights",
        "综合得分=日常考核（50%）+年终考核（30%）+群众评议（20%）",
        {"year": 2024, "doc_type": "plan"},
        [],
    ),
    ("a time limit cut is a figure", PLAN + "企业开办时间压缩至2个工作日。", Y, [dict(value=2, status="target")]),
]

# qualifiers around the number keep the unit
QUALIFIERS: list[Row] = [
    ("万余人", REVIEW + "开展职业技能培训3.4万余人次。", Y, [dict(value=34_000, unit="人次", qualifier="余")]),
    ("万多人", REVIEW + "新增就业见习岗位1.2万多个。", Y, [dict(value=12_000, unit="个", qualifier="余")]),
    ("近", REVIEW + "实际使用外资近90亿美元。", Y, [dict(metric_key="foreign_investment", value=9e9, qualifier="近")]),
    ("超", REVIEW + "技术合同成交额超500亿元。", Y, [dict(value=5e10, qualifier="超过")]),
    ("百余场", REVIEW + "举办对接活动百余场。", Y, [dict(value=100, unit="场", qualifier="余")]),
    ("突破千项", REVIEW + "有效发明专利突破千项。", Y, [dict(value=1000, unit="项", qualifier="突破")]),
    ("等三家", REVIEW + "甲公司、乙公司等三家单位通过认定。", Y, [dict(value=3, unit="家")]),
]

# what a figure measures
MEASURES: list[Row] = [
    (
        "a cut whose verb stays in the subject",
        PLAN + "工程建设项目审批环节精简40%，企业融资成本压缩15%以上，降低物流成本约120亿元。",
        Y,
        [dict(value=40, kind="reduction"), dict(value=15, kind="reduction"), dict(value=1.2e10, kind="reduction")],
    ),
    (
        "a rise whose verb stays in the subject is an increment",
        PLAN + "增加高标准农田120万亩，次年提高门诊报销限额500元，提高到3000元。",
        Y,
        [dict(value=1.2e6, kind="increment"), dict(value=500, kind="increment"), dict(value=3000, kind="level")],
    ),
    (
        "building up what exists adds nothing; building new things does",
        PLAN + "高质量建设12个省级产业园区，升级建设乡村学校30所，建设社区养老服务站45个。",
        Y,
        [dict(value=12, kind="level"), dict(value=30, kind="level"), dict(value=45, kind="increment")],
    ),
    (
        "brought down to at most",
        PLAN + "不动产登记时间压缩至3个工作日以内，企业开办时间缩短到2天以内。",
        Y,
        [dict(value=3, kind="cap"), dict(value=2, kind="cap")],
    ),
    (
        "the most one grant gives, 最高 inside the subject",
        PLAN + "对首次获评的企业最高奖励300万元，每家最高支持200万元。",
        Y,
        [dict(value=3e6, kind="cap"), dict(value=2e6, kind="cap")],
    ),
    (
        "a fund's size is a level",
        PLAN + "设立规模20亿元的产业引导基金，组建总规模50亿元的天使投资基金。",
        Y,
        [dict(value=2e9, kind="level"), dict(value=5e9, kind="level")],
    ),
    (
        "things done within the year are added; the total reached is a level",
        PLAN + "开工重点项目120个，竣工投产45个，开通城际公交线路8条，每年遴选示范企业30家。"
        "科技型中小企业评价入库900家，入库企业总数达到3100家。",
        Y,
        [
            dict(value=120, kind="increment"),
            dict(value=45, kind="increment"),
            dict(value=8, kind="increment"),
            dict(value=30, kind="increment"),
            dict(value=900, kind="increment"),
            dict(value=3100, kind="level"),
        ],
    ),
    (
        "a verb of new things inside a noun (建设项目) adds nothing",
        PLAN + "安排市重点建设项目800个，引进项目资金约40亿元。",
        Y,
        [dict(value=800, kind="level"), dict(value=4e9, kind="level")],
    ),
    (
        "a tier of what was built is built too; a part defined by its size is counted as it stands",
        PLAN + "建成省级以上研发平台40个，其中国家级平台6个；培育链主企业30家，其中营业收入超50亿元的企业5家。",
        Y,
        [
            dict(value=40, kind="increment"),
            dict(value=6, kind="increment"),
            dict(value=30, kind="increment"),
            dict(value=5, kind="level"),
        ],
    ),
    (
        "the verb of selection or approval holds for the list's next items",
        REVIEW + "获批国家级孵化器3家、众创空间5家；遴选瞪羚企业60家、独角兽培育企业6家。",
        Y,
        [dict(value=v, kind="increment", status="achieved", year=2025) for v in (3, 5, 60, 6)],
    ),
    (
        "energy intensity reduction",
        PLAN + "单位地区生产总值能耗降低3%左右。",
        Y,
        [dict(metric_key="energy_intensity", kind="reduction", value=3)],
    ),
    (
        "cap on unemployment",
        PLAN + "城镇调查失业率控制在5.5%以内。",
        Y,
        [dict(metric_key="surveyed_unemployment", kind="cap", qualifier="以内")],
    ),
    (
        "unemployment as a share",
        PLAN + "城镇调查失业率5.5%左右。",
        Y,
        [dict(metric_key="surveyed_unemployment", kind="share")],
    ),
    ("cpi cap", PLAN + "居民消费价格涨幅控制在2%左右。", Y, [dict(metric_key="cpi", kind="cap")]),
    ("R&D intensity share", PLAN + "研发经费投入强度达到2.6%。", Y, [dict(metric_key="rd_intensity", kind="share")]),
    (
        "stock and flow apart",
        REVIEW + "新认定高新技术企业820家，高新技术企业总数达到4100家。",
        Y,
        [
            dict(metric_key="new_high_tech_enterprises", kind="increment", value=820),
            dict(metric_key="high_tech_enterprises", kind="level", value=4100),
        ],
    ),
    (
        "amount and growth",
        REVIEW + "技术合同成交额达到260亿元，增长21%。",
        Y,
        [
            dict(metric_key="tech_contract_value", kind="level", unit="元"),
            dict(metric_key="tech_contract_value", kind="growth", unit="%"),
        ],
    ),
    ("points up", PLAN + "常住人口城镇化率提高1个百分点。", Y, [dict(metric_key="urbanization_rate", kind="growth")]),
    (
        "flat revenue",
        PLAN + "一般公共预算收入与上年基本持平。",
        Y,
        [dict(metric_key="general_budget_revenue", value=0, kind="growth", status="target")],
    ),
    (
        "a share of the aggregate is not the aggregate",
        REVIEW + "民营经济增加值占地区生产总值比重达到55%。",
        Y,
        [dict(metric_key=None, kind="share", value=55)],
    ),
    ("a product's exports are not the province's", REVIEW + "全省茶叶出口额增长12%。", Y, [dict(metric_key=None)]),
]

# status and year from the nearest evidence
PERIODS: list[Row] = [
    (
        "estimate of this year's budget is the year's figure",
        PLAN + "预计今年一般公共预算支出规模8500亿元。",
        Y,
        [dict(metric_key="general_budget_expenditure", status="target", year=2026)],
    ),
    (
        "estimate of the past year",
        REVIEW + "预计全年地区生产总值增长5.1%左右。",
        Y,
        [dict(metric_key="gdp_growth", status="expected", year=2025)],
    ),
    (
        "last year named in the plan",
        PLAN + "去年全省地区生产总值增长5.4%，今年预期目标为5%左右。",
        Y,
        [
            dict(metric_key="gdp_growth", status="achieved", year=2025),
            dict(metric_key="gdp_growth", status="target", year=2026),
        ],
    ),
    (
        "by a later year",
        PLAN + "到2028年，数字经济核心产业增加值占比达到15%。",
        Y,
        [dict(status="target", year=2028, term=(2026, 2028))],
    ),
    (
        "end of the new plan",
        PLAN + "到2030年，研发经费投入强度达到3%。",
        Y,
        [dict(metric_key="rd_intensity", status="target", year=2030, term=(2026, 2030))],
    ),
    (
        "the past five years",
        REVIEW + "过去五年，地区生产总值年均增长5.6%。",
        Y,
        [dict(metric_key="gdp_growth", status="achieved", year=2025, term=(2021, 2025))],
    ),
    (
        "the past term named",
        REVIEW + "“十四五”时期，城镇新增就业累计达到330万人。",
        Y,
        [dict(metric_key="urban_new_jobs", status="achieved", term=(2021, 2025))],
    ),
    (
        "compared with last year is no year of its own",
        PLAN + "一般公共预算收入比上年增长4%。",
        Y,
        [dict(metric_key="general_budget_revenue", status="target", year=2026)],
    ),
    (
        "baseline of a named year",
        REVIEW + "森林覆盖率从2020年的42.1%提高到44%。",
        Y,
        [dict(value=42.1, status="achieved", year=2020), dict(value=44, status="achieved", year=2025)],
    ),
    (
        "a multiple of a named year is no year of its own",
        REVIEW + "2025年，全社会研发经费投入86.4亿元，是2020年的1.9倍；投入强度达到2.62%，比2020年提高0.71个百分点。",
        Y,
        [
            dict(value=8.64e9, year=2025),
            dict(value=1.9, year=2025),
            dict(metric_key="rd_intensity", value=2.62, year=2025),
            dict(value=0.71, year=2025),
        ],
    ),
    (
        "a five-year plan's goals are the plan's",
        "某市“十五五”科技创新发展规划\n三、重点任务\n新建概念验证中心10个，科技信贷余额增长15%以上。",
        {"year": 2026, "doc_type": "plan"},
        [
            dict(metric_has="概念验证中心", status="target", year=2030, term=(2026, 2030)),
            dict(metric_has="科技信贷", status="target", year=2030, term=(2026, 2030)),
        ],
    ),
    (
        "above last year's target is no target",
        REVIEW + "城镇调查失业率低于年初预期目标，城镇新增就业51万人。",
        Y,
        [dict(metric_key="urban_new_jobs", status="achieved", year=2025)],
    ),
]

# the headline targets in the wordings reports use for them
T26 = dict(status="target", year=2026, term=None)
HEADLINE: list[Row] = [
    (
        "建议为",
        "今年全省经济社会发展的主要预期目标建议为：地区生产总值增长5.5%左右。",
        Y,
        [dict(metric_key="gdp_growth", value=5.5, **T26)],
    ),
    (
        "bare 生产总值 and 规上",
        "今年全区主要预期目标是：生产总值增长5%以上；规上工业增加值增长6%左右。",
        Y,
        [dict(metric_key="gdp_growth", **T26), dict(metric_key="industrial_value_added", value=6, **T26)],
    ),
    (
        "GDP in Latin letters",
        "主要预期目标为：全省GDP增长5%左右，社零额增长6%。",
        Y,
        [dict(metric_key="gdp_growth", **T26), dict(metric_key="retail_sales", **T26)],
    ),
    (
        "registered unemployment cap",
        PLAN + "城镇登记失业率控制在4.5%以内。",
        Y,
        [dict(metric_key="registered_unemployment", kind="cap", **T26)],
    ),
    (
        "grain in tonnes",
        PLAN + "粮食总产量稳定在1400万吨以上。",
        Y,
        [dict(metric_key="grain_output", value=1.4e7, unit="吨", **T26)],
    ),
    ("no number, no figure", PLAN + "外贸进出口实现正增长，居民收入增长和经济增长同步。", Y, []),
    (
        "R&D spending is no intensity",
        PLAN + "全社会研发经费投入增长8%以上，研发经费投入强度达到2.5%。",
        Y,
        [dict(metric_key="rd_expenditure", kind="growth", **T26), dict(metric_key="rd_intensity", kind="share", **T26)],
    ),
    ("same basis", PLAN + "一般公共预算收入同口径增长4%。", Y, [dict(metric_key="general_budget_revenue", **T26)]),
    (
        "a reporting verb before",
        PLAN + "省委提出今年经济增长预期目标为6%左右。",
        Y,
        [dict(metric_key="gdp_growth", **T26)],
    ),
    (
        "energy consumption spelled out",
        PLAN + "单位地区生产总值能源消耗降低2.5%左右。",
        Y,
        [dict(metric_key="energy_intensity", kind="reduction", **T26)],
    ),
    ("a zone's figure is not the province's", PLAN + "自贸试验区进出口总额增长10%。", Y, [dict(metric_key=None)]),
    ("a city's figure is not the province's", PLAN + "省会城市地区生产总值增长6%。", Y, [dict(metric_key=None)]),
]

CASES = HEADLINE + LISTS + ELIDED + NUMBER_FIRST + NOT_FIGURES + FORMS + PROCEDURES + QUALIFIERS + MEASURES + PERIODS


def _check(target: Any, expected: dict[str, Any]) -> None:
    for field, value in expected.items():
        if field == "metric_has":
            assert value in target.metric, (field, value, target)
            continue
        got = getattr(target, field)
        if isinstance(value, float | int) and not isinstance(value, bool) and got is not None:
            assert got == pytest.approx(value), (field, target)
        else:
            assert got == value, (field, target)


@pytest.mark.parametrize(("text", "kwargs", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_sentence_shape(text: str, kwargs: dict[str, Any], expected: list[dict[str, Any]]) -> None:
    targets = extract(text, **kwargs).targets
    assert len(targets) == len(expected), [(t.metric, t.raw, t.kind, t.status, t.year) for t in targets]
    for target, want in zip(targets, expected, strict=True):
        _check(target, want)


def test_sixth_generation_mobile_is_6g() -> None:
    themes = {p.theme for p in extract(PLAN + "前瞻布局第六代移动通信和未来网络。", **Y).priorities}
    assert "6G" in themes


def test_confidence_follows_the_evidence() -> None:
    sure = extract(PLAN + "今年地区生产总值增长5%左右。", **Y).targets[0]
    assert sure.confidence == 1.0
    carried = extract(REVIEW + "全省地区生产总值达到3.16万亿元、增长5.3%。", **Y).targets[1]
    assert 0.5 < carried.confidence < sure.confidence
    loose = extract("某网站摘编\n◉ 引进人才，累计超120人。", year=2026).targets[0]  # no part, no frame: a guess
    assert loose.confidence < carried.confidence
