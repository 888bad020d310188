"""Target records: the figure, what it measures, its qualifier, kind, status and year."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from monitor.extract.cues import kind_of, qualifier_of, status_of, year_of
from monitor.extract.metrics import Metric, normalise_phrase, resolve, resolve_leading
from monitor.extract.model import DocumentInfo, Status, Target
from monitor.extract.numbers import QUANTITY, Quantity, parse
from monitor.extract.sections import Section, Sections

_SENTENCE_END = re.compile(r"[。！？!?\n]")
_CLAUSE_CUT = re.compile(r"[，,；;：:、]")
_HARD_CUT = re.compile(r"[，,；;：:]")
QUANTITY_HINT = re.compile(r"\d")
_COMPARED = re.compile(r"比上年|比去年|较上年|同比|比20\d\d年")
_TRAIL = re.compile(
    r"(?:分别|比上年|比去年|较上年|比2\d{3}年|同比|年均|平均|累计|力争|确保|争取|预计|达到|达|增长|下降|降低|"
    r"提高到|提高|提升到|提升|上升至|上升到|上升|增加到|增加|减少|控制在|保持在|稳定在|实现|完成|拟按|拟发行|拟安排|先发行|发行|安排|拟|按|"
    r"为|是|在|至|到|超过|突破|约|近|了|首次|跃上|跨过|进一步|以上|全年|居|跃升至|跃升|逾|接近|再|实际|名义|不到|高于|低于|"
    r"不低于|不少于|不超过|不高于|目标|发展到|净增|新增|回落|上涨|涨幅|增速|增幅|降幅)+$"
)
_CONTEXT = 300  # characters of a (run-on) sentence kept on each side of a figure: linear time on any input
_LIST_SPLIT = re.compile(r"、")
_LIST_SPLIT_AND = re.compile(r"、|和|及|与")
_HEADS = (
    "占比",
    "比重",
    "增加值",
    "营业收入",
    "收入",
    "支出",
    "投资",
    "产量",
    "产值",
    "企业",
    "数量",
    "规模",
    "比重",
    "总额",
)
# 从70万亿元增加到100万亿元: the first figure is only the starting point
_BASELINE_BEFORE = re.compile(
    r"(?:从|由)(?:(?:19|20)\d\d年的?)?(?:每人每月|每人每年|每人|人均|每月|每年)?(?:不到|近|约)?$"
)
_BASELINE_AFTER = re.compile(r"(?:增加|提高|提升|上升|增长|扩大|发展|下降|降低|减少)?(?:到|至)")
_MASKED_YEAR = re.compile(r"(?:19|20)?[xX×]{2}年|20[xX×]{2}")
_NO_SHARE_KEYS = frozenset(
    [
        "gdp_growth",
        "gdp",
        "foreign_trade",
        "exports",
        "imports",
        "industrial_value_added",
        "fixed_asset_investment",
        "retail_sales",
        "general_budget_revenue",
        "general_budget_expenditure",
        "resident_income",
        "foreign_investment",
        "grain_output",
        "cpi",
        "urban_new_jobs",
    ]
)
_SUB_AREA = re.compile(r"新片区|开发区|高新区|自贸试验区|自贸区|示范区|保税区|新区|片区|特区")
_LIST_QUALIFIERS = frozenset({"以内", "以上", "以下", "左右"})
_OPEN_QUOTES, _CLOSE_QUOTES = "“「《", "”」》"
_HEADLINE_KEYS = frozenset(
    [
        "gdp_growth",
        "gdp",
        "cpi",
        "surveyed_unemployment",
        "registered_unemployment",
        "urban_new_jobs",
        "deficit_ratio",
        "deficit",
        "special_bonds",
        "ultra_long_bonds",
        "special_treasury_bonds",
        "government_debt",
        "general_budget_revenue",
        "general_budget_expenditure",
        "grain_output",
        "energy_intensity",
        "resident_income",
        "urban_income",
        "rural_income",
        "rd_intensity",
        "fixed_asset_investment",
        "retail_sales",
        "foreign_trade",
        "industrial_value_added",
    ]
)


@dataclass(slots=True)
class _SentenceState:
    """What earlier figures of the same sentence left for later ones (subjects, 分别 lists)."""

    start: int = -1
    subject: str = ""
    verbs: str = ""
    status: Status | None = None
    members: list[Target] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    item: int = 0
    last_end: int = 0


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


def in_name(text: str, start: int, end: int) -> bool:
    """Figures inside names: 第3届, “5个90%”行动, “4+4科创工程”."""
    before = text[max(0, start - 12) : start]
    if before[-1:] in {"第", "前", "·", "#", "№"}:
        return True
    opened = max(before.rfind(q) for q in _OPEN_QUOTES)
    if opened < 0 or any(q in before[opened:] for q in _CLOSE_QUOTES):
        return False
    after = text[end : end + 12]
    closes = [i for i in (after.find(q) for q in _CLOSE_QUOTES) if i >= 0]
    opens = [i for i in (after.find(q) for q in _OPEN_QUOTES) if i >= 0]
    return bool(closes) and (not opens or min(closes) < min(opens))


def is_baseline(text: str, start: int, end: int) -> bool:
    """The starting point of a change (从X增加到Y), or a figure whose year is masked (20xx年的120家)."""
    before = text[max(0, start - 12) : start]
    if _BASELINE_BEFORE.search(before) and _BASELINE_AFTER.match(text, end):
        return True
    wide = text[max(0, start - 40) : start]
    clause = wide[max(wide.rfind(c) for c in "，。；\n") + 1 :]
    return _MASKED_YEAR.search(clause) is not None


def _age(q: Quantity, text: str) -> bool:
    """为60岁以上老年人, 0-6岁儿童: an age bracket names a group, it is not a figure (寿命 is)."""
    return q.unit == "岁" and "寿命" not in text[max(0, q.start - 12) : q.start]


def _split_list(subject: str, count_hint: int = 0) -> list[str]:
    items = [i for i in _LIST_SPLIT.split(subject) if i]
    if len(items) < 2:
        items = [i for i in _LIST_SPLIT_AND.split(subject) if i]
    if len(items) < 2:
        return []
    head = next((h for h in _HEADS if items[-1].endswith(h)), "")
    return [i if not head or i.endswith(head) else i + head for i in items]


def _phrase(text: str, lo: int, start: int) -> str:
    """The clause before a figure; a 分别 list keeps its 、-separated subjects."""
    window = text[max(lo, start - 60) : start]
    cut = max((m.end() for m in _HARD_CUT.finditer(window)), default=0)
    if "分别" not in window[cut:]:
        cut = max((m.end() for m in _CLAUSE_CUT.finditer(window)), default=0)
    return window[cut:].strip()


def _subject(raw: str, state: _SentenceState, sep_only: bool) -> tuple[str, str]:
    """(subject, trailing verbs) of a figure, falling back on the sentence's earlier subject."""
    trail = _TRAIL.search(raw)
    verbs = trail.group() if trail else ""
    subject = normalise_phrase(raw[: trail.start()] if trail else raw)
    if "分别" in verbs and subject and (items := _split_list(subject)):
        state.items, state.item = items, 0
        return items[0], verbs
    if not subject and sep_only and state.items and state.item + 1 < len(state.items):
        state.item += 1
        return state.items[state.item], verbs or state.verbs
    if not subject or (subject in _GENERIC and state.subject):
        return state.subject, verbs
    state.items = []
    return subject, verbs


