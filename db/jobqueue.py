"""The ledger of crawl jobs handed to distributed workers: one row per (source, cycle).

A queued job (one message) carries a batch of sources; each source's row has an id derived from the message id
and the source (`row_id`), so a redelivered message finds the same rows.

The task queue may deliver a message more than once (late acknowledgement: a job whose worker died is delivered
again). The ledger makes that harmless: a job runs only while its row is not finished, and the worker holds the
source's crawl lock (`db.locks.db_lock`) while it reads and writes the row, so two deliveries never crawl
the same source at once. Inserts are `ON CONFLICT DO NOTHING`, safe for concurrent schedulers and workers.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db import models as m

FINISHED = ("done", "failed")


@dataclass(frozen=True)
class JobRow:
    id: str
    source_id: str
    cycle: str
    state: str
    attempts: int
    worker: str | None
    enqueued_at: datetime
    finished_at: datetime | None
    new_documents: int
    error: str | None


def _insert_ignoring_conflicts(session: Session, job_id: str, source_id: str, cycle: str) -> bool:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(m.CrawlJob)
        .values(
            id=job_id,
            source_id=source_id,
            cycle=cycle,
            state="queued",
            attempts=0,
            new_documents=0,
            enqueued_at=m.utcnow(),
        )
        .on_conflict_do_nothing()
        .returning(m.CrawlJob.id)
    )
    return session.execute(statement).scalar() is not None


def row_id(job_id: str, source_id: str) -> str:
    """The ledger row of one source of a job: stable across redeliveries of the job's message."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"govmon-job:{job_id}/{source_id}").hex


def finished_sources(session: Session, source_ids: Sequence[str], cycle: str) -> set[str]:
    """The sources whose job of this cycle already finished (a redelivered message must not crawl them again)."""
    query = select(m.CrawlJob.source_id).where(
        m.CrawlJob.source_id.in_(source_ids), m.CrawlJob.cycle == cycle, m.CrawlJob.state.in_(FINISHED)
    )
    return set(session.scalars(query))


def record_enqueued(session: Session, job_id: str, source_id: str, cycle: str) -> bool:
    """Add a queued job; False when this source already has a job in this cycle (nothing is added)."""
    return _insert_ignoring_conflicts(session, job_id, source_id, cycle)


def begin(session: Session, job_id: str, source_id: str, cycle: str, worker: str) -> bool:
    """Mark a delivered job running, unless it already finished (then False: the delivery is a duplicate).

    A job found `running` was started by a worker that died (its crawl lock is free, or the caller would not hold
    it); it runs again, its attempts counted. Call with the source's crawl lock held.
    """
    _insert_ignoring_conflicts(session, job_id, source_id, cycle)
    job = session.get(m.CrawlJob, job_id)
    if job is None:  # another job owns this (source, cycle): this message is a stray duplicate
        return False
    if job.state in FINISHED:
        return False
    job.state, job.worker, job.started_at = "running", worker[:200], m.utcnow()
    job.attempts += 1
    session.flush()
    return True


def finish(session: Session, job_id: str, ok: bool, new_documents: int = 0, error: str | None = None) -> None:
    job = session.get(m.CrawlJob, job_id)
    if job is None:
        return
    job.state, job.finished_at = ("done" if ok else "failed"), m.utcnow()
    job.new_documents, job.error = new_documents, (error or None) and error[-2000:]
    session.flush()


def list_jobs(session: Session, cycle: str | None = None, limit: int | None = None) -> list[JobRow]:
    query = select(m.CrawlJob).order_by(m.CrawlJob.enqueued_at.desc(), m.CrawlJob.id)
    if cycle is not None:
        query = query.where(m.CrawlJob.cycle == cycle)
    if limit is not None:
        query = query.limit(limit)
    return [
        JobRow(
            j.id,
            j.source_id,
            j.cycle,
            j.state,
            j.attempts,
            j.worker,
            j.enqueued_at,
            j.finished_at,
            j.new_documents,
            j.error,
        )
        for j in session.scalars(query)
    ]


def state_counts(session: Session) -> dict[str, int]:
    query = select(m.CrawlJob.state, func.count()).group_by(m.CrawlJob.state)
    return {state: int(n) for state, n in session.execute(query)}
