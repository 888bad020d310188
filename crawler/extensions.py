"""CrawlRunRecorder: the crawl locks, CrawlRun rows and health of a batch's sources, written around the spider run.

On open: each source's crawl lock is taken (`db.locks.CrawlLocks`); a source another process is crawling is
skipped, with who holds it. For a queued job, the ledger row of each source is begun under its lock (a finished
one means a redelivered message: skipped). Then, in one transaction each, the batch's sources are synced into
the database, their runs left unfinished by a crawl that died are closed, a CrawlRun starts per source, and the
spider learns the URLs already stored. On close: every run gets its status, pages, new documents, errors and a
JSON-safe copy of its stats; every source its health (ok, blocked with the challenge, broken with the reason).
Requests and responses are counted per source here, robots.txt included (it is charged to its host's sources).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from twisted.python.failure import Failure

from crawler.pipelines import one_line
from crawler.state import SourceCrawl
from crawler.storage import database_url, engine_for
from db import batches, jobqueue
from db import repository as repo
from db.locks import CrawlLocks
from db.session import DatabaseUnavailable, masked, session_scope

CLOSE_RETRIES = (1.0, 2.0, 4.0, 8.0)  # seconds between attempts to record the end of a run
SCRAPY_KEYS = ("downloader", "robotstxt", "retry")  # per-source counters named as Scrapy names its own
GLOBAL_STATS = ("elapsed_time_seconds", "start_time", "finish_time", "finish_reason", "memusage/max")


class CrawlRunRecorder:
    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.url = database_url(crawler.settings)
        self.dry_run = crawler.settings.getbool("GOVMON_DRY_RUN")
        self.job: dict[str, Any] = crawler.settings.getdict("GOVMON_JOB")  # {cycle, worker, rows: {source: row}}
        self.locks: CrawlLocks | None = None
        self.hosts: dict[str, SourceCrawl] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.request_reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        return ext

    # --- per-source counts -------------------------------------------------------------------------------------

    def crawl_of(self, request: Request | None) -> SourceCrawl | None:
        crawls = getattr(self.crawler.spider, "crawls", {})
        if request is None:
            return None
        if request.meta.get("source") in crawls:
            return crawls[request.meta["source"]]
        if not self.hosts:
            for crawl in crawls.values():
                for url in crawl.source.start_urls:
                    self.hosts.setdefault(urlsplit(url).netloc, crawl)
        return self.hosts.get(urlsplit(request.url).netloc)  # robots.txt: charged to the host's first source

    def request_reached(self, request: Request, **_: Any) -> None:
        crawl = self.crawl_of(request)
        if crawl is not None:
            crawl.count("downloader/request_count")
            if "source" not in request.meta and request.url.endswith("/robots.txt"):
                crawl.count("robotstxt/request_count")

    def response_received(self, response: Response, request: Request, **_: Any) -> None:
        crawl = self.crawl_of(request)
        if crawl is not None:
            crawl.count("response_received_count")

    def spider_error(self, failure: Failure, response: Response, **_: Any) -> None:
        crawl = self.crawl_of(response.request)
        if crawl is not None:
            crawl.count("errors")

    # --- open --------------------------------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        """Lock and start every source's run; if the database cannot take that, the crawl stops before fetching."""
        crawls: dict[str, SourceCrawl] = getattr(spider, "crawls", {})
        if self.dry_run or not crawls:
            return
        try:
            engine = engine_for(self.url)
            self.locks = CrawlLocks(engine)
            self._lock(crawls.values())
            self._begin_jobs(engine, crawls.values())
            self._start(engine, [c for c in crawls.values() if c.active])
        except (DatabaseUnavailable, DBAPIError) as exc:
            message = f"cannot start the crawl run: the database {masked(self.url)} refused it ({one_line(exc)})"
            spider.logger.error("%s", message)
            self.stats.set_value("govmon/store_error", message)
            for crawl in crawls.values():
                crawl.run_id = None
            assert self.crawler.engine is not None
            asyncio.get_running_loop().create_task(
                self.crawler.engine.close_spider_async(reason="database_unavailable")
            )

    def _lock(self, crawls: Any) -> None:
        assert self.locks is not None
        for crawl in crawls:
            holder = self.locks.acquire(crawl.id)
            if holder is not None:
                crawl.skipped = f"skipped: another crawl of it is running ({holder})"

    def _begin_jobs(self, engine: Engine, crawls: Any) -> None:
        rows: dict[str, str] = self.job.get("rows") or {}
        if not rows:
            return
        with session_scope(engine) as session:
            for crawl in crawls:
                if crawl.active and crawl.id in rows:
                    crawl.job = rows[crawl.id]
                    if not jobqueue.begin(session, crawl.job, crawl.id, self.job["cycle"], self.job["worker"]):
                        crawl.skipped, crawl.job = "duplicate: this cycle's job of the source already ran", None

    def _start(self, engine: Engine, crawls: list[SourceCrawl]) -> None:
        ids = [c.id for c in crawls]
        with session_scope(engine) as session:  # their locks are ours: no other crawl of these sources is alive
            batches.close_unfinished(session, ids, "its crawl ended without recording it")
            repo.sync_sources(session, [c.source.spec() for c in crawls])
        with session_scope(engine) as session:
            runs = batches.start_runs(session, ids)
            known = batches.known_by_source(session, ids)
            complete = batches.last_complete_crawls(session, ids)
            not_documents = batches.not_documents_by_source(session, ids)
        probed = self.crawler.settings.getdict("GOVMON_PROBED")  # the change probe's requests before this crawl
        for crawl in crawls:
            if probed.get(crawl.id):
                crawl.count("probe/request_count", int(probed[crawl.id]))
            crawl.run_id, crawl.known = runs[crawl.id], known.get(crawl.id, {})
            crawl.not_documents = not_documents.get(crawl.id, {})
            crawl.complete_before, crawl.health.had_documents = complete.get(crawl.id), bool(crawl.known)

    # --- close -------------------------------------------------------------------------------------------------

    def spider_closed(self, spider: Spider, reason: str) -> None:
        crawls: dict[str, SourceCrawl] = getattr(spider, "crawls", {})
        try:
            if self.stats.get_value("govmon/store_error"):
                reason = "database_unavailable"
            for crawl in crawls.values():
                crawl.verdict = crawl.health.verdict()
            started = [c for c in crawls.values() if c.run_id is not None]
            if started:
                self._record_end(spider, started, reason)
        finally:
            if self.locks is not None:
                self.locks.release()

    def _record_end(self, spider: Spider, crawls: list[SourceCrawl], reason: str) -> None:
        ends = [self._end(crawl, reason) for crawl in crawls]
        for delay in (*CLOSE_RETRIES, None):  # the database may be back a moment after an outage
            try:
                with session_scope(engine_for(self.url)) as session:
                    batches.finish_runs(session, ends)
                    batches.mark_checked(session, (), [url for crawl in crawls for url in crawl.confirmed])
                    self._finish_jobs(session, crawls, ends)
                return
            except (DatabaseUnavailable, DBAPIError) as exc:
                if delay is None:
                    spider.logger.error("could not record the end of %d crawl run(s) (%s); the next run of each "
                                        "source closes it", len(crawls), one_line(exc))  # fmt: skip
                    return
                time.sleep(delay)

    def _end(self, crawl: SourceCrawl, reason: str) -> batches.RunEnd:
        health, error = crawl.verdict
        assert crawl.run_id is not None
        return batches.RunEnd(crawl.run_id, crawl.id, _status(health, reason), health, error, **self.figures(crawl))

    def _finish_jobs(self, session: Any, crawls: list[SourceCrawl], ends: list[batches.RunEnd]) -> None:
        for crawl, end in zip(crawls, ends, strict=True):
            if crawl.job is not None:
                new = int(crawl.counts["documents/new"] + crawl.counts["documents/changed"])
                ok = end.status == "ok"
                jobqueue.finish(session, crawl.job, ok, new, None if ok else end.error or end.status)

    def figures(self, crawl: SourceCrawl) -> dict[str, Any]:
        stats = json_safe(self.run_stats(crawl))
        record = crawl.probe_record() if not errors(crawl.counts) else None
        if record is not None:
            stats[batches.PROBE] = record  # what the next cycle's change probe asks the site (crawler.probe)
        return {
            "pages": int(crawl.counts["response_received_count"]),
            "new_documents": int(crawl.counts["documents/new"]),
            "errors": errors(crawl.counts),
            "stats": stats,
        }

    def run_stats(self, crawl: SourceCrawl) -> dict[str, Any]:
        """The source's own counters (govmon/…, downloader/…) and the batch's timings."""
        own = {(k if k.split("/")[0] in SCRAPY_KEYS or k.endswith("_count") else f"govmon/{k}"): v
               for k, v in crawl.counts.items()}  # fmt: skip
        shared = {k: v for k, v in self.stats.get_stats().items() if k in GLOBAL_STATS}
        batch = len(getattr(self.crawler.spider, "crawls", {}))
        return {**shared, **own, "govmon/batch_sources": batch, batches.NOT_DOCUMENTS: dict(crawl.not_documents)}


def errors(counts: Mapping[str, Any]) -> int:
    """A source's errors: failed requests and documents, and exceptions raised in its callbacks."""
    return int(counts.get("errors", 0) or 0)


def _status(health: str, reason: str) -> str:
    if health != "ok":
        return health
    return "ok" if reason == "finished" else "failed"


def json_safe(stats: dict[str, Any]) -> dict[str, Any]:
    """Crawl stats as JSON: numbers and strings kept, datetimes as ISO strings, the rest dropped."""
    out: dict[str, Any] = {}
    for key, value in stats.items():
        if isinstance(value, bool | int | float | str):
            out[key] = value
        elif isinstance(value, datetime):
            out[key] = value.isoformat()
        elif isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            out[key] = dict(value)
    return out
