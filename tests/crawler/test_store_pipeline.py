"""The store pipeline's batches at the end of a crawl: a batch being written when the spider closes is stored
and counted, never dropped.

The timer that writes a waiting batch every GOVMON_STORE_INTERVAL seconds hands it to a worker thread. When the
spider closed at that moment, the timer used to be cancelled, and a batch whose worker thread had not started
yet was never run: its documents were neither stored nor counted as unstored, and the crawl ended `finished`.
The executor below holds every job until released, which makes that moment last as long as the test needs.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler import pipelines
from crawler.items import DocumentItem


class HeldExecutor(concurrent.futures.ThreadPoolExecutor):
    """Starts no job until `release()`, as when every worker thread is busy or not yet scheduled."""

    def __init__(self) -> None:
        super().__init__(max_workers=1)
        self.jobs: list[tuple[concurrent.futures.Future[Any], Callable[[], Any]]] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:  # type: ignore[override]
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self.jobs.append((future, lambda: fn(*args, **kwargs)))
        return future

    def release(self) -> None:
        jobs, self.jobs = self.jobs, []
        for future, job in jobs:
            if future.set_running_or_notify_cancel():  # False: the job was cancelled before it started
                try:
                    future.set_result(job())
                except BaseException as exc:  # handed to the awaiting coroutine, as a worker thread would
                    future.set_exception(exc)


def pipeline(settings: dict[str, Any]) -> pipelines.StorePipeline:
    base = Settings({"GOVMON_DATABASE_URL": "sqlite:///unused.db", **settings})
    crawler = SimpleNamespace(settings=base, stats=MemoryStatsCollector(get_crawler()), spider=None, engine=None)
    return pipelines.StorePipeline(crawler)  # type: ignore[arg-type]


def item(number: int) -> DocumentItem:
    text = f"辛市2025年政府工作报告第{number}号的正文，足够长，不会被当作空页丢弃。"
    url, title = f"http://example.test/a/{number}.html", f"辛市2025年政府工作报告{number}"
    return DocumentItem(url, "辛市", text, text.encode(), title=title, doc_type="work_report")


def test_a_batch_the_timer_is_writing_when_the_spider_closes_is_stored_and_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    written: list[list[str]] = []

    def store_batch(url: str, batch: list[DocumentItem], logger: object) -> list[str]:
        written.append([i.url for i in batch])
        return ["new"] * len(batch)

    monkeypatch.setattr(pipelines, "store_batch", store_batch)
    store = pipeline({"GOVMON_STORE_BATCH": 50, "GOVMON_STORE_INTERVAL": 0.01})

    async def crawl() -> None:
        executor = HeldExecutor()
        asyncio.get_running_loop().set_default_executor(executor)
        store.open_spider()
        await store.process_item(item(1))
        while not executor.jobs:  # the timer has handed the waiting batch to a worker thread
            await asyncio.sleep(0.005)
        closing = asyncio.ensure_future(store.close_spider())
        for _ in range(5):
            await asyncio.sleep(0)  # the close begins while that thread has not started
        while not closing.done():
            executor.release()
            await asyncio.sleep(0.005)
        await closing

    asyncio.run(crawl())
    assert written == [["http://example.test/a/1.html"]]
    assert store.stats.get_value("govmon/documents/new") == 1
    assert store.stats.get_value("govmon/documents/unstored") is None


def test_a_batch_waiting_out_an_outage_when_the_spider_closes_is_counted_unstored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The timer's batch is between retries when the spider closes: its documents are counted as not stored
    (the crawl then reports the store error), not silently forgotten."""
    attempts: list[int] = []

    def store_batch(url: str, batch: list[DocumentItem], logger: object) -> list[str]:
        attempts.append(len(batch))
        raise pipelines.DatabaseUnavailable("connection refused")

    monkeypatch.setattr(pipelines, "store_batch", store_batch)
    store = pipeline({"GOVMON_STORE_BATCH": 50, "GOVMON_STORE_INTERVAL": 0.01, "GOVMON_STORE_PATIENCE": 0.6})

    async def crawl() -> None:
        store.open_spider()
        await store.process_item(item(1))
        await store.process_item(item(2))
        while not attempts:  # the timer's first attempt failed: it waits before the next one
            await asyncio.sleep(0.005)
        await store.close_spider()

    asyncio.run(crawl())
    assert store.stats.get_value("govmon/documents/unstored") == 2
    assert "the database stayed unavailable" in str(store.stats.get_value("govmon/store_error"))
