"""Crawls as the job layer runs them: batches of sources, each batch one crawl process, a few at a time.

`govmon run`, the scheduler and the workers call `crawl`; it plans batches (`crawler.runner.plan_batches`: a
host's sources together, `crawl_batch` at most), runs each in a child process through the library
(`crawler.runner.crawl_in_child`: one Scrapy run, results handed back through a pipe) and turns the results into
one `CrawlOutcome` per source. A batch whose process crashes, hangs past the timeout or is killed gets a failed
run per source (recorded under the source's lock, so a live crawl of it elsewhere is left alone) and is crawled
again at the next cycle; it never blocks the other batches. Each source's lock is taken by the crawl process
itself, so a source crawled elsewhere right now is skipped and says by whom.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from crawler import runner
from crawler.runner import ChildOutcome, CrawlResult
from crawler.sources import Source, load_registry
from db.locks import CrawlLocks
from db.runs import record_crash
from db.session import make_engine, session_scope
from monitor.config import Settings

CRAWL_TIMEOUT = 30 * 60
_stopping = threading.Event()  # set by stop_crawls(): a crawl ending now was stopped, it did not crash
child_target: Callable[..., None] = runner.child_main  # what a crawl process runs (tests put a crashing one here)


@dataclass
class CrawlOutcome:
    source_id: str
    ok: bool
    health: str = "unknown"
    new: int = 0
    changed: int = 0
    error: str | None = None
    status: str = "finished"  # Scrapy's finish reason, or skipped (locked elsewhere), duplicate, crashed, stopped


def balanced(count: int, most: int, parallel: int) -> int:
    """The batch size that gives every parallel process an equal share in as few rounds as possible: a process
    start costs about a CPU second, so 3,000 sources on two processes go as two batches of 1,500, not six of 500
    in three rounds; `most` still bounds a process's memory."""
    lanes = max(1, parallel)
    rounds = max(1, math.ceil(count / (max(1, most) * lanes)))
    return max(1, math.ceil(count / (rounds * lanes)))


def crawl(settings: Settings, source_ids: Sequence[str], registry: str | None = None, *,
          timeout: float = CRAWL_TIMEOUT, parallel: int = 2, progress: Callable[[CrawlOutcome], None] | None = None,
          overrides: Sequence[str] = (), sources: Sequence[Source] | None = None, job: dict[str, Any] | None = None,
          batch_size: int | None = None) -> list[CrawlOutcome]:  # fmt: skip
    """Crawl the sources (`sources`, else `source_ids` of the registry) in batches, `parallel` processes at once."""
    entries = list(sources) if sources is not None else _entries(registry, source_ids)
    plan = runner.plan_batches(entries, balanced(len(entries), batch_size or settings.crawl_batch, parallel))
    scrapy = scrapy_settings(settings, overrides, job)
    outcomes: list[CrawlOutcome] = []
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        for batch in pool.map(lambda b: _crawl_batch(settings, b, scrapy, timeout), plan):
            for outcome in batch:
                outcomes.append(outcome)
                if progress:
                    progress(outcome)
    return outcomes


def _entries(registry: str | None, source_ids: Sequence[str]) -> list[Source]:
    by_id = {s.id: s for s in load_registry(registry)}
    return [by_id[i] for i in source_ids if i in by_id]


def scrapy_settings(settings: Settings, overrides: Sequence[str], job: dict[str, Any] | None) -> dict[str, Any]:
    """The crawl process's Scrapy settings: `-s NAME=VALUE` overrides, the database URL (passed through a pipe,
    never on a command line), the User-Agent, warnings only in the log, the ledger context of a queued job."""
    out: dict[str, Any] = {"LOG_LEVEL": "WARNING", "USER_AGENT": settings.user_agent}
    for item in overrides:
        name, _, value = item.partition("=")
        out[name.strip()] = value
    out["GOVMON_DATABASE_URL"] = settings.database_url
    if job:
        out["GOVMON_JOB"] = job
    return out


def _crawl_batch(settings: Settings, batch: list[Source], scrapy: dict[str, Any], timeout: float) -> list[CrawlOutcome]:
    child = runner.crawl_in_child(batch, dict(scrapy), timeout, target=child_target)
    results = {r.source_id: r for r in child.results}
    crashed = [s.id for s in batch if s.id not in results]
    lost = _record_crashes(settings, crashed, child) if crashed else {}
    return [outcome_of(results[s.id]) if s.id in results else lost[s.id] for s in batch]


def outcome_of(result: CrawlResult) -> CrawlOutcome:
    docs = result.documents
    error = None if not result.failed else result.reason or f"crawl {result.status}"
    return CrawlOutcome(result.source_id, not result.failed, result.health, int(docs.get("new", 0)),
                        int(docs.get("changed", 0)), error, result.status)  # fmt: skip


def _record_crashes(settings: Settings, source_ids: list[str], child: ChildOutcome) -> dict[str, CrawlOutcome]:
    stopped = _stopping.is_set()
    error = child.error or f"exit status {child.exitcode}"
    if stopped:
        error = "stopped at shutdown; crawled again at the next run"
    status = "stopped" if stopped else "failed"
    engine = make_engine(settings.database_url)
    try:
        with CrawlLocks(engine) as locks, session_scope(engine) as session:
            for source_id in source_ids:
                if locks.acquire(source_id) is None:  # else a live crawl of it elsewhere owns its open run
                    record_crash(session, source_id, error, status)
    finally:
        engine.dispose()
    return {s: CrawlOutcome(s, False, "unknown", error=error, status=status) for s in source_ids}


def stop_crawls(grace: float = 20.0) -> None:
    """Ask running crawl processes to stop (Scrapy closes gracefully on SIGTERM), kill them after `grace`."""
    _stopping.set()
    runner.stop_children(grace)
