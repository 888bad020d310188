"""Run the ReportSpider for a batch of sources in one Scrapy run and summarise each source's crawl.

`run_batch` crawls in this process (Twisted's reactor runs once per process: `govmon crawl` calls it once);
`crawl_in_child` runs a batch in a child process of its own and hands its results back, which is how
`govmon run`, the scheduler and the workers crawl (see `monitor.ops.jobs`). Sources that share a host go into the
same batch (`plan_batches`), so one process's download slots keep that host's politeness.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib.machinery
import logging
import multiprocessing
import resource
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from multiprocessing.connection import Connection
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from crawler.render import RenderUnavailable, browser_settings
from crawler.sources import Source
from crawler.spiders.reports import ReportSpider
from crawler.state import SourceCrawl

Progress = Callable[[str, str], None]  # (source id, event: "page" | "done")
GC_YOUNG = 5000  # allocations between collections of the young generation while crawling (see crawl_gc)
__all__ = ["CrawlResult", "RenderUnavailable", "crawl_in_child", "crawl_settings", "plan_batches", "run_batch"]


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
        if self.status == "duplicate":  # a redelivered job whose crawl already ran this cycle
            return False
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


def batch_settings(base: Settings, sources: Sequence[Source]) -> Settings:
    """The batch's settings: the browser download handler when one of its sources has `render_js: true`."""
    rendered = [s.id for s in sources if s.render_js]
    if not rendered:
        return base
    settings = base.copy()
    for name, value in browser_settings(rendered).items():
        if settings.getpriority(name) is None or name == "DOWNLOAD_HANDLERS":
            settings.set(name, value, priority="cmdline")
    return settings


def run_batch(sources: Sequence[Source], settings: Settings, limit: int = 0,
              progress: Progress | None = None) -> list[CrawlResult]:  # fmt: skip
    """Crawl the sources with one spider in this process (politeness per host) and return one result each."""
    more_files()
    _quiet_robots_errors()
    process = CrawlerProcess(batch_settings(settings, sources))
    crawler = process.create_crawler(ReportSpider)
    if progress is not None:
        _watch(crawler, progress)
    process.crawl(crawler, sources=list(sources), limit=limit)
    with crawl_gc():
        process.start()
    stats: dict[str, Any] = crawler.stats.get_stats() if crawler.stats else {}
    spider = crawler.spider
    crawls: dict[str, SourceCrawl] = getattr(spider, "crawls", {}) if spider else {}
    return [result_of(crawls[s.id], stats) if s.id in crawls else _not_started(s, stats) for s in sources]


@contextlib.contextmanager
def crawl_gc() -> Iterator[None]:
    """The cyclic garbage collector tuned for a crawl, then put back as it was.

    A crawl allocates hundreds of objects per page (requests, responses, parsed trees, items) and frees almost
    all of them by reference counting, yet at the default threshold (700) the collector runs every few pages, and
    its full collections scan everything start-up loaded (modules, settings, the registry) again: about a tenth
    of a crawl's CPU time on a fast site. What is loaded by now is frozen (never scanned again) and the young
    generation is collected every 5,000 allocations; cyclic garbage is still collected, a little later.
    """
    threshold = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def finish_status(stats: dict[str, Any]) -> str:
    """Scrapy's finish reason, except that a crawl whose documents could not all be stored did not finish (its
    last batch may fail as the spider closes, after Scrapy has settled on `finished`)."""
    return "database_unavailable" if stats.get("govmon/store_error") else str(stats.get("finish_reason", "not started"))


def _watch(crawler: Crawler, progress: Progress) -> None:
    def page(request: Any, **_: Any) -> None:
        progress(str(request.meta.get("source", "")), "page")

    def done(spider: Any, **_: Any) -> None:
        for source_id in getattr(spider, "crawls", {}):
            progress(source_id, "done")

    crawler.signals.connect(page, signal=signals.response_received, weak=False)
    crawler.signals.connect(done, signal=signals.spider_closed, weak=False)


def result_of(crawl: SourceCrawl, stats: dict[str, Any]) -> CrawlResult:
    if crawl.skipped is not None:
        status = "duplicate" if crawl.skipped.startswith("duplicate") else "skipped"
        return CrawlResult(crawl.id, "unknown", crawl.skipped, status, 0, {}, {}, 0, None)
    health, reason = crawl.verdict if crawl.verdict[0] != "unknown" else crawl.health.verdict()
    return CrawlResult(
        source_id=crawl.id,
        health=health,
        reason=reason,
        status=finish_status(stats),
        pages=int(crawl.counts["response_received_count"]),
        requests=crawl.prefixed("requests/"),
        documents=crawl.prefixed("documents/"),
        errors=int(crawl.counts["errors"]),
        run_id=crawl.run_id,
        stats={**stats, **{f"govmon/{k}": v for k, v in crawl.counts.items()}},
    )


def _not_started(source: Source, stats: dict[str, Any]) -> CrawlResult:
    return CrawlResult(source.id, "unknown", "the crawl did not start", finish_status(stats), 0, {}, {}, 0, None)


