"""Target records: every figure of a text with what it measures, its qualifier, status, period and confidence.

One pass over the numbers of the text. For each: is it a figure at all (notfigures), what does it name
(subjects: both sides of the number, carried and completed within the sentence), which catalogue metric is that
(metrics), what does it measure (measures), and which period and status does the nearest evidence give it
(periods, frames).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace

from monitor.extract import subjects as sj
from monitor.extract.frames import Frames, find_frames
from monitor.extract.measures import SHARE_OF_WHOLE, measure_of, qualifier_of
from monitor.extract.metrics import Metric, for_measure, resolve
from monitor.extract.model import DocumentInfo, Kind, Target
from monitor.extract.naming import EACH, Name, clause_before, name_figure
from monitor.extract.notfigures import is_baseline, not_a_figure
from monitor.extract.numbers import QUANTITY, Quantity, parse
from monitor.extract.periods import (
    When,
    baseline_when,
    listed_year,
    own_clause,
    own_term,
    plan_year,
    sentence_cues,
    when,
)
from monitor.extract.sections import Sections
from monitor.extract.tables import table_targets
from monitor.extract.units import CURRENCIES as _MONEY

_SENTENCE_END = re.compile(r"[。！？!?\n]")
# the noun a number-first count ends with before the next item of its list (2个省实验室|、2个基础学科研究中心)
_NOUN_THEN_ITEM = re.compile(r"^[\u4e00-\u9fff“”]{1,16}、")
_HARD_CUT = re.compile(r"[，,；;：:]")
_COMPARED = re.compile(r"比上年|比去年|较上年|同比|比20\d\d年")
_CONTEXT = 300  # characters of a (run-on) sentence kept on each side of a figure: linear time on any input
_SUB_AREA = re.compile(r"新片区|开发区|高新区|自贸试验区|自贸区|示范区|保税区|新区|片区|特区")
_LIST_QUALIFIERS = frozenset({"以内", "以上", "以下", "左右"})
FLAT = "持平"
_NEXT_IN_LIST = re.compile(r"\s?[、和及与]\s?[0-9零一二两三四五六七八九十百千]")
_RATES = frozenset({"%", "‰", "个百分点", "倍"})
# a stock or a value at a point of time, not something done over a period
_STOCK = re.compile(
    r"达到|达|突破|超过|超|跃上|迈上|总数|总量|规模|拥有|保有|存量|余额|稳定在|保持在|(?:到|至)(?:(?:19|20)\d\d年(?:底|末)?的?)?(?:近|约)?$"
)
_STOCK_LAST = re.compile(r"(?:达到|突破|跃上|迈上|稳定在|保持在)$")
_RATE_AFTER = re.compile(r"的(?:[\u4e00-\u9fff]{0,2})(?:增速|增幅|增长|涨幅)")
_LIST_VERB = re.compile(
    r"新增|新建|新培育|新认定|新开工|新引进|新组建|新设立|新获批|培育|引进|招引|创建|认定|建成|累计|遴选|获批|打造|"
    r"淘汰|化解|压减|关停"
)
# the clause's own count of years (五年, 五年来, 三年内, 3年间); not a date (2025年) nor 上个五年, 五年前
_OVER_YEARS = re.compile(r"(?<![\d上个])(?:[两三四五]|[2-5])年(?:来|间|内)?(?![前末底])")
_DONE = re.compile(r"完成|实施|改造|治理|整治")
_NEWLY = re.compile(r"新(?:增|建|设|登记|引进|开工|认定|培育|注册|获批|入选)")
_PURPOSE = re.compile(r"(?:资金)?(?:重点|专项|主要)?(?:支持|用于|投向)")
_MEASURE_VERB = re.compile(r"增长|下降|降低|提高|提升|减少|控制|新增|净增|新建|新认定|新培育|占|比重|增加|扩大|累计")
# a support measure's condition clause, up to the comma before what is given (对上年度…的企业，)
_CONDITION = re.compile(
    r"对[^，,。；;]{1,40}的[\u4e00-\u9fff]{0,10}[，,](?=[^，,。；;]{0,12}?(?:给予|予以|按|奖励|补助|补贴))"
)
_HOW_SURE = {"left": 1.0, "list": 0.95, "right": 0.9, "carried": 0.9, "doing": 0.85, "completed": 0.85, "earlier": 0.7}
_EVIDENCE_SURE = {"clause": 1.0, "frame": 0.95, "section": 0.95, "cue": 0.8, "document": 0.7}


class _Bounds:
    def __init__(self, text: str) -> None:
        self.ends = [m.start() for m in _SENTENCE_END.finditer(text)]
        self.size = len(text)

    def of(self, offset: int) -> tuple[int, int]:
        i = bisect_right(self.ends, offset)
        start = self.ends[i - 1] + 1 if i > 0 else 0
        j = bisect_left(self.ends, offset)
        end = self.ends[j] + 1 if j < len(self.ends) else self.size
        return start, end


@dataclass(slots=True)
class _Context:
    """What one figure is read against: the text, its parts and frames, the document and the sentence so far."""

    text: str
    sections: Sections
    frames: Frames
    doc: DocumentInfo
    state: sj.SentenceState
    members: list[Target]
    previous: When | None = None
    last: Target | None = None  # the sentence's previous figure
    cues: dict[int, list[re.Match[str]]] = field(default_factory=dict)  # sentence start → its clause cues


def extract_targets(text: str, sections: Sections, doc: DocumentInfo) -> list[Target]:
    """Every measured figure in the text, as Target records in text order."""
    frames = find_frames(text, sections, doc.year, plan_year(doc), own_term=doc.doc_type == "plan")
    bounds, out = _Bounds(text), []
    ctx = _Context(text, sections, frames, doc, sj.SentenceState(), [])
    tabled, rows = table_targets(text, doc, plan_year(doc), own_term(doc), lambda m, s: _display_name(m, s, doc.region))
    row = 0
    for m in QUANTITY.finditer(text):
        while row < len(rows) and rows[row][1] <= m.start():
            row += 1
        if row < len(rows) and rows[row][0] <= m.start():
            continue  # a table's row: read by its columns
        q = parse(m, text)
        if q is None or not_a_figure(q, text):
            continue
        sent = bounds.of(q.start)
        if ctx.state.start != sent[0]:
            ctx.state, ctx.members, ctx.previous = sj.SentenceState(start=sent[0], last_end=sent[0]), [], None
            ctx.last = None
        target = _target(ctx, q, sent)
        ctx.state.last_end = q.end
        if target is not None:
            if ctx.last is not None:
                _share_the_noun(text, ctx.last, target)
            out += _each(target, text, doc.region)
            ctx.last = target
            _share_list_qualifier(ctx, target)
    out = [t for t in out if t.metric]  # a count the next one was to name, and did not, is no figure
    if tabled:
        for t in tabled:
            section = sections.at(t.span[0])
            t.section = section.kind if section else ""
        out = sorted(out + tabled, key=lambda t: t.span)
    return out


# what may stand between two counts that share the noun after the second: 的2034种、…的2725种出口商品,
# 20多个100亿级以上、400多个10亿级以上的重大产业项目
_PLACE_ITEM = re.compile(r"[\u4e00-\u9fff]{2,5}")  # a short name said alone before its count, no verb
_TIER_BETWEEN = re.compile(r"(?:\d{1,4}(?:\.\d{1,2})?(?:万亿|亿|万)?元?级(?:及)?(?:以上)?)?、")


def _share_the_noun(text: str, last: Target, target: Target) -> None:
    """A count whose own words name nothing (a modifier ending in 的, or verbs only) takes the noun named after the
    next count of the same list: 首年关税为零的2034种、5年内关税减让显著的2725种出口商品."""
    if last.unit != target.unit or last.unit in _RATES:
        return
    joint = _TIER_BETWEEN.match(text, last.span[1])
    if joint is None or _HARD_CUT.search(text, last.span[1], target.span[0]) or target.span[0] - joint.end() > 24:
        return
    right = sj.right_subject(text, target.span[1], target.unit)
    if right == target.metric and all(
        _PLACE_ITEM.fullmatch(p) and not _LIST_VERB.search(p) and not _MEASURE_VERB.search(p)
        for p in (last.phrase, target.phrase)
    ):
        # 黄浦江45公里、苏州河42公里岸线贯通开放: each item names a place, the words after the last one what is measured
        last.metric, target.metric = last.phrase + right, target.phrase + right
        last.metric_key = target.metric_key = None
        return
    if not (last.phrase.endswith("的") or sj.verb_only(last.phrase)):
        return
    if right and target.metric.endswith(right):
        last.metric, last.metric_key = target.metric, target.metric_key


def _each(target: Target, text: str, region: str | None = None) -> list[Target]:
    """高新技术企业、科技型中小企业均突破1.2万家, 化学需氧量、氨氮排放量分别下降2%: one number said of several
    things is a figure for each."""
    listed = "分别" in target.phrase
    if listed and _NEXT_IN_LIST.match(text, target.span[1]):
        return [target]  # a 分别 list with a value for each item: aligned already
    if not listed and not EACH.search(target.phrase):
        return [target]
    left, _ = sj.split_verbs(target.phrase)
    items = sj.list_items(left) if ("、" in left or "和" in left) else []
    if len(items) < 2:
        return [target]
    named = [(item, resolve(item, target.unit)) for item in items]
    return [
        replace(target, metric=_display_name(found, item, region), metric_key=found.key if found else None)
        for item, found in named
    ]


def _share_list_qualifier(ctx: _Context, target: Target) -> None:
    """分别控制在5%和3%以内: the qualifier after the last figure of a 分别 list holds for all of them."""
    state = ctx.state
    if not state.items:
        ctx.members = []
        return
    ctx.members = [*ctx.members[-state.item :], target] if state.item else [target]
    if state.item == len(state.items) - 1 and target.qualifier in _LIST_QUALIFIERS:
        for member in ctx.members[:-1]:
            member.qualifier = member.qualifier or target.qualifier


def _target(ctx: _Context, q: Quantity, sent: tuple[int, int]) -> Target | None:
    text = ctx.text
    raw_phrase = clause_before(text, ctx.state.last_end, q.start, q.end)
    name = name_figure(text, q, sent, raw_phrase, ctx.state, ctx.doc.region)
    if name.metric is None and sj.verb_only(name.subject) and not _TIER_BETWEEN.match(text, q.end):
        return None  # a number with no nameable subject is not a figure (unless the next count names it)
    unit = q.unit or ("人" if sj.people(name.subject) else None)  # 帮扶32.8万就业困难群众: a count of people
    qualifier = qualifier_of(q.suffix, text[max(0, q.start - 4) : q.start].rstrip())
    kind = _measure(ctx, q, name, qualifier, raw_phrase)
    metric = _checked_metric(ctx, name, kind, sent, raw_phrase, q.start, q.end)
    prefix = text[max(sent[0], q.start - _CONTEXT) : q.start]
    section = ctx.sections.at(q.start)
    para_start = text.rfind("\n", max(0, q.start - 2000), q.start) + 1
    found = when(prefix, ctx.frames.at(q.start), section, ctx.doc, text[para_start : para_start + 8], ctx.previous,
                 qualifier, _cues_before(ctx, sent, q.start))  # fmt: skip
    if (listed := listed_year(text[max(sent[0], q.start - 80) : q.start], ctx.doc)) is not None:
        found = listed  # 2025年、2026年分别开工1000个、800个: each figure the year of its place in the list
    if is_baseline(text, q.start, q.end):
        found = baseline_when(text, q.start, found, ctx.doc)
    else:
        ctx.previous = found
    if found.past_term:
        kind, found = _over_past_term(kind, found, name, unit)
    elif (
        (kind == "increment" or (kind == "level" and _DONE.search(name.verbs or name.subject)))
        and found.term is not None
        and unit not in _RATES
        and _OVER_YEARS.search(own_clause(prefix))
    ):
        # 五年新增养老床位2.65万张, 五年来新建改建农村公路680公里, 五年完成283.7万平方米: done, summed over the years
        kind = "cumulative"
    if FLAT in q.raw and found.status != "target":
        return None  # 与上年持平 is a goal's wording; a result says its number
    shown = (
        sj.noun_part(name.subject) if name.how == "carried" and kind not in ("increment", "growth") else name.subject
    )
    return Target(
        metric=_display_name(metric, shown, ctx.doc.region),
        metric_key=metric.key if metric else None,
        phrase=raw_phrase,
        value=q.value,
        value_max=q.value_max,
        unit=unit,
        qualifier=qualifier,
        kind=kind,
        status=found.status,
        year=found.year,
        sentence=text[max(sent[0], q.start - _CONTEXT) : min(sent[1], q.end + _CONTEXT)].strip(),
        span=(q.start, q.end),
        raw=q.raw,
        headline=_headline(metric, kind, q.unit, name.verbs, prefix),
        section=section.kind if section else "",
        term=found.term,
        confidence=_confidence(name, found, metric),
    )


def _cues_before(ctx: _Context, sent: tuple[int, int], at: int) -> list[re.Match[str]]:
    """The clause cues of the figure's sentence that stand before it (within the sentence context kept)."""
    if sent[0] not in ctx.cues:
        ctx.cues = {sent[0]: sentence_cues(ctx.text, sent[0], sent[1])}  # one sentence at a time
    cues = [m for m in ctx.cues[sent[0]] if m.end() <= at and m.start() >= at - _CONTEXT]
    lo = max(sent[0], at - _CONTEXT)
    if not cues or ctx.text.find("对", lo, at) < 0:
        return cues
    conditions = list(_CONDITION.finditer(ctx.text, lo, at))
    if not conditions:
        return cues
    # 对上年度研发投入…的企业，按…给予奖励: the condition's own time words do not date the grant
    lo, hi = conditions[-1].span()
    return [m for m in cues if not lo <= m.start() < hi]


