"""Distributed crawling: per-source crawl jobs on Celery with the Redis broker (`GOVMON_REDIS_URL`).

    scheduler ──enqueue(source entry, cycle)──▶ Redis ──▶ `govmon worker` (any machine) ──▶ `govmon crawl` subprocess
                      │                                         │
                      └──── crawl_jobs ledger (shared PostgreSQL) ◀─── begin / finish ───┘

Messages are acknowledged late: a worker that dies mid-job leaves its message unacknowledged, and Redis hands it
to another worker after `GOVMON_JOB_REDELIVERY` seconds. The `crawl_jobs` ledger (db/jobqueue.py) and the
source's crawl lock make redelivery harmless, so each source is crawled once per cycle. Messages carry the
registry entry and the cycle label, never a setting: each worker reads its own configuration (database URL,
passwords) from its environment. Without a broker URL nothing here is used and crawls run on the local machine.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from celery import Celery, Task
from sqlalchemy import Engine

from db import jobqueue
from db.session import session_scope
from monitor import jobs
from monitor.config import Settings

BUSY_RETRY = 30.0  # seconds before a job whose source is being crawled by someone else is tried again

app = Celery("govmon", set_as_current=False)
app.conf.update(
    task_acks_late=True,  # acknowledge after the job ran: a job whose worker dies is delivered again
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,  # a worker holds no more jobs than it runs
    task_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    worker_enable_remote_control=False,
)

_settings: Settings | None = None  # this worker's settings, read from its own environment


class BrokerUnavailable(RuntimeError):
    """Redis cannot be reached, or no broker is configured."""


def configure(settings: Settings) -> Celery:
    """Point the app at the configured broker; a job is redelivered `job_redelivery` seconds after its worker died."""
    global _settings
    if not settings.redis_url:
        raise BrokerUnavailable("no broker configured: set GOVMON_REDIS_URL (e.g. redis://127.0.0.1:6379/0)")
    _settings = settings
    app.conf.broker_url = settings.redis_url
    app.conf.task_default_queue = settings.queue
    app.conf.broker_transport_options = {
        "global_keyprefix": f"{settings.queue}:",  # deployments (and test runs) sharing one Redis stay apart
        "visibility_timeout": settings.job_redelivery,
        "unacked_restore_interval": max(1, min(10, int(settings.job_redelivery / 5))),
        "unacked_restore_throttle": 1,
    }
    return app


def check_broker(settings: Settings, timeout: float = 5.0) -> None:
    """Connect to Redis once; raise BrokerUnavailable with a message that says what to do."""
    configure(settings)
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:
        raise BrokerUnavailable(
            f"cannot reach the broker at {_redacted(settings.redis_url)} ({type(exc).__name__}): is Redis running? "
            "Check GOVMON_REDIS_URL"
        ) from exc


def _redacted(url: str) -> str:
    from kombu.utils.url import maybe_sanitize_url

    return str(maybe_sanitize_url(url))


@app.task(bind=True, name="govmon.crawl_source", max_retries=None)
def crawl_source(self: Task, source: dict[str, Any], cycle: str, overrides: list[str]) -> str:
    """Crawl one source as a subprocess (see `jobs.run_queued_crawl`)."""
    if _settings is None:
        raise RuntimeError("worker settings are not configured: start workers with `govmon worker`")
    worker = str(self.request.hostname or socket.gethostname())
    state = jobs.run_queued_crawl(_settings, str(self.request.id), source, cycle, worker, overrides)
    if state == "busy":
        raise self.retry(countdown=BUSY_RETRY)
    return state


@dataclass
class Enqueued:
    cycle: str
    queued: list[str]
    already: list[str]


def new_cycle() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def enqueue(engine: Engine, settings: Settings, sources: Sequence[Any], cycle: str | None = None,
            overrides: Sequence[str] = ()) -> Enqueued:  # fmt: skip
    """One crawl job per source for `cycle`; a source that already has a job in this cycle is not queued again.

    The ledger row is written before the message is sent, so a worker always finds it; a crash between the two
    leaves a `queued` row that `govmon status` shows and the next cycle supersedes.
    """
    configure(settings)
    cycle = cycle or new_cycle()
    result = Enqueued(cycle, [], [])
    for source in sources:
        job_id = uuid.uuid4().hex
        with session_scope(engine) as session:
            fresh = jobqueue.record_enqueued(session, job_id, source.id, cycle)
        if not fresh:
            result.already.append(source.id)
            continue
        crawl_source.apply_async((source.entry(), cycle, list(overrides)), task_id=job_id, queue=settings.queue)
        result.queued.append(source.id)
    return result


def run_worker(settings: Settings, concurrency: int, name: str | None = None, loglevel: str = "INFO") -> None:
    """Start a worker in this process until SIGTERM (warm shutdown: running crawls finish) or SIGKILL."""
    check_broker(settings)
    hostname = name or "govmon"
    hostname = hostname if "@" in hostname else f"{hostname}@{socket.gethostname()}"
    app.worker_main(
        [
            "worker",
            "--pool=threads",  # each job waits on its own crawl subprocess; threads are enough
            f"--concurrency={concurrency}",
            f"--hostname={hostname}",
            f"--queues={settings.queue}",
            f"--loglevel={loglevel}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )
