"""Status (target / achieved / expected), year and term of a figure, from the nearest evidence first.

Evidence layers, nearest first: the figure's own sentence up to the figure (an explicit year, 今年/去年/明年,
目前/今年以来 (what stands so far in the document's year),
预计, 到2030年, 年均/累计, 力争/确保/目标是 …), then the frame it stands in (a framing sentence such as
今年…主要预期目标是 or 今后五年), then the report part (review or plan) and its heading's year, then weak cue words
(比上年, 完成 …), and last the document's type and year. The first layer that speaks decides; `strength` records
which one did, for the figure's confidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.extract.frames import Frame, plan_term
from monitor.extract.model import DocumentInfo, Status
from monitor.extract.sections import Section

_FIVE_YEAR_END = {"十一": 2010, "十二": 2015, "十三": 2020, "十四": 2025, "十五": 2030, "十六": 2035}
# the figure's own sentence: every cue that can decide, the last one before the figure wins
_CLAUSE = re.compile(
    # the characters a cue can start with, tested first: the engine skips every other position in one test
    r"(?=[到至力在于预今本明下去上年平每目要将拥现已截当前12一二三四第全])"
    r"(?:(?P<by>(?:到|至|力争到|力争在|在|于)(?P<by_year>(?:19|20)\d\d)年(?:底|末|前)?(?!的)"
    r"|到“?十(?P<by_plan>[一二三四五六])五”?(?:末|期末))"
    r"|(?P<expected>预计(?!到))"
    r"|(?P<year>(?<![比较与从由至到是])(?P<named>(?:19|20)\d\d)年(?!以来|的水平|相比|基础上|翻|水平))"
    r"|(?P<have>(?<![争将要保再口人用])(?:拥有|现有|已有)(?![量率])"
    r"(?![^，。；]{0,24}?(?:建设|改造|新建|实施|推进|开展|培育|打造|新增)))"
    r"|(?P<now>目前|截至目前|当前|今年以来|今年前[一二三四五六七八九十两]{1,2}个?月|(?<![年到至])前[两三四五六七八九十]{1,2}个月)"
    # a part of the year run so far (1—11月, 前三季度, 上半年): results of the year not yet closed
    r"|(?P<ytd>(?<![0-9])(?:1|一)[—\-–~～至到](?:1[0-2]|[2-9]|十[一二]?|[二三四五六七八九])月份?(?![底末前])"
    r"|(?<![0-9])(?:前[两三]季度|第?[一二三]季度|上半年)(?![末底前]))"
    r"|(?P<rest>全年(?!目标|任务|计划|预期|的)|年内|第?四季度|年底前)"
    r"|(?P<this>今年(?!以来)|本年度)|(?P<next>明年|下一年度?)"
    r"|(?P<last>(?<![比较与同从由是为])(?:去年|(?<![础以])上年(?!度目标|均)|上一年))"
    r"|(?P<average>年均|平均每年|每年平均)"
    r"|(?P<goal>力争|(?<![于超成到现出初比较])预期目标|目标(?:是|为)|(?<![于超成到现期])目标(?=\s?[0-9零一二两三四五六七八九十百千])|(?:要|将)(?:力争|确保|实现|达到|突破)))"
)
# words that put a figure over a whole term even in a review of it (年均增长, 比上个五年增长, 五年累计, 每年)
_CLAUSE_CUT = re.compile(r"[，,；;。：:]")


def own_clause(prefix: str, width: int = 40) -> str:
    """The figure's own clause: what stands after the last clause mark in the last `width` characters before it."""
    return _CLAUSE_CUT.split(prefix[-width:])[-1]


_TERM_WORDS = re.compile(r"年均|平均每年|每年|累计|五年|上个五年|期间|以来|先后|历年|连续")
_WEAK_PAST = re.compile(r"比上年|同比|较上年|完成了|实现了|已经|已|获评|居全国|创历史|达到了|过去")
# 争取各类资金1.2亿元 (funds obtained) and 完成年度目标的115% (a completion rate) report results
_WEAK_TARGET = re.compile(r"力争|确保|争取(?![^，。；]{0,10}(?:资金|支持|项目))|目标(?!的)|预期|拟|计划|力求")
_LOOK_BACK = re.compile(r"[◉●•\s]*(?:过去|一年来|五年来|回顾|(?:19|20)\d\d年(?:以来|，|,))")
_TARGET_QUALIFIERS = frozenset({"左右", "以上", "不低于", "以内", "不超过", "以下"})
_HEADING_PLAN = re.compile(r"“?(十[一二三四五六])五”?(?:时期|规划)?(?:的)?(?:主要)?(?:目标|发展目标)")


