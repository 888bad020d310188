"""Crawls as the job layer runs them: batches of sources, each batch one crawl process, a few at a time.

`govmon run`, the scheduler and the workers call `crawl`; it plans batches (`crawler.runner.plan_batches`: a
host's sources together, `crawl_batch` at most), runs each in a child process through the library
(`crawler.runner.crawl_in_child`: one Scrapy run, results handed back through a pipe) and turns the results into
one `CrawlOutcome` per source. Before the batches, the change probe (`probe_unchanged`, `crawler.probe`) takes
out the sources whose list pages did not change since their last clean crawl: cheap conditional requests instead
of a Scrapy crawl, the same run, lock and ledger row per source. A batch whose process crashes, hangs past the
timeout or is killed gets a failed run per source (recorded under the source's lock, so a live crawl of it
elsewhere is left alone) and is crawled again at the next cycle; it never blocks the other batches. Each
source's lock is taken by the crawl process itself, so a source crawled elsewhere right now is skipped and says
by whom.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from crawler import probe, runner
from crawler.runner import ChildOutcome, CrawlResult
from crawler.sources import Source, load_registry
from crawler.state import ListPage, SourceCrawl, fingerprint
from db import batches, jobqueue
from db.locks import CrawlLocks
from db.runs import record_crash
from db.session import make_engine, session_scope
from monitor.config import Settings

CRAWL_TIMEOUT = 30 * 60
logger = logging.getLogger(__name__)
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
    scrapy = scrapy_settings(settings, overrides, job)
    outcomes = probe_unchanged(settings, entries, scrapy, parallel)
    for outcome in outcomes:
        if progress:
            progress(outcome)
    done = {o.source_id for o in outcomes}
    entries = [s for s in entries if s.id not in done]
    plan = runner.plan_batches(entries, balanced(len(entries), batch_size or settings.crawl_batch, parallel))
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


def probe_unchanged(settings: Settings, entries: Sequence[Source], scrapy: dict[str, Any],
                    parallel: int) -> list[CrawlOutcome]:  # fmt: skip
    """The change probe (`crawler.probe`): the sources whose list pages did not change since a clean crawl, and
    whose candidates that crawl found are all still stored and fresh (or known not to be documents), are recorded
    as crawled — a finished run with no news, under the source's lock and in the job's ledger — and left out of
    the Scrapy batches. Everything else, and everything when the probe itself fails, goes to Scrapy. The probe's
    requests for a source that goes on to Scrapy are charged to its run there (`GOVMON_PROBED`)."""
    base = runner.crawl_settings(settings.database_url, {k: v for k, v in scrapy.items() if k != "GOVMON_DATABASE_URL"})
    candidates = [s for s in entries if s.start_urls and not s.render_js]
    if not base.getbool("GOVMON_PROBE") or not candidates:
        return []
    runner.more_files()  # a lock per source (SQLite: a file each) and a connection per host
    engine = make_engine(settings.database_url)
    try:
        with CrawlLocks(engine) as locks:
            mine = [s for s in candidates if locks.acquire(s.id) is None]  # else crawled elsewhere: Scrapy says so
            targets, records = _targets(engine, mine, base)
            verdicts = probe.probe(targets, probe.ProbeSettings.of(base, parallel))
            quiet = [v for v in verdicts.values() if v.unchanged]
            outcomes = _record_quiet(engine, quiet, records, scrapy.get("GOVMON_JOB") or {})
    except Exception as exc:  # the probe may only save work: when it fails, Scrapy crawls everything as before
        logger.warning("change probe failed, every source goes to Scrapy: %s: %s", type(exc).__name__, exc)
        return []
    finally:
        engine.dispose()
    quiet_ids = {o.source_id for o in outcomes}
    probed = {v.source_id: v.requests for v in verdicts.values() if v.requests and v.source_id not in quiet_ids}
    if probed:
        scrapy["GOVMON_PROBED"] = probed
    return outcomes


def _targets(engine: Any, sources: list[Source], base: Any) -> tuple[list[probe.Target], dict[str, dict[str, Any]]]:
    """The sources worth probing: their latest run finished `ok` and left a probe record for this very registry
    entry and code, and none of the candidates its lists led to is due for a fetch (the spider's own question)."""
    ids = [s.id for s in sources]
    with session_scope(engine) as session:
        last = batches.last_runs(session, ids)
        ids = [i for i in ids if (run := last.get(i)) is not None and run.status == "ok" and run.finished and run.probe]
        eligible = set(ids)
        known = batches.known_by_source(session, ids) if ids else {}
        complete = batches.last_complete_crawls(session, ids) if ids else {}
        not_documents = batches.not_documents_by_source(session, ids) if ids else {}
    revisit = timedelta(days=base.getfloat("GOVMON_REVISIT_DAYS"))
    not_document_revisit = timedelta(days=base.getfloat("GOVMON_NOT_DOCUMENT_DAYS"))
    now = datetime.now(UTC)
    targets, records = [], {}
    for source in sources:
        record = last[source.id].probe if source.id in eligible else None
        if record is None or record.get("config") != fingerprint(source):
            continue
        pages = record.get("lists")
        lists = [ListPage.of_json(page) for page in pages] if isinstance(pages, list) else []
        links = record.get("links")
        if not lists or None in lists or not isinstance(links, list):
            continue
        state = SourceCrawl.of(source)
        state.known, state.complete_before = known[source.id], complete.get(source.id)
        state.not_documents = not_documents.get(source.id, {})
        if any(state.skip_reason(str(link), revisit, not_document_revisit, now) is None for link in links):
            continue  # a candidate is due (never stored, stale, or fetched by an interrupted crawl): Scrapy
        targets.append(probe.Target(source.id, state.policy, tuple(p for p in lists if p is not None)))
        records[source.id] = {batches.PROBE: record, batches.NOT_DOCUMENTS: state.not_documents}
    return targets, records


def _record_quiet(engine: Any, quiet: list[probe.Verdict], records: dict[str, dict[str, Any]],
                  job: dict[str, Any]) -> list[CrawlOutcome]:  # fmt: skip
    """The unchanged sources' runs, and for a queued job their ledger rows (a row already finished elsewhere
    makes the source a duplicate: no run). Called with the sources' locks held."""
    rows: dict[str, str] = job.get("rows") or {}
    outcomes, runs = [], []
    with session_scope(engine) as session:
        for verdict in quiet:
            row = rows.get(verdict.source_id)
            if row is not None and not jobqueue.begin(session, row, verdict.source_id, job["cycle"], job["worker"]):
                duplicate = "duplicate: this cycle's job of the source already ran"
                outcomes.append(CrawlOutcome(verdict.source_id, True, status="duplicate", error=duplicate))
                continue
            stats = {"downloader/request_count": verdict.requests, "response_received_count": verdict.responses,
                     "robotstxt/request_count": verdict.robots, "govmon/probe/unchanged": 1,
                     **records[verdict.source_id]}  # fmt: skip
            runs.append(batches.QuietRun(verdict.source_id, verdict.responses - verdict.robots, stats))
            outcomes.append(CrawlOutcome(verdict.source_id, True, "ok"))
        batches.record_quiet_runs(session, runs)
        for run in runs:
            if run.source_id in rows:
                jobqueue.finish(session, rows[run.source_id], True, 0)
    return outcomes


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
