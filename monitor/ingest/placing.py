"""Where a local file belongs (pure): its region, report year and document type, for `govmon import DIR --glob`.

Archives of reports are folders of files named the way people name them — 2024年河北省政府工作报告.txt,
宁夏2024.txt, 苏州市2023年政府工作报告.pdf — so the file name is read first, the text (its title, 在…人民代表大会,
代表国务院, the years of its sections) second, and whatever the user gives on the command line overrides both.
A file that stays without a region or a year is not imported: the caller lists it with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.compare.levels import PROVINCES, short_name
from monitor.extract.document import infer_doc_type, infer_region, infer_title, infer_year
from monitor.extract.sections import find_sections

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_NOISE = re.compile(
    r"(?<!\d)(?:19|20)\d\d(?:年度|年)?|人民政府|政府工作报告|工作报告|政府|关于|印发|全文|定稿|终稿|工作要点|工作总结|"
    r"工作亮点|行动方案|实施方案|工作计划|行动计划|发展规划|规划纲要|工作思路|科学技术局|科技局"
)
_CITY = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:自治州|地区|市|州|盟|县|区|旗)$")
_SHORT = {short_name(p): p for p in PROVINCES}
_SHORTEST_LAST = sorted(_SHORT, key=len, reverse=True)  # 黑龙江 before any two-character name
_TYPES = (("work_report", re.compile(r"政府工作报告")), ("summary", re.compile(r"工作总结|工作亮点")),
          ("plan", re.compile(r"工作要点|行动方案|实施方案|工作计划|行动计划|发展规划|规划纲要|工作思路")))  # fmt: skip


@dataclass(frozen=True)
class Placement:
    region: str | None
    year: int | None
    doc_type: str
    title: str | None  # the title the text opens with, if it has one

    @property
    def problem(self) -> str | None:
        """Why the file cannot be imported as it stands, or None."""
        missing = [what for what, value in (("region", self.region), ("year", self.year)) if value is None]
        options = " and ".join(f"--{what}" for what in missing)
        return f"no {' and no '.join(missing)} in its name or text (give {options})" if missing else None


def region_in_name(stem: str) -> str | None:
    """A province (full or short name) or a city named in a file name: 宁夏2024 → 宁夏回族自治区, 吉林市 → 吉林市."""
    for run in re.findall(r"[\u4e00-\u9fff]+", _NOISE.sub(" ", stem)):
        if run in PROVINCES or (_CITY.fullmatch(run) and run not in _SHORT):
            return run
        short = next((s for s in _SHORTEST_LAST if run.startswith(s)), None)
        if short is not None:
            return _SHORT[short]
    return None


def year_in_name(stem: str) -> int | None:
    found = _YEAR.search(stem)
    return int(found.group(1)) if found else None


def type_in_name(stem: str) -> str | None:
    return next((doc_type for doc_type, pattern in _TYPES if pattern.search(stem)), None)


def place(stem: str, text: str, region: str | None = None, year: int | None = None,
          doc_type: str | None = None) -> Placement:  # fmt: skip
    """Region, year and type of a file: what the caller gives, else the file name, else the text's head."""
    head = text[:5000]
    title = infer_title(head)
    sections = find_sections(head)
    return Placement(
        region=region or region_in_name(stem) or infer_region(head, title),
        year=year or year_in_name(stem) or infer_year(head, title, sections),
        doc_type=doc_type or type_in_name(stem) or infer_doc_type(head, title, sections),
        title=title,
    )
