"""What a fetched page is — a listing, an article or something else — decided from the page itself.

A link's text says what a site *calls* the target, not what it is: a menu's 政府工作报告 leads to a column, a
list's `./` link to the list itself. So the spider asks the fetched page: its own title and metadata, how much
prose it holds against how many dated links, its pagination, the CMS family's article container. Search pages,
login pages and directory indexes are `other` whatever they hold. All functions are pure over a `TextResponse`.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from scrapy.http import TextResponse

from crawler.cms import Family
from crawler.cms.common import (
    TEXT_OUTSIDE_LINKS,
    TITLE_SUFFIX,
    Link,
    html_to_text,
    meta_content,
    page_title,
    parse_date,
    squash,
    url_date,
)
from crawler.pageview import LINK_TEXT, Node, serialise, view_of, xpath

ARTICLE_PROSE = 200  # characters of prose (text outside links) that make a page an article
SHORT_PROSE = 50  # an article may be shorter when nothing says it is a list (a notice pointing to a spreadsheet)
LIST_ROWS = 3  # dated link rows that make a page a list
SEARCH_PATH = re.compile(r"(?:^|/)(?:search|sousuo|jsearch\w*|irs|query|retrieval|fulltext)(?:/|\.|$)", re.I)
SEARCH_QUERY = re.compile(r"(?:^|&)(?:q|query|keyword|keywords|searchword|wd|kw)=", re.I)
SEARCH_TITLE = re.compile(r"检索|搜索|查询结果|search", re.I)
LOGIN = re.compile(r"(?:^|/)(?:login|logon|signin|sso|uids-sso|cas)(?:/|\.|$|\?)", re.I)
LOGIN_TITLE = re.compile(r"登录|登陆|sign\s*in|log\s*in", re.I)
PAGINATION = re.compile(
    r"createPageHTML|下一页|下页|尾页|共\s*\d+\s*页|pageNum=\d|[?&]page=\d|index_\d+\.s?html?", re.I
)
ROWS = xpath("//li[.//a]|//tr[.//a]|//dd[.//a]")
INNER_ROWS = xpath(".//li|.//tr")
BLOCKS = xpath("//div[not(.//div)]|//td[not(.//td)]|//article|//section|//p/..")
LINK_AND_SCRIPT_TEXT = xpath("//body//a/text()|//body//script/text()")
SPACE = re.compile(r"\s+")
PASSWORD = re.compile(r"<input[^>]+type\s*=\s*['\"]?password", re.I)
SCRIPT_LIST = (
    re.compile(r"<script[^>]+type=['\"]text/(?:x-handlebars-template|x-template|template|html)['\"][^>]*>", re.I),
    re.compile(r"\b(?:loadPageData|queryList|renderList|getListData)\s*\(", re.I),
    re.compile(r"\{\{#each\b|\bv-for=|\bng-repeat=|\{\{\s*item\.", re.I),
)
ITEM_PATH = re.compile(
    r"\.(?:s?html?|jsp|aspx?|php|pdf|docx?|wps|xlsx?)(?:\?|$)|/(?:art|content|post|detail)[_/]", re.I
)
LIST_PATH = re.compile(r"(?:^|/)(?:index|list|default|more)(?:_\d+)?\.\w+$|/col/col\d+/|/$", re.I)


@dataclass(frozen=True)
class Role:
    """`listing`, `article` or `other`, and why; for an article, the text of its container when one was found."""

    kind: str
    reason: str
    body: str | None = None


def page_role(response: TextResponse, family: Family, body_css: Iterable[str] | None = None) -> Role:
    """What the page is, from its own markup (never from the text of the link that led to it).

    `body_css` are the article containers to try first (the family's, after a source's own override)."""
    special = special_page(response)
    if special:
        return Role("other", special)
    containers = tuple(body_css if body_css is not None else family.body_selectors)
    prose, body = main_block(response, containers)
    if prose < ARTICLE_PROSE:
        prose = max(prose, largest_prose(response))
    rows, row_links = dated_rows(response)
    if prose >= ARTICLE_PROSE and prose >= 2 * row_links:
        return Role("article", f"{prose} characters of prose", body)
    listing = listing_signal(response, rows)
    if listing:
        return Role("listing", listing)
    if meta_content(response, "ArticleTitle") or prose >= SHORT_PROSE or _container(response, containers):
        return Role("article", f"a short article ({prose} characters of prose)", body)
    return Role("other", f"no article text ({prose} characters) and no list")


def special_page(response: TextResponse) -> str | None:
    """'search page', 'login page' or 'directory index' when the page is one of those."""
    parts = urlsplit(response.url)
    title = squash(view_of(response).title)
    if title.lower().startswith("index of /") or "Parent Directory</a>" in response.text:
        return "directory index"
    if PASSWORD.search(response.text) or LOGIN.search(parts.path) or LOGIN_TITLE.search(title):
        return "login page"
    if SEARCH_PATH.search(parts.path) or SEARCH_QUERY.search(parts.query) or SEARCH_TITLE.search(title):
        return "search page"
    return None


def main_block(response: TextResponse, containers: Iterable[str]) -> tuple[int, str | None]:
    """(prose, text) of the first article container holding some text: the family's, else a known one. The text
    is what `pages.html_item` would take as the body when the container is the family's."""
    from crawler.cms.generic import BODY_SELECTORS

    containers = tuple(containers)
    page = view_of(response)
    for css in dict.fromkeys((*containers, *BODY_SELECTORS)):
        for node in page.select(css)[:3]:
            text = html_to_text(serialise(node))
            if len(text) >= SHORT_PROSE:
                return _prose(node, text), text if css in containers else None
    return 0, None


