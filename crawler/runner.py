"""Run the ReportSpider for several sources in one process (one reactor) and summarise each run.

`govmon crawl` is a thin layer over `run_sources`; the scheduler runs `govmon crawl` as a subprocess, since
Twisted's reactor cannot be restarted inside one process (ARCHITECTURE §5).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from crawler.extensions import errors
from crawler.sources import Source
from crawler.spiders.reports import ReportSpider

PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
Progress = Callable[[str, str], None]  # (source id, event: "page" | "done")


class RenderUnavailable(RuntimeError):
    """A source asks for `render_js` but scrapy-playwright is not installed."""


@dataclass
class CrawlResult:
    """One source's crawl, as the summary table and `--json` show it."""

    source_id: str
    health: str
    reason: str | None
    status: str
    pages: int
    requests: dict[str, int]
    documents: dict[str, int]
    errors: int
    run_id: int | None
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.health != "ok" or self.status != "finished"

    def to_json(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out.pop("stats")
        return out


def crawl_settings(database_url: str, overrides: dict[str, Any] | None = None, dry_run: bool = False) -> Settings:
    settings = get_project_settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("GOVMON_DATABASE_URL", database_url, priority="cmdline")
    settings.set("GOVMON_DRY_RUN", dry_run, priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def source_settings(base: Settings, source: Source) -> Settings:
    """Per-source settings: the browser download handler for `render_js: true` sources."""
    settings = base.copy()
    if not source.render_js:
        return settings
    try:
        import scrapy_playwright  # noqa: F401
    except ImportError as exc:
        raise RenderUnavailable(f"source {source.id}: render_js needs `pip install govmon[js]`") from exc
    settings.set("DOWNLOAD_HANDLERS", {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER}, priority="cmdline")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium:
        settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", {"executable_path": chromium}, priority="cmdline")
    return settings


def run_sources(
    sources: Sequence[Source],
    settings: Settings,
    registry: str | None = None,
    limit: int = 0,
    progress: Progress | None = None,
) -> list[CrawlResult]:
    """Crawl every source concurrently (politeness is per host) and return one result per source."""
    process = CrawlerProcess(settings)
    crawlers: list[tuple[Source, Crawler]] = []
    for index, source in enumerate(sources):
        crawler = Crawler(ReportSpider, source_settings(settings, source), init_reactor=index == 0)
        if progress is not None:
            _watch(crawler, source.id, progress)
        process.crawl(crawler, source=source.id, sources_file=registry, limit=limit)
        crawlers.append((source, crawler))
    process.start()
    return [result_of(source, crawler) for source, crawler in crawlers]


def finish_status(stats: dict[str, Any]) -> str:
    """Scrapy's finish reason, except that a crawl whose documents could not all be stored did not finish (its
    last batch may fail as the spider closes, after Scrapy has settled on `finished`)."""
    return "database_unavailable" if stats.get("govmon/store_error") else str(stats.get("finish_reason", "not started"))


def _watch(crawler: Crawler, source_id: str, progress: Progress) -> None:
    crawler.signals.connect(lambda **_: progress(source_id, "page"), signal=signals.response_received, weak=False)
    crawler.signals.connect(lambda **_: progress(source_id, "done"), signal=signals.spider_closed, weak=False)


def result_of(source: Source, crawler: Crawler) -> CrawlResult:
    stats: dict[str, Any] = crawler.stats.get_stats() if crawler.stats else {}

    def prefixed(prefix: str) -> dict[str, int]:
        return {k[len(prefix) :]: int(v) for k, v in stats.items() if k.startswith(prefix)}

    return CrawlResult(
        source_id=source.id,
        health=str(stats.get("govmon/health", "unknown")),
        reason=stats.get("govmon/health_reason") or None,
        status=finish_status(stats),
        pages=int(stats.get("response_received_count", 0)),
        requests=prefixed("govmon/requests/"),
        documents=prefixed("govmon/documents/"),
        errors=errors(stats),
        run_id=stats.get("govmon/run_id"),
        stats=stats,
    )
