"""Repository of derived data: targets, priorities and changes of a document version, pairing, history.

Everything here can be rebuilt from the stored versions (`govmon reprocess`): saving replaces what a
version had, so running extraction or a diff twice yields the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from db import models as m
from monitor.compare.diff import Change, Diff
from monitor.compare.identity import kind_class
from monitor.extract.model import DocumentInfo, Extraction, Kind, Priority, Status, Target


@dataclass(frozen=True)
class VersionInfo:
    """A stored version with what its document says about it."""

    version_id: int
    document_id: int
    url: str
    title: str
    region: str
    doc_type: str
    report_year: int | None
    published_at: date | None
    text: str
    processed_at: datetime | None = None


@dataclass(frozen=True)
class HistoryPoint:
    year: int
    document_id: int
    url: str
    target: Target | None  # the plan figure of that year's document
    result: Target | None  # the result it reports for the year before


# --- versions ------------------------------------------------------------------------------------------------


def _version_query() -> Select[m.DocumentVersion, m.Document]:
    return select(m.DocumentVersion, m.Document).join(m.Document)


def _first(session: Session, query: Select[m.DocumentVersion, m.Document]) -> VersionInfo | None:
    row = session.execute(query.limit(1)).first()
    return None if row is None else _info(row[0], row[1])


def _info(version: m.DocumentVersion, doc: m.Document) -> VersionInfo:
    return VersionInfo(version.id, doc.id, doc.url, doc.title, doc.region, doc.doc_type, doc.report_year,
                       doc.published_at, version.text, version.processed_at)  # fmt: skip


def get_version(session: Session, version_id: int) -> VersionInfo | None:
    return _first(session, _version_query().where(m.DocumentVersion.id == version_id))


def latest_version_of(session: Session, document_id: int) -> VersionInfo | None:
    return _first(session, _version_query().where(m.Document.id == document_id).order_by(m.DocumentVersion.id.desc()))


def unprocessed_versions(session: Session, *, all_versions: bool = False) -> list[int]:
    """Versions whose extraction has not run (or every version, for a reprocess), oldest year first."""
    query = select(m.DocumentVersion.id).join(m.Document)
    if not all_versions:
        query = query.where(m.DocumentVersion.processed_at.is_(None))
    query = query.order_by(m.Document.report_year.asc().nulls_first(), m.DocumentVersion.id)
    return list(session.scalars(query))


def mark_processed(session: Session, version_id: int, extractor_version: str) -> None:
    version = session.get(m.DocumentVersion, version_id)
    if version is not None:
        version.processed_at, version.extractor_version = m.utcnow(), extractor_version


def previous_in_series(session: Session, version_id: int) -> VersionInfo | None:
    """The latest version of the same region's previous document of the same type: the prior year's
    report, else the nearest earlier year, else (no years known) the one published before it."""
    current = get_version(session, version_id)
    if current is None:
        return None
    query = (
        _version_query()
        .where(m.Document.region == current.region, m.Document.doc_type == current.doc_type)
        .where(m.Document.id != current.document_id)
    )
    if current.report_year is not None:
        query = query.where(m.Document.report_year < current.report_year).order_by(m.Document.report_year.desc())
    elif current.published_at is not None:
        query = query.where(m.Document.published_at < current.published_at).order_by(m.Document.published_at.desc())
    else:
        return None
    return _first(session, query.order_by(m.DocumentVersion.id.desc()))


def earlier_in_series(session: Session, version_id: int, years: int = 10) -> list[VersionInfo]:
    """The latest version of each earlier year's document of the same region and type, newest year first."""
    current = get_version(session, version_id)
    if current is None or current.report_year is None:
        return []
    query = (
        _version_query()
        .where(m.Document.region == current.region, m.Document.doc_type == current.doc_type)
        .where(m.Document.report_year < current.report_year, m.Document.report_year >= current.report_year - years)
        .order_by(m.Document.report_year.desc(), m.DocumentVersion.id.desc())
    )
    found: dict[int | None, VersionInfo] = {}
    for version, doc in session.execute(query):
        found.setdefault(doc.report_year, _info(version, doc))
    return list(found.values())


