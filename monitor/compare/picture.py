"""The digest's national picture from the comparison tables (pure): one block per headline metric.

"12个省份中9个下调经济增长目标，另有2个持平（中位数5%左右；全国5%左右）", how many have reported so far, and the
moves of the regions whose reports the digest brings, identical moves grouped (下调 ▼ 5.5%左右 → 5%左右：河北省、
山西省).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from monitor.compare.diff import CHANGE_KINDS
from monitor.compare.levels import LEVEL_WORDS, in_level
from monitor.compare.regions import CompareRow, CompareTable
from monitor.compare.views import change_label, figure, median_label, national_label, reported_line
from monitor.digest.national import MoveGroup, NationalBlock

LEADS = {
    "raised": "{k}个上调{metric}目标",
    "lowered": "{k}个下调{metric}目标",
    "unchanged": "{k}个{metric}目标与上年持平",
    "reworded": "{k}个调整了{metric}目标的表述",
    "new": "{k}个新设{metric}目标",
    "dropped": "{k}个不再设定{metric}目标",
}
OTHERS = {"raised": "上调", "lowered": "下调", "unchanged": "持平", "reworded": "调整表述", "new": "新设",
          "dropped": "不再设定"}  # fmt: skip
SET = "set"  # a target with no prior year stored to compare with


def national_blocks(tables: Sequence[CompareTable], window: Collection[str]) -> list[NationalBlock]:
    """A block per table (one metric, year and level) in which a region of `window` sets or drops a target."""
    blocks = []
    for table in tables:
        mine = [r for r in table.rows if r.region in window and (r.target or r.prior_target)]
        if mine:
            lead, headline, top = _lead(table)
            level_window = frozenset(r for r in window if in_level(r, table.level))
            blocks.append(NationalBlock(table.year, table.level, table.metric, table.metric_key, lead, top, headline,
                                        reported_line(table), _moves(mine), level_window))  # fmt: skip
    return blocks


def _lead(table: CompareTable) -> tuple[str, str, str]:
    """The lead (12个省份中9个下调经济增长目标), the whole headline, and the lead's change kind."""
    s = table.summary
    opening = f"{s.reported}个{LEVEL_WORDS.get(s.level, '地区')}中"
    counts = [(kind, s.changes[kind]) for kind in CHANGE_KINDS if s.changes.get(kind)]
    top, others = SET, ""
    if counts:
        top, k = max(counts, key=lambda item: item[1])
        lead = opening + LEADS[top].format(k=k, metric=table.metric)
        others = "、".join(f"{n}个{OTHERS[kind]}" for kind, n in counts if kind != top)
    else:
        lead = opening + f"{s.with_target}个设定了{table.metric}目标"
    national = f"；全国{national_label(table)}" if s.national else ""
    tail = f"（中位数{median_label(table)}{national}）"
    return lead, lead + (f"，另有{others}" if others else "") + tail, top


def _moves(rows: Sequence[CompareRow]) -> tuple[MoveGroup, ...]:
    groups: dict[tuple[str, str, str], list[str]] = {}
    for row in rows:
        groups.setdefault((row.change or SET, figure(row.prior_target), figure(row.target)), []).append(row.region)
    order = {kind: i for i, kind in enumerate((*CHANGE_KINDS, SET))}
    ranked = sorted(groups.items(), key=lambda item: (order[item[0][0]], -len(item[1])))
    return tuple(MoveGroup(kind, change_label(kind) if kind != SET else "设定", old, new, tuple(regions))
                 for (kind, old, new), regions in ranked)  # fmt: skip
