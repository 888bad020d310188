"""Sections: where a report reviews the past (review) and where it plans ahead (plan)."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

_SHORT_LINE = re.compile(r"^[^\n]{1,48}$", re.M)
_YEAR = re.compile(r"((?:19|20)\d\d)年?")
_REVIEW_HEAD = re.compile(
    r"工作回顾|回顾|过去一年|过去五年|过去的一年|一年来|五年来|主要工作|工作总结|工作成效|主要成效|取得的成绩"
    r"|完成情况|工作情况|进展情况|主要成绩|开展情况|推进情况|落实情况|执行情况|取得成效|工作成绩|工作进展"
    r"|(?:\d{4}|上)年(?:度)?工作(?:情况)?$"
)
_PLAN_HEAD = re.compile(
    r"总体要求|预期目标|目标任务|重点工作|重点任务|主要任务|工作任务|工作安排|工作思路|发展规划|发展思路"
    r"|工作要点|工作计划|主要目标|政策取向|下一步|下步工作|工作打算|工作部署|目标要求|下步打算|下步计划|明年打算"
    r"|明年工作|工作重点|工作目标|工作谋划|工作设想|思路举措|目标举措"
)
# what was done, as a bureau's summary heads its results (一、2024年工作开展情况, 二、重点任务推进情况): a review
# even when the heading names the tasks it reports on
_DONE_HEAD = re.compile(r"(?:开展|推进|落实|执行|完成)情况|取得(?:的)?成效|工作成绩|工作进展")
# numbered headings run into the text of one-line reports: " 一、2023年工作回顾 过去一年，…"
_INLINE_NUMBERED = re.compile(r"(?:^|[ \t])([一二三四五六七八九十]{1,3}、[^。；，,\s]{2,40})(?=[ \t])")
_NOT_HEADING = re.compile(r"[。；;]|^[（(]?[0-9]+[)）]?$")
# inline markers of digests such as "NO.24·内蒙古 2021工作回顾 …" (seeds/001)
_INLINE = re.compile(r"(?:^|[ \t])((?:19|20)\d\d)年?(工作回顾|发展规划|工作思路|工作要点|目标任务)(?=[ \t])", re.M)
# a work report without headings: the first paragraph that opens a part
_PARA_PLAN = re.compile(r"^[^\n]{0,20}今年(?:经济社会)?(?:发展的?)?(?:主要)?预期目标", re.M)
_PARA_REVIEW = re.compile(r"^(?:过去一年|过去的一年|一年来)", re.M)


@dataclass(frozen=True, slots=True)
class Section:
    """A part of the document from `start` to the next section; kind is review, plan or other."""

    start: int
    kind: str
    year: int | None
    title: str


class Sections:
    """The ordered sections of one text, looked up by character offset."""

    def __init__(self, sections: list[Section]) -> None:
        self.items = sorted(sections, key=lambda s: s.start)
        self._starts = [s.start for s in self.items]

    def at(self, offset: int) -> Section | None:
        i = bisect_right(self._starts, offset) - 1
        return self.items[i] if i >= 0 else None

    def kinds(self) -> set[str]:
        return {s.kind for s in self.items}


def _year(line: str) -> int | None:
    m = _YEAR.search(line)
    return int(m.group(1)) if m else None


def classify_heading(line: str) -> str | None:
    """review / plan / mixed / None for a short line that may be a heading."""
    line = line.strip()
    if _NOT_HEADING.search(line):
        return None
    if _DONE_HEAD.search(line) is not None and _DONE_HEAD.search(line[-6:]) is not None:
        return "review"  # 重点任务推进情况: the tasks it names are what it reports on
    looks_back = any(w in line for w in ("回顾", "过去", "成就", "工作总结", "完成情况", "工作情况")) or (
        _DONE_HEAD.search(line) is not None
    )
    if looks_back and _PLAN_HEAD.search(line):
        return "mixed"  # “十三五”时期发展成就和“十四五”时期主要目标任务: each sentence decides
    if looks_back:
        return "review"
    if _PLAN_HEAD.search(line):
        return "plan"
    if _REVIEW_HEAD.search(line):
        return "review"
    return None


def _headings(text: str) -> list[Section]:
    found = []
    for m in _SHORT_LINE.finditer(text):
        kind = classify_heading(m.group())
        if kind:
            found.append(Section(m.start(), kind, _year(m.group()), m.group().strip()))
    for m in _INLINE_NUMBERED.finditer(text):
        kind = classify_heading(m.group(1))
        if kind:
            found.append(Section(m.start(1), kind, _year(m.group(1)), m.group(1)))
    for m in _INLINE.finditer(text):
        kind = "review" if m.group(2) == "工作回顾" else "plan"
        found.append(Section(m.start(1), kind, int(m.group(1)), m.group().strip()))
    return found


def _paragraph_markers(text: str) -> list[Section]:
    found = []
    if (m := _PARA_REVIEW.search(text)) is not None:
        found.append(Section(m.start(), "review", None, m.group()))
    if (m := _PARA_PLAN.search(text)) is not None:
        found.append(Section(m.start(), "plan", None, m.group()))
    return found


def find_sections(text: str) -> Sections:
    """Review and plan parts of a text, from headings or, failing that, opening paragraphs."""
    found = _headings(text)
    if not {"review", "plan"} <= {s.kind for s in found}:
        found += [p for p in _paragraph_markers(text) if p.kind not in {s.kind for s in found}]
    return Sections(found)