def later_in_series(session: Session, version_id: int) -> list[VersionInfo]:
    """Processed versions whose prior-year partner is now this version (a backfilled earlier year)."""
    current = get_version(session, version_id)
    if current is None or current.report_year is None:
        return []
    query = (
        _version_query()
        .where(m.Document.region == current.region, m.Document.doc_type == current.doc_type)
        .where(m.Document.report_year > current.report_year, m.DocumentVersion.processed_at.is_not(None))
        .order_by(m.Document.report_year, m.DocumentVersion.id.desc())
    )
    candidates = [_info(version, doc) for version, doc in session.execute(query)]
    later = [v for v in candidates if v.report_year == candidates[0].report_year] if candidates else []
    return [v for v in later if (prior := previous_in_series(session, v.version_id)) and prior.version_id == version_id]


def previous_version_of_document(session: Session, version_id: int) -> int | None:
    """The version of the same document stored before this one (a re-published page), if any."""
    current = session.get(m.DocumentVersion, version_id)
    if current is None:
        return None
    query = (
        select(func.max(m.DocumentVersion.id))
        .where(m.DocumentVersion.document_id == current.document_id)
        .where(m.DocumentVersion.id < version_id)
    )
    return session.scalar(query)


# --- extraction ----------------------------------------------------------------------------------------------


def save_extraction(session: Session, version_id: int, extraction: Extraction) -> None:
    """Replace the version's targets and priorities with these."""
    session.execute(delete(m.Target).where(m.Target.version_id == version_id))
    session.execute(delete(m.Priority).where(m.Priority.version_id == version_id))
    session.add_all(_target_row(version_id, t) for t in extraction.targets)
    session.add_all(
        m.Priority(
            version_id=version_id,
            theme=p.theme[:100],
            weight=p.weight,
            count=p.count,
            sentences=list(p.sentences),
            source=p.source,
        )
        for p in extraction.priorities
    )
    session.flush()


def _target_row(version_id: int, t: Target) -> m.Target:
    return m.Target(
        version_id=version_id, metric_key=t.metric_key, metric=t.metric[:200], phrase=t.phrase[:500],
        value=t.value, value_max=t.value_max, unit=t.unit or "", qualifier=t.qualifier, kind=t.kind,
        status=t.status, year=t.year, sentence=t.sentence, span_start=t.span[0], span_end=t.span[1],
        raw=t.raw[:200], headline=t.headline, section=t.section[:20],
        term_start=t.term[0] if t.term else None, term_end=t.term[1] if t.term else None, confidence=t.confidence,
    )  # fmt: skip


def to_target(row: m.Target) -> Target:
    return Target(
        metric=row.metric, metric_key=row.metric_key, phrase=row.phrase, value=row.value, value_max=row.value_max,
        unit=row.unit or None, qualifier=row.qualifier, kind=cast(Kind, row.kind),
        status=cast(Status, row.status), year=row.year, sentence=row.sentence,
        span=(row.span_start, row.span_end), raw=row.raw, headline=row.headline, section=row.section,
        term=(row.term_start, row.term_end) if row.term_start is not None and row.term_end is not None else None,
        confidence=row.confidence,
    )  # fmt: skip


def load_extraction(session: Session, version: VersionInfo) -> Extraction:
    """The stored extraction of a version, as the pure core's records."""
    targets = session.scalars(select(m.Target).where(m.Target.version_id == version.version_id).order_by(m.Target.id))
    priorities = session.scalars(select(m.Priority).where(m.Priority.version_id == version.version_id))
    document = DocumentInfo(title=version.title, region=version.region, year=version.report_year,
                            doc_type=version.doc_type, url=version.url)  # fmt: skip
    return Extraction(
        document,
        [to_target(t) for t in targets],
        [Priority(p.theme, p.weight, p.count, list(p.sentences), p.source) for p in priorities],
    )


# --- changes -------------------------------------------------------------------------------------------------


