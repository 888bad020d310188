"""Turn an article response into a `DocumentItem`: decode, read metadata, extract the body or attachment text.

Pure functions of a response and a few facts about the source, so spider callbacks stay thin and testable.
"""

from __future__ import annotations

import re
from datetime import date

from scrapy.http import HtmlResponse, Response, TextResponse

from crawler import cms, fetchers, roles
from crawler.cms import Family
from crawler.cms.common import Link, body_by_selectors, largest_block, page_title, parse_date, reconcile_date
from crawler.items import DocumentItem

ATTACHMENT_LABEL = re.compile(r"^(?:附件\s*\d*\s*[:：.、]?\s*)|\.(?:pdf|docx?|wps)$", re.I)


def header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def as_html(response: Response) -> tuple[HtmlResponse, str]:
    """The response re-decoded by our rules (header, meta, strict UTF-8, GB18030) as an HtmlResponse."""
    decoded = fetchers.decode_html(response.body, header(response, "Content-Type"))
    url = _with_fragment(response)
    if decoded.encoding == "utf-8" and isinstance(response, HtmlResponse) and _utf8(response) and url == response.url:
        return response, "utf-8"  # Scrapy decoded it as we would: keep it (and the parse it may already have)
    return HtmlResponse(
        url=url,
        status=response.status,
        headers=response.headers,
        body=decoded.text.encode("utf-8"),
        encoding="utf-8",
        request=response.request,
    ), decoded.encoding


def _utf8(response: HtmlResponse) -> bool:
    return response.encoding.lower().replace("_", "-") in ("utf-8", "utf8")


def _with_fragment(response: Response) -> str:
    """The response URL, keeping the request's `#fragment` (gkmlpt index pages name their category there)."""
    requested = response.request.url if response.request is not None else response.url
    return requested if requested.split("#", 1)[0] == response.url else response.url


def attachment_title(link_title: str) -> str:
    return ATTACHMENT_LABEL.sub("", link_title.strip()).strip()


def _base_item(response: Response, source_id: str, region: str) -> DocumentItem:
    return DocumentItem(
        url=response.url,
        source_id=source_id,
        region=region,
        title="",
        text="",
        raw=response.body,
        http_status=response.status,
        etag=header(response, "ETag"),
        last_modified=header(response, "Last-Modified"),
        content_type=header(response, "Content-Type"),
    )


def own_title(response: TextResponse, family: Family) -> str:
    """The page's best title of its own (ArticleTitle meta, the family's title element, h1 …)."""
    return page_title(response, family.title_selectors)


def body_selectors(family: Family, selectors: dict[str, str] | None = None) -> tuple[str, ...]:
    """The article containers of a page: the source's own `selectors.body`, then the family's."""
    return tuple(filter(None, [(selectors or {}).get("body")])) + family.body_selectors


def html_item(
    response: TextResponse, encoding: str, family: Family, link: Link, source_id: str, region: str,
    selectors: dict[str, str] | None = None, body: str | None = None,
) -> DocumentItem:  # fmt: skip
    """An article page: title, reconciled date and body text (family selectors, then the largest block; `body`
    when the caller already found it in those containers)."""
    selectors = selectors or {}
    title_css = tuple(filter(None, [selectors.get("title")])) + family.title_selectors
    item = _base_item(response, source_id, region)
    item.raw, item.encoding = response.body, encoding
    item.title = page_title(response, title_css, listed=link.title)
    item.listed_title = link.title
    item.published_at = _date(response, selectors, link)
    item.text = article_text(response, family, selectors, body)
    return item


def article_text(response: TextResponse, family: Family, selectors: dict[str, str] | None = None,
                 body: str | None = None) -> str:  # fmt: skip
    """The text stored (and hashed) for an article page: its body container's text (`body` when the caller
    found it already), else the largest block of prose."""
    return body or body_by_selectors(response, body_selectors(family, selectors), minimum=50) or largest_block(response)


def page_text(markup: str, url: str = "file:///page.html") -> str:
    """The text a crawl would store for this page, its CMS family read from the page itself: how an HTML file
    is imported, so that a page has one content hash however it arrived."""
    response = HtmlResponse(url=url, body=markup.encode("utf-8"), encoding="utf-8")
    family = cms.detect(response)
    return article_text(response, family, body=roles.page_role(response, family, body_selectors(family)).body)


def _date(response: TextResponse, selectors: dict[str, str], link: Link) -> date | None:
    if selectors.get("date"):
        found = parse_date(" ".join(response.css(selectors["date"]).xpath("string()").getall()))
        if found:
            return found
    return reconcile_date(response.url, response, link.date)


def attachment_item(response: Response, kind: str, link: Link, source_id: str, region: str) -> DocumentItem:
    """A PDF/DOCX/DOC: its text from the maintained reader (raises `UnsupportedAttachment`)."""
    item = _base_item(response, source_id, region)
    item.text = fetchers.attachment_text(kind, response.body)
    item.title = attachment_title(link.title)
    item.listed_title = link.title
    item.published_at = link.date
    return item
