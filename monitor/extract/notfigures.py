"""Numbers that are not figures: names, tiers, counts of the text's own points, durations, ranks, baselines.

A figure is a quantity of something nameable. Numbers inside names (“315”科创体系, 第3届), tiers (千亿元级产业集群),
counts of the points of a text (重点抓好以下10个方面), round-the-clock durations (全天24小时), ranks (居全国第3位,
500强), age brackets (60岁以上老年人) and the starting point of a change (从70万亿元增加到100万亿元) are not.
"""

from __future__ import annotations

import re

from monitor.extract.numbers import Quantity

_OPEN_QUOTES, _CLOSE_QUOTES = "“「《", "”」》"
_CJK = re.compile(r"[\u4e00-\u9fff]")
_DUTY = re.compile(r"应当|应于|应在|需在|须在|须于|必须在|之日起|延长期限|期限不超过")
_AMOUNTS = frozenset({"元", "美元", "亩", "吨", "平方米", "千瓦", "千瓦时", "立方米"})
_CLASS_NOUN = re.compile(r"的?(?:企业|项目|工程|园区|产业|集群|城市|县|乡镇|农户|工业企业|规上企业|大项目|重大项目)")
_BASELINE_BEFORE = re.compile(
    r"(?:从|由)(?:(?:(?:(?:19|20)\d\d|20[xX×]{2}|[xX×]{2})年(?:末|底)?|去年|上年|上一年|“?十[一二三四五六]五”?末)的?)?"
    r"(?:每人每月|每人每年|每生每年|每人|每生|每户|每亩|人均|每月|每年|每日)?(?:不到|近|约)?$"
)
# 从每人每月202元、270元提高到…: the later starting points of a list of changes
_BASELINE_LISTED = re.compile(r"(?:从|由)[^，。；从由到至]{1,24}、$")
_BASELINE_AFTER = re.compile(
    r"(?:、[^，。；]{0,40}?)?(?:增加|提高|提升|上升|增长|扩大|发展|下降|降低|减少|增|降|升)?(?:到|至)"
)
# 千亿元级, 万吨级, 百亿级: a tier; 500强, 前3名: a rank
_TIER_AFTER = re.compile(r"(?:级|强|档|星级|名(?:以内|之列))")
# 1类新药, 二类医疗器械: a regulatory class of a product
_PRODUCT_CLASS_AFTER = re.compile(r"(?:新药|创新药|改良型新药|医疗器械|药品|疫苗|仿制药)")
_ROUND_CAPACITY = re.compile(r"[十百千]万?吨")
_PRODUCT_AFTER = re.compile(r"(?!以|左|余|多|的|级)[\u4e00-\u9fff]{2}")
_RANK_BEFORE = re.compile(r"(?:第|前|排名|排名第|位居|位列|居全国|居全省|居|列全国|跻身)$")
# 培育营收超百亿元的整车企业3家: the amount picks the things counted after it
_CLASS_COUNTED = re.compile(r"的[\u4e00-\u9fff“”]{1,12}?[0-9零一二两三四五六七八九十]")
_MORE_VALUES = re.compile(r"(?:、[0-9.零一二两三四五六七八九十百千]{1,8}(?:万亿|亿|万)?(?:元|美元|吨|亩)?){1,8}")
_CLASS_NAMED = re.compile(r"的[\u4e00-\u9fff“”]{0,8}?(?:企业|项目|工程|园区|集群|基地|主体)")
_CONDITION_THEN = re.compile(r"的(?:部分)?[，,][^，,。；;]{0,12}?(?:给予|予以|按|可|奖励|补助|补贴|享受)")
# a count, then the class clause of the things it counts: 5家以上|产值超|50亿元的龙头企业
_COUNT_THEN_OVER = re.compile(
    r"[0-9零一二两三四五六七八九十百千]{1,6}(?:家|个|户|项)(?:以上|左右)?[\u4e00-\u9fff]{0,6}?(?:超过|超|过|逾)$"
)
_OVER_BEFORE = re.compile(r"(?:超|超过|过|逾)$")
_CLASS_NOUN_COUNTED = re.compile(
    r"(?:级)?(?:以上)?(?:的)?[\u4e00-\u9fff]{0,6}?(?:企业|项目|工程|园区|产业|集群|县|城市|主体)[0-9零一二两三四五六七八九十百]"
)
# 24小时内办结的事项, 3个工作日内审结的案件: a time limit that says which things are counted
_WITHIN_CLASS = re.compile(r"(?:内|以内|之内)[\u4e00-\u9fff]{1,6}的[\u4e00-\u9fff]")
_DURATIONS = frozenset({"小时", "天", "个工作日"})
# 申报企业须在本省注册满1年，且上年度营业收入不低于2000万元: the eligibility conditions of an application
_ELIGIBILITY = re.compile(
    r"(?:申报|申请)(?:企业|单位|主体|项目|人|者)?(?:须|需|应当|应|必须)|(?:须|需|应|应当)(?:同时)?(?:满足|符合|具备)"
    r"(?:以下|下列|如下)?(?:条件|要求)|申报条件|申请条件|准入条件"
)
# 重点支持长度在100米以上的示范管线: 在…以上的, the bound of a class of things
_IN_BEFORE = re.compile(r"在$")
# 对年销量首次突破1万辆的整车企业，给予…: the condition of a support measure
_CONDITION_CLAUSE = re.compile(r"^对[^，。；]{0,30}$")
# 对当年新吸纳就业50人以上且签订…的企业，按…给予: a support measure's condition clause, running on to its 的 and
# the grant after it
_CONDITION_REST = re.compile(
    r"[^，,。；;]{0,30}?的[\u4e00-\u9fff]{0,10}[，,][^，,。；;]{0,12}?(?:给予|予以|按|奖励|补助|补贴|享受|可)"
)
# 较上年提升2位, 排名前移3位: a move in a ranking
_RANK_MOVE = re.compile(r"(?:提升|上升|前移|前进|进位|下降|后退|下滑|提高|晋升|跃升)了?$")
# 每月召开1次工作推进会, 每季度通报1次: the rhythm of a procedure, not a quantity of the world
_RHYTHM_BEFORE = re.compile(r"每(?:个)?(?:月|季度|季|周|旬|半年|年)(?:至少)?[\u4e00-\u9fff]{0,4}$")
_PER_UNIT = re.compile(r"每(?:增长|提高|增加|下降|降低|投入|减少|上升)$")
_BEFORE_A_TIME = re.compile(r"(?:上线|开工|投产|验收|年底|月底|年度|竣工|出台|启动)前$")
# 以下10个方面, 三项举措 as a heading, 这8条措施: a count of the text's own points
_POINTS_BEFORE = re.compile(r"(?:以下|如下|下列|下面|这|上述|这些|前述)$")
_POINTS_AFTER = re.compile(r"(?:个)?(?:方面|部分|要点|大点|点(?:意见|要求|建议)|条意见|项原则)")
# 23条市级专项支持政策, 8条措施: a package of policy items, named by its count
_POLICY_ITEMS = re.compile(r"[\u4e00-\u9fff“”]{0,8}?(?:政策|措施|举措|意见|条款|规定)")
# 实施20项民生工程, 办好10件民生实事: the year's list of undertakings named by its count as the plan takes it up
# (30件民生实事全部完成 reports how many were done: a figure)
_UNDERTAKINGS = re.compile(r"(?:重点|重大)?(?:民生实事|民生工程|民心工程|惠民实事|为民办实事|民生实事项目)")
_UNDERTAKEN_BEFORE = re.compile(r"(?:实施|办好|办实|抓好|推进|落实|做好|完成好)(?:好)?$")
# 24小时自助服务, 24小时不打烊: a round-the-clock service named by its hours (24小时内办结 is a time limit)
_ROUND_CLOCK_AFTER = re.compile(r"(?!内|以内|之内|以上|左右)[\u4e00-\u9fff]")
# 全省14个市州全部, 全市129个县（市、区）均: the region's own divisions, the scope of a goal, not a figure
_ALL_DIVISIONS_BEFORE = re.compile(r"(?:全省|全市|全区|全州|全县|全盟)(?:所有|共)?$")
_ALL_DIVISIONS_AFTER = re.compile(
    r"(?:地级市|设区市|市州|市（州）|县（市、区）|县（市）|县市区|县区|区县|市|县|乡镇|乡（镇）|镇|街道)"
    r"(?:（[^）]{0,8}）)?(?:全部|均|都|全面|各|实现全覆盖)"
)
# …等六项大气污染物浓度全面达到, …等5个园区均实现: what is said of every item of the list just named
_LISTED_UNITS = frozenset({"个", "项", "类", "种", "大"})
_ALL_OF_THEM = re.compile(r"[^，,。；;、\d]{1,24}?(?:全面|全部|均|都|一律)")
# 两个百亿元台阶, 三个千亿级台阶: a step of a round size, counted as the steps climbed
_STEP_AFTER = re.compile(r"(?:的)?新?台阶")
_ROUND_ONLY = re.compile(r"^[十百千万亿]+[亿万]?元?$")
# 增长5.2%，低于年初预期目标0.3个百分点: the gap between a result and its target restates both, it is no figure
_GAP_TO_TARGET = re.compile(
    r"(?:高于|低于|超过|超出|快于|慢于|比|较)(?:年初|全年|年度|省定|既定|原定)?(?:预期目标|预期|目标|计划|调控目标)(?:值)?"
    r"(?:高出|高|低|快|慢|多|少)?了?$"
)
# 2小时通勤圈, 1小时交通圈: an area named by the time it takes to cross it
_TIME_CIRCLE_AFTER = re.compile(r"[\u4e00-\u9fff]{0,4}圈")
# 全天24小时, 每周7天, 7×24小时: a duration that is a service promise, not a result
_ROUND_CLOCK_BEFORE = re.compile(r"(?:全天|每天|每日|每周|全周|全年|一天|全时|昼夜|7[×xX*])(?:候)?$")


