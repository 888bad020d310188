"""The APScheduler 3 daemon: crawl jobs (one per cadence, for all the sources that share it) and the digest job,
persisted in the govmon database.

With a broker configured (`GOVMON_REDIS_URL`) a crawl job only enqueues its sources for the workers
(monitor/ops/workers.py); without one it crawls them here, in crawl processes of a batch of sources each
(monitor/ops/crawls.py). Sources' cadences are spread over the hour by source id, so each job is a modest batch.

Jobs only call `monitor.ops.jobs`. Each crawl process takes its sources' locks, the processing and digest steps run
under a database lock, and the whole scheduler holds one too, so a second scheduler on the same database waits
as a standby instead of running jobs twice. SIGTERM and SIGINT stop it cleanly: running crawl processes get
SIGTERM (Scrapy closes the spider and writes its last batch; a batch is one transaction, so nothing is
half-written), then the scheduler waits for its jobs and exits.
"""

from __future__ import annotations

import hashlib
import signal
import threading
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import FrameType
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from crawler.sources import Source
from db.locks import db_lock
from db.session import make_engine
from monitor.config import Settings
from monitor.ops import jobs

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
DIGEST_EVERY_MINUTES = 15
SCHEDULER_LOCK = "scheduler"
Log = Callable[[str], None]


# --- job functions (module level: the job store keeps references to them) -------------------------------------

# The settings of this scheduler process. Jobs read them here instead of carrying them as arguments, so no
# secret (SMTP or database password) is ever pickled into the job store.
_settings: Settings | None = None


def _current() -> Settings:
    if _settings is None:
        raise RuntimeError("the scheduler's settings are not set: jobs run only inside `govmon schedule`")
    return _settings


def crawl_job(source_ids: tuple[str, ...], registry: str | None, overrides: tuple[str, ...] = ()) -> None:
    """Crawl the sources (in batches; a source crawled elsewhere right now is skipped), then extract, diff and
    send the digests that became due."""
    settings = _current()
    engine = make_engine(settings.database_url)
    try:
        jobs.crawl(settings, list(source_ids), registry, overrides=overrides)
        _process_and_digest(settings, engine)
    finally:
        engine.dispose()


def enqueue_job(source_ids: tuple[str, ...], registry: str | None, overrides: tuple[str, ...] = ()) -> None:
    """With a broker (`GOVMON_REDIS_URL`): hand the sources' crawls to the workers, who also extract and diff."""
    from crawler.sources import load_registry
    from monitor.ops import workers as tasks

    settings = _current()
    wanted = set(source_ids)
    sources = [s for s in load_registry(registry) if s.id in wanted]
    engine = make_engine(settings.database_url)
    try:
        tasks.enqueue(engine, settings, sources, overrides=overrides)
    finally:
        engine.dispose()


def digest_job() -> None:
    settings = _current()
    engine = make_engine(settings.database_url)
    try:
        _process_and_digest(settings, engine)
    finally:
        engine.dispose()


def _process_and_digest(settings: Settings, engine: Engine) -> None:
    with db_lock(engine, "process") as taken:
        if taken:
            jobs.process_new_versions(engine)
    with db_lock(engine, "digests") as taken:
        if taken:
            jobs.send_due_digests(engine, settings, jobs.transport_for(settings))


# --- triggers ------------------------------------------------------------------------------------------------


def source_trigger(source: Source, tz: ZoneInfo, interval: float | None = None) -> BaseTrigger:
    """The source's cadence: every `interval` seconds (tests, demos), its own cron, or daily — every two hours
    in January–March, when the 两会 reports appear. Times are spread by host, so different hosts are not all hit
    at once while the sources of one host share a job, hence a crawl process, hence the host's politeness."""
    if interval:
        return IntervalTrigger(seconds=interval, timezone=tz)
    if source.schedule and source.schedule not in ("daily", "default"):
        return CronTrigger.from_crontab(source.schedule, timezone=tz)
    spread = zlib.crc32(_host(source).encode())
    season = CronTrigger(month="1-3", hour="*/2", minute=spread % 60, timezone=tz)
    rest = CronTrigger(month="4-12", hour=(spread % 5) + 5, minute=spread % 60, timezone=tz)
    return OrTrigger([season, rest])


def _host(source: Source) -> str:
    return (urlsplit(source.start_urls[0]).hostname or source.id) if source.start_urls else source.id


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: Callable[..., None]
    args: tuple[object, ...]
    trigger: BaseTrigger
    name: str