@dataclass(frozen=True, slots=True)
class When:
    """A figure's status, the year it is about, its term, and which layer of evidence decided."""

    status: Status
    year: int | None
    term: tuple[int, int] | None = None
    strength: str = "document"  # clause, frame, section, cue or document
    past_term: bool = False  # the term comes from a review of a whole past term (过去五年), not the clause


@dataclass(slots=True)
class _Clause:
    status: Status | None = None
    year: int | None = None
    term: tuple[int, int] | None = None
    average: bool = False
    standing: bool = False  # the status came from a 现有/目前 cue, which a later time cue of the clause overrides


def _by_term(by: int, doc_year: int | None, own_term: bool = False) -> tuple[int, int]:
    """到2030年: the five-year plan ending that year when the document falls in it, else from the document's year.

    An action plan or programme (`own_term`) runs from its own year: 到2025年 in a plan of 2024 is (2024, 2025)."""
    if own_term and doc_year is not None and doc_year <= by:
        return doc_year, by
    first = plan_term(by)[0] if by % 5 == 0 else by
    if doc_year is not None and not (by - 4 <= doc_year <= by):
        first = min(doc_year, by)
    elif doc_year is not None and by % 5 != 0:
        first = doc_year
    return first, by


def sentence_cues(text: str, start: int, end: int) -> list[re.Match[str]]:
    """Every clause cue of one sentence, found once for all its figures."""
    return list(_CLAUSE.finditer(text, start, end))


def _read_clause(cues: Sequence[re.Match[str]], doc: DocumentInfo) -> _Clause:
    """The cues of the figure's own sentence: an explicit year or term, and goal or estimate words.

    到2024年底 before the year the document plans for is a result of that year (a summary's 到2024年底，累计…)."""
    found = _Clause()
    ahead = plan_year(doc)
    for m in cues:
        group = m.lastgroup
        if group == "by":
            by = int(m.group("by_year")) if m.group("by_year") else _FIVE_YEAR_END["十" + m.group("by_plan")]
            past = ahead is not None and by < ahead and not m.group().startswith("力争")
            found.status, found.year = ("achieved" if past else "target"), by
            if ahead is not None and doc.year is not None and by > ahead:
                # a summary's goals are set from the year its plan is for (…2025年工作总结和2026年工作思路: 到2030年
                # is the 15th plan's end, 2026—2030)
                found.term = _by_term(by, ahead, doc.doc_type == "plan")
            else:
                found.term = None
        elif group == "expected":
            found.status = "expected"
        elif group == "year":
            found.year, found.term = int(m.group("named")), None
            found.status, found.standing = (None if found.standing else found.status), False
        elif group == "have" and ahead is not None and doc.year is not None:
            # 拥有8个…: the stock as it stands (at the end of last year when a report is delivered)
            found.status, found.term, found.standing = "achieved", None, True
            found.year = ahead - 1 if doc.doc_type == "work_report" else doc.year
        elif group == "now" and doc.year is not None:
            found.status, found.year, found.term = "achieved", doc.year, None  # 目前, 今年以来: so far this year
            found.standing = True
        elif group == "ytd" and doc.year is not None and found.status != "target":
            # so far in the year whose results the document gives: a summary's own, else the year before the plan's
            found.status, found.term, found.standing = "achieved", None, False
            if found.year is None:  # 2026年1—11月, 今年以来，1-2月: the year said before
                found.year = doc.year if doc.doc_type == "summary" or ahead is None else ahead - 1
        elif group == "rest" and doc.year is not None and _to_date(doc):
            # 力争全年…, 第四季度再组织… in a summary of the year so far: the goals of the rest of its own year
            found.year, found.term = doc.year, None
            found.status = "expected" if found.status == "expected" else "target"
        elif group in ("this", "next", "last") and doc.year is not None:
            found.year = {"this": doc.year, "next": doc.year + 1, "last": doc.year - 1}[group]
            found.term = None
            # 现有6个，今年新培育2个: a time cue after a standing stock speaks of its own year
            found.status, found.standing = (None if found.standing else found.status), False
        elif group == "average":
            found.average = True
        elif group == "goal":
            found.status = "target"
    return found


def _clause_status(found: _Clause, ahead: int | None) -> Status | None:
    """预计 of the plan year is the year's own figure (预计今年…支出规模); a named past year is a result."""
    if found.status == "expected":
        return "target" if found.year is not None and ahead is not None and found.year >= ahead else "expected"
    if found.year is not None and ahead is not None and found.status is None:
        return "achieved" if found.year < ahead else "target"
    return found.status