def in_name(text: str, start: int, end: int) -> bool:
    """Figures inside names: 第3届, “5个90%”行动, “4+4科创工程”."""
    before = text[max(0, start - 12) : start].rstrip(" ")
    if before[-1:] in {"第", "前", "·", "#", "№"} or before.endswith(("附件", "附表", "图", "表")):
        return not _BEFORE_A_TIME.search(before)  # 上线前15项: before an event, not 前3名
    opened = max(before.rfind(q) for q in _OPEN_QUOTES)
    if opened < 0 or any(q in before[opened:] for q in _CLOSE_QUOTES):
        return False
    after = text[end : end + 12]
    closes = [i for i in (after.find(q) for q in _CLOSE_QUOTES) if i >= 0]
    opens = [i for i in (after.find(q) for q in _OPEN_QUOTES) if i >= 0]
    return bool(closes) and (not opens or min(closes) < min(opens))


def is_baseline(text: str, start: int, end: int) -> bool:
    """The starting point of a change (从2017年的X增加到Y): a figure of its own, of the year it started from."""
    before = text[max(0, start - 16) : start]
    if _BASELINE_AFTER.match(text, end) is None:
        return False
    return (
        _BASELINE_BEFORE.search(before) is not None
        or _BASELINE_LISTED.search(text, max(0, start - 26), start) is not None
    )