def extract_targets(text: str, sections: Sections, doc: DocumentInfo) -> list[Target]:
    """Every measured figure in the text, as Target records in text order."""
    bounds, state, out = _Bounds(text), _SentenceState(), []
    for m in QUANTITY.finditer(text):
        q = parse(m, text)
        if q is None or in_name(text, q.start, q.end) or is_baseline(text, q.start, q.end) or _age(q, text):
            continue
        s_start, s_end = bounds.of(q.start)
        if state.start != s_start:
            state = _SentenceState(start=s_start, last_end=s_start)
        target = _target(text, q, (s_start, s_end), state, sections, doc)
        state.last_end = q.end
        if target is not None:
            out.append(target)
            _share_list_qualifier(state, target)
    return out


def _share_list_qualifier(state: _SentenceState, target: Target) -> None:
    """分别控制在5%和3%以内: the qualifier after the last figure of a 分别 list holds for all of them."""
    if not state.items:
        state.members = []
        return
    state.members = [*state.members[-state.item :], target] if state.item else [target]
    if state.item == len(state.items) - 1 and target.qualifier in _LIST_QUALIFIERS:
        for member in state.members[:-1]:
            member.qualifier = member.qualifier or target.qualifier


def _target(
    text: str, q: Quantity, sent: tuple[int, int], state: _SentenceState, sections: Sections, doc: DocumentInfo
) -> Target | None:
    raw_phrase = _phrase(text, state.last_end, q.start)
    subject, verbs, metric = _what(text, q, sent, raw_phrase, state, doc.region)
    kind = kind_of(subject, verbs, q.unit, metric.key if metric else None)
    prefix = text[max(sent[0], q.start - _CONTEXT) : q.start]
    if metric is not None and kind == "share" and metric.key in _NO_SHARE_KEYS:
        metric = None  # 进出口占全省比重: a share of the aggregate, not the aggregate
    if subject.endswith("等"):
        metric = None  # 新能源汽车及动力电池等15个产业: a count of the list, not its last item
    if metric is not None and metric.strict and _zone_topic(text[sent[0] : min(q.start, sent[0] + 200)], raw_phrase):
        metric = None  # 临港新片区…全社会固定资产投资增长10.3%: a zone's figure, not the region's
    section = sections.at(q.start)
    qualifier = qualifier_of(q.suffix, text[max(0, q.start - 4) : q.start].rstrip())
    para_start = text.rfind("\n", max(0, q.start - 2000), q.start) + 1
    paragraph = text[para_start : para_start + 8]
    status = status_of(prefix, section, doc.doc_type, qualifier, paragraph, state.status)
    state.status = status
    return Target(
        metric=metric.name if metric else subject,
        metric_key=metric.key if metric else None,
        phrase=raw_phrase,
        value=q.value,
        value_max=q.value_max,
        unit=q.unit,
        qualifier=qualifier,
        kind=kind,
        status=status,
        year=year_of(status, prefix, section, doc, text[_lead_start(section, q.start) : q.start]),
        sentence=text[max(sent[0], q.start - _CONTEXT) : min(sent[1], q.end + _CONTEXT)].strip(),
        span=(q.start, q.end),
        raw=q.raw,
        headline=_headline(metric.key if metric else None, kind, q.unit, verbs, prefix),
        section=section.kind if section else "",
    )


