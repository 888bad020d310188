"""Read-only queries of the web face and the API: documents by filter and page, counts, health, known regions.

Each takes a Session and returns plain values or the dataclasses of `db.repository`, never ORM objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Integer, Select, cast, func, select, union
from sqlalchemy.orm import Session

from db import models as m
from db.repository import DocumentRow
from monitor.digest.selection import StoredChangeIn

_Q = TypeVar("_Q", bound=Select)


@dataclass(frozen=True)
class DocumentQuery:
    region: str | None = None
    doc_type: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class Fingerprint:
    """What changes whenever the archive's content may have changed; cheap to read."""

    documents: int
    last_document: int
    versions: int
    last_processed: datetime | None
    changes: int

    @property
    def key(self) -> str:
        stamp = self.last_processed.isoformat() if self.last_processed else "-"
        return f"{self.documents}.{self.last_document}.{self.versions}.{stamp}.{self.changes}"


def known_regions(session: Session) -> list[str]:
    """Regions of stored documents and of registered sources."""
    query = union(select(m.Document.region), select(m.Source.region)).subquery()
    rows: list[Any] = list(session.execute(select(query.c[0])).scalars())
    return sorted(str(r) for r in rows if r)


def _filtered(query: _Q, q: DocumentQuery) -> _Q:
    if q.region:
        query = query.where(m.Document.region == q.region)
    if q.doc_type:
        query = query.where(m.Document.doc_type == q.doc_type)
    if q.year is not None:
        query = query.where(m.Document.report_year == q.year)
    return query


def count_documents(session: Session, q: DocumentQuery) -> int:
    return int(session.scalar(_filtered(select(func.count(m.Document.id)), q)) or 0)