def is_age(q: Quantity, text: str) -> bool:
    """为60岁以上老年人, 0-6岁儿童: an age bracket names a group, it is not a figure (寿命 is)."""
    return q.unit == "岁" and "寿命" not in text[max(0, q.start - 12) : q.start]


def is_tier_or_rank(q: Quantity, text: str) -> bool:
    """千亿元级产业集群, 世界500强, 居全国第3位, 排名上升5位: a class or a place in a ranking, not a quantity."""
    if _TIER_AFTER.match(text, q.end) and q.suffix is None:
        return True
    if _ROUND_ONLY.match(q.raw) and _STEP_AFTER.match(text, q.end) and text[q.start - 1 : q.start] == "个":
        return True  # 连跨两个百亿元台阶: the size of each step climbed
    if q.unit == "类" and q.value <= 3 and _PRODUCT_CLASS_AFTER.match(text, q.end):
        return True  # 1类新药: the class a regulator puts a product in
    if q.unit == "位" and "排名" in text[max(0, q.start - 12) : q.start]:
        return True
    if q.unit == "位" and _RANK_MOVE.search(text, max(0, q.start - 3), q.start) and not _CJK.match(text, q.end):
        return True  # 较上年提升2位: places gained in a ranking (提升2位专家 would count people)
    if _ROUND_CAPACITY.fullmatch(q.raw) and _PRODUCT_AFTER.match(text, q.end):
        return True  # 百万吨乙烯, 千万吨炼油: a plant's class named by its round capacity
    rank = _RANK_BEFORE.search(text, max(0, q.start - 6), q.start)
    if rank is not None and rank.group() == "前" and _BEFORE_A_TIME.search(text, max(0, q.start - 6), q.start):
        return False  # 上线前15项业务: before an event, not the first few of a ranking
    return rank is not None