def when(
    prefix: str,
    frame: Frame | None,
    section: Section | None,
    doc: DocumentInfo,
    paragraph: str = "",
    previous: When | None = None,
    qualifier: str | None = None,
    cues: Sequence[re.Match[str]] | None = None,
) -> When:
    """Status, year and term of the figure whose sentence reads `prefix` up to it (`cues`: the sentence's clause
    cues that stand before the figure, when the caller has found them already)."""
    ahead = plan_year(doc)
    found = _read_clause(list(_CLAUSE.finditer(prefix)) if cues is None else cues, doc)
    status = _clause_status(found, ahead)
    strength = "clause"
    if status is None and frame is not None:
        status, strength = frame.status, "frame"
    if status is None and section is not None and section.kind in ("plan", "review"):
        status, strength = ("target" if section.kind == "plan" else "achieved"), "section"
    if status is None:
        status, strength = _weak_status(prefix, section, doc, paragraph, previous, qualifier)
    year, term = _period(found, status, frame, section, doc, ahead)
    over_span = found.average or _OVER_SPAN.search(prefix[-16:]) is not None
    if status == "target" and found.year is None and over_span:
        span = _own_span(doc) or _years_said(prefix[-24:], ahead)
        if span is not None:
            year, term = span[1], span  # 三年累计新增停车位10万个 in a plan for 2024—2026: the plan's span
    recent = _RECENT.search(own_clause(prefix, 80)) if status == "achieved" and term is None else None
    if recent is not None and year is not None:
        n = _COUNT.get(recent.group(1)) or int(recent.group(1))
        term = (year - n + 1, year)  # 近三年淘汰落后产能9000多万吨: over the years that ended with the last one
    past = (
        term is not None
        and found.term is None
        and not found.average
        and frame is not None
        and frame.kind == "term_back"
    )
    # 五年累计新设市场主体225.1万户，每千人企业数量增加到111.1户: a term word of an earlier clause does not make the
    # figure one over the term
    own = own_clause(prefix)
    return When(status, year, term, strength, past and not _TERM_WORDS.search(own))


_SPAN = re.compile(r"[（(]((?:19|20)\d\d)\s*[—–\-－~～至到]+\s*((?:19|20)\d\d)年?[）)]")
_OVER_SPAN = re.compile(r"累计|(?:[两三四五]|[2-5])年(?:内|间)?(?:共|合计|总计)")


_RECENT = re.compile(r"(?:近|过去|最近)([两三四五]|[2-5])年(?:来|间|中)?(?:累计|共)?")
_YEARS_SAID = re.compile(r"(?:未来|今后)?([两三四五]|[2-5])年(?:内|间)?(?:累计|共|合计|总计)")
_COUNT = {"两": 2, "三": 3, "四": 4, "五": 5}


def _years_said(prefix: str, ahead: int | None) -> tuple[int, int] | None:
    """三年累计 in a plan whose title gives no span: the years from the plan's own year on."""
    m = _YEARS_SAID.search(prefix)
    if m is None or ahead is None:
        return None
    n = _COUNT.get(m.group(1)) or int(m.group(1))
    return ahead, ahead + n - 1


def _own_span(doc: DocumentInfo) -> tuple[int, int] | None:
    """The years a plan covers, from its title: 行动方案（2024—2026年）."""
    if doc.doc_type != "plan" or not doc.title or (m := _SPAN.search(doc.title)) is None:
        return None
    first, last = int(m.group(1)), int(m.group(2))
    return (first, last) if first < last <= first + 10 else None


_FIVE_YEAR_TITLE = re.compile(r"“?十([一二三四五六])五”?[^，。；\n]{0,30}规划")


def _five_year_plan(doc: DocumentInfo) -> tuple[int, int] | None:
    """The term of a five-year plan, from its title (…“十五五”科技创新发展规划), when the document falls in it."""
    if doc.doc_type != "plan" or not doc.title or (m := _FIVE_YEAR_TITLE.search(doc.title)) is None:
        return None
    end = _FIVE_YEAR_END["十" + m.group(1)]
    return (end - 4, end) if doc.year is not None and end - 5 <= doc.year <= end else None


def own_term(doc: DocumentInfo) -> tuple[int, int] | None:
    """The years a plan covers: a five-year plan's term, or the span its title gives."""
    return _five_year_plan(doc) or _own_span(doc)


# a summary of the year so far (今年以来, 上半年, 前三季度, 1—10月工作总结): its 全年 is its own year
_TO_DATE_TITLE = re.compile(r"今年以来|上半年|前三季度|[一二三]季度|1[—\-–~～至到]\d{1,2}月|半年工作")


def _to_date(doc: DocumentInfo) -> bool:
    return doc.doc_type == "summary" and bool(doc.title and _TO_DATE_TITLE.search(doc.title))


def plan_year(doc: DocumentInfo) -> int | None:
    """The year a document's goals are for: its own, or the next for a summary of the year's results."""
    if doc.year is None:
        return None
    return doc.year + 1 if doc.doc_type == "summary" else doc.year


