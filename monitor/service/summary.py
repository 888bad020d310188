"""What a database holds, per region, for the demo's summary table: documents, targets, changes; and the row
counts a rerun must not grow."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from db import models as m
from db.session import session_scope
from monitor.format import metric_label
from monitor.vocabulary import MUNICIPALITIES, NATIONAL

MOVES = ("raised", "lowered", "reworded", "new", "dropped")


@dataclass
class RegionStats:
    region: str
    documents: int = 0
    years: tuple[int, ...] = ()
    targets: int = 0
    changes: Counter[str] = field(default_factory=Counter)

    @property
    def moved(self) -> int:
        """Changes that say something: everything but `unchanged`."""
        return sum(self.changes[c] for c in MOVES)


@dataclass(frozen=True)
class TopChange:
    region: str
    metric: str
    change: str
    old: str
    new: str


def region_stats(engine: Engine) -> list[RegionStats]:
    with session_scope(engine) as session:
        return _region_stats(session)


def _region_stats(session: Session) -> list[RegionStats]:
    stats: dict[str, RegionStats] = {}
    docs = select(m.Document.region, func.count(), func.min(m.Document.report_year), func.max(m.Document.report_year))
    for region, count, first, last in session.execute(docs.group_by(m.Document.region)):
        stats[region] = RegionStats(region, count, tuple(y for y in (first, last) if y is not None))
    targets = (
        select(m.Document.region, func.count())
        .join(m.DocumentVersion, m.DocumentVersion.document_id == m.Document.id)
        .join(m.TargetRow, m.TargetRow.version_id == m.DocumentVersion.id)
        .where(m.TargetRow.status == "target")
        .group_by(m.Document.region)
    )
    for region, count in session.execute(targets):
        stats[region].targets = count
    changes = select(m.ChangeRow.region, m.ChangeRow.change, func.count()).where(m.ChangeRow.category == "target")
    for region, change, count in session.execute(changes.group_by(m.ChangeRow.region, m.ChangeRow.change)):
        stats.setdefault(region, RegionStats(region)).changes[change] = count
    return sorted(stats.values(), key=_region_order)


def _region_order(s: RegionStats) -> tuple[int, str]:
    level = 0 if s.region == NATIONAL else 1 if s.region.endswith(("省", "自治区")) or s.region in MUNICIPALITIES else 2
    return level, s.region


def top_changes(engine: Engine, limit: int = 8) -> list[TopChange]:
    """The most significant target changes (raised, lowered, reworded), most significant first."""
    with session_scope(engine) as session:
        return _top_changes(session, limit)


def _top_changes(session: Session, limit: int) -> list[TopChange]:
    query = (
        select(m.ChangeRow)
        .where(m.ChangeRow.category == "target", m.ChangeRow.change.in_(("raised", "lowered", "reworded")))
        .order_by(m.ChangeRow.significance.desc(), m.ChangeRow.id)
        .limit(limit)
    )
    return [TopChange(c.region, _label(c), c.change, _raw(c.old), _raw(c.new)) for c in session.scalars(query)]


def _label(c: m.ChangeRow) -> str:
    """The metric with what it measures (单位生产总值能耗 降低), as digests show it."""
    shown = c.new or c.old or {}
    return metric_label(c.metric, shown.get("kind"), shown.get("unit"))


def _raw(target: dict[str, Any] | None) -> str:
    return "" if not target else str(target.get("raw") or target.get("value", ""))


def counts(engine: Engine) -> dict[str, int]:
    """Row counts of the tables a rerun must not grow."""
    with session_scope(engine) as session:
        return _counts(session)


def _counts(session: Session) -> dict[str, int]:
    tables = {"documents": m.Document, "versions": m.DocumentVersion, "targets": m.TargetRow, "changes": m.ChangeRow,
              "deliveries": m.Delivery}  # fmt: skip
    return {name: int(session.scalar(select(func.count()).select_from(t)) or 0) for name, t in tables.items()}
