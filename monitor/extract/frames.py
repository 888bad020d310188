"""Frames: the stretch of text a framing sentence governs (今后五年…, 今年…主要预期目标是, 过去五年, 过去一年 …).

A frame says which period the figures after it belong to and whether they are goals or results, until the next
frame, the next section heading, or (for a frame opened in passing, mid-paragraph) the end of its sentence.
Reports that open a five-year plan review the whole past term and set the new term's goals before the year's
own targets; frames are how both shapes, and reports without headings, get their figures' period right.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from monitor.extract.model import Status
from monitor.extract.sections import Sections

_PLANS = {"十一": 2006, "十二": 2011, "十三": 2016, "十四": 2021, "十五": 2026, "十六": 2031}
_PLAN = r"“?十(?P<plan>[一二三四五六])五”?"
_SCOPE = r"(?:全国|全省|全市|全区|全县|全州|我省|我市|我区|本市|本省|自治区)?"


def _starting(starts: str, pattern: str) -> re.Pattern[str]:
    """The pattern behind a lookahead on how it can start: the engine skips every other position in one test,
    which keeps a scan of a whole report cheap."""
    return re.compile(f"(?={starts})(?:{pattern})")


_YEAR_GOALS = _starting(
    r"今年|(?:19|20)\d\d年",
    rf"(?:今年|(?P<year>(?:19|20)\d\d)年){_SCOPE}(?:经济社会|国民经济和社会)?(?:发展)?(?:工作)?的?"
    r"(?:主要)?(?:预期)?(?:目标任务|目标)(?:任务)?(?:建议|拟|确定)?(?:是|为|：|:)",
)
_YEAR_WORK = _starting(
    "今年|明年|下一年",
    r"今年(?:要|将)?(?:重点)?(?:抓好|做好|突出抓好|着力抓好|重点抓好)|(?:明年|下一年度?)(?:的)?(?:工作|主要目标)",
)
_TERM_GOALS = _starting(
    "今后|未来|“?十[一二三四五六]五",
    r"(?:今后|未来)(?:五|5)年[^。；\n]{0,24}?(?:主要|奋斗|发展)?目标(?:任务)?(?:是|为|：|:)"
    r"|(?:十[一二三四五六]五|“十[一二三四五六]五”)(?:时期|期间)?(?:经济社会发展)?的?"
    r"(?:主要目标|发展目标|目标任务|奋斗目标|主要预期目标)",
)
_TERM_AHEAD = re.compile(r"(?:今后|未来)(?:五|5)年")
# 到2027年，…: a paragraph of goals for a later year (an action plan's 主要目标, a report's goals for its term)
_BY_YEAR = _starting("到20|力争到", r"(?:到|力争到)(?P<year>20\d\d)年(?:底|末)?[，,：:]")
_TERM_PAST = _starting(
    "过去|[近这]?[五5]年来|“?十[一二三四五六]五",
    rf"过去(?:的)?(?:五|5)年|(?:近|这)?(?:五|5)年来|{_PLAN}(?:时期|期间|以来)(?!.{{0,16}}(?:目标|规划|开局))",
)
_YEAR_PAST = _starting(
    r"过去|一年来|(?:19|20)\d\d年",
    r"过去(?:的)?一年|一年来|(?<![到至])(?P<year>(?:19|20)\d\d)年(?:[，,]|是|以来|全年|，?全省|，?全市|，?我们)",
)
_LAST_YEAR = _starting("过去|一年来", r"过去(?:的)?一年|一年来")
# each framing cue: (pattern, kind, reach). A "strong" cue frames what follows wherever it stands; a "head" cue only
# when it opens a paragraph; a "paragraph" cue wherever it stands, but only to the end of its paragraph.
_CUES: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (_YEAR_GOALS, "year_ahead", "strong"),
    (_YEAR_WORK, "year_ahead", "strong"),
    (_TERM_GOALS, "term_ahead", "strong"),
    (_TERM_AHEAD, "term_ahead", "head"),
    (_BY_YEAR, "by_year", "head"),
    (_TERM_PAST, "term_back", "head"),
    (_YEAR_PAST, "year_back", "head"),
    (_LAST_YEAR, "year_back", "paragraph"),
)
# a part of the document (二、支持措施, 三、保障措施) ends the frames of the part before it, whatever it is about: the
# 到2025年 goals of 一、发展目标 do not date the standing rules of the parts after it
_PART_HEADING = re.compile(r"^[ \t\u3000]*[一二三四五六七八九十]{1,3}、[^\n。；;，,]{2,30}$", re.M)
# a numbered paragraph (（二）壮大产业集群。, 四是优化人才服务。, 3.建设创新平台。) ends a 到20XX年 paragraph of goals
# opened in a paragraph numbered the same way
_NUMBERINGS = (
    r"[（(][一二三四五六七八九十]{1,3}[）)]",
    r"[一二三四五六七八九十]{1,3}是",
    r"\d{1,2}[.．、](?!\d)",
    r"[（(]\d{1,2}[）)]",
)
_NUMBERED = tuple(re.compile(rf"^[ \t\u3000]*{n}", re.M) for n in _NUMBERINGS)
_HEAD_OF_PARAGRAPH = 16  # a weak cue frames its paragraph only when it opens it


@dataclass(frozen=True, slots=True)
class Frame:
    """What a framing sentence says of the figures after it."""

    start: int
    end: int  # where the frame stops holding (exclusive)
    status: Status
    year: int | None
    term: tuple[int, int] | None
    kind: str


def plan_term(year: int) -> tuple[int, int]:
    """The five-year plan a year falls in: 2026 → (2026, 2030)."""
    first = 2001 + (year - 2001) // 5 * 5
    return first, first + 4


def opens_a_plan(year: int | None) -> bool:
    """Reports of 2016, 2021, 2026 … review a whole term and set the next one's goals."""
    return year is not None and (year - 2001) % 5 == 0


