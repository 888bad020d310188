"""ReportSpider: one generic spider for a batch of registry entries, crawled together in one Scrapy run.

list pages → candidate links (title filter; column names are lists, never documents) → the fetched page decides
what it is (`crawler.roles`: listing, article or other) → article or attachment → `DocumentItem`. Every request
carries its source's id in `meta["source"]`; health, counters and known documents are kept per source
(`crawler.state.SourceCrawl`), while politeness is per host across the batch (Scrapy's download slots). The CMS
family comes from the registry or is detected on each list page. Known articles are skipped until they are
`revisit_days` old, then re-fetched with a conditional GET; a challenge page marks the source blocked; lists
without article links — or drawn by JavaScript — mark it broken.

    scrapy crawl reports -a source=beijing-zfgzbg [-a sources_file=FILE] [-a limit=N]
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import HtmlResponse, Response
from twisted.python.failure import Failure

from crawler import cms, fetchers, pages, roles
from crawler.cms.common import Link, attachment_links
from crawler.items import DocumentItem
from crawler.sources import RegistryError, Source, load_registry
from crawler.state import SourceCrawl
from db.repository import KnownDocument, normalise_url
from monitor.vocabulary import doctypes as classify

HANDLED = [304, 403, 404, 410, 412, 521, 202]


class ReportSpider(Spider):
    name = "reports"
    handle_httpstatus_list = HANDLED

    def __init__(self, source: str = "", sources_file: str | None = None, limit: int | str = 0,
                 sources: Sequence[Source] = (), **kwargs: Any):  # fmt: skip
        super().__init__(**kwargs)
        chosen = list(sources) or [find_source(source, sources_file)]
        self.crawls: dict[str, SourceCrawl] = {s.id: SourceCrawl.of(s) for s in chosen}
        self.allowed_domains = sorted({d for s in chosen for d in s.domains})
        self.limit = int(limit or 0)
        self.revisit = timedelta(days=7)
        self.not_document_revisit = timedelta(days=30)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ReportSpider:
        spider: ReportSpider = super().from_crawler(crawler, *args, **kwargs)
        spider.revisit = timedelta(days=crawler.settings.getfloat("GOVMON_REVISIT_DAYS", 7.0))
        spider.not_document_revisit = timedelta(days=crawler.settings.getfloat("GOVMON_NOT_DOCUMENT_DAYS", 30.0))
        return spider

    async def start(self) -> AsyncIterator[Request]:
        for crawl in list(self.crawls.values()):
            if crawl.active:
                for url in crawl.source.start_urls:
                    yield self.list_request(crawl, url, 1)

    def crawl_of(self, response_or_request: Response | Request) -> SourceCrawl:
        return self.crawls[response_or_request.meta["source"]]

    # --- list pages --------------------------------------------------------------------------------------

    def list_request(self, crawl: SourceCrawl, url: str, page_no: int) -> Request:
        self.count(crawl, "requests/list")
        meta = {"source": crawl.id, "page_no": page_no, **render_meta(crawl)}
        return Request(url, callback=self.parse_list, errback=self.list_error, meta=meta, priority=10)

    def parse_list(self, response: Response) -> Iterator[Request]:
        crawl = self.crawl_of(response)
        if self.blocked(crawl, response) or self.failed_list(crawl, response):
            return
        crawl.listed(response)
        html, _ = pages.as_html(response)
        family = crawl.family or cms.detect(html)
        crawl.health.list_pages += 1
        links = family.list_links(html)
        items = [link for link in links if roles.is_item_link(link, family.article_url)]
        crawl.health.links += len(links)
        crawl.health.item_links += len(items)
        if not items and roles.script_list(html):
            crawl.health.drawn_by_script(response.url)
        self.count(crawl, f"cms/{family.name}")
        for link in links:
            if classify.is_column_name(link.title):
                self.count(crawl, "links/column")  # a menu entry or a column's own link: a list, not a document
            elif self.wanted(crawl, link.title):
                yield from self.follow(crawl, link, family.name)
        yield from self.next_lists(crawl, html, family, response.meta.get("page_no", 1))

    def next_lists(self, crawl: SourceCrawl, html: HtmlResponse, family: cms.Family, page_no: int) -> Iterator[Request]:
        limit = crawl.source.max_pages
        for offset, url in enumerate(family.next_pages(html, limit - page_no + 1), start=1):
            if page_no + offset <= limit:
                yield self.list_request(crawl, url, page_no + offset)

    def failed_list(self, crawl: SourceCrawl, response: Response) -> bool:
        if response.status == 200:
            return False
        crawl.unsettled = f"list page {response.url}: HTTP {response.status}"
        crawl.health.list_failed(response.url, f"HTTP {response.status}")
        self.count(crawl, f"list/http_{response.status}")
        return True

    def list_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        crawl = self.crawl_of(request)
        crawl.unsettled = f"list page {request.url} failed"
        crawl.health.list_failed(request.url, failure.getErrorMessage() or type(failure.value).__name__)
        self.count(crawl, "errors")

    # --- articles ----------------------------------------------------------------------------------------

    def wanted(self, crawl: SourceCrawl, title: str) -> bool:
        if crawl.title_re is not None:
            kinds = (*crawl.source.doc_types, "other")
            return bool(crawl.title_re.search(title)) and classify.doc_type(title) in kinds
        return classify.is_wanted(title, crawl.source.doc_types)

    def follow(self, crawl: SourceCrawl, link: Link, family: str, kind: str = "article") -> Iterator[Request]:
        """Request a candidate unless it is known and fresh; known and stale ones get a conditional GET."""
        crawl.health.candidates += 1
        key = normalise_url(link.url)
        if kind == "article":
            crawl.links.add(key)
        skip = crawl.skip_reason(key, self.revisit, self.not_document_revisit)
        if skip is not None:
            self.count(crawl, skip)
            return
        known = crawl.settled_known(key)
        if known is None:
            crawl.not_documents.pop(key, None)  # time to look again: the page may have become a document
        if self.limit and crawl.scheduled >= self.limit:
            crawl.unsettled = "a crawl limit left candidates unfetched"
            self.count(crawl, "skipped/limit")
            return
        crawl.scheduled += 1
        self.count(crawl, f"requests/{kind}")
        meta = {"source": crawl.id, "link": link, "family": family, **render_meta(crawl)}
        yield Request(link.url, self.parse_article, headers=_conditional(known), meta=meta, errback=self.item_error)

    def parse_article(self, response: Response) -> Iterator[DocumentItem | Request]:
        crawl, link = self.crawl_of(response), response.meta["link"]
        if response.status == 304:
            self.count(crawl, "not_modified")
            crawl.confirmed.append(normalise_url(link.url))  # its revisit age starts again (recorded at the end)
            return
        if self.blocked(crawl, response) or response.status != 200:
            self.count(crawl, f"article/http_{response.status}")
            return
        kind = fetchers.attachment_kind(response.url, pages.header(response, "Content-Type"), response.body)
        if kind is not None:
            yield from self.attachment(crawl, response, kind, link)
            return
        yield from self.article(crawl, response, link)

    def article(self, crawl: SourceCrawl, response: Response, link: Link) -> Iterator[DocumentItem | Request]:
        html, encoding = pages.as_html(response)
        family = cms.family_for(response.meta.get("family", "generic"))
        selectors = crawl.source.selectors
        role = roles.page_role(html, family, pages.body_selectors(family, selectors))
        if role.kind != "article":  # a column page, a search or login page, a directory index: never stored
            self.count(crawl, f"pages/{role.kind}")
            self.not_a_document(crawl, link.url)
            self.logger.info("not stored: %s is a %s page (%s)", response.url, role.kind, role.reason)
            return
        item = pages.html_item(html, encoding, family, link, crawl.id, crawl.source.region, selectors, role.body)
        title = self.settled_title(crawl, html, family, link)
        if title is None:
            return
        item.title, item.listed_title = title, ""
        yield item
        for attached in attachment_links(html, html.url):
            attached = Link(attached.url, attached.title, attached.date or item.published_at)
            yield from self.follow(crawl, self.attachment_link(crawl, attached, item.title), family.name, "attachment")

    def settled_title(self, crawl: SourceCrawl, html: HtmlResponse, family: cms.Family, link: Link) -> str | None:
        """The document's title, checked against the page's own: a page titled as something else than its link
        said is judged by its own title (and dropped when that is not a wanted document)."""
        first = pages.own_title(html, family)
        if first and roles.titles_agree(link.title, first) and self.wanted(crawl, first):
            return first  # the common case: the page's ArticleTitle (or heading) is its list title
        own = roles.own_titles(html, family.title_selectors)
        if not own:
            return link.title
        agreeing = next((title for title in own if roles.titles_agree(link.title, title)), None)
        if agreeing is not None and self.wanted(crawl, agreeing):
            return agreeing
        if agreeing is not None and roles.shortened(agreeing, link.title):
            return link.title  # the page calls itself 政府工作报告, its list gave the full title
        if agreeing is None and self.wanted(crawl, own[0]):
            return own[0]
        self.count(crawl, "dropped/title_mismatch")
        self.not_a_document(crawl, link.url)
        self.logger.info("not stored: %s is titled %r, not %r", html.url, own[0], link.title)
        return None

    def attachment_link(self, crawl: SourceCrawl, attached: Link, parent_title: str) -> Link:
        """An attachment keeps its own title when that names a report, else it is named after its article."""
        title = pages.attachment_title(attached.title)
        own = title if self.wanted(crawl, title) else f"{parent_title}（附件：{title}）"
        return Link(attached.url, own, attached.date)

    def attachment(self, crawl: SourceCrawl, response: Response, kind: str, link: Link) -> Iterator[DocumentItem]:
        try:
            yield pages.attachment_item(response, kind, link, crawl.id, crawl.source.region)
        except fetchers.UnsupportedAttachment as exc:
            self.count(crawl, f"attachments/unsupported_{kind}")
            self.logger.warning("skipped attachment %s: %s", response.url, exc)

    def item_error(self, failure: Failure) -> Iterator[Request]:
        request: Request = failure.request  # type: ignore[attr-defined]
        crawl = self.crawl_of(request)
        if failure.check(fetchers.TruncatedBody):  # a body cut short (see crawler.middlewares): try it again
            retry = get_retry_request(request, spider=self, reason="truncated body")
            crawl.count("retry/count" if retry is not None else "retry/max_reached")
            if retry is not None:
                yield retry
                return
        self.count(crawl, "errors")
        self.count(crawl, f"errors/{type(failure.value).__name__}")
        self.logger.warning("failed %s: %s", request.url, failure.getErrorMessage() or type(failure.value).__name__)

    # --- pages that are not documents ----------------------------------------------------------------------

    def not_a_document(self, crawl: SourceCrawl, url: str) -> None:
        """Remember a page that is no document (a column, a login page, a schedule under a plan's link text), so
        the next crawls do not fetch it again until GOVMON_NOT_DOCUMENT_DAYS have passed."""
        crawl.not_documents.setdefault(normalise_url(url), datetime.now(UTC).date().isoformat())

    # --- helpers -----------------------------------------------------------------------------------------

    def blocked(self, crawl: SourceCrawl, response: Response) -> bool:
        headers = {"set-cookie": " ".join(v.decode("latin-1") for v in response.headers.getlist("Set-Cookie"))}
        reason = fetchers.challenge_reason(response.status, response.body, headers)
        if reason is None:
            return False
        crawl.health.block(response.url, reason)
        self.count(crawl, "blocked")
        return True

    def count(self, crawl: SourceCrawl, key: str, value: int = 1) -> None:
        crawl.count(key, value)
        if self.crawler and self.crawler.stats:
            self.crawler.stats.inc_value(f"govmon/{key}", value)


def render_meta(crawl: SourceCrawl) -> dict[str, Any]:
    """Requests of a `render_js` source go through the browser (scrapy-playwright), the egress guard on each of
    its requests (crawler.render)."""
    if not crawl.source.render_js:
        return {}
    from crawler.render import browser_meta

    crawl.health.rendered = True
    return browser_meta(crawl.policy)


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
