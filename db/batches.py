"""What a batch crawl reads and writes in bulk: runs and known documents of many sources, documents in batches.

A crawl process handles hundreds of sources and stores documents in batches, so these functions take lists and
make one statement where the per-source functions of `db.repository` make one per item: a single SELECT of the
batch's URLs (with each document's latest hash) and of its hashes, then INSERT … RETURNING for the new documents
and their versions. A batch the bulk path cannot take whole (a URL twice in it, a constraint another writer beat
it to, a value the database refuses) is stored item by item with `repository.store_fetched`, one savepoint each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from db import models as m
from db.repository import (
    DOC_TYPES,
    FetchedDocument,
    KnownDocument,
    StoreOutcome,
    content_hash,
    normalise_url,
    store_fetched,
)

# --- runs and known documents of many sources -------------------------------------------------------------------


def start_runs(session: Session, source_ids: Sequence[str]) -> dict[str, int]:
    """A running CrawlRun per source; returns their ids."""
    if not source_ids:
        return {}
    rows = [{"source_id": s, "status": "running", "stats": {}, "started_at": m.utcnow(), "pages": 0,
             "new_documents": 0, "errors": 0} for s in source_ids]  # fmt: skip
    result = session.execute(insert(m.CrawlRun).returning(m.CrawlRun.id, m.CrawlRun.source_id), rows)
    return {source_id: run_id for run_id, source_id in result}


def known_by_source(session: Session, source_ids: Sequence[str]) -> dict[str, dict[str, KnownDocument]]:
    """Each source's stored URLs with their latest version's validators, in one query."""
    latest = (
        select(func.max(m.DocumentVersion.id))
        .join(m.Document)
        .where(m.Document.source_id.in_(source_ids))
        .group_by(m.Document.id)
    )
    query = (
        select(
            m.Document.source_id,
            m.Document.url,
            m.DocumentVersion.etag,
            m.DocumentVersion.last_modified,
            m.DocumentVersion.fetched_at,
            m.Document.checked_at,
        )
        .join(m.DocumentVersion)
        .where(m.DocumentVersion.id.in_(latest))
    )
    known: dict[str, dict[str, KnownDocument]] = {s: {} for s in source_ids}
    for source_id, url, etag, modified, fetched, checked in session.execute(query):
        known[str(source_id)][url] = KnownDocument(url, etag, modified, fetched, checked)
    return known


def last_complete_crawls(session: Session, source_ids: Sequence[str]) -> dict[str, datetime]:
    """When each source's last crawl that ran to its end finished (killed or stopped runs do not count)."""
    query = (
        select(m.CrawlRun.source_id, func.max(m.CrawlRun.finished_at))
        .where(m.CrawlRun.source_id.in_(source_ids), m.CrawlRun.status.not_in(("running", "failed", "stopped")))
        .group_by(m.CrawlRun.source_id)
    )
    return {source_id: finished for source_id, finished in session.execute(query) if finished is not None}


NOT_DOCUMENTS = "govmon/not_documents"  # run stats key: URL → ISO date its page was found not to be a document


