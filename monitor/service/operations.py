"""The operator's reads and decisions: the registry synced into the database, source health, `govmon status`,
documents held for review and accepting them. Typed results; the faces format them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine

from crawler.sources import Source
from db import jobqueue, outbox, repository, reviews, runs
from db.jobqueue import JobRow
from db.outbox import DeliveryRow
from db.repository import SourceRow
from db.reviews import ReviewRow
from db.runs import RunRow
from db.session import DatabaseReadOnly, session_scope

__all__ = ["ReviewRow", "SourceRow", "Status", "accept_review", "list_reviews", "list_sources", "status",
           "sync_sources"]  # fmt: skip


def sync_sources(engine: Engine, entries: Iterable[Source], *, read_only_ok: bool = False) -> bool:
    """Mirror the registry entries into the database. On a read-only database: False when `read_only_ok` (nothing
    was recorded; a reader may go on), else DatabaseReadOnly."""
    try:
        with session_scope(engine) as session:
            repository.sync_sources(session, (entry.spec() for entry in entries))
    except DatabaseReadOnly:
        if not read_only_ok:
            raise
        return False
    return True


def list_sources(engine: Engine) -> dict[str, SourceRow]:
    """Every stored source by id, with its health and number of documents."""
    with session_scope(engine) as session:
        return {row.id: row for row in repository.list_sources(session)}


@dataclass(frozen=True)
class Status:
    sources: list[SourceRow]
    runs: list[RunRow]  # the most recent crawl runs, newest first
    deliveries: dict[str, int]  # outbox rows by status
    undelivered: list[DeliveryRow]  # unknown and failed rows, for the operator to look at
    jobs: dict[str, int]  # crawl jobs of the workers by state
    running: list[JobRow]
    to_review: list[ReviewRow]


def status(engine: Engine, recent: int = 10) -> Status:
    with session_scope(engine) as session:
        return Status(
            sources=repository.list_sources(session),
            runs=runs.recent_runs(session, recent),
            deliveries=outbox.delivery_counts(session),
            undelivered=outbox.list_deliveries(session, ("unknown", "failed")),
            jobs=jobqueue.state_counts(session),
            running=[j for j in jobqueue.list_jobs(session, limit=200) if j.state == "running"],
            to_review=reviews.reviews(session),
        )


def list_reviews(engine: Engine, *, pending_only: bool = True) -> list[ReviewRow]:
    with session_scope(engine) as session:
        return reviews.reviews(session, pending_only=pending_only)


def accept_review(engine: Engine, document_id: int) -> ReviewRow | None:
    """Accept a document held for review: its held changes go out with the next digests (None: nothing held)."""
    with session_scope(engine) as session:
        return reviews.accept_review(session, document_id)
