"""The digest's editorial decisions (pure): what comes first, what opens it, and what the cap leaves out.

- Order: the nation before provinces before cities and bureaus; within a tier, documents by their weightiest
  change (headline weight × size of the change × ambition), documents with nothing to compare last.
- Identical moves of several regions (下调 ▼ 3%左右 → 2%左右 in four provinces) are shown once, as a group.
- The subject names the top change in under 40 characters; a summary opens the digest.
- The cap drops whole documents into a closing "also published" list with their counts: no heading is ever left
  without content.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from monitor.compare.levels import region_level, short_name
from monitor.digest.views import ChangeView

TIER = {"national": 0, "province": 1, "city": 2}
BUREAU_DOC_TYPES = ("plan", "summary", "other")  # a city's own documents come after its work report
SUBJECT_LIMIT = 40  # characters: mail clients cut longer subjects, and the top change must show
# Every subject carries the name: a group robot with a keyword setting (钉钉) refuses messages without it.
SUBJECT_PREFIX = "govmon · "


@dataclass(frozen=True)
class AlsoItem:
    """A document left out of the digest's body (by the cap, or as last year's baseline of a newer report)."""

    region: str
    title: str
    archive_url: str
    note: str  # "9项变化" / "6项主要目标，作为2025年报告的对比基准"


@dataclass(frozen=True)
class GroupedMove:
    """The same change made by several regions, shown once: 居民消费价格涨幅 下调 ▼ 3%左右 → 2%左右 — 上海市、广东省."""

    metric: str
    metric_key: str
    change: str
    label: str
    old: str
    new: str
    regions: tuple[str, ...]


def tier(region: str, doc_type: str) -> int:
    """0 the nation, 1 a province, 2 a city's work report, 3 a city's or a bureau's other documents."""
    level = TIER[region_level(region)]
    return level + 1 if level == 2 and doc_type in BUREAU_DOC_TYPES else level


def short_region(region: str) -> str:
    return short_name(region)


def top_changes(tagged: Sequence[tuple[int, str, ChangeView]], count: int = 3) -> list[tuple[str, ChangeView]]:
    """The changes that matter most: by tier first (the nation's move outweighs a province's), then by rank."""
    moved = [t for t in tagged if t[2].change in ("raised", "lowered", "reworded", "dropped")]
    moved.sort(key=lambda t: (t[0], -t[2].rank))
    return [(region, view) for _, region, view in moved[:count]]


def compact(view: ChangeView) -> str:
    """赤字率 3%→4%左右: the arrow without its spaces, as a subject and the summary show it."""
    return f"{view.metric} {view.arrow.replace(' → ', '→')}"


def subject_line(lead: str, total: int, limit: int = SUBJECT_LIMIT) -> str:
    """全国：赤字率 3%→4%左右 等9项变化, shortened to the limit without cutting the figures."""
    more = f" 等{total}项变化" if total > 1 else ""
    room = limit - len(SUBJECT_PREFIX)
    if len(lead + more) <= room:
        return SUBJECT_PREFIX + lead + more
    if len(lead) <= room:
        return SUBJECT_PREFIX + lead
    return SUBJECT_PREFIX + lead[: room - 1] + "…"


def group_moves(items: Sequence[tuple[str, ChangeView]], min_regions: int = 2) -> list[GroupedMove]:
    """Changes that two or more regions made identically (same metric, same kind, same old and new figures)."""
    found: dict[tuple[str, str, str, str], list[tuple[str, ChangeView]]] = {}
    for region, view in items:
        if view.change in ("raised", "lowered", "reworded", "dropped") and view.metric_key:
            found.setdefault((view.metric_key, view.change, view.old, view.new), []).append((region, view))
    groups = []
    for members in found.values():
        regions = tuple(dict.fromkeys(region for region, _ in members))
        if len(regions) >= min_regions:
            view = members[0][1]
            groups.append(GroupedMove(view.metric, view.metric_key, view.change, view.label, view.old, view.new,
                                      regions))  # fmt: skip
    groups.sort(key=lambda g: (-max(v.rank for _, v in found[(g.metric_key, g.change, g.old, g.new)]),
                               -len(g.regions)))  # fmt: skip
    return groups


def count_note(changes: int, goals: int, reason: str = "") -> str:
    parts = [f"{changes}项变化" if changes else "", f"{goals}项主要目标" if goals else ""]
    text = "、".join(p for p in parts if p) or "无主要目标变化"
    return f"{text}，{reason}" if reason else text


def without(groups: Sequence[GroupedMove], region: str, views: Sequence[ChangeView]) -> tuple[ChangeView, ...]:
    """The views of a region that a group shows instead."""
    grouped = {(g.metric_key, g.change, g.old, g.new) for g in groups if region in g.regions}
    return tuple(v for v in views if (v.metric_key, v.change, v.old, v.new) not in grouped)


def trim(views: tuple[ChangeView, ...], room: int) -> tuple[ChangeView, ...]:
    return views[: max(0, room)]


__all__ = ["AlsoItem", "GroupedMove", "compact", "group_moves", "subject_line", "tier", "top_changes"]
