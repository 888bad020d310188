"""Metric canonicalisation: a phrase before a figure -> (metric name, metric_key)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml

from monitor.extract.units import FAMILIES

# a part of the year a result runs to (一季度, 上半年, 前三季度, 1—10月): when, not what is measured
_QUARTERS = r"第?[一二三四]季度|前[两三]季度|[上下]半年"
_MONTHS = r"(?:1|一)?[—\-–~～至到]?(?:1[0-2]|[1-9]|[一二三四五六七八九十]{1,2})月份?"
PERIOD_TO_DATE = rf"(?:今年|本年)?(?:{_QUARTERS}|{_MONTHS})"
_FILLER = re.compile(
    r"^(?:其中|同时|此外|另外|全年|今年|去年|上年|当年|年末|年底|全省|全市|全区|全县|全州|全国|我省|我市|我区|"
    r"本市|本省|并|和|及|与|以及|力争|确保|争取|预计|实现|主要|现有|已有|拥有|共有(?!产权)|共计|合计|地级及以上城市|[一二三四五六七八九十]{1,3}是|"
    r"(?:(?:19|20)\d\d|20[xX×]{2}|[xX×]{2})年(?:全年)?|(?:近|过去)?[一二三四五六七八九十]{1,3}年(?:来)?|年均|\d{1,3}年来|我国|"
    r"(?:到|至)?“?十[一二三四五六]五”?(?:时期|期间|末)?|(?:今后|未来)[五5]年|[五5]年来|今年以来|"
    + PERIOD_TO_DATE
    + r")+"
)
# who resolves to reach a goal, standing before the thing measured: 市科技局将力争明年…, 我们要确保…
_ACTOR_GOAL = re.compile(
    r"^[\u4e00-\u9fff]{1,10}?(?:将|要)(?:力争|确保|努力)(?:在)?(?:明年|今年|全年|年内|(?:19|20)\d\d年(?:底|末)?)?"
)
# what may stand before a strict metric's variant: 全省地区生产总值, 全社会固定资产投资, 年均城镇调查失业率
_STRICT_PREFIX = re.compile(
    r"(?:全社会|全年|全省|全市|全区|全县|全州|全国|全体|全部|全口径|地方|城乡|国内|地区|实现|完成|其中|年末|年均|"
    r"规模以上|累计|当年|今年|去年|明年|我省|我市|我区|我国|本市|本省|经济|(?:19|20)\d\d年|[一二三四五六七八九十]{1,3}年|\s|"
    r"拟|安排|发行|先|新增|带动|城市|争取|力争|确保|预计|推动|促进|保持|总体|中央|财政|的|和|、|全力|努力|力求|目标|主要|是|"
    r"提出|建议|确定|设定|要求|党中央|国务院|省委|市委|区委|县委|省政府|市政府|区政府|县政府)*"
)
# 47.全市新增…, (3)推进…: the number of an item of a list
_LIST_NUMBER = re.compile(
    r"^(?:\d{1,3}[.．、]|[（(]\d{1,3}[）)]|第[一二三四五六七八九十百零〇]{1,4}条|[（(][一二三四五六七八九十]{1,3}[）)])[\s\u3000]*"
)
_QUOTES = str.maketrans("", "", "“”\"'‘’「」《》")


@dataclass(frozen=True, slots=True)
class Metric:
    """One catalogue entry (metrics.yaml): what a figure of this metric is and how it is compared and shown."""

    key: str
    name: str
    units: frozenset[str]
    strict: bool = False
    measure: str | None = None
    headline: float | None = None
    direction: str | None = "up"
    chart: int | None = None
    required: str | None = None
    flow: Metric | None = None
    parts: tuple[str, ...] = ()  # modifiers that make the variant name a part (中央财政赤字 of 财政赤字)
    alike: frozenset[str] = frozenset()  # units this metric counts alike (就业 人 and 就业岗位 个)
    national_name: str | None = None  # the name in the country's own reports (国内生产总值 for 地区生产总值)

    def shown_for(self, region: str | None) -> str:
        """The display name in a document of this region."""
        return self.national_name if region == "全国" and self.national_name else self.name


@dataclass(frozen=True, slots=True)
class _Table:
    variants: tuple[tuple[re.Pattern[str], Metric, str], ...]  # (variant, metric, a character it must contain)
    any_variant: re.Pattern[str]
    by_key: dict[str, Metric]


_META = re.compile(r"[\\()\[\]{}?*+|^$.]")


def _anchor(pattern: str) -> str:
    """A character every match of the pattern contains (its first plain CJK one), or "" when there is none."""
    cut = _META.search(pattern)
    plain = pattern if cut is None else pattern[: cut.start()]
    if cut is not None and cut.group() in "?*{":
        plain = plain[:-1]  # the character before a quantifier may be absent
    return next((c for c in plain if "\u4e00" <= c <= "\u9fff"), "")


def _units(spec: dict[str, Any]) -> frozenset[str]:
    family = FAMILIES.get(spec.get("family", ""), {})
    return frozenset(spec.get("units", ())) | frozenset(family)


def _metric(key: str, spec: dict[str, Any]) -> Metric:
    units = _units(spec)
    flow = spec.get("flow")
    flow_metric = Metric(flow["key"], flow["name"], units, measure="increment", direction=spec.get("direction", "up"),
                         headline=flow.get("headline")) if flow else None  # fmt: skip
    return Metric(key, spec["name"], units, bool(spec.get("strict")), spec.get("measure"), spec.get("headline"),
                  spec.get("direction", "up"), spec.get("chart"), spec.get("required"), flow_metric,
                  tuple(spec.get("parts", ())), frozenset(spec.get("alike", ())),
                  spec.get("national_name"))  # fmt: skip


@cache
def _table() -> _Table:
    raw = yaml.safe_load(resources.files("monitor.extract").joinpath("metrics.yaml").read_text("utf-8"))
    variants: list[tuple[re.Pattern[str], Metric, str]] = []
    by_key: dict[str, Metric] = {}
    for key, spec in raw.items():
        metric = _metric(key, spec)
        by_key[key] = metric
        if metric.flow is not None:
            by_key[metric.flow.key] = metric.flow
        variants.extend((re.compile(p), metric, _anchor(p)) for p in spec["patterns"])
    any_variant = re.compile("|".join(f"(?:{v.pattern})" for v, _, _ in variants))
    return _Table(tuple(variants), any_variant, by_key)


def metric_keys() -> list[str]:
    """Every canonical metric_key (flows included), in catalogue order."""
    return list(_table().by_key)


def metric(key: str | None) -> Metric | None:
    """The catalogue entry of a key, or None for an unknown or absent key."""
    return _table().by_key.get(key) if key else None


def headline_weight(key: str | None) -> float | None:
    """How much a change of this metric matters among the headline metrics; None when it is not one."""
    found = metric(key)
    return found.headline if found else None


def headline_keys() -> frozenset[str]:
    return frozenset(k for k, m in _table().by_key.items() if m.headline is not None)


def chart_order() -> tuple[str, ...]:
    """The keys with a place in the archive's trend order, in that order."""
    placed = [m for m in _table().by_key.values() if m.chart is not None]
    return tuple(m.key for m in sorted(placed, key=lambda m: m.chart or 0))


