"""The digest's national picture as data (pure): one block per headline metric when a digest covers reports of
one year from three or more regions.

Reports arrive over weeks; a subscriber following a dozen provinces should read "12个省份中9个下调经济增长目标"
once, not the same move twelve times. `monitor/compare/picture.py` builds the blocks from the comparison tables;
the digest keeps those its own reports call for and takes the grouped moves out of the per-region sections.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, replace

MIN_REGIONS = 3  # a digest covering reports of one year from this many regions of a level opens with the picture


@dataclass(frozen=True)
class MoveGroup:
    """Regions that made the same move: 下调 ▼ 5.5%左右 → 5%左右 — 河北省、山西省."""

    change: str  # raised … dropped, or "set" when no prior year is stored to compare with
    label: str
    old: str
    new: str
    regions: tuple[str, ...]


@dataclass(frozen=True)
class NationalBlock:
    year: int
    level: str  # province / city
    metric: str
    metric_key: str
    lead: str  # 12个省份中9个下调经济增长目标
    top_change: str  # the most frequent change kind of the lead (lowered), or "set" with no prior year
    headline: str  # the lead with the others' moves, the median and the national target
    reported: str  # 已有12个省份发布2025年报告（共31个）
    moves: tuple[MoveGroup, ...]  # of the regions whose new reports the digest covers
    window: frozenset[str] = frozenset()  # every region of the level with a report of the year in the window

    @property
    def regions(self) -> frozenset[str]:
        return frozenset(r for m in self.moves for r in m.regions)


def select_blocks(blocks: Iterable[NationalBlock], reports: Iterable[tuple[str, int | None, str]],
                  metrics: frozenset[str] | None) -> tuple[NationalBlock, ...]:  # fmt: skip
    """The blocks a digest opens with, their moves trimmed to the digest's own regions.

    `reports`: (region, report year, document type) of every document the digest covers; `metrics`: the metric
    keys the subscriber follows (None: every metric).
    """
    covered: dict[int, set[str]] = {}
    for region, year, doc_type in reports:
        if doc_type == "work_report" and year is not None:
            covered.setdefault(year, set()).add(region)
    chosen = []
    for block in blocks:
        regions = covered.get(block.year, set()) & block.window
        if (metrics is None or block.metric_key in metrics) and len(regions) >= MIN_REGIONS:
            trimmed = _trim(block, regions)
            if trimmed.moves:
                chosen.append(trimmed)
    newest = {level: max(b.year for b in chosen if b.level == level) for level in {b.level for b in chosen}}
    return tuple(b for b in chosen if b.year == newest[b.level])  # a backfilled earlier year shows in the later


def _trim(block: NationalBlock, regions: Set[str]) -> NationalBlock:
    moves = tuple(replace(m, regions=tuple(r for r in m.regions if r in regions)) for m in block.moves)
    return replace(block, moves=tuple(m for m in moves if m.regions))


def subject_block(blocks: Sequence[NationalBlock]) -> NationalBlock | None:
    """The block a subject line leads with: the first (weightiest) metric that regions raised or lowered."""
    return next((b for b in blocks if b.top_change in ("raised", "lowered")), blocks[0] if blocks else None)


def grouped(blocks: Iterable[NationalBlock]) -> dict[tuple[str, int], frozenset[str]]:
    """(region, year) → the metric keys whose change the national picture shows for that region's work report."""
    found: dict[tuple[str, int], set[str]] = {}
    for block in blocks:
        for region in block.regions:
            found.setdefault((region, block.year), set()).add(block.metric_key)
    return {place: frozenset(keys) for place, keys in found.items()}
