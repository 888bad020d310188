"""CrawlRunRecorder: the CrawlRun row and the source's health, written around each spider run.

On open: the source is synced into the database, runs of the source left unfinished by a crawl that died are
closed (when no other crawl of it holds its lock), a CrawlRun starts, and the spider learns the URLs already
stored (for incremental crawling). On close: the run gets its status, pages, new documents, errors and a
JSON-safe copy of the crawl stats; the source gets its health (ok, blocked with the challenge, broken with
the reason) from the spider's `CrawlHealth`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from contextlib import ExitStack
from datetime import datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from sqlalchemy.exc import DBAPIError

from crawler.pipelines import one_line
from crawler.storage import database_url, engine_for
from db import repository as repo
from db.locks import db_lock
from db.runs import close_unfinished
from db.session import DatabaseUnavailable, masked, session_scope

CLOSE_RETRIES = (1.0, 2.0, 4.0, 8.0)  # seconds between attempts to record the end of a run


class CrawlRunRecorder:
    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.url = database_url(crawler.settings)
        self.dry_run = crawler.settings.getbool("GOVMON_DRY_RUN")
        self.run_id: int | None = None
        self.lock = ExitStack()  # holds the source's crawl-run lock from open to close

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        """Start the run; if the database cannot take that first write, the crawl stops before fetching anything."""
        if self.dry_run or not hasattr(spider, "source"):
            return
        try:
            engine = engine_for(self.url)
            if self.lock.enter_context(db_lock(engine, f"crawl-run:{spider.source.id}")):
                with session_scope(engine) as session:  # no other crawl of this source is alive: close its leftovers
                    close_unfinished(session, spider.source.id, "its crawl ended without recording it")
            with session_scope(engine) as session:
                repo.sync_sources(session, [spider.source.spec()])
                run_id = repo.start_crawl_run(session, spider.source.id)
                spider.known = repo.known_documents(session, spider.source.id)  # type: ignore[attr-defined]
                spider.complete_before = repo.last_complete_crawl(session, spider.source.id)  # type: ignore[attr-defined]
        except (DatabaseUnavailable, DBAPIError) as exc:
            message = f"cannot start the crawl run: the database {masked(self.url)} refused it ({one_line(exc)})"
            spider.logger.error("%s", message)
            self.stats.set_value("govmon/store_error", message)
            assert self.crawler.engine is not None
            asyncio.get_running_loop().create_task(
                self.crawler.engine.close_spider_async(reason="database_unavailable")
            )
            return
        self.run_id = run_id  # only once committed
        self.stats.set_value("govmon/run_id", self.run_id)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        with self.lock:
            self._record_end(spider, reason)

    def _record_end(self, spider: Spider, reason: str) -> None:
        if not hasattr(spider, "health"):
            return
        if self.stats.get_value("govmon/store_error"):
            reason = "database_unavailable"
        health, error = spider.health.verdict()
        self.stats.set_value("govmon/health", health)
        self.stats.set_value("govmon/health_reason", error or "")
        if self.run_id is None:
            return
        for delay in (*CLOSE_RETRIES, None):  # the database may be back a moment after an outage
            try:
                with session_scope(engine_for(self.url)) as session:
                    repo.finish_crawl_run(session, self.run_id, status=_status(health, reason), **self.figures())
                    repo.set_source_health(session, spider.source.id, health, error)  # type: ignore[attr-defined]
                return
            except (DatabaseUnavailable, DBAPIError) as exc:
                if delay is None:
                    spider.logger.error(
                        "could not record the end of crawl run %s (%s); the next run of this source closes it",
                        self.run_id,
                        one_line(exc),
                    )
                    return
                time.sleep(delay)

    def figures(self) -> dict[str, Any]:
        get = self.stats.get_value
        return {
            "pages": int(get("response_received_count", 0)),
            "new_documents": int(get("govmon/documents/new", 0)),
            "errors": errors(self.stats.get_stats()),
            "stats": json_safe(self.stats.get_stats()),
        }


def errors(stats: Mapping[str, Any]) -> int:
    """This crawl's errors: govmon's own count and exceptions raised in its callbacks. (Scrapy's log_count/ERROR
    counts every error logged in the process, including those of other sources crawled beside this one.)"""
    return int(stats.get("govmon/errors", 0)) + int(stats.get("spider_exceptions/count", 0))


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
    return out
