"""TRS WCM (拓尔思): `tYYYYMMDD_<id>` article URLs, `index_N` paging (`createPageHTML`), `TRS_Editor` bodies."""

from __future__ import annotations

import re

from scrapy.http import TextResponse

from crawler.cms import Family
from crawler.cms.common import Link, all_links
from crawler.cms.generic import index_successors
from crawler.cms.generic import next_pages as generic_next

ARTICLE = re.compile(r"/t(?:19|20)\d{6}_\d+\.s?html?$|/W0\d+\.(?:pdf|docx?)$", re.I)
CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"](\w+)['\"]\s*,\s*['\"](\w+)"
)
BODY_SELECTORS = (".TRS_Editor", ".TRS_UEDITOR", ".trs_editor_view", ".trs_paper_default", "#UCAP-CONTENT")


def detect(response: TextResponse) -> bool:
    if CREATE_PAGE.search(response.text) or response.css(".TRS_Editor, .TRS_UEDITOR"):
        return True
    return sum(1 for href in response.css("a::attr(href)").getall() if ARTICLE.search(href)) >= 2


def list_links(response: TextResponse) -> list[Link]:
    """Article links (`t20250121_3994245.html`) first; other links stay candidates for the title filter."""
    links = all_links(response)
    return [link for link in links if ARTICLE.search(link.url)] + [x for x in links if not ARTICLE.search(x.url)]


def next_pages(response: TextResponse, max_pages: int) -> list[str]:
    """Pages 2..max of a list: from `createPageHTML(total, current, "index", "html")`, else by the URL."""
    match = CREATE_PAGE.search(response.text)
    if match is None:
        return generic_next(response, max_pages) or index_successors(response.url, max_pages)
    total, current, stem, ext = int(match.group(1)), int(match.group(2)), match.group(3), match.group(4)
    if current != 0:
        return []
    prefix = response.url[: response.url.rfind("/") + 1]
    return [f"{prefix}{stem}_{n}.{ext}" for n in range(1, min(total, max_pages))]


FAMILY = Family(
    name="trs",
    detect=detect,
    list_links=list_links,
    next_pages=next_pages,
    body_selectors=BODY_SELECTORS,
    article_url=ARTICLE,
)
