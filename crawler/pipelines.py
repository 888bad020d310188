"""Item pipelines: classify each document (doc_type, report_year, region), then store it via `db.repository`.

`ClassifyPipeline` drops what is not one of the source's doc types; `StorePipeline` writes, in batches off the
reactor thread, a new document or a new version (or nothing) and counts outcomes in the crawl stats
(`govmon/documents/new`, `changed`, `unchanged`, `duplicate`, `failed`, `unstored`), which the CrawlRun recorder
copies into the database. With `GOVMON_DRY_RUN` nothing is written.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from crawler.items import DocumentItem
from crawler.state import SourceCrawl
from crawler.storage import database_url, engine_for
from db import batches
from db.repository import FetchedDocument, store_fetched
from db.session import DatabaseUnavailable, masked, session_scope
from monitor.vocabulary import doctypes as classify

MIN_TEXT = 30
log = logging.getLogger(__name__)
Logger = logging.Logger | logging.LoggerAdapter[logging.Logger]


class ClassifyPipeline:
    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler, self.stats = crawler, crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClassifyPipeline:
        return cls(crawler)

    def process_item(self, item: DocumentItem) -> DocumentItem:
        crawl = self.crawler.spider.crawls[item.source_id]  # type: ignore[union-attr]
        source = crawl.source
        kind = classify.doc_type(item.title)
        title = item.title if kind != "other" else item.listed_title or item.title
        item.doc_type = kind if title == item.title else classify.doc_type(title)
        item.report_year = classify.report_year(title, item.published_at)
        if source.multi_region:
            item.region = classify.region_in(title) or classify.region_in(item.text[:200]) or source.region
        if item.doc_type not in source.doc_types:
            self._drop(crawl, "doc_type")
            self.crawler.spider.not_a_document(crawl, item.url)  # type: ignore[union-attr]
            raise DropItem(f"{item.url}: {item.doc_type} is not one of {source.doc_types}")
        if len(item.text.strip()) < MIN_TEXT:
            self._drop(crawl, "empty")
            raise DropItem(f"{item.url}: no body text")
        return item

    def _drop(self, crawl: SourceCrawl, why: str) -> None:
        crawl.count(f"dropped/{why}")
        self.stats.inc_value(f"govmon/dropped/{why}")


class StorePipeline:
    """Stores documents in batches on a worker thread, so fetching goes on while the database writes.

    Items wait in memory until `GOVMON_STORE_BATCH` of them are pending or `GOVMON_STORE_INTERVAL` seconds
    have passed; a batch is one transaction with one savepoint per document, so a bad document costs only
    itself. While the database is unreachable the batch is retried with backoff for up to
    `GOVMON_STORE_PATIENCE` seconds (fetching pauses once a second batch is waiting); after that the crawl
    stops with an error and the unstored documents, never marked known, are fetched again by the next crawl.
    """

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        settings = crawler.settings
        self.crawler, self.stats = crawler, crawler.stats
        self.url = database_url(settings)
        self.dry_run = settings.getbool("GOVMON_DRY_RUN")
        self.batch_size = max(1, settings.getint("GOVMON_STORE_BATCH", 50))
        self.interval = settings.getfloat("GOVMON_STORE_INTERVAL", 2.0)
        self.patience = settings.getfloat("GOVMON_STORE_PATIENCE", 120.0)
        self.pending: list[DocumentItem] = []
        self.lock = asyncio.Lock()
        self.ticker: asyncio.Task[None] | None = None
        self.stopping: asyncio.Event | None = None
        self.failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    @property
    def logger(self) -> Logger:
        return self.crawler.spider.logger if self.crawler.spider else log

    def open_spider(self) -> None:
        if not self.dry_run:
            self.stopping = asyncio.Event()
            self.ticker = asyncio.get_running_loop().create_task(self._tick(self.stopping))

    async def process_item(self, item: DocumentItem) -> DocumentItem:
        if self.dry_run:
            self._count(item, "documents/found")
            self.logger.info("found %s %s %s %s", item.doc_type, item.report_year, item.title, item.url)
            return item
        self.pending.append(item)
        if len(self.pending) >= self.batch_size:
            await self.flush()
        return item

    async def close_spider(self) -> None:
        if self.ticker is not None and self.stopping is not None:
            # The ticker is told to stop, never cancelled: a cancelled flush would drop the batch it holds (a batch
            # handed to a worker thread that has not started it yet is never run) without storing or counting it.
            self.stopping.set()
            await self.ticker
        await self.flush(closing=True)

    async def _tick(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), self.interval)
            if not stopping.is_set():
                await self.flush()

    async def flush(self, closing: bool = False) -> None:
        async with self.lock:  # one batch at a time: ordered writes, and a full queue waits for the database
            batch, self.pending = self.pending, []
            if not batch:
                return
            if self.failed:
                self._lose(batch)
                return
            try:
                outcomes = await self._store(batch)
            except StoreFailed as exc:
                self.failed = True
                self.logger.error("%s", exc)
                self.stats.set_value("govmon/store_error", str(exc))
                self._lose(batch)
                if not closing and self.crawler.engine is not None:
                    asyncio.get_running_loop().create_task(
                        self.crawler.engine.close_spider_async(reason="database_unavailable")
                    )
                return
        for item, status in zip(batch, outcomes, strict=True):
            self._count(item, f"documents/{status}")
            if status == "failed":
                self._count(item, "errors")

    def _count(self, item: DocumentItem, key: str, value: int = 1) -> None:
        self.stats.inc_value(f"govmon/{key}", value)
        self._count_source(item.source_id, key, value)

    def _count_source(self, source_id: str | None, key: str, value: int = 1) -> None:
        crawls = getattr(self.crawler.spider, "crawls", {})
        if source_id in crawls:
            crawls[source_id].count(key, value)

    async def _store(self, batch: list[DocumentItem]) -> list[str]:
        """Store a batch, retrying while the database is unreachable; any other database error is final."""
        deadline = time.monotonic() + self.patience
        delay = 0.5
        while True:
            try:
                return await asyncio.to_thread(store_batch, self.url, batch, self.logger)
            except (DatabaseUnavailable, DBAPIError) as exc:
                reason = one_line(exc)
                if not transient(exc):
                    raise StoreFailed(
                        f"could not store {len(batch)} documents: the database {masked(self.url)} refused the write "
                        f"({reason}); fix the database (space, permissions, read-only mode), then crawl again"
                    ) from exc
                if time.monotonic() + delay > deadline:
                    raise StoreFailed(
                        f"could not store {len(batch)} documents: the database stayed unavailable for "
                        f"{self.patience:.0f} s ({masked(self.url)}: {reason}); the next crawl fetches them again"
                    ) from exc
                self.stats.inc_value("govmon/store_retries")
                for source_id in {item.source_id for item in batch}:  # each source's run shows the outage
                    self._count_source(source_id, "store_retries")
                self.logger.warning(
                    "database unavailable (%s); retrying %d documents in %.1f s", reason, len(batch), delay
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    def _lose(self, batch: list[DocumentItem]) -> None:
        for item in batch:
            self._count(item, "documents/unstored")
            self._count(item, "errors")


class StoreFailed(RuntimeError):
    """The database refused a write, or stayed unreachable for longer than GOVMON_STORE_PATIENCE."""


def transient(exc: BaseException) -> bool:
    """Whether a database error may go away by itself: no connection (refused, reset, server restarting) or a
    lock held by another writer. A read-only database, a full disk or a missing permission will not."""
    if isinstance(exc, DatabaseUnavailable):
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated or isinstance(exc, InterfaceError):
        return True
    message = str(exc.orig).lower()
    if "database is locked" in message or "database is busy" in message:
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if isinstance(exc, OperationalError) and sqlstate is None:  # PostgreSQL: failed before any server answer
        return "sqlite" not in type(exc.orig).__module__
    return isinstance(sqlstate, str) and (sqlstate.startswith("08") or sqlstate in ("57P01", "57P02", "57P03"))


def store_batch(url: str, batch: list[DocumentItem], logger: Logger) -> list[str]:
    """Store a batch in one transaction (bulk statements, `db.batches`); when the batch as a whole is refused,
    each document is stored on its own and one that cannot be is logged and reported as `failed`."""
    fetched: list[FetchedDocument] = list(batch)  # an item is the stored record plus the link's title
    with session_scope(engine_for(url)) as session:
        try:
            return [outcome.status for outcome in batches.store_batch(session, fetched)]
        except (ValueError, DataError):
            pass  # one document is invalid: store the others one by one below
    outcomes: list[str] = []
    with session_scope(engine_for(url)) as session:
        for item, doc in zip(batch, fetched, strict=True):
            outcomes.append(_store_one(session, item, doc, logger))
    return outcomes


def _store_one(session: Session, item: DocumentItem, doc: FetchedDocument, logger: Logger) -> str:
    for attempt in (1, 2):
        savepoint = session.begin_nested()
        try:
            status = store_fetched(session, doc).status
            savepoint.commit()
            return status
        except IntegrityError:  # another worker stored the same URL a moment ago: read it back
            savepoint.rollback()
            if attempt == 2:
                raise
        except (ValueError, DataError) as exc:
            savepoint.rollback()
            logger.error("cannot store %s: %s", item.url, one_line(exc))
            return "failed"
    raise AssertionError("unreachable")


def one_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
