"""Anhui 集约化 platform: `/public/<orgId>/<id>.html` articles, `div.wzcon.j-fontContent` bodies,
`div.xxgk_navli` / `ul.doc_list li` lists, `pageIndex` paging of the `/site/label/8888` fragments."""

from __future__ import annotations

import re

from scrapy.http import TextResponse

from crawler.cms import Family
from crawler.cms.common import Link, all_links, anchor_links
from crawler.cms.generic import index_successors
from crawler.cms.generic import next_pages as generic_next

ARTICLE = re.compile(r"/public/\d+/\d+\.html")
FIRST_PAGE = re.compile(r"[?&]pageIndex=1(?:&|$)")
BODY_SELECTORS = (".wzcon.j-fontContent", ".j-fontContent", ".wzcon", ".gzk-article")


def detect(response: TextResponse) -> bool:
    return bool(response.css(".xxgk_navli, .wzcon, .j-fontContent")) or "/site/label/8888" in response.text


def list_links(response: TextResponse) -> list[Link]:
    items = anchor_links(response.css(".xxgk_navli a, ul.doc_list li a"), response.url)
    return items or [link for link in all_links(response) if ARTICLE.search(link.url)]


def next_pages(response: TextResponse, max_pages: int) -> list[str]:
    """`pageIndex=2..` of the AJAX fragment list (from its first page), else a `下一页` link."""
    if "pageIndex=" in response.url:
        return index_successors(response.url, max_pages) if FIRST_PAGE.search(response.url) else []
    return generic_next(response, max_pages)


FAMILY = Family(
    name="anhui",
    detect=detect,
    list_links=list_links,
    next_pages=next_pages,
    body_selectors=BODY_SELECTORS,
    article_url=ARTICLE,
)
