"""Guangdong 政府信息公开平台 `gkmlpt`: the index is a Vue page, so lists come from its JSON API
`/gkmlpt/api/all/<catId>?page=<n>&sid=<siteId>` (`articles[]` with title, url, created_at); article bodies
are server-rendered in `div.article-content`."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from scrapy.http import TextResponse

from crawler.cms import Family
from crawler.cms.common import Link, parse_date

SID = re.compile(r"""\bSID\s*[:=]\s*['"]?(\d+)""")
API_PATH = re.compile(r"/gkmlpt/api/all/(\d+)")
BODY_SELECTORS = (".article-content", ".content-box .content", ".zw", "#zoom")
PAGE_SIZE = 100


def detect(response: TextResponse) -> bool:
    return "/gkmlpt/" in response.url or "gkmlpt" in response.text[:20000]


def api_url(response_url: str, cat: str, sid: str, page: int = 1) -> str:
    parts = urlsplit(response_url)
    return f"{parts.scheme}://{parts.netloc}/gkmlpt/api/all/{cat}?page={page}&sid={sid}"


def _payload(response: TextResponse) -> dict[str, Any] | None:
    if not API_PATH.search(response.url):
        return None
    try:
        data = json.loads(response.text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _created(value: Any) -> date | None:
    if isinstance(value, int | float) and value > 0:
        return datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC).date()
    return parse_date(str(value)) if value else None


def list_links(response: TextResponse) -> list[Link]:
    data = _payload(response)
    if data is None:
        return []
    links = []
    for article in data.get("articles") or []:
        url = article.get("url") or article.get("post_url")
        if url and article.get("title"):
            links.append(Link(response.urljoin(url), str(article["title"]), _created(article.get("created_at"))))
    return links


def next_pages(response: TextResponse, max_pages: int) -> list[str]:
    """From the HTML index: the API's first page; from the API's first page: pages 2..N."""
    data = _payload(response)
    if data is None:
        sid, cat = SID.search(response.text), urlsplit(response.url).fragment or _cat_from_script(response)
        return [api_url(response.url, cat, sid.group(1))] if sid and cat else []
    query = dict(parse_qsl(urlsplit(response.url).query))
    if query.get("page", "1") != "1":
        return []
    total = int((data.get("classify") or {}).get("post_count") or data.get("total") or 0)
    size = len(data.get("articles") or []) or PAGE_SIZE
    cat = API_PATH.search(response.url).group(1)  # type: ignore[union-attr]
    pages = range(2, min(math.ceil(total / size), max_pages) + 1)
    return [api_url(response.url, cat, query.get("sid", ""), n) for n in pages]


def _cat_from_script(response: TextResponse) -> str:
    match = re.search(r"""\bCAT_?ID\s*[:=]\s*['"]?(\d+)""", response.text, re.I)
    return match.group(1) if match else ""


FAMILY = Family(
    name="gkmlpt",
    detect=detect,
    list_links=list_links,
    next_pages=next_pages,
    body_selectors=BODY_SELECTORS,
)
