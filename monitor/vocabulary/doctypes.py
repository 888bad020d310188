"""Is a title a report or a plan, which kind, of which year and region: pure functions over titles and text.

The vocabulary follows the issue: work_report (政府工作报告), plan (a government's or bureau's own 工作要点, 发展规划,
行动方案, 实施方案, 工作计划), summary (工作总结, also 工作总结和…工作思路), other. The rules that decide it are data,
in `doc_types.yaml` beside this module: ordered, first match wins, the "not ours" rules first — inspection,
enforcement, procurement, recruitment, training, meeting and statistics schedules, job adverts, notices about a
document (关于报送2025年工作总结的通知) — except a notice that *issues* a plan (关于印发…工作要点的通知), which is
the plan itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml

from monitor.vocabulary import PROVINCES, WANTED_DOC_TYPES, short_name

DOC_TYPES = WANTED_DOC_TYPES


@dataclass(frozen=True)
class Rule:
    """One rule of doc_types.yaml: `type` when `match` is found in a title and `unless` is not."""

    type: str
    why: str
    match: re.Pattern[str]
    unless: re.Pattern[str] | None


def _flat(patterns: Any) -> list[str]:
    if isinstance(patterns, str):
        return [patterns]
    return [p for item in patterns or () for p in _flat(item)]


def _compiled(patterns: Any) -> re.Pattern[str] | None:
    flat = _flat(patterns)
    return re.compile("|".join(f"(?:{p})" for p in flat)) if flat else None


@cache
def _vocabulary() -> tuple[tuple[Rule, ...], re.Pattern[str], int, frozenset[str]]:
    data = yaml.safe_load((resources.files("monitor.vocabulary") / "doc_types.yaml").read_text(encoding="utf-8"))
    rules = tuple(
        Rule(r["type"], r.get("why", ""), _compiled(r["match"]), _compiled(r.get("unless")))  # type: ignore[arg-type]
        for r in data["rules"]
    )
    columns = data["columns"]
    documents = frozenset(columns.get("also_documents") or ())
    return rules, re.compile(columns["pattern"]), int(columns["max_length"]), documents


def rules() -> tuple[Rule, ...]:
    return _vocabulary()[0]


YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?:\s*年|[—-](?:20)?\d\d年|(?=工作|政府))")
CN_DIGITS = {"〇": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7",
             "八": "8", "九": "9", "○": "0", "O": "0"}  # fmt: skip
CN_YEAR = re.compile(r"([二一][〇零○O一二三四五六七八九]{3})年")

_SHORT = {p: short_name(p) for p in PROVINCES}
LEAD = re.compile(r"^(?:关于)?(?:印发|转发)?(?:(?:19|20)\d\d年度?)?")
PLACE = re.compile(
    r"^(?:中共)?([\u4e00-\u9fa5]{2,8}?(?:自治州|地区|盟|市|县|区|州|旗))(?:人民政府|政府|科学技术局|科技局|)"
)


def decide(title: str) -> tuple[str, Rule | None]:
    """The type of a title and the rule that decided it (None: no rule matched, so `other`)."""
    title = _clean(title)
    if not title or (is_column_name(title) and title not in _vocabulary()[3]):
        return "other", None  # a bare column name (专项规划, 规划信息) titles a list, never a document
    for rule in rules():
        if rule.match.search(title) and not (rule.unless and rule.unless.search(title)):
            return rule.type, rule
    return "other", None


def doc_type(title: str) -> str:
    """work_report, plan, summary or other, from a title alone."""
    return decide(title)[0]


def is_wanted(title: str, doc_types: tuple[str, ...] = DOC_TYPES) -> bool:
    """A report or plan of one of `doc_types` (never `other`: notices, schedules, job adverts …)."""
    kind = doc_type(title)
    return kind != "other" and kind in doc_types


def is_column_name(title: str) -> bool:
    """Whether a link text names a column (政府工作报告 in a menu, 规划信息, 专项规划) rather than a document."""
    _, pattern, longest, _ = _vocabulary()
    title = _clean(title)
    return 0 < len(title) <= longest and bool(pattern.fullmatch(title))


def report_year(title: str, published: date | None = None) -> int | None:
    """The year a document is about: the first year in its title, else its publication year."""
    title = _clean(title)
    match = YEAR.search(title)
    if match:
        return int(match.group(1))
    cn = CN_YEAR.search(title)
    if cn:
        return int("".join(CN_DIGITS.get(ch, ch) for ch in cn.group(1)))
    return published.year if published else None


def region_in(text: str) -> str | None:
    """The region a title or text is from (full province name, or a city/county prefix), or None."""
    text = LEAD.sub("", _clean(text))
    for full, short in _SHORT.items():
        if text.startswith((full, short)):
            return full
    match = PLACE.match(text)
    return match.group(1) if match else None


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