def _over_past_term(kind: Kind, found: When, name: Name, unit: str | None) -> tuple[Kind, When]:
    """In a review of a whole past term (过去五年…), what was done is summed over the term (建成90个示范村:
    cumulative) while a stock or a rate at its end (地区生产总值突破4万亿元, 比重达到30%) is of its last year."""
    stock = _STOCK.search(name.verbs) or _STOCK_LAST.search(name.subject)  # 工业总产值迈上4万亿元: verb in the subject
    if unit not in _RATES and (kind in ("increment", "cumulative") or (kind == "level" and not stock)):
        return "cumulative", found
    if kind in ("level", "share") or (unit not in _RATES and stock):
        return kind, replace(found, term=None, past_term=False)
    return kind, found


def _display_name(metric: Metric | None, subject: str, region: str | None = None) -> str:
    """A headline metric keeps its catalogue name (comparable across years; the country's own wording in the
    national reports); any other figure is named as the text names it (集装箱吞吐量, 技术交易额, 重点实验室群),
    which says best what it measures."""
    if metric is None or (metric.headline is None and subject):
        return subject or (metric.name if metric else "")
    return metric.shown_for(region)


def _measure(ctx: _Context, q: Quantity, name: Name, qualifier: str | None, phrase: str = "") -> Kind:
    """The figure's measure; one whose subject is carried and whose verbs say nothing new keeps the one before
    (增长15%以上、力争达到20%: both growth)."""
    if FLAT in q.raw:
        return "growth"
    kind = measure_of(name.subject, name.verbs, q.unit, qualifier, name.metric)
    if q.unit in ("%", "‰") and kind == "level" and ctx.text.startswith("的", q.end):
        # 62%的入境航班, 覆盖80%以上的大城市: a share of the things named after; 6.5%的增速 is a rate
        return "growth" if _RATE_AFTER.match(ctx.text, q.end) else "share"
    last = ctx.last
    if last is None or _MEASURE_VERB.search(name.verbs):
        return kind
    if kind == "cap":
        return kind  # 每个品种奖励200万元，单家企业每年最高1000万元: the cap is said, whatever was carried
    if kind == "share" and SHARE_OF_WHOLE.search(name.subject):
        return kind  # 增长7.1%，占全市比重达到18.6%: the carried subject's share of the whole, not its growth
    if (
        phrase.startswith("其中")
        and last.unit == q.unit
        and last.kind == "increment"
        and (_NEWLY.search(last.phrase) or (_LIST_VERB.search(last.phrase) and "的" not in phrase))
    ):
        # 新登记市场主体5860户，其中企业3120户; 建成创新平台30个，其中国家级平台5个: a part of what was newly
        # added is added too (a part defined by a size, 其中营收超10亿元的企业8家, is counted as it stands)
        return last.kind
    if name.how == "carried" and last.unit == q.unit:
        if last.kind == "increment" and q.unit not in _RATES and _STOCK.search(name.verbs):
            return "level"  # 新建公共充电桩2万个，总量达到8万个: the stock the increment led to
        return last.kind
    if (
        kind == "level"
        and last.kind in ("increment", "cumulative", "reduction")
        and _same_verb_list(ctx.text, last, q, name)
    ):
        return last.kind  # 新建公共充电桩2万个、换电站200座: the verb before the list holds for each item
    return kind


