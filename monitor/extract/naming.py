"""Naming a figure: the clause before it, its subject from either side of the number, and the catalogue metric.

The words before a number name it unless they are only verbs (then the noun phrase after it does); an elided
subject is carried or completed from the figure before; a 分别 list, or a number said of several things (均, 各),
is aligned with its subjects. The names are resolved against the catalogue (metrics.yaml) with the region's own
name stripped, so 全省地区生产总值 and 地区生产总值 are one metric.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.extract import subjects as sj
from monitor.extract.measures import GRANTS
from monitor.extract.metrics import Metric, normalise_phrase, resolve, resolve_leading, resolve_past
from monitor.extract.notfigures import clause_to
from monitor.extract.numbers import BANDWIDTH, Quantity
from monitor.extract.units import CURRENCIES as _MONEY

_CLAUSE_CUT = re.compile(r"[，,；;：:、]")
_HARD_CUT = re.compile(r"[，,；;：:]")
QUANTITY_HINT = re.compile(r"\d")
# 完成5200亿元固定资产投资目标: the metric named right after the figure
_AFTER = re.compile(r"[^，,；;。、：:（(]{2,14}")
# 高新技术企业、科技型中小企业均突破1.2万家: one number said of each of several things
EACH = re.compile(r"(?<![年平])(?:均|各)(?:突破|达到|达|超过|超|增加|增长|新增|为|是|在)?[^，。；]{0,4}$")
_TO_END = re.compile(r"(?:到|至)(?:近|约|超过|突破|逾|超)?$")
# 新一代信息技术、高端装备产业增加值增长13.6%、9.8%: values listed after subjects listed, without 分别
_NEXT_VALUE = re.compile(r"[、和]\s?[0-9][0-9.]*\s?(?:%|‰|个百分点|倍)")
_CHANGE_OF_IT = re.compile(r"(?:比上次|比上年|比去年|较上年|同比)?(?:增长|增加|提高|下降|减少)")
_FUNDS_FOR = re.compile(
    r"(?:用于|实施|支持|投向|建设|推进|建成|新建|改造)(?:[0-9一二三四五六七八九十两]{1,3}[个项批])?([\u4e00-\u9fff]{2,12}?)(?=[，,。；;、\n]|$)"
)
# a support measure: 按设备投资额的10%给予补助, 单个企业最高不超过300万元 (the grant's cap for each)
_RATE_BASE = re.compile(r"按[^，,。；;]{1,16}的")
_RATE_BASE_END = re.compile(r"按[^，,。；;按]{1,16}的$")  # 分别按不超过研发投入的|20%给予补助
_SUPPORT_GIVEN = r"支持(?![\u4e00-\u9fff]{0,2}(?:企业|项目|建设))"  # 给予…支持, not 支持企业
_GRANT = re.compile(
    r"(?:[、，,](?:单个项目|每个项目|单家企业)?(?:最高)?(?:不超过)?[0-9.]{1,8}(?:万|亿)?元)?"
    rf"(?:给予|予以)(?:最高|一次性|不超过)*({GRANTS}|支持)"
)  # 按设备购置额的15%、最高不超过1000万元给予补助: the rate and its cap, then the grant
_BARE_RATE = re.compile(r"(?:^|[，,])按(?:照)?(?:不超过)?$")
_EACH = r"(?:单个|每个|每家|单家|每项|单项|每户|每人)[\u4e00-\u9fff]{0,4}?(?:每年)?"  # 单个项目, 每家企业每年
_PER_ITEM = re.compile(_EACH + r"(?:最高|最多)")
# 单个项目不超过300万元: the cap said by the verbs before the number rather than by 最高
_PER_ITEM_CAPPED = re.compile(_EACH)
_CAP_VERBS = re.compile(r"不超过|不高于|最高|最多")
_GRANT_VERB = re.compile(rf"(?:分别|各|一次性|给予|予以)*({GRANTS})(?:最高|一次性)*")
_GIVEN = re.compile(r"(?:给予|予以|按照|按)(?:最高|一次性)*$")
# the grant after a list of amounts: 50万元、100万元奖励, 100万元、300万元的标准给予奖励
_GRANT_LIST = re.compile(
    r"(?:、[0-9.]{1,8}(?:万亿|亿|万)?元){0,8}(?:的标准)?(?:给予|予以)?(?:的)?(?:一次性)?"
    rf"({GRANTS}|{_SUPPORT_GIVEN})"
)
# a rate given as a grant: 给予实际贷款利息50%的贴息 (the grant after the rate, the base before it)
_RATE_GRANT = re.compile(rf"的(?:一次性)?({GRANTS})")
_GIVES = re.compile(r"给予|予以|^按")
_GRANT_AFTER = re.compile(rf"{GRANTS}|{_SUPPORT_GIVEN}")
_GIVEN_EACH = re.compile(r"(?:给予|予以)(?:单个|每个|每家|单家|每项|单项|每户|每人)[\u4e00-\u9fff]{1,4}$")
_COMPLETED_TASK = re.compile(r"完成([\u4e00-\u9fff“”]{2,20}?)的$")
_ADVERBS = re.compile(r"年均|平均|实际|名义|同比|累计")
_REACHES = re.compile(r"(?:bps)?(?:到|进|入)([\u4e00-\u9fff]{1,6}?)(?=[、，,。；;（(的]|$)")


@dataclass(frozen=True, slots=True)
class Name:
    """What a figure names: the subject, the verbs before the number, the catalogue metric, how it was found."""

    subject: str
    verbs: str
    metric: Metric | None
    how: str  # left, right, list, carried, completed, earlier or none


def clause_before(text: str, lo: int, start: int, end: int | None = None) -> str:
    """The clause before a figure; a 分别 list keeps its 、-separated subjects, and so does a list of subjects whose
    values follow the figure (`end`: where the figure ends)."""
    window = text[max(lo, start - 60) : start]
    cut = max((m.end() for m in _HARD_CUT.finditer(window)), default=0)
    values_follow = end is not None and _NEXT_VALUE.match(text, end) is not None
    if "分别" not in window[cut:] and not EACH.search(window[cut:]) and not values_follow:
        cut = max((m.end() for m in _CLAUSE_CUT.finditer(window)), default=0)
    return window[cut:].strip()


_GIVES_IN = re.compile(r"给予|予以")


def _grant(word: str) -> str:
    """The name of a grant: 支持 alone is a verb, the grant it gives is 支持资金."""
    return "支持资金" if word == "支持" else word


def name_figure(text: str, q: Quantity, sent: tuple[int, int], raw_phrase: str, state: sj.SentenceState,
                region: str | None) -> Name:  # fmt: skip
    """What the figure names: its subject, the verbs before it, and the catalogue metric that is."""
    between = text[state.last_end : q.start]
    sep_only = not between.strip(" 、和及")
    subject, verbs, how = _subject(text, q, raw_phrase, state, sep_only, region)
    if how != "list":
        state.run = [*state.run, subject] if between.startswith(("、", "和", "及")) and state.run else [subject]
    state.after = subject if how == "right" else ""
    # a grant named after its amount (按每人2000元给予一次性扩岗补助) is what the caps after it are of
    named_grant = how == "right" and _GRANT_AFTER.search(subject[-2:]) is not None
    keeps = how not in ("right", "carried", "doing") or (how == "right" and (_number_first(raw_phrase) or named_grant))
    state.subject = subject if keeps and subject else state.subject
    state.verbs = verbs or state.verbs
    metric = _metric(_strip_region(subject, region), verbs, q.unit) if subject else None
    if not subject:
        for candidate in _earlier_clauses(text, sent[0], q.start):
            if (metric := _metric(_strip_region(candidate, region), verbs, q.unit)) is not None or not subject:
                subject, how = candidate, "earlier"
            if metric is not None:
                break
    after = _AFTER.match(text, q.end) if metric is None else None
    if after is not None and (found := resolve_leading(after.group(), q.unit)) is not None:
        return Name(after.group(), verbs, found, "right")
    return Name(subject, verbs, metric, how)


def _subject(text: str, q: Quantity, raw: str, state: sj.SentenceState, sep_only: bool,
             region: str | None) -> tuple[str, str, str]:  # fmt: skip
    """(subject, verbs, how it was found) of a figure."""
    left, verbs = sj.split_verbs(raw)
    if q.unit == BANDWIDTH and (reach := _REACHES.match(text, q.end)) is not None:
        return reach.group(1) + "带宽", raw, "right"  # 千兆到苏木乡镇: the bandwidth where it reaches
    listed = "分别" in verbs or ("、" in left and _NEXT_VALUE.match(text, q.end) is not None)
    if listed and left and (items := sj.list_items(left)):
        state.items, state.item = [items[0]] + [sj.complete(i, items[0], _resolver(q, region)) for i in items[1:]], 0
        return state.items[0], verbs, "list"
    if "分别" in verbs and not left and state.items and state.item + 1 == len(state.items):
        state.item = 0  # 分别新增266家和105家，累计分别达到891家和531家: the same list again
        return state.items[0], verbs, "list"
    if "分别" in verbs and not left and len(state.run) >= 2 and all(state.run):
        state.items, state.item = list(state.run), 0  # 出口218亿元、进口94亿元，分别增长8.1%、0.3%
        return state.items[0], verbs, "list"
    if not left and sep_only and state.items and state.item + 1 < len(state.items):
        state.item += 1
        return state.items[state.item], verbs or state.verbs, "list"
    if not left and state.items and state.item + 1 == len(state.items) and _TO_END.search(verbs):
        state.item = 0  # 分别从7642家、1665家增加到2.2万家、…: the list again, for the new values
        return state.items[0], verbs, "list"
    if left:
        state.items = []
    if left.startswith(("占", "相当于")) and state.subject:
        return state.subject + left, verbs, "carried"  # 占全省总数的四分之一: a share of the thing before
    grant = _GRANT.match(text, q.end) if "按" in raw else None
    said = normalise_phrase(raw)
    if grant is not None and (_RATE_BASE.fullmatch(left) or _RATE_BASE_END.search(said) or _BARE_RATE.search(said)):
        # 按(照不超过)设备投资额的10%给予补助, …的部分，按15%给予补助: the grant's rate
        return _for_whom(text, state.start, q.start) + _grant(grant.group(1)), left + verbs, "left"
    if q.unit == "%" and (grant := _RATE_GRANT.match(text, q.end)) is not None and _GIVES.search(raw):
        # 给予实际贷款利息50%的贴息: the grant, at that rate of its base
        return _for_whom(text, state.start, q.start) + grant.group(1), raw, "right"
    if q.unit in _MONEY and sj.verb_only(left) and not state.subject and (purpose := _FUNDS_FOR.match(text, q.end)):
        return purpose.group(1) + "资金", raw, "right"  # 统筹20亿元实施6个重大科技专项: funds named by their use
    if (granted := _GRANT_VERB.fullmatch(left)) is not None:
        # 分别奖励300万元、100万元, 一次性奖励20万元: the grant is the verb before the amount
        return _for_whom(text, state.start, q.start) + _grant(granted.group(1)), verbs, "left"
    given = _GIVEN.search(left)
    if given is not None and (grant := _GRANT_LIST.match(text, q.end)):
        # 分别给予50万元、100万元奖励, 对获得一、二、三等奖的项目分别给予…奖励: each amount of the list is the grant,
        # whoever the clause before says receives it
        return _for_whom(text, state.start, q.start) + _grant(grant.group(1)), raw, "right"
    if q.unit in _MONEY and (grant := _GRANT_LIST.match(text, q.end)) and _GIVES_IN.search(clause_to(text, q.start)):
        # 给予18家获奖企业87万元支持: the amount given, whoever the count before says receives it
        return _for_whom(text, state.start, q.start) + _grant(grant.group(1)), raw, "right"
    if (each := _GIVEN_EACH.search(left)) is not None and (grant := _GRANT_AFTER.match(text, q.end)) is not None:
        return _grant(grant.group()), left[each.start() :] + verbs, "right"  # 给予每个县1000万元支持: each one's grant
    if _PER_ITEM.fullmatch(left) or (_PER_ITEM_CAPPED.fullmatch(left) and _CAP_VERBS.search(verbs)):
        if _GRANT_AFTER.search(left):
            return left, verbs, "left"  # 每家企业补助不超过50万元: the grant is named before the number
        base = sj.bare_noun(state.subject) if state.subject else ""
        if (grant := _GRANT_AFTER.match(text, q.end)) is not None:
            return base + _grant(grant.group()), verbs, ("carried" if base else "right")  # 每个项目给予最高100万元补助
        return (base, verbs, "carried") if base else ("", raw, "none")
    rule = q.unit == "%" and (sj.verb_only(left) or _APPLY.fullmatch(left)) and _GROWTH_RULE.match(text, q.end)
    if rule and (earlier := _earlier_clauses(text, state.start, q.start)):
        # 加大财政科技投入，执行好20%的刚性增长机制: the rate at which the thing the clause before names must grow
        return earlier[0], raw + "增长", "earlier"
    right = sj.right_subject(text, q.end, q.unit, in_brackets=raw.startswith(("（", "(")) and sj.verb_only(left))
    if right and _right_names(left, right, q, region):
        if state.subject and (same := sj.refers_back(right, state.subject)):
            return same, raw, "completed"  # 4个国家重大科技基础设施…，5个设施: the same 设施
        if state.after and (same := sj.refers_back(right, state.after)):
            return same, raw, "completed"  # 形成112项制度创新成果，38项成果已向全国复制推广: the same 成果
        return right, raw, "right"
    if q.unit == "%" and not left and (doing := _SHARE_DOING.match(text, q.end)) is not None:
        # 外商投资限制性条目减少一半，95%以上实行备案管理: the share of them that does what the words after say
        whose = state.subject if state.subject and not _SEMICOLON.search(text, state.last_end, q.start) else ""
        return whose + doing.group(1), raw, "doing"
    if sj.verb_only(left):
        if state.after and _CHANGE_OF_IT.match(raw) and not _HARD_CUT.search(text, state.last_end + 1, q.start):
            return state.after, raw, "carried"  # 荣获53个奖项、比上次增长47%: the change of the count just named
        if state.subject:
            return state.subject, raw, "carried"
        task = _COMPLETED_TASK.search(verbs)  # 累计完成攻坚战总任务的42%: the task whose share is done
        if task:
            return task.group(1), verbs, "left"
        return "", raw, "none"
    if sj.modifier_only(left) and state.subject:
        return left + sj.bare_noun(state.subject), verbs, "carried"  # 其中国家级1个: 国家级 + 农业科技园区
    if left in sj.GENERIC and state.subject:
        return state.subject, left + verbs, "carried"  # 总量达到: the aggregate word says what is measured
    if (
        state.subject
        and len(left) <= 4
        and not _sub_list(text, q.start)
        and (done := sj.complete(left, state.subject, _resolver(q, region, verbs))) != left
    ):
        return done, verbs, "completed"
    return left, verbs, "left"


# the receiver of a support measure: 对新认定的国家级、省级智能工厂|，分别奖励…; 对企业购置设备的贷款|给予贴息
_FOR_WHOM = re.compile(r"对([^，,。；;：:对]{1,40}?)(?:[，,]|给予|予以|分别|按照|按|每)")
_NOT_A_RECEIVER = re.compile(r"[0-9０-９]|^(?:其|此|上述|以上)")


def _for_whom(text: str, sent_start: int, at: int) -> str:
    """The noun a support measure's 对 clause names as the receiver (智能工厂, 一类创新药, 贷款), to name its grant
    by (智能工厂奖励); "" when the sentence has none before the figure."""
    found = list(_FOR_WHOM.finditer(text, max(sent_start, at - 120), at))[-1:]
    if not found:
        return ""
    clause = found[0].group(1)
    noun = clause[clause.rfind("的") + 1 :].split("、")[-1]
    noun = sj.bare_noun(noun)
    if not 2 <= len(noun) <= 10 or _NOT_A_RECEIVER.search(noun) or sj.verb_only(noun):
        return ""
    return noun


# a share opening its clause, what the part does after it: 95%以上实行备案管理, 80%以上实现网上办理
_APPLY = re.compile(r"(?:执行|落实|保持|实行|坚持|建立|健全|完善)好?")
_GROWTH_RULE = re.compile(r"\s?的[\u4e00-\u9fff]{0,4}增长(?:机制|要求)")
_SEMICOLON = re.compile(r"[；;]")
_SHARE_DOING = re.compile(r"((?:实行|实现|开展|纳入|接入|完成)[\u4e00-\u9fff]{2,8})(?=[，。；,;])")


def _number_first(raw: str) -> bool:
    """启动首批|8家中试平台, 我省拥有|6个…产业集群, 首年关税为零的|2070种进口商品: only verbs or a modifying
    clause stand before the number."""
    return raw.endswith("的") or sj.verb_only(sj.split_verbs(raw)[0]) or sj.verb_only(normalise_phrase(raw))


def _sub_list(text: str, start: int) -> bool:
    """Whether the figure stands in a 其中 clause: its items are parts with names of their own (其中批发业72家、
    零售业65家), not attributes of the thing before."""
    window = text[max(0, start - 40) : start]
    return "其中" in window[max((m.end() for m in _HARD_CUT.finditer(window)), default=0) :]


def _right_names(left: str, right: str, q: Quantity, region: str | None) -> bool:
    """Whether the noun phrase after the number names it rather than the words before (8家中试平台; but
    全省粮食产量700亿斤 when only the words before name a catalogue metric, and 组织科技特派员200人次下乡服务 when
    the words after are what the counted do, not what they are)."""
    if sj.verb_only(left) or sj.modifier_only(left):
        return True
    named = _resolver(q, region)
    if named(right, 0) is not None:
        return True
    return named(left, 0) is None and not sj.predicate(right)


def _resolver(q: Quantity, region: str | None, verbs: str = "") -> sj.Resolver:
    def named(phrase: str, offset: int) -> Metric | None:
        phrase = _strip_region(phrase, region)
        if offset == 0:
            return resolve(phrase, q.unit) or resolve(phrase + verbs, q.unit)
        return resolve_past(phrase, q.unit, offset) or resolve_past(phrase + verbs, q.unit, offset)

    return named


def _metric(subject: str, verbs: str, unit: str | None) -> Metric | None:
    """The catalogue metric a subject names, alone or with its verb (经济|年均增长 → 经济增长)."""
    if not subject:
        return None
    return resolve(subject, unit) or resolve(subject + _ADVERBS.sub("", verbs), unit)


def _strip_region(subject: str, region: str | None) -> str:
    if region:
        for name in (region, region[:3], region[:2]):
            if subject.startswith(name):
                return normalise_phrase(subject[len(name) :])
    return subject


def _earlier_clauses(text: str, sent_start: int, start: int) -> list[str]:
    """Candidates for an elided subject with no earlier figure: 居民消费价格保持平稳，年均上涨1.9%."""
    clauses = _HARD_CUT.split(text[max(sent_start, start - 120) : start])
    found = [normalise_phrase(c) for c in reversed(clauses[:-1][-3:]) if QUANTITY_HINT.search(c) is None]
    return [c for c in found if c and not sj.verb_only(c)]