def documents_page(session: Session, q: DocumentQuery, offset: int, limit: int) -> list[DocumentRow]:
    """Documents newest first (the order of `govmon documents`), one page of them."""
    versions = (
        select(m.DocumentVersion.document_id, func.count().label("n")).group_by(m.DocumentVersion.document_id)
    ).subquery()
    query = (
        select(m.Document, cast(func.coalesce(versions.c.n, 0), Integer))
        .outerjoin(versions, versions.c.document_id == m.Document.id)
        .order_by(m.Document.report_year.desc().nulls_last(), m.Document.published_at.desc().nulls_last())
        .order_by(m.Document.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [_row(doc, n) for doc, n in session.execute(_filtered(query, q))]


def document(session: Session, document_id: int) -> DocumentRow | None:
    doc = session.get(m.Document, document_id)
    if doc is None:
        return None
    n = session.scalar(select(func.count()).where(m.DocumentVersion.document_id == document_id)) or 0
    return _row(doc, int(n))


def _row(doc: m.Document, versions: int) -> DocumentRow:
    return DocumentRow(doc.id, doc.url, doc.title, doc.region, doc.doc_type, doc.report_year, doc.published_at,
                       doc.source_id, versions)  # fmt: skip


def fingerprint(session: Session) -> Fingerprint:
    docs = session.execute(select(func.count(m.Document.id), func.max(m.Document.id))).one()
    versions = session.execute(select(func.count(m.DocumentVersion.id), func.max(m.DocumentVersion.processed_at))).one()
    changes = int(session.scalar(select(func.count(m.Change.id))) or 0)
    last = versions[1]
    if isinstance(last, str):  # SQLite hands an aggregate of a typed column back as text
        last = datetime.fromisoformat(last)
    return Fingerprint(int(docs[0] or 0), int(docs[1] or 0), int(versions[0] or 0), last, changes)


def grouped_counts(session: Session, column: Any) -> dict[str, int]:
    rows: list[Any] = list(session.execute(select(column, func.count()).group_by(column)))
    return {str(key): int(n) for key, n in rows}


def table_count(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def last_successful_crawl(session: Session) -> datetime | None:
    found = session.scalar(select(func.max(m.CrawlRun.finished_at)).where(m.CrawlRun.status == "ok"))
    return datetime.fromisoformat(found) if isinstance(found, str) else found


def metric_keys_with_targets(session: Session) -> list[str]:
    query = select(m.Target.metric_key).where(m.Target.metric_key.is_not(None)).distinct()
    return sorted(k for k in session.scalars(query) if k)


def regions_with_metric(session: Session, metric_key: str) -> list[tuple[str, str]]:
    """(region, doc_type) pairs whose stored documents carry a figure of this metric."""
    query = (
        select(m.Document.region, m.Document.doc_type)
        .join(m.DocumentVersion, m.DocumentVersion.document_id == m.Document.id)
        .join(m.Target, m.Target.version_id == m.DocumentVersion.id)
        .where(m.Target.metric_key == metric_key)
        .distinct()
    )
    return sorted((region, doc_type) for region, doc_type in session.execute(query))


@dataclass(frozen=True)
class LatestVersion:
    version_id: int
    fetched_at: datetime


def latest_versions(session: Session) -> dict[int, LatestVersion]:
    """Each document's latest version and when it was fetched, in two queries for the whole archive."""
    latest = select(func.max(m.DocumentVersion.id)).group_by(m.DocumentVersion.document_id)
    query = select(m.DocumentVersion.document_id, m.DocumentVersion.id, m.DocumentVersion.fetched_at).where(
        m.DocumentVersion.id.in_(latest)
    )
    return {doc_id: LatestVersion(vid, fetched) for doc_id, vid, fetched in session.execute(query)}


@dataclass(frozen=True)
class VersionChanges:
    changes: tuple[StoredChangeIn, ...]  # most significant first
    compared_version: int | None  # the prior-year version they were diffed against


def changes_of(session: Session, version_ids: list[int]) -> dict[int, VersionChanges]:
    """The stored changes of many versions at once."""
    found: dict[int, list[m.Change]] = {}
    for start in range(0, len(version_ids), 500):
        query = select(m.Change).where(m.Change.new_version_id.in_(version_ids[start : start + 500]))
        for c in session.scalars(query.order_by(m.Change.significance.desc(), m.Change.id)):
            found.setdefault(c.new_version_id, []).append(c)
    return {vid: _version_changes(rows) for vid, rows in found.items()}


def _version_changes(rows: list[m.Change]) -> VersionChanges:
    changes = tuple(StoredChangeIn(c.category, c.metric, c.metric_key, c.change, c.old, c.new, c.significance)
                    for c in rows)  # fmt: skip
    return VersionChanges(changes, next((c.old_version_id for c in rows if c.old_version_id is not None), None))


def titles_of_versions(session: Session, version_ids: set[int]) -> dict[int, str]:
    query = select(m.DocumentVersion.id, m.Document.title).join(m.Document).where(m.DocumentVersion.id.in_(version_ids))
    return {vid: title for vid, title in session.execute(query)}


def first_seen(session: Session) -> dict[int, datetime]:
    return {doc_id: seen for doc_id, seen in session.execute(select(m.Document.id, m.Document.first_seen_at))}


def sources_health(session: Session) -> list[dict[str, Any]]:
    """Every source with its health, documents and last run, in the field names of `govmon sources list --json`."""
    counts = dict(session.execute(select(m.Document.source_id, func.count()).group_by(m.Document.source_id)).all())
    last_run = select(func.max(m.CrawlRun.id)).group_by(m.CrawlRun.source_id)
    runs = {r.source_id: r for r in session.scalars(select(m.CrawlRun).where(m.CrawlRun.id.in_(last_run)))}
    return [_source_record(s, int(counts.get(s.id, 0)), runs.get(s.id)) for s in session.scalars(select(m.Source))]


def _stamp(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def _source_record(s: m.Source, documents: int, run: m.CrawlRun | None) -> dict[str, Any]:
    config = s.config or {}
    last = {"status": run.status, "started_at": _stamp(run.started_at), "finished_at": _stamp(run.finished_at),
            "pages": run.pages, "new_documents": run.new_documents, "errors": run.errors} if run else None  # fmt: skip
    return {"id": s.id, "name": s.name, "region": s.region, "level": s.level, "cms": config.get("cms", "auto"),
            "start_urls": list(config.get("start_urls", ())), "health": s.health, "last_error": s.last_error,
            "last_crawled_at": _stamp(s.last_crawled_at), "documents": documents, "last_run": last}  # fmt: skip
