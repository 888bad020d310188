"""Distributed crawling: crawl jobs of a batch of sources each, on Celery with the Redis broker (`GOVMON_REDIS_URL`).

    scheduler ──enqueue(entries, cycle)──▶ Redis ──▶ `govmon worker` (any machine) ──▶ crawl process (one Scrapy run)
                      │                                                                   │
                      └──── crawl_jobs ledger (shared PostgreSQL) ◀─── begin / finish, per source, under its lock

Messages are acknowledged late: a worker that dies mid-job leaves its message unacknowledged, and Redis hands it
to another worker after `GOVMON_JOB_REDELIVERY` seconds. The `crawl_jobs` ledger (db/jobqueue.py: a row per
source and cycle) and each source's crawl lock make redelivery harmless, so each source is crawled once per
cycle. Messages carry the registry entries and the cycle label, never a setting: each worker reads its own
configuration (database URL, passwords) from its environment. Without a broker URL nothing here is used and
crawls run on the local machine.
"""

from __future__ import annotations

import math
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
from monitor.config import Settings
from monitor.ops import jobs

BUSY_RETRY = 30.0  # seconds before a job whose source is being crawled by someone else is tried again
SPREAD = 8  # a cycle is cut into at least this many jobs (when it has as many sources), so every worker gets some

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


@app.task(bind=True, name="govmon.crawl_batch", max_retries=None)
def crawl_batch(self: Task, sources: list[dict[str, Any]], cycle: str, overrides: list[str]) -> str:
    """Crawl a batch of sources in a crawl process of its own (see `jobs.run_queued_crawl`)."""
    if _settings is None:
        raise RuntimeError("worker settings are not configured: start workers with `govmon worker`")
    worker = str(self.request.hostname or socket.gethostname())
    state = jobs.run_queued_crawl(_settings, str(self.request.id), sources, cycle, worker, overrides)
    if state == "busy":
        raise self.retry(countdown=BUSY_RETRY)
    return state


@dataclass
class Enqueued:
    cycle: str
    queued: list[str]
    already: list[str]
    jobs: int = 0


def new_cycle() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def enqueue(engine: Engine, settings: Settings, sources: Sequence[Any], cycle: str | None = None,
            overrides: Sequence[str] = ()) -> Enqueued:  # fmt: skip
    """Crawl jobs for `cycle`, a batch of sources each; a source that already has a job in this cycle is not
    queued again. Batches keep a host's sources together and are small enough to spread over the workers.

    The ledger rows are written before the message is sent, so a worker always finds them; a crash between the
    two leaves `queued` rows that `govmon status` shows and the next cycle supersedes.
    """
    from crawler.runner import plan_batches

    configure(settings)
    cycle = cycle or new_cycle()
    result = Enqueued(cycle, [], [])
    size = min(settings.crawl_batch, max(1, math.ceil(len(sources) / SPREAD)))
    for batch in plan_batches(list(sources), size):
        job_id = uuid.uuid4().hex
        with session_scope(engine) as session:
            fresh = [s for s in batch if jobqueue.record_enqueued(session, jobqueue.row_id(job_id, s.id), s.id, cycle)]
        result.already += [s.id for s in batch if s not in fresh]
        if fresh:
            crawl_batch.apply_async(([s.entry() for s in fresh], cycle, list(overrides)), task_id=job_id,
                                    queue=settings.queue)  # fmt: skip
            result.queued += [s.id for s in fresh]
            result.jobs += 1
    return result


def run_worker(settings: Settings, concurrency: int, name: str | None = None, loglevel: str = "INFO") -> None:
    """Start a worker in this process until SIGTERM (warm shutdown: running crawls finish) or SIGKILL."""
    check_broker(settings)
    hostname = name or "govmon"
    hostname = hostname if "@" in hostname else f"{hostname}@{socket.gethostname()}"
    app.worker_main(
        [
            "worker",
            "--pool=threads",  # each job waits on its own crawl process; threads are enough
            f"--concurrency={concurrency}",
            f"--hostname={hostname}",
            f"--queues={settings.queue}",
            f"--loglevel={loglevel}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )
