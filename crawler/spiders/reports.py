"""ReportSpider: one generic spider driven by one registry entry.

list pages → candidate links (title filter) → article or attachment → `DocumentItem`. The CMS family comes from
the registry or is detected on each list page. Known articles are skipped until they are `revisit_days` old,
then re-fetched with a conditional GET; a challenge page marks the source blocked, lists without links broken.

    scrapy crawl reports -a source=beijing-zfgzbg [-a sources_file=FILE] [-a limit=N]
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler import classify, cms, fetchers, pages
from crawler.cms.common import Link, attachment_links
from crawler.health import CrawlHealth
from crawler.items import DocumentItem
from crawler.sources import RegistryError, Source, load_registry
from db.repository import KnownDocument, normalise_url

HANDLED = [304, 403, 404, 410, 412, 521, 202]


class ReportSpider(Spider):
    name = "reports"
    handle_httpstatus_list = HANDLED

    def __init__(self, source: str = "", sources_file: str | None = None, limit: int | str = 0, **kwargs: Any):
        super().__init__(**kwargs)
        self.source = find_source(source, sources_file)
        self.allowed_domains = list(self.source.domains)
        self.family = None if self.source.cms == "auto" else cms.family_for(self.source.cms)
        self.title_re = re.compile(self.source.title_pattern) if self.source.title_pattern else None
        self.limit = int(limit or 0)
        self.health = CrawlHealth()
        self.known: dict[str, KnownDocument] = {}
        self.complete_before: datetime | None = None  # end of the source's last crawl that was not interrupted
        self.scheduled = 0
        self.revisit = timedelta(days=7)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ReportSpider:
        spider: ReportSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.revisit = timedelta(days=crawler.settings.getfloat("GOVMON_REVISIT_DAYS", 7.0))
        return spider

    async def start(self) -> AsyncIterator[Request]:
        for url in self.source.start_urls:
            yield self.list_request(url, 1)

    # --- list pages --------------------------------------------------------------------------------------

    def list_request(self, url: str, page_no: int) -> Request:
        self.count("requests/list")
        meta = {"page_no": page_no, **self.render_meta()}
        return Request(url, callback=self.parse_list, errback=self.list_error, meta=meta, priority=10)

    def parse_list(self, response: Response) -> Iterator[Request]:
        if self.blocked(response) or self.failed_list(response):
            return
        html, _ = pages.as_html(response)
        family = self.family or cms.detect(html)
        self.health.list_pages += 1
        links = family.list_links(html)
        self.health.links += len(links)
        self.count(f"cms/{family.name}")
        for link in links:
            if self.wanted(link.title):
                yield from self.follow(link, family.name)
        page_no = response.meta.get("page_no", 1)
        for offset, url in enumerate(family.next_pages(html, self.source.max_pages - page_no + 1), start=1):
            if page_no + offset <= self.source.max_pages:
                yield self.list_request(url, page_no + offset)

    def failed_list(self, response: Response) -> bool:
        if response.status == 200:
            return False
        self.health.list_failed(response.url, f"HTTP {response.status}")
        self.count(f"list/http_{response.status}")
        return True

    def list_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self.health.list_failed(request.url, failure.getErrorMessage() or type(failure.value).__name__)
        self.count("errors")

    # --- articles ----------------------------------------------------------------------------------------

    def wanted(self, title: str) -> bool:
        if self.title_re is not None:
            return bool(self.title_re.search(title)) and classify.doc_type(title) in (*self.source.doc_types, "other")
        return classify.is_wanted(title, self.source.doc_types)

    def follow(self, link: Link, family: str, kind: str = "article") -> Iterator[Request]:
        """Request a candidate unless it is known and fresh; known and stale ones get a conditional GET."""
        self.health.candidates += 1
        known = self.known.get(normalise_url(link.url))
        if known is not None and not self._settled(known):
            known = None  # fetched by an interrupted crawl: fetch it whole again, so its attachments are followed
        if known is not None and datetime.now(UTC) - _aware(known.fetched_at) < self.revisit:
            self.count("skipped/known")
            return
        if self.limit and self.scheduled >= self.limit:
            self.count("skipped/limit")
            return
        self.scheduled += 1
        self.count(f"requests/{kind}")
        meta = {"link": link, "family": family, **self.render_meta()}
        yield Request(link.url, self.parse_article, headers=_conditional(known), meta=meta, errback=self.item_error)

    def _settled(self, known: KnownDocument) -> bool:
        """Whether a stored document was fetched by a crawl that ran to its end (so its links were followed)."""
        return self.complete_before is not None and _aware(known.fetched_at) <= _aware(self.complete_before)

    def parse_article(self, response: Response) -> Iterator[DocumentItem | Request]:
        link: Link = response.meta["link"]
        if response.status == 304:
            self.count("not_modified")
            return
        if self.blocked(response) or response.status != 200:
            self.count(f"article/http_{response.status}")
            return
        kind = fetchers.attachment_kind(response.url, pages.header(response, "Content-Type"), response.body)
        if kind is not None:
            yield from self.attachment(response, kind, link)
            return
        yield from self.article(response, link)

    def article(self, response: Response, link: Link) -> Iterator[DocumentItem | Request]:
        html, encoding = pages.as_html(response)
        family = cms.family_for(response.meta.get("family", "generic"))
        item = pages.html_item(html, encoding, family, link, self.source.id, self.source.region, self.source.selectors)
        yield item
        if self.wanted(link.title) or self.wanted(item.title):
            for attached in attachment_links(html, html.url):
                attached = Link(attached.url, attached.title, attached.date or item.published_at)
                yield from self.follow(self.attachment_link(attached, item.title), family.name, "attachment")

    def attachment_link(self, attached: Link, parent_title: str) -> Link:
        """An attachment keeps its own title when that names a report, else it is named after its article."""
        title = pages.attachment_title(attached.title)
        return Link(attached.url, title if self.wanted(title) else f"{parent_title}（附件：{title}）", attached.date)

    def attachment(self, response: Response, kind: str, link: Link) -> Iterator[DocumentItem]:
        try:
            yield pages.attachment_item(response, kind, link, self.source.id, self.source.region)
        except fetchers.UnsupportedAttachment as exc:
            self.count(f"attachments/unsupported_{kind}")
            self.logger.warning("skipped attachment %s: %s", response.url, exc)

    def item_error(self, failure: Failure) -> Iterator[Request]:
        request: Request = failure.request  # type: ignore[attr-defined]
        if failure.check(fetchers.TruncatedBody):  # a body cut short (see crawler.middlewares): try it again
            retry = get_retry_request(request, spider=self, reason="truncated body")
            if retry is not None:
                yield retry
                return
        self.count("errors")
        self.count(f"errors/{type(failure.value).__name__}")
        self.logger.warning("failed %s: %s", request.url, failure.getErrorMessage() or type(failure.value).__name__)

    # --- helpers -----------------------------------------------------------------------------------------

    def blocked(self, response: Response) -> bool:
        headers = {"set-cookie": " ".join(v.decode("latin-1") for v in response.headers.getlist("Set-Cookie"))}
        reason = fetchers.challenge_reason(response.status, response.body, headers)
        if reason is None:
            return False
        self.health.block(response.url, reason)
        self.count("blocked")
        return True

    def render_meta(self) -> dict[str, Any]:
        return {"playwright": True} if self.source.render_js else {}

    def count(self, key: str, value: int = 1) -> None:
        if self.crawler and self.crawler.stats:
            self.crawler.stats.inc_value(f"govmon/{key}", value)


def find_source(source_id: str, sources_file: str | None = None) -> Source:
    if not source_id:
        raise RegistryError("the spider needs -a source=ID")
    for entry in load_registry(sources_file or None):
        if entry.id == source_id:
            return entry
    raise RegistryError(f"source {source_id}: not in the registry {sources_file or '(bundled)'}")


def _conditional(known: KnownDocument | None) -> dict[str, str]:
    headers = {}
    if known is not None and known.etag:
        headers["If-None-Match"] = known.etag
    if known is not None and known.last_modified:
        headers["If-Modified-Since"] = known.last_modified
    return headers


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
