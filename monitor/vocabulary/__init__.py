"""The words govmon speaks in, declared once, in one neutral place every layer imports: kinds of change with
their Chinese labels and marks, document types with their Chinese names, source levels and the catalogue of
provincial-level regions (here); which kind of document a title names and of which year (`doctypes`, its rules
as data in doc_types.yaml); how an HTML page becomes the text that is stored and hashed (`html_text`).

Imported by db/, crawler/ and every part of monitor/ (the pure extract core included), so it imports only the
standard library and PyYAML: nothing of crawler/, db/ or the rest of monitor/. A word changed here changes in
the digest, the archive, the CLI, the demo and the database's checks alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

# --- kinds of change between a report and the one before it -------------------------------------------------

ChangeKind = Literal["raised", "lowered", "unchanged", "reworded", "new", "dropped"]


@dataclass(frozen=True)
class ChangeWord:
    """How one kind of change is said and shown everywhere."""

    kind: ChangeKind
    label: str  # the Chinese word: 上调
    arrow: str  # beside the word where direction matters: ▲ (empty for the others)
    mark: str  # the one-character cell of a matrix: ▲ ＝ ≈ …
    style: str  # terminal (Rich) style; templates take their CSS class from `kind`
    verb: str  # in a sentence counting regions: 另有3个调整表述

    @property
    def shown(self) -> str:
        """The label as a digest shows it: 上调 ▲, 持平."""
        return f"{self.label} {self.arrow}" if self.arrow else self.label


CHANGES: tuple[ChangeWord, ...] = (
    ChangeWord("raised", "上调", "▲", "▲", "blue", "上调"),
    ChangeWord("lowered", "下调", "▼", "▼", "dark_orange", "下调"),
    ChangeWord("unchanged", "持平", "", "＝", "dim", "持平"),
    ChangeWord("reworded", "表述调整", "", "≈", "yellow", "调整表述"),
    ChangeWord("new", "新增", "", "＋", "bold", "新设"),
    ChangeWord("dropped", "删去", "", "×", "dim strike", "不再设定"),
)
CHANGE_KINDS: tuple[ChangeKind, ...] = tuple(c.kind for c in CHANGES)
CHANGE_WORDS: dict[str, ChangeWord] = {c.kind: c for c in CHANGES}
CHANGE_LABELS: dict[str, str] = {c.kind: c.shown for c in CHANGES}  # as digests and archive pages show them
CHANGE_MARKS: dict[str, str] = {c.kind: c.mark for c in CHANGES}
CHANGE_STYLES: dict[str, str] = {c.kind: c.style for c in CHANGES}
CHANGE_LEGEND = "  ".join(f"{c.mark} {c.label}" for c in CHANGES)  # ▲ 上调  ▼ 下调  ＝ 持平 …


@dataclass(frozen=True)
class StoredChange:
    """One stored change between two versions as plain data: a target's or a priority's (`category`), the two
    figures as JSON (`old`, `new`; None for the absent side). Where it was stored from (`id`, the versions,
    region and type) is known when it was read back from the database, and left at its default when a digest or
    a test builds one."""

    category: str  # target or priority
    metric: str
    metric_key: str | None
    change: str  # a ChangeKind for targets; emerging, fading or intensified for priorities
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    significance: float
    id: int = 0
    region: str = ""
    doc_type: str = ""
    old_version_id: int | None = None
    new_version_id: int = 0


# --- document types ---------------------------------------------------------------------------------------------

DocType = Literal["work_report", "plan", "summary", "other"]
DOC_TYPES: tuple[DocType, ...] = ("work_report", "plan", "summary", "other")
DOC_TYPE_LABELS: dict[str, str] = {
    "work_report": "政府工作报告",
    "plan": "工作要点/规划",
    "summary": "工作总结",
    "other": "文件",
}
# what a title made up for a file without one calls the document: 2024年上海市工作要点
DOC_TYPE_TITLES: dict[str, str] = {
    "work_report": "政府工作报告",
    "plan": "工作要点",
    "summary": "工作总结",
    "other": "文件",
}
WANTED_DOC_TYPES: tuple[DocType, ...] = ("work_report", "plan", "summary")  # what a source keeps by default

# --- sources and regions ----------------------------------------------------------------------------------------

SOURCE_LEVELS = ("national", "province", "city", "bureau", "other")
NATIONAL = "全国"
# The 31 provincial-level divisions of the mainland, in the order of the statistical yearbooks: the provinces of
# every table, of the crawler's registry and of import's file names.
PROVINCES: tuple[str, ...] = (
    *("北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省"),
    *("浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区"),
    *("海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省"),
    *("宁夏回族自治区", "新疆维吾尔自治区"),
)
# Provincial-level names a text may carry although no source covers them: recognised as places, never listed.
OTHER_PROVINCIAL: tuple[str, ...] = ("台湾省", "香港特别行政区", "澳门特别行政区")
MUNICIPALITIES: tuple[str, ...] = ("北京市", "天津市", "上海市", "重庆市")

_SUFFIX = re.compile(r"(维吾尔自治区|壮族自治区|回族自治区|特别行政区|自治区|省|市)$")


def short_name(region: str) -> str:
    """A region without its administrative suffix, as people write it: 广西壮族自治区 → 广西, 上海市 → 上海."""
    return _SUFFIX.sub("", region) or region
