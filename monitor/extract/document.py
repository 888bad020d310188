"""Document facts inferred from the text: title, region, report year, document type."""

from __future__ import annotations

import re

from monitor import vocabulary
from monitor.extract.measures import GRANTS
from monitor.extract.model import DocumentInfo
from monitor.extract.sections import Sections
from monitor.vocabulary import doctypes

PROVINCES = [*vocabulary.PROVINCES, *vocabulary.OTHER_PROVINCIAL]
_SHORT = {p[:3] if p.startswith(("黑龙江", "内蒙古")) else p[:2]: p for p in PROVINCES}
_REGION_NAME = r"[\u4e00-\u9fff]{1,10}?(?:省|市|自治区|自治州|州|县|区|盟|旗)"
_SHORT_NAMES = "|".join(sorted(_SHORT, key=len, reverse=True))
_REGION_PATTERNS = (
    re.compile(rf"(?:19|20)\d\d年(?P<r>{_REGION_NAME}|{_SHORT_NAMES})(?:人民)?政府工作报告"),
    re.compile(rf"在(?P<r>{_REGION_NAME})第[一二三四五六七八九十]+届人民代表大会"),
    re.compile(rf"(?P<r>{_REGION_NAME})人民政府(?:办公厅|办公室)?(?:关于|印发)"),
    re.compile(rf"^(?P<r>{_SHORT_NAMES})(?:省|市|自治区)?(?:人民)?政府工作报告", re.M),
)
_NATIONAL = re.compile(r"代表国务院|国务院总理|国务院政府工作报告|全国人民代表大会第")
_TITLE_YEAR = re.compile(
    r"((?:19|20)\d\d)年?[^\n]{0,16}?(政府工作报告|工作要点|工作总结|工作计划|行动方案|实施方案|发展规划|工作思路|工作亮点)"
)
_SENTENCE = re.compile(r"[。；！？：:]")
# reports are delivered to the congress early in the year they plan: 2025年1月在…人民代表大会
_CONGRESS_YEAR = re.compile(r"((?:19|20)\d\d)年\d{1,2}月(?:\d{1,2}日)?[^\n]{0,30}?人民代表大会")
_PLAN_WORDS = re.compile(r"工作要点|行动方案|实施方案|工作计划|行动计划|发展规划|工作思路|工作安排|规划纲要")
_SUMMARY_OF_YEAR = re.compile(
    r"((?:19|20)\d\d)年(?:度)?(?:[^\n，。；0-9]{0,8}?)(?:工作总结|工作情况|工作开展情况|工作完成情况|工作亮点)"
)
_OPENS_RUNNING = re.compile(r"(?:^|\n)[\s\u3000]*今年以来")
_RUNNING_YEAR = re.compile(r"1[-—－~～至](?:[6-9]|1[0-2])月|前三季度|截至(?:[6-9]|1[0-2])月底|预计全年|全年预计")
_SUMMARY_WORDS = re.compile(r"工作总结|工作亮点|工作情况|工作报告(?!.{0,4}政府)")


def infer_title(text: str) -> str | None:
    """The first short line: reports and plans open with their title."""
    for line in text[:2000].split("\n")[:8]:
        line = line.strip()
        if 4 <= len(line) <= 60 and _TITLE_YEAR.search(line):
            return line
    first = text[:200].split("\n", 1)[0].strip()
    return first if 4 <= len(first) <= 60 else None


def infer_region(text: str, title: str | None) -> str | None:
    """Region from 2025年XX政府工作报告, 在XX省第X届人民代表大会, XX人民政府, or 国务院."""
    head = f"{title or ''}\n{text[:5000]}"
    for pattern in _REGION_PATTERNS:
        if (m := pattern.search(head)) is not None:
            name = m.group("r")
            return _SHORT.get(name, name)
    return "全国" if _NATIONAL.search(head) else None


def infer_year(text: str, title: str | None, sections: Sections) -> int | None:
    """Report year: the year the title (or the opening line that names the document) is about, as the crawler
    reads it (`monitor.vocabulary.doctypes`), else the year of the congress it was delivered to, else the plan
    year of the section headings."""
    for line in _opening(text, title):
        if line is title or doctypes.doc_type(line) != "other":
            year = doctypes.report_year(line)
            if year is not None:
                return year
    if (m := _CONGRESS_YEAR.search(text[:3000])) is not None:
        return int(m.group(1))
    for section in sections.items:
        if section.year is not None:
            return section.year + 1 if section.kind == "review" else section.year
    return None


def infer_doc_type(text: str, title: str | None, sections: Sections) -> str:
    """work_report, plan, summary or other: the title's (or the opening line's) type by the crawler's rules
    (`monitor.vocabulary.doctypes`), else a report by its form of address or its review-and-plan sections."""
    for line in _opening(text, title):
        kind = doctypes.doc_type(line)
        if kind != "other":
            return kind
    if "各位代表" in text[:600]:
        return "work_report"
    if {"review", "plan"} <= sections.kinds():
        return "work_report"
    return "plan" if _grants(text) else "other"


# a support measure's grant: 给予一次性奖励500万元, 按…的5%给予补贴, 每场给予最高30万元补助
_GRANT = re.compile(rf"(?:给予|予以)[^，,。；;\n]{{0,16}}?(?:{GRANTS}|支持)")
_GRANTS_OF_A_POLICY = 3


