"""Cue words: qualifier, kind, status (target / achieved / expected) and year of a figure."""

from __future__ import annotations

import re

from monitor.extract.model import DocumentInfo, Kind, Status
from monitor.extract.sections import Section

_SUFFIX_QUALIFIER = {
    "左右": "左右",
    "上下": "左右",
    "以上": "以上",
    "以内": "以内",
    "以下": "以下",
    "多": "余",
    "余": "余",
}
_PREFIX_QUALIFIER = re.compile(r"(不到|不低于|不少于|不超过|不高于|超过|突破|大约|约|近|逾|高于|低于|超)$")
_PREFIX_NORMAL = {"不少于": "不低于", "不高于": "不超过", "逾": "超过", "超": "超过", "大约": "约"}

_CHANGE = re.compile(r"增长|下降|降低|上涨|涨幅|增速|增幅|降幅|减少|回落|下滑|提高|上升|提升|增加|扩大|缩小|降")
_TO_LEVEL = re.compile(r"(?:到|至|为)$")
_NEW = re.compile(r"新增|新建|净增|新培育|新认定|新开工|新引进|新发展|新落地|新组建|新设立")
_GROWTH_KEYS = frozenset({"gdp_growth", "cpi"})
_LEVEL_SHARE_KEYS = frozenset({"rd_intensity", "env_investment", "basic_research_share"})

_EXPECTED = re.compile(r"预计(?!到)")
_TARGET_CUE = re.compile(r"力争|确保|争取|目标|预期|拟|计划|力求|今年(?!以来)|明年|(?:到|至)(?:19|20)\d\d年")
_REVIEW_TARGET_CUE = re.compile(r"力争|今年(?!以来)|明年|预期目标为|(?:到|至)20\d\d年")
_PAST_CUE = re.compile(r"比上年|同比|较上年|完成|实现了|已经|累计|达到|去年|上年|过去|获评|居全国|创历史")
_LOOK_BACK = re.compile(r"[◉●•\s]*(?:过去|一年来|五年来|回顾|(?:19|20)\d\d年(?:以来|，|,))")
_TARGET_QUALIFIERS = frozenset({"左右", "以上", "不低于", "以内", "不超过", "以下"})
_FIVE_YEAR_PLAN = re.compile(r"“?(十[一二三四五六])五”?(?:时期|规划)?(?:的)?(?:主要)?(?:目标|发展目标)")
_FIVE_YEAR_END = {"十一": 2010, "十二": 2015, "十三": 2020, "十四": 2025, "十五": 2030, "十六": 2035}
_TARGET_YEAR = re.compile(r"(?:到|至|力争到|力争在|在)((?:19|20)\d\d)年(?:底|末)?")


def qualifier_of(suffix: str | None, before: str) -> str | None:
    """左右, 以上, 以内, 以下, 不低于, 不超过, 超过, 突破, 约, 近, 余 … from the words around the figure."""
    if suffix:
        return _SUFFIX_QUALIFIER[suffix]
    if (m := _PREFIX_QUALIFIER.search(before)) is not None:
        return _PREFIX_NORMAL.get(m.group(1), m.group(1))
    return None


def kind_of(subject: str, verbs: str, unit: str | None, key: str | None) -> Kind:
    """level, growth (增长/下降 rates), increment (新增 counts) or share (占比/比重)."""
    changes = _CHANGE.search(verbs) is not None and _TO_LEVEL.search(verbs) is None
    if unit == "个百分点":
        return "growth" if changes or key in _GROWTH_KEYS else "level"
    if unit in {"%", "‰"}:
        return _percent_kind(subject, changes, key)
    if unit == "倍":
        return "growth"
    if _NEW.search(subject) or _NEW.search(verbs) or changes:
        return "increment"
    return "level"


def _percent_kind(subject: str, changes: bool, key: str | None) -> Kind:
    if key in _GROWTH_KEYS or changes or subject.endswith(("增速", "增幅", "涨幅", "降幅")):
        return "growth"
    if key not in _LEVEL_SHARE_KEYS and ("占" in subject or subject.endswith(("比重", "占比"))):
        return "share"
    return "level"


def status_of(
    prefix: str,
    section: Section | None,
    doc_type: str | None,
    qualifier: str | None,
    paragraph: str = "",
    previous: Status | None = None,
) -> Status:
    """target / achieved / expected: 预计 first, then the report part, then cue words.

    `paragraph` is the opening of the figure's paragraph (过去五年，… marks a look back); `previous` the status of
    an earlier figure of the same sentence, which a figure without cues of its own shares.
    """
    if _EXPECTED.search(prefix):
        return "expected"
    kind = section.kind if section else None
    if kind == "plan":
        return "target"
    if kind == "review":
        return "target" if _REVIEW_TARGET_CUE.search(prefix) else "achieved"
    if kind == "mixed":
        looks_back = _LOOK_BACK.match(paragraph) or (_PAST_CUE.search(prefix) and not _TARGET_CUE.search(prefix))
        return "achieved" if looks_back else "target"
    return _cue_status(prefix, doc_type, qualifier, paragraph, previous)


def _cue_status(
    prefix: str, doc_type: str | None, qualifier: str | None, paragraph: str, previous: Status | None
) -> Status:
    """Outside a known report part (digests, news, plans): cue words, then the document type."""
    if _TARGET_CUE.search(prefix):
        return "target"
    if _LOOK_BACK.match(paragraph):
        return "achieved"
    if doc_type == "plan":
        return "target"
    if _PAST_CUE.search(prefix) or doc_type == "summary":
        return "achieved"
    if previous is not None:
        return previous
    return "target" if qualifier in _TARGET_QUALIFIERS else "achieved"


_TERM = re.compile(r"(?:今后|未来)(?:五|5)年")
_THIS_YEAR = re.compile(r"今年|本年度|\d{4}年(?:主要)?(?:预期)?目标")


def _term_goal(lead: str) -> bool:
    """The paragraph sets goals for the coming five years (and has not turned to this year's since)."""
    ends = [found.end() for found in _TERM.finditer(lead)]
    return bool(ends) and _THIS_YEAR.search(lead, ends[-1]) is None


def year_of(status: Status, prefix: str, section: Section | None, doc: DocumentInfo, lead: str = "") -> int | None:
    """The year a figure refers to: a named year (到2027年), the end of a multi-year term (今后五年…), the section's
    year, else from the report year. `lead` is the paragraph up to the figure."""
    if status == "target" and (found := _TARGET_YEAR.findall(prefix)):
        return int(found[-1])
    if status == "target" and doc.year is not None and _term_goal(lead):
        return doc.year + 4  # 今后五年的主要目标: the last year of the government's term
    if status == "target" and section is not None and (plan := _FIVE_YEAR_PLAN.search(section.title)):
        return _FIVE_YEAR_END[plan.group(1)]  # “十四五”时期主要目标: the plan's last year
    if section is not None and section.year is not None and (section.kind == "review") == (status != "target"):
        return section.year
    if doc.year is None:
        return None
    if status == "target" or doc.doc_type in {"plan", "summary"}:
        return doc.year
    return doc.year - 1
