"""Figures the way Chinese readers expect them: 5.66万亿元, 1200万人以上, 4.6%左右, 4.5%—5% (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

# Units whose large values read better with 万/亿/万亿.
SCALED_UNITS = frozenset({"元", "美元", "人", "人次", "斤", "吨", "家", "户", "个", "项", "件", "千瓦", "千瓦时",
                          "平方米", "亩", "辆", "台", "套", "座", "公里", "立方米", "标准箱"})  # fmt: skip
SCALES = ((1e12, "万亿"), (1e8, "亿"), (1e4, "万"))


class TargetLike(Protocol):
    value: float
    value_max: float | None
    unit: str | None
    qualifier: str | None


def number(value: float) -> str:
    """Up to four significant decimals, no trailing zeros: 5.0 → 5, 4.45 → 4.45, 1e-3 → 0.001."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _scaled(value: float, unit: str) -> tuple[str, str]:
    if unit in SCALED_UNITS:
        for factor, prefix in SCALES:
            if abs(value) >= factor:
                return number(value / factor), prefix
    return number(value), ""


def format_value(value: float, unit: str | None, value_max: float | None = None) -> str:
    """One figure or a range in its natural unit: 5.66e12 元 → 5.66万亿元; (4.5, 5) % → 4.5%—5%."""
    unit = unit or ""
    low, prefix = _scaled(value, unit)
    if value_max is None:
        return f"{low}{prefix}{unit}"
    high, prefix_max = _scaled(value_max, unit)
    if prefix == prefix_max:
        return f"{low}{'%' if unit == '%' else ''}—{high}{prefix}{unit}"
    return f"{low}{prefix}{unit}—{high}{prefix_max}{unit}"


# Qualifiers written before the figure in Chinese (突破200亿元, 不低于3%); the rest follow it (5%左右, 1200万人以上).
PREFIX_QUALIFIERS = frozenset({"突破", "超过", "不低于", "不超过", "不少于", "不高于", "约", "近", "达到", "力争"})


def with_qualifier(figure: str, qualifier: str | None) -> str:
    if not qualifier:
        return figure
    return qualifier + figure if qualifier in PREFIX_QUALIFIERS else figure + qualifier


def format_figure(value: float, unit: str | None, value_max: float | None = None, qualifier: str | None = None) -> str:
    """The one way a figure is printed, everywhere (mail, chat, archive, Atom, JSON, CLI): its value or range in
    its natural unit, with its qualifier where Chinese puts it — 4.6%左右, 2500家以上, 5%—5.5%, 近3000家."""
    return with_qualifier(format_value(value, unit, value_max), qualifier)


def format_target(t: TargetLike) -> str:
    """A target with its qualifier where Chinese puts it: 4.6%左右, 1200万人以上, 突破200亿元."""
    return format_figure(t.value, t.unit, t.value_max, t.qualifier)


def reference(data: Mapping[str, Any] | None) -> str:
    """What a target is compared with, saying which it is and printing the figure whole: "2024年实际 近3000家",
    "2024年预计 5%左右", "上年目标 5%—5.5%".

    The figure keeps its own qualifier and range (`low`, `value_max`, `qualifier` of the stored baseline). A
    baseline stored before those were kept has only its midpoint: it is printed bare when its sentence states that
    figure, and not at all when it does not (a range's midpoint, 5.25% for 5%—5.5%), until `govmon reprocess`.
    """
    if not data:
        return ""
    low = data.get("low")
    value, value_max = (data["value"], None) if low is None else (low, data.get("value_max"))
    shown = format_figure(value, data.get("unit"), value_max, data.get("qualifier"))
    sentence = str(data.get("sentence") or "")
    if low is None and sentence and shown not in sentence:
        return ""
    if data.get("basis") != "achieved":
        return f"上年目标 {shown}"
    year = f"{data['year']}年" if data.get("year") else "上年"
    return f"{year}{'预计' if data.get('status') == 'expected' else '实际'} {shown}"


def arrow(old: str | None, new: str | None) -> str:
    """old → new, with — for an absent side."""
    return f"{old or '—'} → {new or '—'}"


# The word a label adds after a metric's name to say what the figure measures, unless the name says it already.
MEASURE_WORDS = {"growth": "增长", "reduction": "降低", "cumulative": "累计"}
_SAYS = {
    "growth": ("增长", "涨幅", "增速", "增幅", "上涨", "提高", "提升"),
    "reduction": ("降低", "下降", "降幅", "减少", "压减"),
    "cumulative": ("累计",),
}
AMBITION_WORDS = {"more": "加码", "less": "放宽"}


def metric_label(name: str, kind: str | None, unit: str | None = None) -> str:
    """The metric's name with its measure: 单位生产总值能耗 降低, 新增高新技术企业, 一般公共预算收入 增长."""
    if kind == "increment":
        return name if name.startswith(("新", "净增")) or "新增" in name else f"新增{name}"
    word = MEASURE_WORDS.get(kind or "")
    if word is None or any(w in name for w in _SAYS[kind or ""]):
        return name
    return f"{name} {'提高' if word == '增长' and unit == '个百分点' else word}"