def _grants(text: str) -> bool:
    """Whether the text is a support policy (若干措施, 十条举措 …) under a title the crawler's rules do not know: its
    clauses grant support (给予…奖励/补助/补贴), which is what it undertakes to do, a plan's targets."""
    found = _GRANT.finditer(text, 0, 20_000)
    return sum(1 for _ in zip(range(_GRANTS_OF_A_POLICY), found, strict=False)) == _GRANTS_OF_A_POLICY


def _opening(text: str, title: str | None) -> list[str]:
    """The title, then the first lines of the text shaped like one (short, no sentence in them): a document opens
    with its title, and a sentence of its body that mentions a report or a plan is not one."""
    lines = [line.strip() for line in text[:2000].split("\n")[:8]]
    candidates = ([title] if title else []) + [line for line in lines if 4 <= len(line) <= 60]
    return [line for line in candidates if not _SENTENCE.search(line)]


def summary_year(text: str, title: str | None) -> int | None:
    """The year whose results the document sums up, when its title says so (…局2024年工作总结和2025年工作思路)."""
    head = f"{title or ''}\n{text[:200]}"
    if "政府工作报告" in head or "各位代表" in head:
        return None
    m = _SUMMARY_OF_YEAR.search(head)
    return int(m.group(1)) if m is not None else None


def late_in_year(text: str, sections: Sections) -> bool:
    """Whether the results the text reports are of a year still running when it was written: it opens with 今年以来,
    or its part before the plan counts the months of the year so far (1-11月, 前三季度) or estimates the whole year
    (预计全年). Such a text is a summary at the year's end, whose plan is for the next year."""
    if "政府工作报告" in text[:600] or "各位代表" in text[:600]:
        return False
    plan = next((s.start for s in sections.items if s.kind == "plan"), None)
    if plan is None or not any(s.kind == "review" and s.start < plan for s in sections.items):
        return False
    return _OPENS_RUNNING.search(text[:120]) is not None or _RUNNING_YEAR.search(text[:plan]) is not None


def plans_next_year(text: str, year: int) -> bool:
    """Whether a paragraph on the document's own year (2024年，全县…) is followed by one that plans the next
    (2025年，我局将…; 明年，…): the own year's paragraph then reports results, as a year-end summary does."""
    if "政府工作报告" in text[:600] or "各位代表" in text[:600]:
        return False
    own = re.search(rf"(?:^|\n)[\s\u3000]*{year}年[，,]", text)
    if own is None:
        return False
    nxt = re.compile(rf"(?:^|\n)[\s\u3000]*(?:{year + 1}年|明年)[，,][^。\n]{{0,30}}?(?:将|要|力争|计划|确保)")
    return nxt.search(text, own.end()) is not None


def _plan_part_of_next_year(text: str, sections: Sections, year: int) -> bool:
    """Whether a review part (undated or of `year`) comes before a plan part whose heading names the year after
    (一、2024年工作回顾 … 二、2025年工作重点 filed under 2024): a summary of `year`, which a report would not be."""
    if "政府工作报告" in text[:600] or "各位代表" in text[:600]:
        return False
    reviews = [s for s in sections.items if s.kind == "review"]
    if not reviews or any(s.year is not None and s.year != year for s in reviews):
        return False
    return any(s.kind == "plan" and s.start > reviews[0].start and s.year == year + 1 for s in sections.items)


def _reviews_year_before(sections: Sections, year: int) -> bool:
    """Whether a review part comes before a plan part whose heading names `year`, and no review heading names
    `year` itself: the shape of a summary of the year before (一、主要工作成效 … 二、2025年工作计划 filed under
    2025), not of `year`."""
    reviews = [s for s in sections.items if s.kind == "review"]
    if not reviews or any(s.year is not None and s.year != year - 1 for s in reviews):
        return False
    return any(s.kind == "plan" and s.start > reviews[0].start and s.year == year for s in sections.items)


def infer(text: str, given: DocumentInfo, sections: Sections) -> DocumentInfo:
    """Fill whatever the caller did not give.

    A title that names the year whose results it sums up outweighs a year given as the year after (the date of
    filing). A title that sums up the results of the document's own year makes it a summary whatever type it was filed
    under: its results are of that year and its plan is for the next, which a work report's reading (results
    of the year before) would date a year early."""
    title = given.title or infer_title(text)
    year = given.year or infer_year(text, title, sections)
    doc_type = given.doc_type or infer_doc_type(text, title, sections)
    summed = summary_year(text, title)
    if summed is not None and year == summed + 1 and doc_type != "plan":
        # filed under the year it was written in (…局2024年工作总结和2025年工作思路, dated 2025): the title's year is
        # the one its results are of and its 今年 means; its plan is for the year after, as in any summary
        year, doc_type = summed, "summary"
    if (
        doc_type != "summary"
        and year is not None
        and (
            summary_year(text, title) == year
            or late_in_year(text, sections)
            or plans_next_year(text, year)
            or _plan_part_of_next_year(text, sections, year)
        )
    ):
        doc_type = "summary"
    if doc_type == "summary" and year is not None and _reviews_year_before(sections, year):
        year -= 1  # 一、2024年工作情况 … 二、2025年工作思路 filed under 2025: a summary of 2024
    return DocumentInfo(title=title, region=given.region or infer_region(text, title), year=year,
                        doc_type=doc_type, url=given.url)  # fmt: skip