def largest_prose(response: TextResponse) -> int:
    """The most prose of any innermost block (pages without a known container)."""
    nodes = BLOCKS(view_of(response).root)
    return max((_prose(node, html_to_text(serialise(node))) for node in nodes), default=0)


def prose_chars(response: TextResponse, selectors: Iterable[str] = ()) -> int:
    """The text outside links of the page's main block: the family's article container, else the block of
    div/td/article/section with the most such text."""
    prose, _ = main_block(response, selectors)
    return prose if prose >= ARTICLE_PROSE else max(prose, largest_prose(response))


def _container(response: TextResponse, selectors: Iterable[str]) -> bool:
    """Whether the page has one of the family's own article containers (short articles point to an attachment)."""
    page = view_of(response)
    return any(page.select(css) for css in selectors)


def _prose(node: Node, text: str) -> int:
    links = len(SPACE.sub("", "".join(LINK_TEXT(node))))
    return max(0, len(SPACE.sub("", text)) - links)


def dated_rows(response: TextResponse) -> tuple[int, int]:
    """How many list rows (li/tr/dd) hold a link and a date outside it, and the characters of their links."""
    rows = chars = 0
    for row in ROWS(view_of(response).root):
        if INNER_ROWS(row):
            continue  # only innermost rows
        outside = " ".join(TEXT_OUTSIDE_LINKS(row))
        if parse_date(outside) is not None:
            rows += 1
            chars += len(squash(" ".join(LINK_TEXT(row))))
    return rows, chars


def listing_signal(response: TextResponse, rows: int | None = None) -> str | None:
    """Why the page is a list, or None: dated rows, pagination, a data island, a script-drawn list, or the
    CMS's column metadata on a page without an article title."""
    rows = dated_rows(response)[0] if rows is None else rows
    if rows >= LIST_ROWS:
        return f"{rows} dated link rows"
    if "<datastore" in response.text or "<record>" in response.text:
        return "a list data island"
    if script_list(response):
        return "a list drawn by a script"
    if meta_content(response, "ColumnName") and not meta_content(response, "ArticleTitle"):
        return "column metadata and no article title"
    body = " ".join(LINK_AND_SCRIPT_TEXT(view_of(response).root))
    if PAGINATION.search(body):
        return "pagination"
    return None


def script_list(response: TextResponse) -> bool:
    """Whether the page carries the markers of a list its browser draws (a template, a data loader call)."""
    return any(pattern.search(response.text) for pattern in SCRIPT_LIST)


# --- links and titles ----------------------------------------------------------------------------------------


def is_item_link(link: Link, article_pattern: re.Pattern[str] | None = None) -> bool:
    """Whether a list link points at an item (dated, or an article-shaped URL) rather than at another list."""
    if link.date is not None or url_date(link.url) is not None:
        return True
    if article_pattern is not None and article_pattern.search(link.url):
        return True
    path = urlsplit(link.url).path
    return bool(ITEM_PATH.search(path)) and not LIST_PATH.search(path) and bool(re.search(r"\d", path))


def own_titles(response: TextResponse, selectors: Iterable[str] = ()) -> list[str]:
    """The titles a page gives itself: ArticleTitle meta, the family's title element, h1, <title> (site suffix
    stripped), best first, without duplicates."""
    found = [page_title(response, selectors)]
    page = view_of(response)
    for css in (*selectors, "h1", ".article-title", ".title"):
        found.append(squash(page.first_text(css)))
    found.append(squash(TITLE_SUFFIX.sub("", page.title)))
    seen: list[str] = []
    for title in found:
        if len(title) >= 4 and title not in seen:
            seen.append(title)
    return seen


def _norm(title: str) -> str:
    title = unicodedata.normalize("NFKC", title)
    return re.sub(r"[\s\W_]+|\.\.\.|…", "", title)


def titles_agree(listed: str, own: str) -> bool:
    """Whether a list's link text and a page's own title name the same document (lists cut long titles short)."""
    a, b = _norm(listed), _norm(own)
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.75


def shortened(own: str, listed: str) -> bool:
    """Whether a page's own title is a shorter form of the list's title (both name the same document)."""
    a, b = _norm(own), _norm(listed)
    return bool(a) and a in b and a != b