def job_specs(settings: Settings, sources: Sequence[Source], registry: str | None,
              interval: float | None = None, overrides: tuple[str, ...] = ()) -> list[JobSpec]:  # fmt: skip
    """One crawl job per distinct cadence, for all the enabled sources that share it, and the digest job."""
    tz = ZoneInfo(settings.timezone)
    func, verb = (enqueue_job, "enqueue") if settings.redis_url else (crawl_job, "crawl")
    groups: dict[str, tuple[BaseTrigger, list[str]]] = {}
    for source in sources:
        if source.enabled:
            trigger = source_trigger(source, tz, interval)
            groups.setdefault(str(trigger), (trigger, []))[1].append(source.id)
    specs = [
        JobSpec(f"crawl:{_key(text)}", func, (tuple(ids), registry, overrides), trigger, _name(verb, ids))
        for text, (trigger, ids) in sorted(groups.items())
    ]
    digest_trigger = IntervalTrigger(seconds=interval, timezone=tz) if interval else IntervalTrigger(
        minutes=DIGEST_EVERY_MINUTES, timezone=tz)  # fmt: skip
    specs.append(JobSpec("digests", digest_job, (), digest_trigger, "process and send digests"))
    return specs


def _key(trigger: str) -> str:
    return hashlib.sha256(trigger.encode()).hexdigest()[:12]


def _name(verb: str, ids: list[str]) -> str:
    return f"{verb} {ids[0]}" if len(ids) == 1 else f"{verb} {len(ids)} sources ({ids[0]} …)"


# --- the daemon ----------------------------------------------------------------------------------------------


def build(settings: Settings) -> BackgroundScheduler:
    probe = make_engine(settings.database_url)  # a clear error now if the database is unreachable
    probe.dispose()
    store = SQLAlchemyJobStore(url=probe.url, tablename="apscheduler_jobs")
    return BackgroundScheduler(jobstores={"default": store}, job_defaults=JOB_DEFAULTS,
                               timezone=ZoneInfo(settings.timezone))  # fmt: skip


def sync_jobs(scheduler: BackgroundScheduler, specs: Sequence[JobSpec]) -> None:
    """Make the persisted jobs match the registry: keep a job whose trigger is unchanged (its next run time,
    missed or not, is honoured once), replace a changed one, remove jobs of sources that are gone."""
    wanted = {spec.id: spec for spec in specs}
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            job.remove()
    for spec in specs:
        job = scheduler.get_job(spec.id)
        if job is not None and (job.func, str(job.trigger), job.args) == (spec.func, str(spec.trigger), spec.args):
            continue
        scheduler.add_job(spec.func, spec.trigger, args=spec.args, id=spec.id, name=spec.name, replace_existing=True)


def next_runs(settings: Settings) -> list[tuple[str, datetime | None]]:
    """(job name, next run time) of the persisted jobs, for `govmon status`."""
    scheduler = build(settings)
    scheduler.start(paused=True)
    try:
        return [(job.name, job.next_run_time) for job in scheduler.get_jobs()]
    finally:
        scheduler.shutdown(wait=False)


def serve(settings: Settings, specs: Sequence[JobSpec], log: Log, stop: threading.Event | None = None,
          standby_poll: float = 10.0) -> None:  # fmt: skip
    """Run until SIGTERM/SIGINT (or `stop` is set), holding the scheduler lock; wait as standby without it."""
    stop = stop or threading.Event()
    _install_signal_handlers(stop, log)
    engine = make_engine(settings.database_url)
    try:
        while not stop.is_set():
            with db_lock(engine, SCHEDULER_LOCK) as taken:
                if taken:
                    _run_scheduler(settings, specs, log, stop)
                    return
            log(f"another scheduler holds the lock on this database; standing by (retry in {standby_poll:.0f} s)")
            stop.wait(standby_poll)
    finally:
        engine.dispose()


def _run_scheduler(settings: Settings, specs: Sequence[JobSpec], log: Log, stop: threading.Event) -> None:
    global _settings
    _settings = settings
    scheduler = build(settings)
    scheduler.start(paused=True)
    sync_jobs(scheduler, specs)
    scheduler.resume()
    log(f"scheduler running {len(specs)} jobs; SIGTERM or Ctrl-C stops it")
    stop.wait()
    log("stopping: letting running crawls close…")
    jobs.stop_crawls()
    scheduler.shutdown(wait=True)
    log("scheduler stopped")


def _install_signal_handlers(stop: threading.Event, log: Log) -> None:
    if threading.current_thread() is not threading.main_thread():
        return

    def handler(signum: int, _frame: FrameType | None) -> None:
        log(f"received {signal.Signals(signum).name}")
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