def not_documents_by_source(session: Session, source_ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """The pages each source's last finished run found not to be documents (carried from run to run)."""
    last = (
        select(func.max(m.CrawlRun.id))
        .where(m.CrawlRun.source_id.in_(source_ids), m.CrawlRun.finished_at.is_not(None))
        .group_by(m.CrawlRun.source_id)
    )
    found: dict[str, dict[str, str]] = {}
    query = select(m.CrawlRun.source_id, m.CrawlRun.stats).where(m.CrawlRun.id.in_(last))
    for source_id, stats in session.execute(query):
        pages = stats.get(NOT_DOCUMENTS) if isinstance(stats, dict) else None
        if isinstance(pages, dict):
            found[str(source_id)] = {str(url): str(day) for url, day in pages.items()}
    return found


PROBE = "govmon/probe"  # run stats key: the list pages a crawl fetched and the candidates they led to


@dataclass(frozen=True)
class LastRun:
    """A source's latest crawl run, as the change probe reads it."""

    status: str
    finished: bool
    probe: dict[str, object] | None  # the run's PROBE record, when it left one


def last_runs(session: Session, source_ids: Sequence[str]) -> dict[str, LastRun]:
    """Each source's latest run (by id), in one query per 500 sources."""
    found: dict[str, LastRun] = {}
    for start in range(0, len(source_ids), 500):
        chunk = list(source_ids[start : start + 500])
        last = select(func.max(m.CrawlRun.id)).where(m.CrawlRun.source_id.in_(chunk)).group_by(m.CrawlRun.source_id)
        query = select(m.CrawlRun.source_id, m.CrawlRun.status, m.CrawlRun.finished_at, m.CrawlRun.stats).where(
            m.CrawlRun.id.in_(last)
        )
        for source_id, status, finished_at, stats in session.execute(query):
            record = stats.get(PROBE) if isinstance(stats, dict) else None
            probe = record if isinstance(record, dict) else None
            found[str(source_id)] = LastRun(str(status), finished_at is not None, probe)
    return found


@dataclass(frozen=True)
class QuietRun:
    """A source the change probe found unchanged: a finished run with no news, its health left as it was."""

    source_id: str
    pages: int
    stats: dict[str, object]


def record_quiet_runs(session: Session, runs: Sequence[QuietRun]) -> dict[str, int]:
    """One finished `ok` run per source (0 new documents, 0 errors) and its last crawl time; returns run ids."""
    if not runs:
        return {}
    now = m.utcnow()
    rows = [{"source_id": r.source_id, "status": "ok", "stats": r.stats, "started_at": now, "finished_at": now,
             "pages": r.pages, "new_documents": 0, "errors": 0} for r in runs]  # fmt: skip
    result = session.execute(insert(m.CrawlRun).returning(m.CrawlRun.id, m.CrawlRun.source_id), rows)
    ids = {source_id: run_id for run_id, source_id in result}
    session.execute(update(m.Source), [{"id": r.source_id, "last_crawled_at": now} for r in runs])
    return ids


def close_unfinished(session: Session, source_ids: Sequence[str], reason: str, status: str = "failed") -> int:
    """Close the runs of these sources still marked unfinished although their crawl process has exited."""
    rows = session.scalars(
        select(m.CrawlRun).where(m.CrawlRun.source_id.in_(source_ids), m.CrawlRun.finished_at.is_(None))
    ).all()
    for run in rows:
        run.status, run.finished_at = status, m.utcnow()
        run.stats = {**(run.stats or {}), "interrupted": reason}
    return len(rows)


@dataclass(frozen=True)
class RunEnd:
    """How one source's crawl ended: its run's figures and the source's health."""

    run_id: int
    source_id: str
    status: str
    health: str
    error: str | None
    pages: int
    new_documents: int
    errors: int
    stats: dict[str, object]


def finish_runs(session: Session, ends: Sequence[RunEnd]) -> None:
    """Close the runs and set their sources' health: two bulk UPDATEs by primary key."""
    if not ends:
        return
    now = m.utcnow()
    runs = [{"id": e.run_id, "status": e.status, "pages": e.pages, "new_documents": e.new_documents,
             "errors": e.errors, "stats": e.stats, "finished_at": now} for e in ends]  # fmt: skip
    session.execute(update(m.CrawlRun), runs)
    health = [{"id": e.source_id, "health": e.health, "last_error": e.error, "last_crawled_at": now} for e in ends]
    session.execute(update(m.Source), health)


# --- documents in batches --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Stored:
    document_id: int
    latest_hash: str | None


def store_batch(session: Session, items: Sequence[FetchedDocument]) -> list[StoreOutcome]:
    """Store a batch: new documents, new versions of changed ones, nothing for unchanged or duplicate ones.

    Outcomes come in the order of `items`, as `repository.store_fetched` would give them one by one.
    """
    urls = [normalise_url(item.url) for item in items]
    if len(set(urls)) < len(urls):
        return [_one(session, item) for item in items]
    savepoint = session.begin_nested()
    try:
        outcomes = _bulk(session, items, urls)
        savepoint.commit()
        return outcomes
    except (IntegrityError, DataError, ValueError):
        savepoint.rollback()  # another writer stored one of these URLs meanwhile, or one item is invalid
    return [_one(session, item) for item in items]


def _one(session: Session, item: FetchedDocument) -> StoreOutcome:
    savepoint = session.begin_nested()
    try:
        outcome = store_fetched(session, item)
    except BaseException:
        savepoint.rollback()
        raise
    savepoint.commit()
    return outcome


def _bulk(session: Session, items: Sequence[FetchedDocument], urls: list[str]) -> list[StoreOutcome]:
    hashes = [content_hash(item.text) for item in items]
    stored = _stored(session, urls)
    twins = _documents_with_hashes(session, [h for url, h in zip(urls, hashes, strict=True) if url not in stored])
    plan: list[tuple[str, int | None]] = []  # (status, document id or None for a new document)
    fresh: dict[str, int] = {}  # hash of a new document in this batch → its index in `items`
    for index, (url, digest) in enumerate(zip(urls, hashes, strict=True)):
        _check(items[index])
        if url in stored:
            same = stored[url].latest_hash == digest
            plan.append(("unchanged" if same else "changed", stored[url].document_id))
        elif digest in twins:
            plan.append(("duplicate", twins[digest]))
        elif digest in fresh:
            plan.append(("duplicate", -1 - fresh[digest]))  # the twin is new too: its id comes from the insert
        else:
            fresh[digest] = index
            plan.append(("new", None))
    new_ids = _insert_documents(session, [(urls[i], items[i]) for i in fresh.values()])
    ids = [_resolved(i, doc_id, urls, new_ids) for i, (_, doc_id) in enumerate(plan)]
    _refresh_changed(session, [(ids[i], items[i]) for i, (status, _) in enumerate(plan) if status == "changed"])
    mark_checked(session, [ids[i] for i, (status, _) in enumerate(plan) if status == "unchanged"])
    writes = [i for i, (status, _) in enumerate(plan) if status in ("new", "changed")]
    versions = _insert_versions(session, [(ids[i], items[i], hashes[i]) for i in writes])
    version_of = dict(zip(writes, versions, strict=True))
    return [StoreOutcome(status, ids[i], version_of.get(i)) for i, (status, _) in enumerate(plan)]  # type: ignore[arg-type]


def mark_checked(session: Session, document_ids: Sequence[int], urls: Sequence[str] = ()) -> None:
    """Record that a fetch found these documents' stored versions current (the same text again, or a 304 for
    their normalised `urls`): their revisit age starts again now."""
    now = m.utcnow()
    if document_ids:
        session.execute(update(m.Document).where(m.Document.id.in_(document_ids)).values(checked_at=now))
    for start in range(0, len(urls), 500):
        chunk = list(urls[start : start + 500])
        session.execute(update(m.Document).where(m.Document.url.in_(chunk)).values(checked_at=now))


def _resolved(index: int, doc_id: int | None, urls: list[str], new_ids: dict[str, int]) -> int:
    """A planned document id: stored already (>= 0), inserted now (None), or the twin inserted now (-1 - its index)."""
    if doc_id is None:
        return new_ids[urls[index]]
    return doc_id if doc_id >= 0 else new_ids[urls[-1 - doc_id]]


def _check(item: FetchedDocument) -> None:
    if item.doc_type not in DOC_TYPES:
        raise ValueError(f"doc_type must be one of {DOC_TYPES}, not {item.doc_type!r}")


def _stored(session: Session, urls: list[str]) -> dict[str, _Stored]:
    """The batch's URLs already stored, with the hash of each one's latest version: one query."""
    latest = (
        select(m.DocumentVersion.document_id, func.max(m.DocumentVersion.id).label("vid"))
        .join(m.Document)
        .where(m.Document.url.in_(urls))
        .group_by(m.DocumentVersion.document_id)
        .subquery()
    )
    query = (
        select(m.Document.url, m.Document.id, m.DocumentVersion.content_hash)
        .outerjoin(latest, latest.c.document_id == m.Document.id)
        .outerjoin(m.DocumentVersion, m.DocumentVersion.id == latest.c.vid)
        .where(m.Document.url.in_(urls))
    )
    return {url: _Stored(doc_id, digest) for url, doc_id, digest in session.execute(query)}


def _documents_with_hashes(session: Session, hashes: list[str]) -> dict[str, int]:
    if not hashes:
        return {}
    query = (
        select(m.DocumentVersion.content_hash, func.min(m.DocumentVersion.document_id))
        .where(m.DocumentVersion.content_hash.in_(set(hashes)))
        .group_by(m.DocumentVersion.content_hash)
    )
    return {digest: doc_id for digest, doc_id in session.execute(query)}


def _insert_documents(session: Session, new: list[tuple[str, FetchedDocument]]) -> dict[str, int]:
    if not new:
        return {}
    rows = [
        {"url": url, "source_id": item.source_id, "region": item.region, "title": item.title[:500],
         "doc_type": item.doc_type, "report_year": item.report_year, "published_at": item.published_at,
         "first_seen_at": m.utcnow()}
        for url, item in new
    ]  # fmt: skip
    result = session.execute(insert(m.Document).returning(m.Document.id, m.Document.url), rows)
    return {url: doc_id for doc_id, url in result}


def _refresh_changed(session: Session, changed: list[tuple[int, FetchedDocument]]) -> None:
    for doc_id, item in changed:  # rare: a document whose text changed (a handful per cycle)
        doc = session.get(m.Document, doc_id)
        if doc is not None:
            doc.title = item.title[:500] or doc.title or ""
            doc.doc_type = item.doc_type
            doc.report_year = item.report_year or doc.report_year
            doc.published_at = item.published_at or doc.published_at
    session.flush()


def _insert_versions(session: Session, writes: list[tuple[int, FetchedDocument, str]]) -> list[int]:
    if not writes:
        return []
    rows = [
        {"document_id": doc_id, "http_status": item.http_status, "etag": item.etag,
         "last_modified": item.last_modified, "content_type": item.content_type, "encoding": item.encoding,
         "content_hash": digest, "raw": item.raw, "text": item.text, "fetched_at": m.utcnow()}
        for doc_id, item, digest in writes
    ]  # fmt: skip
    result = session.execute(
        insert(m.DocumentVersion).returning(m.DocumentVersion.id, sort_by_parameter_order=True), rows
    )
    return [version_id for (version_id,) in result]
