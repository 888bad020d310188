"""Item pipelines: classify each document (doc_type, report_year, region), then store it via `db.repository`.

`ClassifyPipeline` drops what is not one of the source's doc types; `StorePipeline` writes a new document or a
new version and counts outcomes in the crawl stats (`govmon/documents/new`, `changed`, `unchanged`, `duplicate`),
which the CrawlRun recorder copies into the database. With `GOVMON_DRY_RUN` nothing is written.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from crawler import classify
from crawler.items import DocumentItem
from crawler.storage import database_url, engine_for
from db.repository import FetchedDocument, store_fetched
from db.session import session_scope

MIN_TEXT = 30


class ClassifyPipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClassifyPipeline:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: DocumentItem, spider: Spider) -> DocumentItem:
        source = spider.source  # type: ignore[attr-defined]
        title = item.title if classify.doc_type(item.title) != "other" else item.listed_title or item.title
        item.doc_type = classify.doc_type(title)
        item.report_year = classify.report_year(title, item.published_at)
        if source.multi_region:
            item.region = classify.region_in(title) or classify.region_in(item.text[:200]) or source.region
        if item.doc_type not in source.doc_types:
            self.stats.inc_value("govmon/dropped/doc_type")
            raise DropItem(f"{item.url}: {item.doc_type} is not one of {source.doc_types}")
        if len(item.text.strip()) < MIN_TEXT:
            self.stats.inc_value("govmon/dropped/empty")
            raise DropItem(f"{item.url}: no body text")
        return item


class StorePipeline:
    def __init__(self, stats: StatsCollector, url: str, dry_run: bool) -> None:
        self.stats, self.url, self.dry_run = stats, url, dry_run
        self.found: list[dict[str, Any]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        assert crawler.stats is not None
        settings = crawler.settings
        return cls(crawler.stats, database_url(settings), settings.getbool("GOVMON_DRY_RUN"))

    def process_item(self, item: DocumentItem, spider: Spider) -> DocumentItem:
        if self.dry_run:
            self.stats.inc_value("govmon/documents/found")
            spider.logger.info("found %s %s %s %s", item.doc_type, item.report_year, item.title, item.url)
            return item
        with session_scope(engine_for(self.url)) as session:
            outcome = store_fetched(session, to_fetched(item))
        self.stats.inc_value(f"govmon/documents/{outcome.status}")
        return item


def to_fetched(item: DocumentItem) -> FetchedDocument:
    fields = {f.name for f in dataclasses.fields(FetchedDocument)}
    return FetchedDocument(**{k: v for k, v in dataclasses.asdict(item).items() if k in fields})
