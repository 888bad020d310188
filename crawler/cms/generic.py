"""Generic fallback for a site never seen: every link (DOM and script data islands), `下一页`-style paging,
a cascade of known body containers, then the largest text block."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from scrapy.http import TextResponse

from crawler.cms import Family
from crawler.cms.common import Link, all_links

NEXT_TEXT = ("下一页", "下页", "后一页", "next", ">")
PAGE_PARAM = re.compile(r"([?&](?:page|pageNum|pageIndex|currpage|p)=)(\d+)", re.I)
INDEX_PAGE = re.compile(r"(index|list\d*|tygl_zrpx)(?:_(\d+))?\.(s?html?)$")
BODY_SELECTORS = (
    ".TRS_Editor", ".TRS_UEDITOR", ".trs_editor_view", "#UCAP-CONTENT", "#zoom", "#Zoom", "#fontzoom", "#doZoom",
    ".pages_content", "#conlun2_box_text", ".article-content", ".xl_content", ".main-txt", ".wzcon", "#detailContent",
    ".bt_content", "#ivs_content", ".article-body", ".view", ".zw", ".gkxl-article", ".xly_Box", ".wip_art_con",
    ".content", "article",
)  # fmt: skip


def list_links(response: TextResponse) -> list[Link]:
    return all_links(response)


def next_pages(response: TextResponse, max_pages: int) -> list[str]:
    """The page behind a `下一页` link, else a guessed `?page=N+1` / `index_N.html` successor."""
    if max_pages <= 1:
        return []
    for a in response.css("a"):
        text = a.xpath("string()").get("").strip().lower()
        href = a.attrib.get("href", "")
        if text in NEXT_TEXT and href and not href.startswith(("javascript", "#")):
            return [urljoin(response.url, href)]
    return []


def index_successors(url: str, max_pages: int) -> list[str]:
    """`index.html` → `index_1.html` … (TRS numbering: page 2 is `_1`), or `?pageNum=2` … for query paging."""
    match = PAGE_PARAM.search(url)
    if match:
        first = int(match.group(2))
        return [PAGE_PARAM.sub(rf"\g<1>{n}", url) for n in range(first + 1, first + max_pages)]
    base = url if not url.endswith("/") else url + "index.html"
    found = INDEX_PAGE.search(base.rsplit("/", 1)[-1])
    if not found or found.group(2):
        return []
    stem, ext = found.group(1), found.group(3)
    prefix = base[: base.rfind("/") + 1]
    return [f"{prefix}{stem}_{n}.{ext}" for n in range(1, max_pages)]


def detect(response: TextResponse) -> bool:
    return True


FAMILY = Family(
    name="generic",
    detect=detect,
    list_links=list_links,
    next_pages=next_pages,
    body_selectors=BODY_SELECTORS,
)