def _named_plan(text: str) -> tuple[int, int] | None:
    m = re.search(_PLAN, text)
    if m is None or m.group("plan") not in ("一", "二", "三", "四", "五", "六"):
        return None
    first = _PLANS["十" + m.group("plan")]
    return first, first + 4


def _frame(
    kind: str, found: re.Match[str], year: int, ahead: int, own_term: bool = False
) -> tuple[Status, int | None, tuple[int, int] | None] | None:
    """What a framing cue says, or None when it frames nothing (“十四五”时期目标任务 in the plan's last year).

    `year` is the document's, `ahead` the year its goals are for: the same in a work report, the next one in a
    summary of the year's results, whose 2024年，… and 一年来 look back on its own year (its 过去五年 is the term
    before its year, as in a report). An action plan (`own_term`) dates its 到20XX年 goals from its own year."""
    named = int(found.group("year")) if "year" in found.re.groupindex and found.group("year") else None
    plan = _named_plan(found.group())
    if plan is not None and kind == "term_ahead" and plan[0] < year:
        return None  # the goals of a plan already under way are not the document's own term goals
    if plan is not None and kind == "term_back" and plan[0] >= year:
        return None  # “十四五”时期 in the plan's first year looks ahead, not back
    if plan is not None and kind == "term_back" and plan[1] >= year:
        return "achieved", year - 1, (plan[0], year - 1)  # “十四五”以来 in its last year: the years so far
    if kind == "by_year" and named is not None:
        if named <= ahead:
            return None  # 到2025年底 in a 2025 report: this year's goals
        first = named - 4 if named % 5 == 0 and named - 4 <= ahead and not own_term else ahead
        return "target", named, (first, named)
    if kind == "year_ahead":
        ahead = year + 1 if "明年" in found.group() or "下一年" in found.group() else year
        return "target", named or ahead, None
    if kind == "term_ahead":
        term = plan or (year, year + 4)
        return "target", term[1], term
    if kind == "term_back":
        term = plan or (year - 5, year - 1)  # 过去五年 is the term before the document's year, whatever its type
        return "achieved", term[1], term
    back = named if named is not None else ahead - 1
    if named is not None and found.group().endswith("以来"):
        return "achieved", ahead - 1, (named, ahead - 1)  # 2021年以来: the years since
    return ("achieved" if back < ahead else "target"), back, None


class Frames:
    """The frames of one document (they do not overlap), looked up by offset."""

    def __init__(self, items: list[Frame]) -> None:
        self.items = sorted(items, key=lambda f: f.start)
        self._starts = [f.start for f in self.items]

    def at(self, offset: int) -> Frame | None:
        i = bisect_right(self._starts, offset) - 1
        return self.items[i] if i >= 0 and offset < self.items[i].end else None


def _cues(text: str) -> list[tuple[int, str, re.Match[str], int]]:
    """(start, kind, match, the furthest it may hold) of every framing cue, in text order."""
    found = []
    for pattern, kind, reach in _CUES:
        for m in pattern.finditer(text):
            para = text.rfind("\n", 0, m.start()) + 1
            heads = m.start() - para <= _HEAD_OF_PARAGRAPH
            if reach == "head" and not heads:
                continue
            end = text.find("\n", m.end()) if reach == "paragraph" and not heads else -1
            found.append((m.start(), kind, m, end if end >= 0 else len(text)))
    return sorted(found, key=lambda f: f[0])


def find_frames(
    text: str, sections: Sections, year: int | None, ahead: int | None = None, own_term: bool = False
) -> Frames:
    """Every framing sentence of the text, each holding until the next one or the next section heading.

    今年 and 明年 count from the document's year (a summary's 明年工作思路 plans the year after its results).
    """
    if year is None:
        return Frames([])
    found = _cues(text)
    breaks = sorted({s.start for s in sections.items} | {m.start() for m in _PART_HEADING.finditer(text)})
    frames = []
    for i, (start, kind, m, reach) in enumerate(found):
        said = _frame(kind, m, year, year if ahead is None else ahead, own_term)
        if said is None:
            continue
        status, when, term = said
        nxt = found[i + 1][0] if i + 1 < len(found) else len(text)
        brk = next((b for b in breaks if b > start), len(text))
        # goals in a numbered paragraph (（一）发展目标。到2025年…) end at the next one (（二）壮大产业集群。: a task of
        # the document's own year); numbered paragraphs after a goals line of their own are its goals
        para = text.rfind("\n", 0, start) + 1
        numbered = next((n for n in _NUMBERED if n.match(text, para) is not None), None)
        if kind == "by_year" and numbered is not None and (sub := numbered.search(text, m.end())) is not None:
            brk = min(brk, sub.start())
        frames.append(Frame(start, min(nxt, brk, reach), status, when, term, kind))
    return Frames(frames)
