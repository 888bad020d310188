"""大汉 JCMS (Hanweb): list records in `<script type="text/xml"><datastore>…<record><![CDATA[<li>…</li>]]>`,
`?uid=<unitid>&pageNum=<n>` paging, `art_<col>_<id>.html` articles with the body in `div#zoom`."""

from __future__ import annotations

import math
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scrapy.http import TextResponse

from crawler.cms import Family
from crawler.cms.common import Link, all_links, fragment_links

RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
TOTAL = re.compile(r"(?:totalRecord|totalrecord)\s*(?:[:=]\s*['\"]?|>)(\d+)", re.I)
PER_PAGE = re.compile(r"perPage\s*[:=]\s*['\"]?(\d+)", re.I)
ARTICLE = re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html", re.I)
BODY_SELECTORS = ("#zoom", "#Zoom", ".main-txt", ".bt_content", ".article-content", "#fontzoom")


def detect(response: TextResponse) -> bool:
    return "<datastore" in response.text or (bool(response.css("#zoom")) and "/art/" in response.url)


def records(response: TextResponse) -> list[str]:
    """The CDATA list items of the data island(s), in page order."""
    return RECORD.findall(response.text)


def list_links(response: TextResponse) -> list[Link]:
    found = fragment_links(records(response), response.url)
    return found or [link for link in all_links(response) if ARTICLE.search(link.url)] or all_links(response)


def unit_id(response: TextResponse) -> str | None:
    """The list's unit id: the `uid` query parameter, else the id of the element around the data island."""
    query = dict(parse_qsl(urlsplit(response.url).query))
    if query.get("uid"):
        return query["uid"]
    owner = response.xpath("//script[contains(., 'datastore')]/parent::*/@id").get()
    return owner if owner and owner.isdigit() else None


def page_count(response: TextResponse) -> int:
    total, per_page = TOTAL.search(response.text), PER_PAGE.search(response.text)
    if not total:
        return 1
    size = int(per_page.group(1)) if per_page else max(len(records(response)), 1)
    return max(1, math.ceil(int(total.group(1)) / size))


def next_pages(response: TextResponse, max_pages: int) -> list[str]:
    """`?uid=U&pageNum=2..` up to the page count the list declares, from the first page only."""
    parts = urlsplit(response.url)
    query = dict(parse_qsl(parts.query))
    uid = unit_id(response)
    if int(query.get("pageNum", "1")) != 1 or not uid:
        return []
    pages = range(2, min(page_count(response), max_pages) + 1)
    return [urlunsplit(parts._replace(query=urlencode({**query, "uid": uid, "pageNum": n}))) for n in pages]


FAMILY = Family(
    name="jcms",
    detect=detect,
    list_links=list_links,
    next_pages=next_pages,
    body_selectors=BODY_SELECTORS,
    article_url=ARTICLE,
)
