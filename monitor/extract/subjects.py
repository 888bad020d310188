"""Subjects: what a figure counts or measures, read from both sides of the number.

The words before a number name it (新增省级孵化载体25家) unless they are only verbs and function words
(启动首批8家中试平台, 全年共有37项成果获奖): then the noun phrase after the number does. An elided subject is
carried from the figure before it (…达到4.72万亿元、增长5%) or completed from it (粮食播种面积4000万亩、产量1500万吨:
产量 → 粮食产量), and a 分别 list is aligned item by item (城镇和农村居民人均可支配收入分别增长6%、7%).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from monitor.extract.metrics import PERIOD_TO_DATE as _PERIOD_TO_DATE
from monitor.extract.metrics import Metric, normalise_phrase

Resolver = Callable[[str, int], Metric | None]  # (phrase, offset): the metric a variant ending past offset names

# verbs and cue words between a subject and its number (城镇调查失业率|控制在|5.5%), and the base a share or a
# ratio is taken of (民营企业出口|分别占全省的|50.6%, 治沙|完成年度目标任务的|113%)
TRAIL = re.compile(
    r"(?:分别|(?:比|较|与)(?:上年|去年)同期|比上年|比去年|较上年|(?:比|较)(?:19|20)\d\d年(?:底|末)?|同比|年均|平均|累计|力争|确保|争取|预计|达到|达|增长|下降|降低|"
    r"提高到|提高|提升到|提升|上升至|上升到|上升|增加到|增加|减少|控制在|保持在|稳定在|保持|维持在|维持|实现|完成|拟按|拟发行|拟安排|"
    r"先发行|发行|安排|拟|按|为|是|在|至|到|超过|突破|约|近|了|首次|跃上|跨过|进一步|以上|全年|居|跃升至|跃升|逾|接近|"
    r"再|实际|名义|不到|高于|低于|不低于|不少于|不超过|不高于|最高|预期|目标|发展到|净增|新增|回落|上涨|涨幅|增速|增幅|降幅|超|共有|"
    r"共计|合计|总计|共|有|达成|压减|缩减|下调|压降|扩大|缩小|从|由|(?:(?:19|20)\d\d|[xX×]{2}|20[xX×]{2})年(?:末|底)?的?|"
    r"“?十[一二三四五六]五”?末的?|(?:比|较)“?十[一二三四五六]五”?(?:末|期末)的?|"
    r"(?:比|较)(?:上年同期|" + _PERIOD_TO_DATE + r")|加快|放缓|"
    r"去年的|上年的|(?:比|较|是)(?:上个五年|五年前|上年|去年|上次|上届)(?:底|末)?的?|每日|每天|各|均|要|将|"
    r"(?:占|相当于|是|为|完成|不低于|不超过)[\u4e00-\u9fff“”]{1,20}?的|(?:连续|近)[0-9一二三四五六七八九十两]{1,2}年)+$"
)
# a phrase made of nothing but these is a verb fragment, never a metric name (启动首批, 共有, 占全省总数的)
_ACTIONS = (
    "启动|首批|第一批|首届|一批|批|建成|建设|打造|培育形成|培育|形成|新培育|引进|引育|招引|实施|推动|推进|支持|组织|开展|"
    "举办|召开|完成|实现|达到|达|共有|共计|合计|总计|共|有|累计|超过|超|为|新建|新增|新认定|认定|创建|获批|布局|落地|"
    "签约|储备|谋划|开工|新开工|争创|争取|力争|确保|带动|吸引|服务|帮助|惠及|覆盖|培训|救助|资助|发放|投入|安排|下达|"
    "筹集|筹资|统筹|上线|新上线|拨付|减免|先后|相继|陆续|已经|已|将|要|再|又|还|新|年内|当年|全年|今年|去年|全部|全面|基本|获得|获|入选|评为|"
    "建立|设立|组建|成立|新设|新获|遴选|选派|派遣|承办|办理|受理|帮扶|转化|突破|约|近|逾|的|了|和|及|与|等|其中|分别|"
    "以上|左右|其|各|每|最高|最低|最多|对|向|给予|予以|集聚|聚集|吸纳|创造|提供|开发|改造|整治|治理|种植|拥有|建有|现有|目前|截至目前|截至|年末|年底|"
    "每人每月|每人每年|每户每年|每人|每户|每亩|每年|每季度|每月|择优|开通|新开通|开行|投用|投运|新上|入库|纳统|通过|备案|申报|获评|授权|登记|注册|增长|下降|提高|提升|增加|减少|比上年|"
    "同比|控制在|保持|稳定在|着力|加快|大力|积极|持续|不断|进一步|全力|努力|深入|扎实|重点|主要|一批次|首个|首家|新一批|"
    "全市|全省|全区|全县|全州|全镇|全国|我市|我省|我区|我县|我州|我国|本市|本省|本区|本县"
)
_VERB_ONLY = re.compile(
    rf"(?:{_ACTIONS}|[\s、，,。：:；;()（）“”\"]|(?:19|20)\d\d年|(?:连续|近|过去|前|后|头)?[0-9一二三四五六七八九十两]{{1,3}}年(?:来|内)?"
    rf"|{_PERIOD_TO_DATE})+"
)
_SHARE_OF = re.compile(r"^(?:占|相当于)")
# the noun phrase after a number and its unit: 8家|中试平台, 37项|成果|获奖
# an age bracket or a tier may stand between a count and its noun (2.5万名65岁及以上失能老年人,
# 400多个10亿级以上的重大产业项目)
_RIGHT = re.compile(
    r"\s?(?:[（(][\u4e00-\u9fff]{1,3}[）)]|[（(][^（()）\n]{1,16}?\d[^（()）\n]{0,8}[）)])?(?:\d{1,3}岁(?:及)?以[上下]的?)?"
    r"(?:\d{1,4}(?:\.\d{1,2})?(?:万亿|亿|万)?元?级(?:及)?(?:以上)?)?(?:的)?"
    r"((?:“[^“”\n，。；]{1,16}”)?[\u4e00-\u9fffA-Za-z&“”\"]{2,24})"  # 50个“5G+工业互联网”标杆项目: a quoted name first
)
# where the phrase after a number turns to another quantity: its share, its change, a list of values
_RIGHT_STOP = re.compile(
    r"占|比上年|比去年|较上年|同比|分别|累计|其中|均为|合计|落户|建成|参加|实现|完成|已(?!婚|故)|正在|(?<=[人民众员])是"
)
# levels listed before the noun they all qualify (企业级、行业级、区域级工业互联网平台)
_LEVEL_LIST = re.compile(r"(?:[\u4e00-\u9fff]{1,3}级(?:及以上|以上)?[、和及与])+(?=[\u4e00-\u9fff]{1,3}级)")
_DESCRIBED = re.compile(r"(?:[\u4e00-\u9fff]{2}、){1,4}[\u4e00-\u9fff]{2}的")
_ADMIN_UNITS = re.compile(r"[省市县区乡镇村][（(][省市县区乡镇村、]{1,8}[）)]")
# the amount that defines the class of the things counted: 产值超50亿元的|龙头企业
_CLASS_CLAUSE = re.compile(
    r"[\u4e00-\u9fff]{1,6}?(?:超过|超|过|逾)[0-9.零一二两三四五六七八九十百千]{1,8}(?:万亿|亿|万)?元(?:以上)?的"
)
_PEOPLE_IN = re.compile(r"(?<=人)(?:居住|生活|工作|就业)(?:在)?的")
_WITHIN = re.compile(r"内([\u4e00-\u9fff]{2})")
# what the counted do rather than what they are: the phrase after 新材料和节能环保项目7个 (落户保定) or
# 组织科技特派员200人次 (下乡服务) is a predicate, and the words before the number name the figure
_PREDICATE = re.compile(
    r"落户|下乡|入驻|入选|入围|进入|纳入|加入|参加|参与|参赛|获得|获评|获批|受益|投产|开工|建成|签约|上市|通过|完成|实现|"
    r"落地|服务(?!事项|对象|机构|中心|平台|站|网点)|开展|走进|赴|到[\u4e00-\u9fff]{1,4}(?:开展|服务|挂职|任职|工作)|来[\u4e00-\u9fff]|在[\u4e00-\u9fff]{1,6}(?:落户|投资|设立)"
)
_COUNT_WORDS = frozenset({"起数", "人数", "件数", "次数", "户数", "个数", "家数", "项数", "人次", "件次"})
_NEXT_MODIFIER = re.compile(r"[和与及][\u4e00-\u9fff]{1,10}的")
# kinds listed before the head noun of a count: 、交通、公共服务等|重大项目
_KINDS_LISTED = re.compile(r"(?:、[\u4e00-\u9fff“”]{1,10}){1,6}?等([\u4e00-\u9fff]{2,12})")
# how a predicate was done, left behind when the phrase is cut at it (20项民心工程全面|完成)
_TRAILING_ADVERBS = re.compile(r"(?:全部|全面|基本|超额|保质保量|顺利|如期|提前)+$")
_NO_RIGHT = frozenset({"%", "‰", "个百分点", "倍"})
# what a noun phrase after a number cannot start with: a verb, an adverb or a function word (…40万亿元并连续多年)
_NOT_A_NOUN_START = re.compile(
    r"[并且而又也均都已仍还将被让使把或与及等较\d]|和(?![美谐平])|比(?!重|例)|位居|位列|居全|居世界|稳居|跃居|跃升|排名|"
    r"同比|首次|连续|实现|完成|保持|继续|持续|进一步|达到|超过|突破|增长|下降|减少|提高|提升|左右|以上|以下|以内|多|余|"
    r"增加|扩大|上升|降低|降至|升至|增至|达|为|是|居|占|其中|分别|发展到|发展为|发展至|"
    r"(?:新)?台阶|大关|关口|水平|目标|任务|(?:全国|世界)?新?纪录|实施|建设|推进|开展|用于|支持|带动|新增|培育|引进|打造|组织|举办|"
    r"依托|围绕|聚焦|按照|根据|加快|深化|强化|加强|完善|力争|争取|确保|推动|促进"
)
_QUOTES = str.maketrans("", "", '“”"')
_MODIFIERS = re.compile(
    r"(?:其中)?(?:(?:国家级|省级|市级|县级|区级|镇级|村级|国家|省|市|县|国际|国内|全国|全省|全市|重点|示范|新认定)+"
    r"|[0-9A-Za-z一二三四五六七八九十]{1,3}[A-Za-z]?(?:级|星级?))(?:以上|及以上)?"
)
# the level words a carried noun opens with, replaced by the level of the figure (其中国家级2家: 国家级龙头企业)
_LEVELS = re.compile(r"^(?:(?:国家级|省级|市级|县级|区级|镇级|村级|[0-9A-Za-z]{1,3}级)(?:及)?(?:以上)?)+")
_LEADING_VERB = re.compile(
    r"^(?:建成|建设|打造|培育|引进|实施|推进|推动|支持|组织|开展|举办|完成|实现|新建|新增|新认定|认定|创建|获批|布局|落地|签约|"
    r"储备|谋划|开工|新开工|争创|带动|吸引|建立|设立|组建|成立|选派|派遣|帮扶|转化|拥有|建有|累计|共有|有|了)+"
)
# a count without a counter word before a noun of people is a count of people (帮扶32.8万就业困难群众)
_PEOPLE_FIRST = re.compile(
    r"^[\u4e00-\u9fff]{0,6}?(?:人口|群众|居民|农民|职工|学生|儿童|老人|老年人|患者|游客|人才|劳动力)"
)
_PEOPLE = re.compile(
    r"(?:人|人员|人才|群众|居民|农民|职工|学生|儿童|老人|老年人|患者|游客|市民|人民|工人|劳动力|毕业生|青年|妇女|人口)$"
)
# attribute nouns a subject may end with; a bare one after 、 takes its modifier from the figure before
HEADS = (
    "总产量", "产量", "播种面积", "面积", "增加值", "营业收入", "营收", "收入", "利润", "产值", "总额", "规模", "投资",
    "增速", "占比", "比重", "数量", "人数", "总数", "里程", "装机", "吞吐量", "销量", "出口", "进口", "企业", "支出",
    "金额", "投资额", "总投资",
)  # fmt: skip
_AMOUNT_HEADS = frozenset({"金额", "投资额", "总投资"})
_ARRIVAL = re.compile(r"^(?:全年)?(?:新)?(?:引进|招引|落地|引育|实施)+")
_COMPOUNDS = {"城乡": ("城镇", "农村"), "进出口": ("进口", "出口"), "中小学": ("中学", "小学")}
_ABBREVIATIONS = {"粮": "粮食", "棉": "棉花", "油": "油料", "肉": "肉类", "蛋": "禽蛋", "奶": "奶类", "菜": "蔬菜",
                  "果": "水果", "茶": "茶叶", "糖": "糖料"}  # fmt: skip
_LIST_SPLIT = re.compile(r"、")
_LIST_SPLIT_AND = re.compile(r"、|和|及|与")
# the whole of the things named before (总数达23家), not an attribute that replaces their head
_WHOLE = frozenset({"总数", "数量", "总量"})
GENERIC = frozenset({"总量", "总额", "规模", "总规模", "增速", "总值"})


@dataclass(slots=True)
class SentenceState:
    """What earlier figures of the same sentence left for later ones (subjects, 分别 lists)."""

    start: int = -1
    subject: str = ""
    verbs: str = ""
    items: list[str] = field(default_factory=list)
    item: int = 0
    last_end: int = 0
    run: list[str] = field(default_factory=list)  # subjects of the last 、-joined figures (出口218亿元、进口94亿元)
    after: str = ""  # the name the figure before took from the words after it (荣获53个奖项), for the next clause


def verb_only(phrase: str) -> bool:
    """启动首批, 共有, 累计超, 为超: a phrase with no noun in it cannot name a figure."""
    return not phrase or _VERB_ONLY.fullmatch(phrase) is not None


def right_subject(text: str, end: int, unit: str | None, in_brackets: bool = False) -> str:
    """The noun phrase right after a number and its unit (8家中试平台 → 中试平台, 415人的科技专家人才智库 →
    科技专家人才智库, 62%的入境航班 → 入境航班); "" when the number ends its phrase or a verb follows it.

    A bracketed aside between them is passed over (新增2400户（累计约3600户）大中型餐饮单位), and a number inside
    such an aside (`in_brackets`) is named by the phrase after the closing bracket as well."""
    if unit in _NO_RIGHT and not text.startswith("的", end):
        return ""
    if unit in ("小时", "天") and (within := _WITHIN.match(text, end)) is not None:
        return within.group(1) + "时间"  # 48小时内放行: the time to 放行
    if in_brackets and text.startswith(("）", ")"), end):
        end += 1
    if (units := _ADMIN_UNITS.match(text, end)) is not None:
        return units.group()  # 30个县（市、区）: a one-character unit with its kinds in brackets
    if (clause := _CLASS_CLAUSE.match(text, end)) is not None:
        end = clause.end()  # 5家以上产值超50亿元的龙头企业: the class clause is no part of the noun's name
    elif (living := _PEOPLE_IN.match(text, end)) is not None:
        end = living.end()  # 约1亿人居住的棚户区改造: the people who live in the thing named after
    if (levels := _LEVEL_LIST.match(text, end)) is not None:
        end = levels.end()  # 10个国家级、省级创新中心: the noun after the last of the levels listed
    elif (described := _DESCRIBED.match(text, end)) is not None:
        end = described.end()  # 2500万勤劳、勇敢、善良的上海人民: the noun the listed qualities describe
    m = _RIGHT.match(text, end)
    quoted = m is not None and m.group(1).startswith("“") and "”" in m.group(1)
    if m is None or (not quoted and _NOT_A_NOUN_START.match(m.group(1).lstrip('“"'))):
        return ""  # a quoted name may open with anything (“5G+工业互联网”标杆项目)
    words = m.group(1).translate(_QUOTES)
    kinds = _KINDS_LISTED.match(text, m.end(1)) if len(m.group(1)) <= 6 else None
    if kinds is not None and not _RIGHT_STOP.search(words):
        words = f"{words}等{kinds.group(1)}"  # 544个产业、交通、公共服务等重大项目: the first kind and the head
    clause = _NEXT_MODIFIER.search(words, 2) if words == m.group(1) else None  # offsets hold without quotes
    if clause is not None and text[m.start(1) + clause.end() : m.start(1) + clause.end() + 1].isdigit():
        words = words[: clause.start()]  # 进口商品|和关税较低的800种商品: a new count's modifying clause
    stop = next((found for found in _RIGHT_STOP.finditer(words) if found.start() > 1), None)
    words = _TRAILING_ADVERBS.sub("", (words[: stop.start()] if stop else words).rstrip("和与及、"))
    return words if len(words) >= 2 and not verb_only(words) else ""


def predicate(right: str) -> bool:
    """落户保定, 下乡服务, 获评优秀: a phrase after a number that says what the counted did."""
    return _PREDICATE.match(right) is not None


def bare_noun(subject: str) -> str:
    """A carried noun without its verb and level (培育市级以上龙头企业 → 龙头企业)."""
    noun = noun_part(subject)
    return _LEVELS.sub("", noun) or noun


def modifier_only(phrase: str) -> bool:
    """其中国家级, 省级, 4A级以上: a level or scope that qualifies the noun of the figure before."""
    return bool(phrase) and _MODIFIERS.fullmatch(phrase) is not None


def noun_part(subject: str) -> str:
    """A subject without the verb it opens with (建成农业科技园区 → 农业科技园区)."""
    return _LEADING_VERB.sub("", subject) or subject


def refers_back(right: str, before: str) -> str:
    """A noun phrase that opens with the head of the subject before it names the same thing (4个国家重大科技基础设施
    开工建设，5个设施建成投用 → 国家重大科技基础设施建成投用); "" when it does not."""
    for k in range(min(len(right), 6), 1, -1):
        at = before.rfind(right[:k])
        if at > 0 and not modifier_only(right[:k]):  # 省级 is a level shared by different things, not a noun
            return before[: at + k] + right[k:]
    return ""


def people(subject: str) -> bool:
    """Whether a noun phrase names people (or opens with them: 6434万农村人口饮水安全问题), so that a bare count of
    it is in 人."""
    return _PEOPLE.search(subject) is not None or _PEOPLE_FIRST.search(subject) is not None


def split_verbs(raw: str) -> tuple[str, str]:
    """(subject, trailing verbs) of the words before a figure."""
    trail = TRAIL.search(raw)
    verbs = trail.group() if trail else ""
    return normalise_phrase(raw[: trail.start()] if trail else raw), verbs


def list_items(subject: str) -> list[str]:
    """The subjects of a 分别 list, each completed with the head or modifier the items share."""
    items = [i for i in _LIST_SPLIT.split(subject) if i]
    if len(items) < 2:
        items = [i for i in _LIST_SPLIT_AND.split(subject) if i]
    if len(items) < 2:
        return _expand(subject)
    last = items[-1]
    return [_with_head(i, last) for i in items[:-1]] + [last]


def _expand(subject: str) -> list[str]:
    """城乡居民收入 → 城镇居民收入, 农村居民收入; 粮肉奶产量 → 粮食产量, 肉类产量, 奶类产量."""
    for compound, parts in _COMPOUNDS.items():
        if subject.startswith(compound):
            return [p + subject[len(compound) :] for p in parts]
    run = 0
    while run < len(subject) and subject[run] in _ABBREVIATIONS:
        run += 1
    if run >= 2 and subject[run:]:
        return [_ABBREVIATIONS[c] + subject[run:] for c in subject[:run]]
    return []


def _with_head(item: str, last: str) -> str:
    """城镇 + 农村居民人均可支配收入 → 城镇居民人均可支配收入; 高技术制造业 + 装备制造业增加值 → …增加值;
    国有企业 + 民营企业纳税额 → 国有企业纳税额."""
    if len(item) <= 3 and len(last) > len(item) + 1:
        return item + last[len(item) :]
    head = next((h for h in HEADS if last.endswith(h)), "")
    if not head and len(last) > len(item) + 1 and last[len(item) - 2 : len(item)] == item[-2:]:
        return item + last[len(item) :]  # 国有企业、民营企业纳税额: parallel nouns, the tail they share
    if not head and len(last) > len(item) + 1 and last[:2] == item[:2]:
        return item + last[len(item) :]  # 基本养老、基本医疗保险参保率: the same opening, the tail they share
    if item[-2:] in _COUNT_WORDS:
        return item  # 生产安全事故起数、死亡人数: the item says already what is counted
    return item if not head or item.endswith(head) else item + head


def complete(item: str, before: str, resolve: Resolver) -> str:
    """An elided item named from the subject before it: 产量 after 粮食播种面积 → 粮食产量.

    A completion that names a catalogue metric wins (the shortest modifier that does); else a bare attribute
    noun takes the earlier subject's modifier; else the item stays as written.
    """
    if not before or resolve(item, 0) is not None:
        return item
    counts = before[-2:] in _COUNT_WORDS and item[-2:] in _COUNT_WORDS
    if counts and len(before) > 4 and 2 < len(item) <= 4:
        return before[:-2] + item  # 生产安全事故起数、死亡人数: two counts of the same thing
    level = _LEVELS.match(item)
    if level is not None and 0 < level.end() < len(item) and len(item) <= 6:
        rest, noun = item[level.end() :], bare_noun(before)
        if len(noun) > len(rest) and noun.endswith(rest):
            return level.group() + noun  # 国家级先进制造业集群5个、省级集群20个: the same noun at another level
    if len(item) < len(before) and item[-1] == before[-1] and len(item) <= 4:
        noun = noun_part(before)
        if len(noun) <= len(item):
            return item  # 推进建设一流学科10个、特色学科20个: a parallel thing named in full
        return noun[: len(noun) - len(item)] + item  # 发明专利申请量、授权量: 授权量 → 发明专利授权量
    for cut in range(2, len(before)):
        if resolve(before[:cut] + item, cut) is not None:
            return before[:cut] + item
    if item in _WHOLE:
        return noun_part(before) + item  # 新增…“小巨人”企业7家，总数达23家: the total of the same things
    if item in HEADS:
        head = next((h for h in HEADS if before.endswith(h)), "")
        if not head and item in _AMOUNT_HEADS:
            # 引进项目60个，总投资35亿元: the projects' investment, not their arrival; 签约项目…、金额: 签约 names it
            return _ARRIVAL.sub("", before) + item
        return before[: len(before) - len(head)] + item if head else before + item
    return item