def is_threshold(q: Quantity, text: str) -> bool:
    """营收1亿元以上企业, 投资5000万元以上项目, 人口20万以上的县: an amount that defines a class of things, not a
    figure."""
    if q.suffix not in ("以上", "以下") or q.unit in ("%", "‰", "个百分点"):
        return False
    if _IN_BEFORE.search(text, max(0, q.start - 1), q.start) and text.startswith("的", q.end):
        return True  # 长度在100米以上的示范管线
    if q.unit not in _AMOUNTS and not text.startswith("的", q.end):
        return False  # 人口20万以上的县: a bare threshold reads as one only before 的
    return _CLASS_NOUN.match(text, q.end) is not None


def is_class_or_condition(q: Quantity, text: str) -> bool:
    """营收超百亿元的整车企业3家, 对年销量首次突破1万辆的整车企业给予奖励: a value that says which things are
    counted or supported, not a figure of its own."""
    if q.unit in _DURATIONS and _WITHIN_CLASS.match(text, q.end):
        return True  # 24小时内办结的事项达到300项: the limit names the class counted
    amount = q.unit in _AMOUNTS or (q.unit or "").startswith(("万", "亿"))
    more = _MORE_VALUES.match(text, q.end)
    end = more.end() if more is not None and amount else q.end  # 突破10亿元、50亿元的企业: each value of the list
    if amount and _OVER_BEFORE.search(text, max(0, q.start - 3), q.start) and _CLASS_NOUN_COUNTED.match(text, q.end):
        return True  # 超十亿元企业100家: 超 an amount right before the things counted, a class without 的
    if not text.startswith("的", end):
        return (
            _CONDITION_REST.match(text, end) is not None
            and _CONDITION_CLAUSE.match(clause_to(text, q.start)) is not None
        )
    if amount and _CLASS_COUNTED.match(text, end):
        return True
    if amount and _COUNT_THEN_OVER.search(text, max(0, q.start - 16), q.start) and _CLASS_NAMED.match(text, end):
        return True  # 培育5家以上产值超50亿元的龙头企业: the amount says which enterprises are counted
    if _CONDITION_THEN.match(text, end) is not None:
        return True  # 研发投入年增长超过20%的，按增量部分的10%给予奖励: the condition a grant is given on
    return _CONDITION_CLAUSE.match(clause_to(text, q.start)) is not None


def is_gap_to_target(q: Quantity, text: str) -> bool:
    """增长5.2%，低于预期目标0.3个百分点: how far a result fell from its target, a restatement of both."""
    return q.unit in ("个百分点", "%") and _GAP_TO_TARGET.search(text, max(0, q.start - 14), q.start) is not None


def is_eligibility(q: Quantity, text: str) -> bool:
    """申报企业须在本省注册满1年，且上年度营业收入不低于2000万元: who may apply, not a figure of anyone's."""
    sentence = text[max(0, q.start - 60) : q.start]
    sentence = sentence[max(sentence.rfind(c) for c in "。；;\n") + 1 :]
    return _ELIGIBILITY.search(sentence) is not None


_ITEM_MARK = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十0-9]{1,3}[）)]|\d{1,2}[.、．](?!\d))"
)


def clause_to(text: str, start: int) -> str:
    """The clause before a number (up to 30 characters), without the mark of the list item it opens (二、对…)."""
    clause = text[max(0, start - 30) : start]
    clause = clause[max(clause.rfind(c) for c in "，,。；;\n") + 1 :]
    return _ITEM_MARK.sub("", clause, count=1)


def is_rhythm(q: Quantity, text: str) -> bool:
    """每月召开1次工作推进会, 每季度通报1次进展: how often a procedure runs."""
    return q.unit == "次" and _RHYTHM_BEFORE.search(text, max(0, q.start - 10), q.start) is not None


