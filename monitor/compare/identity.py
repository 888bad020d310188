"""Figure identity (pure): which figures are the same goal, and their values on one scale.

A figure is identified by its subject (the catalogue key, else its normalised name) × its measure class × its
unit family × its period class (one year, or a multi-year term). Two figures compare only when all four agree:
an annual target with an annual target, a plan's term goals with the previous plan's, a level with a level.
A cap on a metric compares with the metric's usual measure (控制在5.5%以内 with 5.5%左右), a year-on-year
difference (比去年增加1万亿元) stands for its metric's level, and values compare in their family's base unit
(亿斤 and 万吨 both as 斤).
"""

from __future__ import annotations

import re

from monitor.extract.metrics import metric, normalise_phrase
from monitor.extract.model import Target
from monitor.extract.units import family_of, in_family_base

Identity = tuple[str, str, str, str]
_DELTA_CUE = re.compile(
    r"(?:比上年|比去年|较上年|较去年|同比)(?P<way>增加|提高|扩大|多|减少|下降|降低|少|缩小)[了约近超]?$"
)
_DOWN = frozenset({"减少", "下降", "降低", "少", "缩小"})


def metric_text(t: Target) -> str:
    return normalise_phrase(t.metric or t.phrase)


def _delta_way(t: Target) -> str | None:
    if t.unit == "%" and t.kind == "growth":
        return None  # 比上年增长5% is a growth target
    at = t.sentence.find(t.raw)
    m = _DELTA_CUE.search(t.sentence[max(0, at - 12) : at]) if at > 0 else None
    return m.group("way") if m else None


def is_delta(t: Target) -> bool:
    """A year-on-year difference (比上年增加5000亿元, 提高1个百分点): it restates a goal relative to last year's."""
    return _delta_way(t) is not None


def delta_sign(t: Target) -> int:
    """+1 for a difference upwards (比去年增加), -1 downwards (比去年减少), 0 when the figure is no difference."""
    way = _delta_way(t)
    return 0 if way is None else (-1 if way in _DOWN else 1)


def kind_class(key: str | None, kind: str) -> str:
    """The measure class of a figure of this metric and measure (a cap stands for the metric's usual measure)."""
    found = metric(key)
    usual = found.measure if found is not None and found.measure is not None else None
    if kind == "cap" or (usual is not None and kind in ("level", "share") and usual in ("level", "share")):
        return usual or "level"
    return kind


def measure_class(t: Target) -> str:
    """The measure two figures must share to compare; a cap and a difference stand for the metric's usual one."""
    if is_delta(t):
        found = metric(t.metric_key)
        return found.measure if found is not None and found.measure is not None else "level"
    return kind_class(t.metric_key, t.kind)


def unit_family(t: Target) -> str:
    """Units that compare: one family (斤, 公斤, 吨), or the units a metric counts alike (就业 人 and 岗位 个)."""
    found = metric(t.metric_key)
    if found is not None and t.unit in found.alike:
        return "alike"
    if is_delta(t) and t.unit == "个百分点":
        return "percent"
    return family_of(t.unit)


def period_class(t: Target) -> str:
    return "term" if t.term else "year"


def identity(t: Target) -> Identity:
    """What makes two targets the same goal: metric, measure class, unit family and period class."""
    return (t.metric_key or "~" + metric_text(t), measure_class(t), unit_family(t), period_class(t))


def midpoint(t: Target) -> float:
    """The value on its family's base scale; a range by its midpoint."""
    middle = t.value if t.value_max is None else (t.value + t.value_max) / 2
    return in_family_base(middle, t.unit)
