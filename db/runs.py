"""Crawl runs seen from the job layer: crashed subprocesses, and recent runs for `govmon status`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import models as m


@dataclass(frozen=True)
class RunRow:
    id: int
    source_id: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    pages: int
    new_documents: int
    errors: int
    stats: dict[str, Any] = field(default_factory=dict)  # Scrapy's counters of the run


def record_crash(session: Session, source_id: str, error: str, status: str = "failed") -> int:
    """Close the source's unfinished runs as failed, or write a failed run when the crawl died before starting one.

    Returns the id of the run that now carries the error. The source's health is left as it was: a crash says
    nothing about the site, and the next scheduled run retries it.
    """
    unfinished = session.scalars(
        select(m.CrawlRun).where(m.CrawlRun.source_id == source_id, m.CrawlRun.finished_at.is_(None))
    ).all()
    if not unfinished:
        unfinished = [
            m.CrawlRun(source_id=source_id, started_at=m.utcnow(), stats={}, pages=0, new_documents=0, errors=0)
        ]
        session.add(unfinished[0])
    for run in unfinished:
        run.status, run.finished_at = status, m.utcnow()
        run.errors += 1
        run.stats = {**(run.stats or {}), "crash": error[-2000:]}
    source = session.get(m.Source, source_id)
    if source is not None:
        source.last_error = f"crawl crashed: {error[-300:]}"
    session.flush()
    return unfinished[-1].id


def close_unfinished(session: Session, source_id: str, reason: str, status: str = "failed") -> int:
    """Close the source's runs still marked unfinished although their crawl process has exited."""
    rows = session.scalars(
        select(m.CrawlRun).where(m.CrawlRun.source_id == source_id, m.CrawlRun.finished_at.is_(None))
    ).all()
    for run in rows:
        run.status, run.finished_at = status, m.utcnow()
        run.stats = {**(run.stats or {}), "interrupted": reason}
    return len(rows)


def recent_runs(session: Session, limit: int = 20) -> list[RunRow]:
    query = select(m.CrawlRun).order_by(m.CrawlRun.id.desc()).limit(limit)
    return [run_row(r) for r in session.scalars(query)]


def get_run(session: Session, run_id: int) -> RunRow | None:
    """One crawl run with its Scrapy counters (the crawl benchmark reads its elapsed time there)."""
    run = session.get(m.CrawlRun, run_id)
    return None if run is None else run_row(run)


def run_row(r: m.CrawlRun) -> RunRow:
    return RunRow(r.id, r.source_id, r.started_at, r.finished_at, r.status, r.pages, r.new_documents, r.errors,
                  dict(r.stats or {}))  # fmt: skip