_INSTALMENTS_BEFORE = re.compile(r"(?<![部百千万十])分$")


def is_instalments(q: Quantity, text: str) -> bool:
    """资金分2批拨付, 分3次兑现: how a payment is split, not a quantity of the world."""
    return (
        q.unit in ("批", "批次", "次", "期")
        and _INSTALMENTS_BEFORE.search(text, max(0, q.start - 3), q.start) is not None
    )


def is_per_unit(q: Quantity, text: str) -> bool:
    """国内生产总值每增长1个百分点的增量, 每投入1元: the unit a rate is stated per, not a figure."""
    return _PER_UNIT.search(text, max(0, q.start - 4), q.start) is not None


def counts_points(q: Quantity, text: str) -> bool:
    """重点抓好以下10个方面: a count of the text's own points or sections; 实施20项民生工程: a list of undertakings
    named by its count."""
    if _POINTS_AFTER.match(text, q.end) or (q.unit == "条" and _POLICY_ITEMS.match(text, q.end)):
        return True
    if (
        q.unit in ("项", "件", "个")
        and _UNDERTAKINGS.match(text, q.end)
        and _UNDERTAKEN_BEFORE.search(text, max(0, q.start - 4), q.start)
    ):
        return True
    return q.unit in ("个", "项", "条", "点") and _POINTS_BEFORE.search(text, max(0, q.start - 4), q.start) is not None


def is_round_the_clock(q: Quantity, text: str) -> bool:
    """全天24小时, 每周7天: a promise of availability, not a measured duration."""
    if q.unit not in ("小时", "天"):
        return False
    if _TIME_CIRCLE_AFTER.match(text, q.end):
        return True  # 1小时交通圈: the name of an area
    if q.unit == "小时" and q.value == 24 and q.suffix is None and _ROUND_CLOCK_AFTER.match(text, q.end):
        return True  # 24小时自助政务服务: the hours of a service, not a measured duration
    return _ROUND_CLOCK_BEFORE.search(text, max(0, q.start - 4), q.start) is not None


def counts_own_divisions(q: Quantity, text: str) -> bool:
    """全省14个市州全部建成, 全市129个县（市、区）均实现: the region's own divisions, the scope of a goal;
    PM2.5等六项污染物浓度全面达标: the count closing a list named before, the scope of what is said of them all."""
    if q.unit in _LISTED_UNITS and text[q.start - 1 : q.start] == "等" and _ALL_OF_THEM.match(text, q.end):
        return True
    return (
        q.unit == "个"
        and _ALL_DIVISIONS_BEFORE.search(text, max(0, q.start - 4), q.start) is not None
        and _ALL_DIVISIONS_AFTER.match(text, q.end) is not None
    )


def is_deadline(q: Quantity, text: str) -> bool:
    """应当自收到申请之日起7个工作日内答复: the time limit of a procedure a rule sets, not a goal anyone reports on
    (审批时限压缩至3个工作日 is one)."""
    if q.unit != "个工作日" and (q.unit != "个" or not text.startswith("工作日", q.end)):
        return False
    clause = text[max(0, q.start - 40) : q.start]
    clause = clause[max(clause.rfind(c) for c in "。；\n") + 1 :]
    return _DUTY.search(clause) is not None


def is_weight(q: Quantity, text: str) -> bool:
    """考评分值=日常监测（60%）+实地调研（20%）: the weights of a formula."""
    if text[q.start - 1 : q.start] not in ("（", "(") or text[q.end : q.end + 1] not in ("）", ")"):
        return False
    around = text[max(0, q.start - 16) : q.end + 4]
    return "+" in around or "=" in around


def not_a_figure(q: Quantity, text: str) -> bool:
    """Whether the number at `q` is anything but a figure."""
    return (
        in_name(text, q.start, q.end)
        or is_age(q, text)
        or is_tier_or_rank(q, text)
        or is_threshold(q, text)
        or is_class_or_condition(q, text)
        or is_rhythm(q, text)
        or is_instalments(q, text)
        or is_per_unit(q, text)
        or is_deadline(q, text)
        or is_weight(q, text)
        or counts_points(q, text)
        or is_round_the_clock(q, text)
        or counts_own_divisions(q, text)
        or is_eligibility(q, text)
        or is_gap_to_target(q, text)
    )
