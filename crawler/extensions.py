"""CrawlRunRecorder: the CrawlRun row and the source's health, written around each spider run.

On open: the source is synced into the database, a CrawlRun starts, and the spider learns the URLs already
stored (for incremental crawling). On close: the run gets its status, pages, new documents, errors and a
JSON-safe copy of the crawl stats; the source gets its health (ok, blocked with the challenge, broken with
the reason) from the spider's `CrawlHealth`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from crawler.storage import database_url, engine_for
from db import repository as repo
from db.session import session_scope


class CrawlRunRecorder:
    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        self.url = database_url(crawler.settings)
        self.dry_run = crawler.settings.getbool("GOVMON_DRY_RUN")
        self.run_id: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        if self.dry_run or not hasattr(spider, "source"):
            return
        with session_scope(engine_for(self.url)) as session:
            repo.sync_sources(session, [spider.source.spec()])
            self.run_id = repo.start_crawl_run(session, spider.source.id)
            spider.known = repo.known_documents(session, spider.source.id)  # type: ignore[attr-defined]
            spider.complete_before = repo.last_complete_crawl(session, spider.source.id)  # type: ignore[attr-defined]
        self.stats.set_value("govmon/run_id", self.run_id)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if not hasattr(spider, "health"):
            return
        health, error = spider.health.verdict()
        self.stats.set_value("govmon/health", health)
        self.stats.set_value("govmon/health_reason", error or "")
        if self.run_id is None:
            return
        with session_scope(engine_for(self.url)) as session:
            repo.finish_crawl_run(session, self.run_id, status=_status(health, reason), **self.figures())
            repo.set_source_health(session, spider.source.id, health, error)  # type: ignore[attr-defined]

    def figures(self) -> dict[str, Any]:
        get = self.stats.get_value
        return {
            "pages": int(get("response_received_count", 0)),
            "new_documents": int(get("govmon/documents/new", 0)),
            "errors": int(get("govmon/errors", 0)) + int(get("log_count/ERROR", 0)),
            "stats": json_safe(self.stats.get_stats()),
        }


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
