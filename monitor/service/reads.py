"""What the web face and the API read: documents, one document in full, a metric's history, sources, health,
the counts behind `/metrics`, and the archive's pages. Field names are those of the CLI's `--json` output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from db import derived, reads, repository, reviews
from db import models as m
from db.reads import DocumentQuery
from db.repository import DocumentRow
from db.session import session_scope
from monitor.extract import extract
from monitor.extract.model import Extraction
from monitor.publish.site import Archive, gather_document
from monitor.vocabulary import StoredChange

MAX_PER_PAGE = 200


@dataclass(frozen=True)
class DocumentList:
    items: list[dict[str, Any]]  # `govmon documents --json` records
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def stored_documents(engine: Engine, region: str | None = None) -> list[DocumentRow]:
    """Every stored document (of `region`), newest first: `govmon documents`."""
    with session_scope(engine) as session:
        return repository.list_documents(session, region)


def stored_history(
    engine: Engine, region: str, metric_key: str, doc_type: str = "work_report"
) -> list[derived.HistoryPoint]:
    """A metric's targets and results across every stored year of a region, oldest first."""
    with session_scope(engine) as session:
        return derived.history(session, region, metric_key, doc_type)


def stored_extraction(engine: Engine, document_id: int) -> Extraction | None:
    """What was extracted from the latest version of a stored document (extracted afresh when nothing was
    stored); None when there is no such document."""
    with session_scope(engine) as session:
        version = derived.latest_version_of(session, document_id)
        if version is None:
            return None
        stored = derived.load_extraction(session, version)
    if stored.targets or stored.priorities:
        return stored
    return extract(version.text, region=version.region, year=version.report_year, doc_type=version.doc_type,
                   title=version.title, url=version.url)  # fmt: skip


def list_documents(engine: Engine, query: DocumentQuery, page: int = 1, per_page: int = 50) -> DocumentList:
    """One page of documents, newest first, filtered by region, document type and report year."""
    page, per_page = max(1, page), min(max(1, per_page), MAX_PER_PAGE)
    with session_scope(engine) as session:
        total = reads.count_documents(session, query)
        rows = reads.documents_page(session, query, (page - 1) * per_page, per_page)
    return DocumentList([r.to_json() for r in rows], total, page, per_page)


def document_detail(engine: Engine, document_id: int) -> dict[str, Any] | None:
    """A document with its figures (`extract --json`'s targets and priorities) and changes (`diff --json`)."""
    with session_scope(engine) as session:
        row = reads.document(session, document_id)
        if row is None:
            return None
        data = gather_document(session, row)
        version = derived.latest_version_of(session, document_id)
        stored = derived.changes_for(session, version.version_id) if version else []
        compared = next((c.old_version_id for c in stored if c.old_version_id is not None), None)
        old = derived.get_version(session, compared) if compared is not None else None
        old_row = reads.document(session, old.document_id) if old else None
    return {
        "document": row.to_json(),
        "compared_with": old_row.to_json() if old_row else None,
        "targets": [t.to_dict() for t in data.targets],
        "priorities": [{"theme": p.theme, "weight": p.weight, "count": p.count} for p in data.priorities],
        "changes": [_change(c) for c in stored if c.category == "target"],
        "priority_changes": _priority_changes(stored),
    }


def _change(c: StoredChange) -> dict[str, Any]:
    new = dict(c.new) if c.new else None
    ambition = new.pop("ambition", None) if new else None
    return {"metric": c.metric, "metric_key": c.metric_key, "change": c.change, "old": c.old, "new": new,
            "significance": c.significance, "ambition": ambition}  # fmt: skip


def _priority_changes(stored: list[StoredChange]) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {"emerging": [], "fading": [], "intensified": []}
    for c in stored:
        if c.category == "priority" and c.change in groups:
            groups[c.change].append(dict(c.new or {"theme": c.metric}))
    return groups


def history_point(p: derived.HistoryPoint) -> dict[str, Any]:
    """One year of `govmon history --json`."""
    return {"year": p.year, "document_id": p.document_id, "url": p.url,
            "target": p.target.to_dict() if p.target else None,
            "result": p.result.to_dict() if p.result else None}  # fmt: skip


def metric_history(engine: Engine, region: str, metric_key: str, doc_type: str = "work_report") -> list[dict[str, Any]]:
    with session_scope(engine) as session:
        return [history_point(p) for p in derived.history(session, region, metric_key, doc_type)]


def sources(engine: Engine) -> list[dict[str, Any]]:
    with session_scope(engine) as session:
        return reads.sources_health(session)


# --- operations ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Health:
    database: bool
    error: str | None
    last_successful_crawl: datetime | None
    checked_at: datetime

    @property
    def crawl_age_seconds(self) -> float | None:
        if self.last_successful_crawl is None:
            return None
        return max(0.0, (self.checked_at - self.last_successful_crawl).total_seconds())

    def to_json(self) -> dict[str, Any]:
        last = self.last_successful_crawl
        return {"status": "ok" if self.database else "unavailable", "database": "ok" if self.database else self.error,
                "last_successful_crawl": last.isoformat(timespec="seconds") if last else None,
                "last_successful_crawl_age_seconds": self.crawl_age_seconds}  # fmt: skip


def health(engine: Engine, now: datetime) -> Health:
    """Whether the database answers, and how old the last successful crawl is."""
    try:
        with session_scope(engine) as session:
            session.execute(text("SELECT 1"))
            last = reads.last_successful_crawl(session)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
        return Health(False, f"unreachable: {reason}", None, now)
    return Health(True, None, last, now)


@dataclass(frozen=True)
class Counts:
    """The figures behind `/metrics`; each dict is by state."""

    documents: int
    versions: int
    figures: dict[str, int]  # by status: target / achieved / expected
    changes: int
    subscribers: dict[str, int]
    crawl_runs: dict[str, int]
    sources: dict[str, int]  # by health
    deliveries: dict[str, int]
    last_successful_crawl: datetime | None = None
    needs_review: int = 0  # documents whose latest version is held for review (`govmon review`)
    extra: dict[str, int] = field(default_factory=dict)


def counts(engine: Engine) -> Counts:
    with session_scope(engine) as session:
        return Counts(
            documents=reads.table_count(session, m.Document),
            versions=reads.table_count(session, m.DocumentVersion),
            figures=reads.grouped_counts(session, m.TargetRow.status),
            changes=reads.table_count(session, m.ChangeRow),
            subscribers=reads.grouped_counts(session, m.Subscriber.status),
            crawl_runs=reads.grouped_counts(session, m.CrawlRun.status),
            sources=reads.grouped_counts(session, m.Source.health),
            deliveries=reads.grouped_counts(session, m.Delivery.status),
            last_successful_crawl=reads.last_successful_crawl(session),
            needs_review=len(reviews.reviews(session)),
        )


# --- the archive -----------------------------------------------------------------------------------------------


def archive_fingerprint(engine: Engine) -> reads.Fingerprint:
    with session_scope(engine) as session:
        return reads.fingerprint(session)


def archive_page(engine: Engine, base_url: str, path: str, live: bool = True) -> str | None:
    """One page of the archive (see `monitor.publish.site.Archive.page`), rendered as `govmon site build` writes it."""
    with session_scope(engine) as session:
        return Archive(session, base_url, live=live).page(path)