def _what(
    text: str, q: Quantity, sent: tuple[int, int], raw_phrase: str, state: _SentenceState, region: str | None
) -> tuple[str, str, Metric | None]:
    """(subject, trailing verbs, canonical metric) of a figure."""
    sep_only = not text[state.last_end : q.start].strip(" 、和及")
    subject, verbs = _subject(raw_phrase, state, sep_only)
    state.subject = subject or state.subject
    state.verbs = verbs or state.verbs
    candidates = [subject] if subject else _earlier_clauses(text, sent[0], q.start)
    metric = None
    for candidate in candidates:
        if (metric := _metric(_strip_region(candidate, region), verbs, q.unit)) is not None:
            subject = candidate
            break
    subject = subject or next(iter(candidates), "")
    after = _AFTER.match(text, q.end) if metric is None else None
    if after is not None and (metric := resolve_leading(after.group(), q.unit)) is not None:
        subject = after.group()
    return subject, verbs, metric


def _zone_topic(sentence_prefix: str, phrase: str) -> bool:
    """Whether the sentence is about a zone (its opening clause or the figure's own clause names one)."""
    opening = _HARD_CUT.split(sentence_prefix, maxsplit=1)[0]
    return bool(_SUB_AREA.search(opening) or _SUB_AREA.search(phrase))


def _metric(subject: str, verbs: str, unit: str | None) -> Metric | None:
    if not subject:
        return None
    return resolve(subject, unit) or resolve(subject + verbs, unit)


def _strip_region(subject: str, region: str | None) -> str:
    if region:
        for name in (region, region[:3], region[:2]):
            if subject.startswith(name):
                return normalise_phrase(subject[len(name) :])
    return subject


# 完成5200亿元固定资产投资目标: the metric named right after the figure
_AFTER = re.compile(r"[^，,；;。、：:（(]{2,14}")
_GENERIC = frozenset({"总量", "总额", "规模", "总规模", "增速", "总值"})


def _earlier_clauses(text: str, sent_start: int, start: int) -> list[str]:
    """Candidates for an elided subject with no earlier figure: 居民消费价格保持平稳，年均上涨1.9%."""
    clauses = _HARD_CUT.split(text[max(sent_start, start - 120) : start])
    found = [normalise_phrase(c) for c in reversed(clauses[:-1][-3:]) if QUANTITY_HINT.search(c) is None]
    return [c for c in found if c]


_LEAD = 1500  # how far back a 今后五年 framing of the goals can stand


def _lead_start(section: Section | None, at: int) -> int:
    """Where the framing of a figure's goals may start: its section, at most `_LEAD` characters back."""
    return max(section.start if section else 0, at - _LEAD)


def _headline(key: str | None, kind: str, unit: str | None, verbs: str, prefix: str) -> bool:
    if key is None:
        return False
    if _COMPARED.search(verbs) and (kind == "increment" or unit == "个百分点"):
        return False
    return key in _HEADLINE_KEYS or "主要预期目标" in prefix