# --- batches in child processes ----------------------------------------------------------------------------------


def plan_batches(sources: Sequence[Source], size: int) -> list[list[Source]]:
    """Batches of at most `size` sources (more when one host has more), a host's sources always together."""
    by_host = [list(group) for _, group in groupby(sorted(sources, key=_host), key=_host)]
    batches: list[list[Source]] = []
    for group in by_host:
        if batches and len(batches[-1]) + len(group) <= max(1, size):
            batches[-1].extend(group)
        else:
            batches.append(list(group))
    return batches


def _host(source: Source) -> str:
    return (urlsplit(source.start_urls[0]).hostname or "") if source.start_urls else ""


@dataclass
class ChildOutcome:
    """What a child crawl process gave back: its results, or how it ended without them."""

    results: list[CrawlResult]
    exitcode: int | None
    error: str | None = None


_children: set[multiprocessing.process.BaseProcess] = set()
_children_lock = threading.Lock()


def crawl_in_child(sources: Sequence[Source], settings: dict[str, Any], timeout: float,
                   target: Callable[..., None] | None = None) -> ChildOutcome:  # fmt: skip
    """Crawl a batch in a fresh process (spawned: a clean interpreter, whose reactor starts once) and wait for it.

    `settings` are Scrapy settings (the database URL among them; they travel through a pipe, never a command
    line). A child that crashes, hangs past `timeout` or is killed gives no results; the caller records that.
    """
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=target or child_main, args=(list(sources), settings, sender), daemon=False)
    with _main_not_rerun():
        child.start()
    sender.close()
    with _children_lock:
        _children.add(child)
    try:
        return _wait(child, receiver, timeout)
    finally:
        with _children_lock:
            _children.discard(child)
        receiver.close()


_start_lock = threading.Lock()


@contextlib.contextmanager
def _main_not_rerun() -> Iterator[None]:
    """A spawned child runs the parent's main script again before its target, unless that script is a package's
    `__main__` module. The target here needs nothing from it, and the `govmon` console script would make every
    crawl process import the whole command line (a second or two of CPU per batch): while the child starts, the
    script passes for one."""
    main = sys.modules["__main__"]
    if getattr(main, "__spec__", None) is not None:
        yield
        return
    with _start_lock:
        main.__spec__ = importlib.machinery.ModuleSpec("govmon.__main__", None)
        try:
            yield
        finally:
            main.__spec__ = None


def _wait(child: multiprocessing.process.BaseProcess, receiver: Connection, timeout: float) -> ChildOutcome:
    results: list[CrawlResult] = []
    error = None
    try:
        if receiver.poll(timeout):
            results = [CrawlResult(**r) for r in receiver.recv()]
        else:
            error = f"crawl timed out after {timeout:.0f} s"
            child.kill()
    except (EOFError, OSError):
        pass  # the child died before it sent anything
    child.join(timeout=60)
    if child.exitcode is None:
        child.kill()
        child.join()
    return ChildOutcome(results, child.exitcode, error)


def child_main(sources: list[Source], settings: dict[str, Any], sender: Connection) -> None:
    """The child: crawl the batch, send every source's result back (stats left out: they stay in the database)."""
    _die_with_parent()
    base = crawl_settings(str(settings.pop("GOVMON_DATABASE_URL", "")), settings)
    results = run_batch(sources, base)
    sender.send([{**r.__dict__, "stats": {}} for r in results])
    sender.close()


def stop_children(grace: float = 20.0) -> None:
    """SIGTERM to every running crawl child (Scrapy closes its spider and writes its last batch), SIGKILL after
    `grace` seconds."""
    with _children_lock:
        children = list(_children)
    for child in children:
        child.terminate()
    for child in children:
        child.join(timeout=grace)
        if child.exitcode is None:
            child.kill()


def more_files() -> None:
    """A batch holds a lock file per source (SQLite) and a connection per host in flight: lift the soft limit on
    open files to the hard one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 65536, hard))


class _RobotsErrorsAsDebug(logging.Filter):
    """Scrapy logs an unreachable robots.txt as an ERROR with its traceback, before the page itself fails for the
    same reason and is reported once, as the source's health. Its record is kept for --debug-level logs only."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and str(record.msg).startswith("Error downloading"):
            record.levelno, record.levelname, record.exc_info, record.exc_text = logging.DEBUG, "DEBUG", None, None
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


_ROBOTS_LOGGER = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")


def _quiet_robots_errors() -> None:
    if not any(isinstance(f, _RobotsErrorsAsDebug) for f in _ROBOTS_LOGGER.filters):
        _ROBOTS_LOGGER.addFilter(_RobotsErrorsAsDebug())


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent() -> None:
    """SIGTERM when the thread that started this process dies, so no crawl outlives a killed worker or scheduler
    (Linux; elsewhere the crawl runs to its end and its documents are still stored once)."""
    if sys.platform != "linux":
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