def save_changes(session: Session, old: VersionInfo | None, new: VersionInfo, result: Diff) -> int:
    """Replace the stored changes of this pair; returns how many rows were written."""
    old_id = old.version_id if old else None
    session.execute(
        delete(m.Change).where(m.Change.new_version_id == new.version_id, m.Change.old_version_id.is_(old_id))
        if old_id is None
        else delete(m.Change).where(m.Change.new_version_id == new.version_id, m.Change.old_version_id == old_id)
    )
    rows = [_change_row(old_id, new, c.metric, c.metric_key, c.change, c.significance,
                        c.old.to_dict() if c.old else None, _with_baseline(c)) for c in result.changes]  # fmt: skip
    for group in (result.emerging, result.fading, result.intensified):
        rows += [_change_row(old_id, new, p.theme, None, p.change, 0.0, None, p.to_dict(), "priority") for p in group]
    session.add_all(rows)
    session.flush()
    return len(rows)


def _with_baseline(change: Change) -> dict[str, Any] | None:
    """The new figure as stored with its change: last year's result it compares with, and the ambition sense."""
    if change.new is None:
        return None
    data = change.new.to_dict()
    data["baseline"] = change.baseline.to_dict() if change.baseline else None
    data["ambition"] = change.ambition
    return data


def _change_row(
    old_id: int | None,
    new: VersionInfo,
    metric: str,
    key: str | None,
    kind: str,
    sig: float,
    old: dict[str, Any] | None,
    new_data: dict[str, Any] | None,
    category: str = "target",
) -> m.Change:
    return m.Change(region=new.region, doc_type=new.doc_type, old_version_id=old_id, new_version_id=new.version_id,
                    category=category, metric_key=key, metric=metric[:200], change=kind, old=old, new=new_data,
                    significance=sig)  # fmt: skip


@dataclass(frozen=True)
class StoredChange:
    id: int
    region: str
    doc_type: str
    category: str
    metric: str
    metric_key: str | None
    change: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    significance: float
    old_version_id: int | None
    new_version_id: int


def changes_for(session: Session, new_version_id: int) -> list[StoredChange]:
    query = select(m.Change).where(m.Change.new_version_id == new_version_id)
    query = query.order_by(m.Change.significance.desc(), m.Change.id)
    return [
        StoredChange(
            c.id,
            c.region,
            c.doc_type,
            c.category,
            c.metric,
            c.metric_key,
            c.change,
            c.old,
            c.new,
            c.significance,
            c.old_version_id,
            c.new_version_id,
        )
        for c in session.scalars(query)
    ]


# --- history -------------------------------------------------------------------------------------------------


def history(session: Session, region: str, metric_key: str, doc_type: str = "work_report",
            measure: str | None = None) -> list[HistoryPoint]:  # fmt: skip
    """Per year: the metric's first target in that year's document and the result it reports.

    With `measure`, only figures of that measure class count (技术合同成交额 amounts apart from its growth).
    """
    latest = (
        select(func.max(m.DocumentVersion.id))
        .join(m.Document)
        .where(m.Document.region == region, m.Document.doc_type == doc_type, m.Document.report_year.is_not(None))
        .group_by(m.Document.id)
    )
    query = (
        select(m.Document, m.Target)
        .join(m.DocumentVersion, m.DocumentVersion.document_id == m.Document.id)
        .join(m.Target, m.Target.version_id == m.DocumentVersion.id)
        .where(m.DocumentVersion.id.in_(latest), m.Target.metric_key == metric_key)
        .order_by(m.Document.report_year, m.Target.id)
    )
    points: dict[int, HistoryPoint] = {}
    for doc, row in session.execute(query):
        if measure is not None and kind_class(row.metric_key, row.kind) != measure:
            continue
        year = doc.report_year or 0  # the query keeps only documents with a year
        point = points.get(year) or HistoryPoint(year, doc.id, doc.url, None, None)
        points[year] = _add_to_point(point, to_target(row))
    return [points[year] for year in sorted(points)]


def _add_to_point(point: HistoryPoint, t: Target) -> HistoryPoint:
    """Keep the best target (the report year's own, headline first) and the first result of an earlier year."""
    if t.status == "target" and (point.target is None or _rank(t, point.year) > _rank(point.target, point.year)):
        return HistoryPoint(point.year, point.document_id, point.url, t, point.result)
    if t.status in ("achieved", "expected") and point.result is None and (t.year or 0) < point.year:
        return HistoryPoint(point.year, point.document_id, point.url, point.target, t)
    return point


def _rank(t: Target, year: int) -> tuple[bool, bool]:
    return (t.year == year, t.headline)
