"""Repository functions: each takes a Session and returns plain dataclasses, never ORM objects.

Callers own the transaction (see `db.session.session_scope`). The storage rules live here, so that a page is
stored once however it is reached: URLs are normalised before they become unique keys, and a version's hash is
taken over normalised text so a re-encoded or re-styled page is not a new version.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session

from db import models as m
from db.runs import RunRow, get_run
from monitor import vocabulary

DOC_TYPES = vocabulary.DOC_TYPES
LEVELS = vocabulary.SOURCE_LEVELS
HEALTH = ("unknown", "ok", "blocked", "broken")

_SPACE = re.compile(r"\s+")
# The full-width forms of ASCII, the ideographic space and the no-break space, each with its NFKC decomposition (one
# ASCII character). Chinese prose holds many of these and seldom another compatibility character; once they are
# replaced, its text is already in NFKC, which Python then sees at once instead of decomposing and recomposing
# every character (a tenth of a millisecond per page).
_WIDE = {chr(c): unicodedata.normalize("NFKD", chr(c)) for c in (*range(0xFF01, 0xFF5F), 0x3000, 0xA0)}
_WIDE_FORM = re.compile("[\uff01-\uff5e\u3000\xa0]")


def normalise_text(text: str) -> str:
    """Fold what does not change meaning: NFKC (full-width forms, &nbsp;), all runs of white space.

    A character replaced by its own compatibility decomposition leaves the string's NFKD, hence its NFKC,
    unchanged: the full-width forms go first only to spare NFKC the work."""
    narrow = _WIDE_FORM.sub(lambda match: _WIDE[match.group()], text)
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", narrow)).strip()


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def normalise_url(url: str) -> str:
    """Lower-case scheme and host, drop the fragment and default ports; keep path and query as published."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    netloc = host if port in (None, default) else f"{host}:{port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


# --- plain records -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceSpec:
    """What the registry says about a source (crawler/sources.py builds these)."""

    id: str
    region: str
    name: str = ""
    level: str = "other"
    config: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceRow:
    id: str
    name: str
    region: str
    level: str
    health: str
    last_error: str | None
    last_crawled_at: datetime | None
    documents: int


@dataclass(frozen=True)
class DocumentRow:
    id: int
    url: str
    title: str
    region: str
    doc_type: str
    report_year: int | None
    published_at: date | None
    source_id: str | None
    versions: int

    def to_json(self) -> dict[str, Any]:
        """What `govmon documents --json` and the API print: field names are a contract, only ever added to."""
        return {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "region": self.region,
            "doc_type": self.doc_type,
            "report_year": self.report_year,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "source_id": self.source_id,
            "versions": self.versions,
        }


@dataclass
class FetchedDocument:
    """One fetched report or plan, as the crawler pipeline or `govmon import` hands it over: the one record of a
    fetched document (the crawler's item is this record with the link's title added, `crawler.items`). Mutable
    because the spider fills it in as it reads the page."""

    url: str
    region: str
    text: str
    raw: bytes
    title: str = ""
    doc_type: str = "other"
    report_year: int | None = None
    published_at: date | None = None
    source_id: str | None = None
    http_status: int | None = 200
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    encoding: str | None = None


StoreStatus = Literal["new", "changed", "unchanged", "duplicate"]


@dataclass(frozen=True)
class StoreOutcome:
    status: StoreStatus
    document_id: int
    version_id: int | None  # None when nothing was written


# --- sources and crawl runs ----------------------------------------------------------------------------------


def sync_sources(session: Session, specs: Iterable[SourceSpec]) -> int:
    """Insert or update the registry's sources; health and history are kept. Returns how many were seen.

    Rows are read in chunks (one query per 500 sources), and only the changed or new ones are written."""
    wanted = {spec.id: spec for spec in specs}
    ids = list(wanted)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = {row.id: row for row in session.scalars(select(m.Source).where(m.Source.id.in_(chunk)))}
        for source_id in chunk:
            spec, row = wanted[source_id], rows.get(source_id)
            if row is None:
                row = m.Source(id=spec.id, health="unknown")
                session.add(row)
            fields = (spec.name, spec.region, spec.level, dict(spec.config))
            if (row.name, row.region, row.level, row.config) != fields:
                row.name, row.region, row.level, row.config = fields
    session.flush()
    return len(ids)


def list_sources(session: Session) -> list[SourceRow]:
    counts = select(m.Document.source_id, func.count().label("n")).group_by(m.Document.source_id).subquery()
    query = (
        select(m.Source, cast(func.coalesce(counts.c.n, 0), Integer))
        .outerjoin(counts, counts.c.source_id == m.Source.id)
        .order_by(m.Source.id)
    )
    return [_source_row(source, n) for source, n in session.execute(query).all()]


def _source_row(s: m.Source, documents: int) -> SourceRow:
    return SourceRow(s.id, s.name, s.region, s.level, s.health, s.last_error, s.last_crawled_at, documents)


def set_source_health(session: Session, source_id: str, health: str, error: str | None = None) -> None:
    if health not in HEALTH:
        raise ValueError(f"health must be one of {HEALTH}, not {health!r}")
    source = session.get(m.Source, source_id)
    if source is None:
        raise KeyError(source_id)
    source.health, source.last_error = health, error
    source.last_crawled_at = m.utcnow()


def start_crawl_run(session: Session, source_id: str) -> int:
    run = m.CrawlRun(source_id=source_id, status="running", stats={})
    session.add(run)
    session.flush()
    return run.id


def finish_crawl_run(
    session: Session,
    run_id: int,
    *,
    status: str,
    pages: int = 0,
    new_documents: int = 0,
    errors: int = 0,
    stats: dict[str, Any] | None = None,
) -> None:
    run = session.get(m.CrawlRun, run_id)
    if run is None:
        raise KeyError(run_id)
    run.status, run.pages, run.new_documents, run.errors = status, pages, new_documents, errors
    run.stats = dict(stats or {})
    run.finished_at = m.utcnow()


# --- documents and versions ----------------------------------------------------------------------------------


def list_documents(session: Session, region: str | None = None) -> list[DocumentRow]:
    versions = func.count(m.DocumentVersion.id)
    query = (
        select(m.Document, versions)
        .outerjoin(m.DocumentVersion, m.DocumentVersion.document_id == m.Document.id)
        .group_by(m.Document.id)
        .order_by(m.Document.report_year.desc().nulls_last(), m.Document.published_at.desc().nulls_last())
        .order_by(m.Document.id.desc())
    )
    if region:
        query = query.where(m.Document.region == region)
    return [_document_row(doc, n) for doc, n in session.execute(query)]


def _document_row(doc: m.Document, versions: int) -> DocumentRow:
    return DocumentRow(
        doc.id,
        doc.url,
        doc.title,
        doc.region,
        doc.doc_type,
        doc.report_year,
        doc.published_at,
        doc.source_id,
        versions,
    )


def store_fetched(session: Session, item: FetchedDocument) -> StoreOutcome:
    """Store a fetch: a new document, a new version of a changed one, or nothing.

    `duplicate` means the same text is already stored under another URL (a report republished elsewhere):
    nothing is written and the existing document is returned.
    """
    url = normalise_url(item.url)
    digest = content_hash(item.text)
    doc = session.scalar(select(m.Document).where(m.Document.url == url))
    if doc is None:
        twin = _document_with_hash(session, digest)
        if twin is not None:
            return StoreOutcome("duplicate", twin, None)
        doc = _new_document(item, url)
        session.add(doc)
        session.flush()
        return StoreOutcome("new", doc.id, _add_version(session, doc.id, item, digest))
    latest = session.scalar(
        select(m.DocumentVersion.content_hash)
        .where(m.DocumentVersion.document_id == doc.id)
        .order_by(m.DocumentVersion.id.desc())
        .limit(1)
    )
    if latest == digest:
        doc.checked_at = m.utcnow()
        return StoreOutcome("unchanged", doc.id, None)
    _refresh_metadata(doc, item)
    return StoreOutcome("changed", doc.id, _add_version(session, doc.id, item, digest))


def _document_with_hash(session: Session, digest: str) -> int | None:
    query = select(m.DocumentVersion.document_id).where(m.DocumentVersion.content_hash == digest).limit(1)
    return session.scalar(query)


def _new_document(item: FetchedDocument, url: str) -> m.Document:
    doc = m.Document(url=url, source_id=item.source_id, region=item.region)
    _refresh_metadata(doc, item)
    return doc


def _refresh_metadata(doc: m.Document, item: FetchedDocument) -> None:
    if item.doc_type not in DOC_TYPES:
        raise ValueError(f"doc_type must be one of {DOC_TYPES}, not {item.doc_type!r}")
    doc.title = item.title[:500] or doc.title or ""
    doc.doc_type = item.doc_type
    doc.report_year = item.report_year or doc.report_year
    doc.published_at = item.published_at or doc.published_at


def _add_version(session: Session, document_id: int, item: FetchedDocument, digest: str) -> int:
    version = m.DocumentVersion(
        document_id=document_id,
        http_status=item.http_status,
        etag=item.etag,
        last_modified=item.last_modified,
        content_type=item.content_type,
        encoding=item.encoding,
        content_hash=digest,
        raw=item.raw,
        text=item.text,
    )
    session.add(version)
    session.flush()
    return version.id


# --- crawler support (added for issue 3: incremental crawling and the crawl summary) --------------------------


@dataclass(frozen=True)
class KnownDocument:
    """What the crawler needs to know about a stored URL: its validators, when its latest version was fetched and
    when a later fetch last found that version current (`checked_at`)."""

    url: str
    etag: str | None
    last_modified: str | None
    fetched_at: datetime
    checked_at: datetime | None = None

    @property
    def confirmed_at(self) -> datetime:
        """When the stored version was last known to be current: the revisit age counts from here."""
        if self.checked_at is None:
            return self.fetched_at
        utc = [t if t.tzinfo else t.replace(tzinfo=UTC) for t in (self.fetched_at, self.checked_at)]
        return max(utc)


def known_documents(session: Session, source_id: str | None = None) -> dict[str, KnownDocument]:
    """Every stored document URL (normalised) of a source with its latest version's validators."""
    latest = select(func.max(m.DocumentVersion.id)).join(m.Document).group_by(m.Document.id)
    if source_id is not None:
        latest = latest.where(m.Document.source_id == source_id)
    query = (
        select(m.Document.url, m.DocumentVersion.etag, m.DocumentVersion.last_modified,
               m.DocumentVersion.fetched_at, m.Document.checked_at)
        .join(m.DocumentVersion)
        .where(m.DocumentVersion.id.in_(latest))
    )  # fmt: skip
    return {row[0]: KnownDocument(*row) for row in session.execute(query)}


def last_complete_crawl(session: Session, source_id: str) -> datetime | None:
    """When the source's last crawl that ran to its end finished (killed or stopped runs do not count)."""
    query = select(func.max(m.CrawlRun.finished_at)).where(
        m.CrawlRun.source_id == source_id, m.CrawlRun.status.not_in(("running", "failed", "stopped"))
    )
    return session.scalar(query)


def get_crawl_run(session: Session, run_id: int) -> RunRow | None:
    """One crawl run with its Scrapy counters (`db.runs.RunRow`, the one record of a run)."""
    return get_run(session, run_id)