def _same_verb_list(text: str, last: Target, q: Quantity, name: Name) -> bool:
    """Whether the figure is the next item of a 、 list of counts that the previous figure opened with a verb of
    new things or of a running total (新增, 新建, 新认定, 累计 …); ongoing work (建设, 安排) does not carry."""
    between = _NOUN_THEN_ITEM.sub("、", text[last.span[1] : q.start], count=1)  # 新建2个省实验室、2个…: the noun
    if not between.startswith("、") or _HARD_CUT.search(between):
        return False
    window = text[max(0, last.span[0] - 60) : last.span[0]]
    opened = window[max((m.end() for m in _HARD_CUT.finditer(window)), default=0) :]
    if not _LIST_VERB.search(opened):
        return False
    if {last.unit, q.unit} & (_RATES | _MONEY):
        return False
    return not sj.verb_only(name.subject) and not _STOCK.search(between) and not between.startswith("、总")


def _checked_metric(ctx: _Context, name: Name, kind: Kind, sent: tuple[int, int], raw_phrase: str,
                    at: int, end: int) -> Metric | None:  # fmt: skip
    """The catalogue metric, unless the figure is a share of it, a count of a list, or a zone's figure."""
    metric = name.metric
    if metric is None:
        return None
    if kind == "share" and metric.measure != "share":
        return None  # 进出口占全省比重: a share of the aggregate, not the aggregate
    if name.subject.endswith("等"):
        return None  # 新能源汽车及动力电池等15个产业: a count of the list, not its last item
    if metric.strict and _zone_topic(ctx.text[sent[0] : min(at, sent[0] + 200)], raw_phrase):
        return None  # 临港新片区…全社会固定资产投资增长10.3%: a zone's figure, not the region's
    if _PURPOSE.match(ctx.text, end):
        return None  # 安排超长期特别国债3000亿元支持以旧换新: a share earmarked for a purpose, not the total
    return for_measure(metric, kind)


def _zone_topic(sentence_prefix: str, phrase: str) -> bool:
    """Whether the sentence is about a zone (its opening clause or the figure's own clause names one)."""
    opening = _HARD_CUT.split(sentence_prefix, maxsplit=1)[0]
    return bool(_SUB_AREA.search(opening) or _SUB_AREA.search(phrase))


def _headline(metric: Metric | None, kind: str, unit: str | None, verbs: str, prefix: str) -> bool:
    if metric is None:
        return False
    if _COMPARED.search(verbs) and (kind == "increment" or unit == "个百分点"):
        return False
    return metric.headline is not None or "主要预期目标" in prefix


def _confidence(name: Name, found: When, metric: Metric | None) -> float:
    """How sure the figure is: how its name was found, which evidence gave its period, whether it is catalogued."""
    sure = _HOW_SURE.get(name.how, 0.7) * _EVIDENCE_SURE.get(found.strength, 0.7)
    if metric is None and len(name.subject) < 3:
        sure *= 0.8
    return round(sure, 2)