def _weak_status(prefix: str, section: Section | None, doc: DocumentInfo, paragraph: str,
                 previous: When | None, qualifier: str | None) -> tuple[Status, str]:  # fmt: skip
    """Outside any frame or report part: weak cue words, then the document's type."""
    looks_back = _WEAK_PAST.search(prefix) and not _WEAK_TARGET.search(prefix)
    if section is not None and section.kind == "mixed":
        return ("achieved" if _LOOK_BACK.match(paragraph) or looks_back else "target"), "cue"
    if _WEAK_TARGET.search(prefix):
        return "target", "cue"
    if _LOOK_BACK.match(paragraph):
        return "achieved", "cue"
    if doc.doc_type == "plan":
        return "target", "document"
    if _WEAK_PAST.search(prefix) or doc.doc_type == "summary":
        return "achieved", "cue"
    if previous is not None:
        return previous.status, previous.strength
    return ("target" if qualifier in _TARGET_QUALIFIERS else "achieved"), "document"


def _period(found: _Clause, status: Status, frame: Frame | None, section: Section | None, doc: DocumentInfo,
            ahead: int | None) -> tuple[int | None, tuple[int, int] | None]:  # fmt: skip
    """The year (and term) the figure is about: the clause's, else the frame's, the section's, the document's."""
    if found.year is not None:
        return found.year, found.term
    term = frame.term if frame is not None else None
    heading = frame is None and section is not None and status == "target"  # a frame is nearer than a heading
    if term is None and heading and section is not None and (m := _HEADING_PLAN.search(section.title)):
        end = _FIVE_YEAR_END[m.group(1)]
        if doc.year is not None and end - 4 >= doc.year:
            term = (end - 4, end)  # “十四五”时期主要目标 in the plan's first year: the plan's goals
    if term is None and status == "target" and (own := _five_year_plan(doc)) is not None:
        term = own  # a five-year plan's goals without a year of their own are the plan's
    if term is None and found.average and ahead is not None:
        term = plan_term(ahead) if status == "target" else (ahead - 5, ahead - 1)
    if term is not None:
        return term[1], term
    if frame is not None and frame.year is not None:
        return frame.year, None
    return _default_year(status, section, doc, ahead), None


def _default_year(status: Status, section: Section | None, doc: DocumentInfo, ahead: int | None) -> int | None:
    if section is not None and section.year is not None and (section.kind == "review") == (status != "target"):
        return section.year
    if ahead is None or doc.year is None:
        return None
    if status == "target":
        return ahead
    return doc.year if doc.doc_type in ("plan", "summary") else doc.year - 1


_BASELINE_YEAR = re.compile(
    r"(?:(?P<year>(?:19|20)\d\d)年|“?十(?P<plan>[一二三四五六])五”?|(?P<last>去年|上年))(?:末|底)?的?"
    r"(?:每人每月|每人每年|每人|人均|每月|每年|每日)?(?:不到|近|约)?$"
)


_LISTED_FROM = re.compile(
    r"(?:从|由)((?:(?:19|20)\d\d年|去年|上年)?(?:末|底)?的?[^，。；0-9从由到至]{0,8})[0-9][^，。；从由到至]{0,20}、$"
)


_YEAR_LIST = re.compile(r"((?:19|20)\d\d)年(?:[、和及]((?:19|20)\d\d)年)+(?:底|末)?分别[^，,。；;]*$")


def listed_year(before: str, doc: DocumentInfo) -> When | None:
    """2025年、2026年分别开工1000个、800个: the year of the figure's place in a 分别 list of years."""
    if "分别" not in before or (m := _YEAR_LIST.search(before)) is None:
        return None
    years = [int(y) for y in re.findall(r"(?:19|20)\d\d", m.group()[: m.group().index("分别")])]
    place = before[m.end() - len(m.group()) + m.group().index("分别") :].count("、")
    if place >= len(years):
        return None
    year, ahead = years[place], plan_year(doc)
    status: Status = "achieved" if ahead is not None and year < ahead else "target"
    return When(status, year, None, "clause")


def baseline_when(text: str, start: int, found: When, doc: DocumentInfo) -> When:
    """The starting point of a change (从2017年的5.9万元增加到…) is a result of its own year."""
    m = _BASELINE_YEAR.search(text, max(0, start - 16), start)
    if m is None and text[start - 1 : start] == "、":
        listed = _LISTED_FROM.search(text, max(0, start - 32), start)  # 从2017年的7642家、1665家: the list's year
        m = _BASELINE_YEAR.search(listed.group(1)) if listed is not None else None
    if m is not None and m.group("year"):
        return When("achieved", int(m.group("year")), None, "clause")
    if m is not None and m.group("plan"):
        return When("achieved", _FIVE_YEAR_END["十" + m.group("plan")], None, "clause")
    if m is not None and doc.year is not None:
        return When("achieved", doc.year - 1, None, "clause")
    year = found.year if found.status != "target" else (doc.year - 1 if doc.year is not None else None)
    return When("achieved", year, None, found.strength)