def required_keys(doc_type: str | None) -> list[Metric]:
    """The metrics a document of this type must set an annual target for."""
    return [m for m in _table().by_key.values() if doc_type and m.required == doc_type]


def mentions(phrase: str, key: str) -> bool:
    """Whether a phrase names the metric in any of its wordings."""
    return any(m.key == key and variant.search(phrase) for variant, m, _ in _table().variants)


def for_measure(found: Metric, measure: str) -> Metric:
    """The stock's flow entry for an increment (新增高新技术企业 apart from 高新技术企业总数), else the entry itself."""
    return found.flow if measure == "increment" and found.flow is not None else found


def _candidates(phrase: str) -> list[tuple[int, int, int, Metric]]:
    table = _table()
    if table.any_variant.search(phrase) is None:
        return []
    found = []
    chars = set(phrase)
    for variant, metric, anchor in table.variants:
        if anchor and anchor not in chars:
            continue  # cheaper than running the variant: most phrases name one metric at most
        for m in variant.finditer(phrase):
            found.append((m.end(), m.end() - m.start(), m.start(), metric))
    return found


def _best(phrase: str, unit: str | None, leading: bool = False, past: int = 0) -> tuple[Metric, int] | None:
    best: tuple[int, int, int, Metric] | None = None
    for cand in _candidates(phrase):
        if (leading and cand[2] != 0) or cand[0] <= past:
            continue
        if cand[3].units and unit not in cand[3].units:
            continue
        if cand[3].strict and _STRICT_PREFIX.fullmatch(phrase, 0, cand[2]) is None:
            continue  # 海洋生产总值, 人均生产总值, 跨境电商进出口: a part, not the aggregate
        if any(part in phrase[: cand[2]] for part in cand[3].parts):
            continue
        if best is None or cand[:2] > best[:2]:
            best = cand
    return None if best is None else (best[3], best[2])


@lru_cache(maxsize=65536)
def resolve(phrase: str, unit: str | None) -> Metric | None:
    """The canonical metric a phrase names, honouring the units the metric allows.

    In a share phrase (X占Y比重) a variant found in the denominator Y does not count: X is the metric.
    """
    found = _best(phrase, unit)
    share_at = phrase.rfind("占")
    if found and share_at >= 0 and found[1] > share_at:
        found = _best(phrase[:share_at], unit)
    return found[0] if found else None


@lru_cache(maxsize=16384)
def resolve_past(phrase: str, unit: str | None, offset: int) -> Metric | None:
    """The metric a phrase names through a variant that ends past `offset` (粮食|产量, not 粮食|亩产)."""
    found = _best(phrase, unit, past=offset)
    return found[0] if found else None


@lru_cache(maxsize=16384)
def resolve_leading(phrase: str, unit: str | None) -> Metric | None:
    """The metric a phrase opens with (5200亿元固定资产投资: the words after a figure)."""
    found = _best(phrase, unit, leading=True)
    return found[0] if found else None


def normalise_phrase(phrase: str) -> str:
    """A phrase stripped of fillers (全年, 全省, 其中 …) and quotes, comparable across years."""
    phrase = _LIST_NUMBER.sub("", phrase.translate(_QUOTES).strip(" ，,、；;：:。（）()◉●○■□▪•·*#—-"))
    if ("将" in phrase or "要" in phrase) and (goal := _ACTOR_GOAL.match(phrase)) and len(phrase) - goal.end() >= 2:
        phrase = phrase[
            goal.end() :
        ]  # 市科技局将力争明年高新技术企业: the actor and its resolve are no part of the name
    return _FILLER.sub("", phrase)
