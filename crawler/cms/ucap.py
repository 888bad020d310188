"""开普云 Ucap (www.gov.cn and many city sites): `#UCAP-CONTENT` bodies, `firstpublishedtime` metas, gov.cn lists."""

from __future__ import annotations

import re

from scrapy.http import TextResponse

from crawler.cms import Family
from crawler.cms.common import Link, all_links
from crawler.cms.generic import next_pages

ARTICLE = re.compile(r"content_\d+\.htm|\d{4}zfgzbg\.htm|/zhuanti/.*zfgzbg", re.I)
BODY_SELECTORS = ("#UCAP-CONTENT", ".pages_content", "#conlun2_box_text", ".TRS_UEDITOR", ".zhj-bbqw-cont", ".article")
TITLE_SELECTORS = (".share-title", ".article h1", "h1")


def detect(response: TextResponse) -> bool:
    markers = ("UCAP-CONTENT", "firstpublishedtime", "conlun2_box_text", "manuscriptId")
    return any(marker in response.text for marker in markers)


def list_links(response: TextResponse) -> list[Link]:
    links = all_links(response)
    return [link for link in links if ARTICLE.search(link.url)] + [x for x in links if not ARTICLE.search(x.url)]


FAMILY = Family(
    name="ucap",
    detect=detect,
    list_links=list_links,
    next_pages=next_pages,
    body_selectors=BODY_SELECTORS,
    article_url=ARTICLE,
    title_selectors=TITLE_SELECTORS,
)
