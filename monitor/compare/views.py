"""A comparison as text: cells, the summary sentence and the CSV download (pure, shared by CLI, site and digest)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable

from monitor.compare.levels import LEVEL_WORDS
from monitor.compare.regions import CompareRow, CompareTable
from monitor.extract.model import Target
from monitor.format import format_figure, format_target, format_value, number
from monitor.vocabulary import CHANGE_LABELS
from monitor.vocabulary import CHANGE_MARKS as MARKS

MISSING = "—"


def figure(t: Target | None) -> str:
    return format_target(t) if t is not None else MISSING


def change_label(change: str | None) -> str:
    return CHANGE_LABELS.get(change, change) if change else ""


def mark(change: str | None) -> str:
    return MARKS.get(change or "", "")


def gap_text(value: float | None, unit: str | None, *, with_unit: bool = True) -> str:
    """+0.4个百分点 for rates, +20亿斤 for amounts (+0.4 and +20亿 without the unit); empty without a gap."""
    if value is None:
        return ""
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    size = abs(value)
    if unit in ("%", "个百分点"):
        return sign + number(size) + ("个百分点" if with_unit else "")
    text = format_value(size, unit)
    return sign + (text if with_unit or not unit else text.removesuffix(unit))


def gap_unit(unit: str | None) -> str:
    return "个百分点" if unit in ("%", "个百分点") else (unit or "")


def typical_qualifier(targets: Iterable[Target]) -> str | None:
    counts = Counter(t.qualifier for t in targets)
    return counts.most_common(1)[0][0] if counts else None


def median_label(table: CompareTable) -> str:
    """The median target as the regions write it: 5%左右 (the most common qualifier)."""
    spread = table.summary.spread
    if spread is None:
        return MISSING
    return format_figure(spread.median, table.summary.unit, qualifier=typical_qualifier(table.targets))


def spread_label(table: CompareTable) -> str:
    spread, unit = table.summary.spread, table.summary.unit
    if spread is None or spread.low == spread.high:
        return ""
    low, high = format_value(spread.low, unit), format_value(spread.high, unit)
    return f"中间一半 {format_value(spread.p25, unit, spread.p75)}，最低 {low}，最高 {high}"


def reported_line(table: CompareTable) -> str:
    """已有12个省份发布2025年报告（共31个）；尚未发布：…"""
    s = table.summary
    word = LEVEL_WORDS.get(s.level, "地区")
    line = f"已有{s.reported}个{word}发布{table.year}年报告（共{s.expected}个）"
    return line + (f"；上年已发布、今年尚未发布：{'、'.join(s.awaiting)}" if s.awaiting else "")


def counts_line(table: CompareTable) -> str:
    """下调 ▼ 9 · 持平 2 · 新增 1 — or why there is nothing to count."""
    s = table.summary
    parts = [f"{change_label(kind)} {n}" for kind, n in s.changes.items() if n]
    if s.no_prior_year:
        parts.append(f"无上年报告可比 {s.no_prior_year}")
    missing = s.reported - s.with_target
    if missing:
        parts.append(f"未设定目标 {missing}")
    return " · ".join(parts)


def national_label(table: CompareTable) -> str:
    return figure(table.summary.national)


CSV_COLUMNS = ("region", "level", "document_id", "target", "target_value", "target_value_max", "unit", "qualifier",
               "prior_target", "prior_target_value", "prior_result", "prior_result_value", "prior_result_year",
               "change", "gap", "sentence")  # fmt: skip


def csv_text(*tables: CompareTable) -> str:
    """The tables' rows as one CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_row(r) for table in tables for r in table.rows)
    return "\ufeff" + out.getvalue()


def _csv_row(r: CompareRow) -> list[object]:
    t, p, res = r.target, r.prior_target, r.prior_result
    return [r.region, r.level, r.document_id, figure(t) if t else "", _v(t), t.value_max if t else "",
            t.unit if t else "", (t.qualifier or "") if t else "", figure(p) if p else "", _v(p),
            figure(res) if res else "", _v(res), (res.year or "") if res else "", r.change or "",
            "" if r.gap is None else r.gap, t.sentence if t else ""]  # fmt: skip


def _v(t: Target | None) -> object:
    return "" if t is None else t.value
