"""Building blocks every CMS family shares: links with their titles and dates, meta tags, dates, body text.

All functions are pure over a Scrapy `TextResponse` (or a `Selector`), so they are tested on `HtmlResponse`
objects built from saved pages.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector, SelectorList
from scrapy.http import TextResponse

from crawler.pageview import ALL_TEXT, STRING, Node, view_of, xpath
from monitor.vocabulary.html_text import SPACES, html_to_text

DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)")
COMPACT_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)(\d\d)(\d\d)(?!\d)")
URL_DATES = (
    re.compile(r"/t((?:19|20)\d\d)(\d\d)(\d\d)_\d+"),  # TRS tYYYYMMDD_id
    re.compile(r"/art/((?:19|20)\d\d)/(\d{1,2})/(\d{1,2})/"),  # JCMS art/YYYY/M/D
    re.compile(r"/((?:19|20)\d\d)-(\d\d)/(\d\d)/"),  # gov.cn YYYY-MM/DD
    re.compile(r"/((?:19|20)\d\d)/(\d\d)-(\d\d)/"),  # Henan YYYY/MM-DD
    re.compile(r"/((?:19|20)\d\d)(\d\d)(\d\d)/"),  # Shanghai /YYYYMMDD/
)
VISIBLE_DATE = re.compile(
    r"(?:发布日期|发布时间|发文日期|成文日期|日期|时间|发表时间)\s*[:：]\s*((?:19|20)\d\d[-/.年]\d{1,2}[-/.月]\d{1,2})"
)
ONCLICK_URL = re.compile(r"""['"]([^'"]+\.(?:s?html?|pdf|docx?|wps))['"]""", re.I)
SCRIPT_ANCHOR = re.compile(r"<a\b[^>]*>.*?</a>", re.I | re.S)
SCRIPT_ITEM = re.compile(r"<li\b.*?</li>|<tr\b.*?</tr>", re.I | re.S)
TITLE_SUFFIX = re.compile(r"\s*[_|\-—–]+\s*[^_|\-—–]*(?:政府|网|门户|局|委员会|厅)[^_|\-—–]*$")
META_TITLE_PREFIX = re.compile(r"^[^—]{2,30}(?:网|政府)\s*[—-]{1,2}\s*")
BODY_CANDIDATES = "//div|//td|//article|//section|//span[@id]|//font"
OWN_TEXT = "./text()|./p//text()|./span//text()|./font//text()|./strong//text()|./b//text()|./section//text()"
ROW_OF_LINK = xpath("./ancestor::*[self::li or self::tr or self::dd or self::p][1]")
TEXT_OUTSIDE_LINKS = xpath(".//text()[not(ancestor::a)]")
ATTACHMENT_ANCHORS = etree.XPath(
    "//a[re:test(@href, '\\.(pdf|docx?|wps)(\\?|$)', 'i')]", namespaces={"re": "http://exslt.org/regular-expressions"}
)


@dataclass(frozen=True)
class Link:
    """A candidate document link found on a list page."""

    url: str
    title: str
    date: date | None = None


# --- text ----------------------------------------------------------------------------------------------------


def squash(text: str | None) -> str:
    return SPACES.sub(" ", re.sub(r"\s+", " ", text or "")).strip()


# --- dates ---------------------------------------------------------------------------------------------------


def parse_date(text: str | None) -> date | None:
    """The first plausible YYYY-MM-DD (or YYYY年M月D日, YYYYMMDD) date in `text`."""
    if not text:
        return None
    for pattern in (DATE, COMPACT_DATE):
        for match in pattern.finditer(text):
            found = _date(*match.groups())
            if found:
                return found
    return None


def _date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def url_date(url: str) -> date | None:
    for pattern in URL_DATES:
        match = pattern.search(url)
        if match:
            return _date(*match.groups())
    return None


def meta_content(sel: Selector | TextResponse, *names: str) -> str | None:
    """The content of the first non-empty `<meta name=…>` among `names`, case-insensitively."""
    metas = view_of(sel).metas
    return next((metas[n.lower()] for n in names if metas.get(n.lower())), None)


def visible_date(sel: Selector | TextResponse) -> date | None:
    """A date printed next to 发布日期/发布时间/日期 outside the body."""
    for node in view_of(sel).date_labels:
        match = VISIBLE_DATE.search(squash(" ".join(ALL_TEXT(node)))[:300])
        if match:
            return parse_date(match.group(1))
    return None


def reconcile_date(url: str, sel: Selector | TextResponse, listed: date | None = None) -> date | None:
    """Publication date: the visible date, the list date, the URL date, then meta tags.

    Meta `PubDate` is sometimes the page-generation time (gov-sites.md §1.4), so it comes last and is
    only trusted when nothing visible contradicts it.
    """
    candidates = (
        visible_date(sel),
        listed,
        url_date(url),
        parse_date(meta_content(sel, "firstpublishedtime", "PubDate", "publishdate", "pubtime", "dcterms.created")),
    )
    return next((d for d in candidates if d), None)


# --- titles --------------------------------------------------------------------------------------------------


def page_title(sel: Selector | TextResponse, selectors: Iterable[str] = (), listed: str = "") -> str:
    """Title: ArticleTitle meta (site prefix stripped), a family selector, h1, the list title, then <title>."""
    meta = meta_content(sel, "ArticleTitle", "title")
    if meta:
        return squash(META_TITLE_PREFIX.sub("", meta))
    page = view_of(sel)
    for css in (*selectors, "h1", ".article-title", ".title"):
        text = squash(page.first_text(css))
        if len(text) >= 4:
            return text
    if listed:
        return squash(listed)
    return squash(TITLE_SUFFIX.sub("", page.title))


# --- links ---------------------------------------------------------------------------------------------------


def anchor_links(anchors: SelectorList, base_url: str) -> list[Link]:
    """Links of `<a>` elements: href (or an URL in onclick), title attribute or text, and a nearby date."""
    return _links_of((a.root for a in anchors), base_url)


def _links_of(anchors: Iterable[Node], base_url: str) -> list[Link]:
    links: dict[str, Link] = {}
    for node in anchors:
        href = _href(node)
        title = squash(node.get("title") or STRING(node))
        if not href or not title or href.startswith(("javascript:", "mailto:", "#")):
            continue
        url = urljoin(base_url, html_lib.unescape(href.strip()))
        if urlsplit(url).scheme in ("http", "https") and url not in links:
            links[url] = Link(url, title, _nearby_date(node))
    return list(links.values())


def _href(a: Node) -> str | None:
    href = a.get("href", "")
    if href and not href.startswith("javascript:"):
        return href
    match = ONCLICK_URL.search(a.get("onclick", "") or href)
    return match.group(1) if match else None


def _nearby_date(a: Node) -> date | None:
    row = ROW_OF_LINK(a)
    return parse_date(" ".join(TEXT_OUTSIDE_LINKS(row[0]))) if row else None


def script_links(response: TextResponse) -> list[Link]:
    """Links written inside scripts, XML data islands (大汉 JCMS `<record><![CDATA[…]]>`) or comments (lists
    that a script renders from a commented-out server copy, as on Gansu's portal)."""
    found: list[Link] = []
    for script in response.xpath("//script/text()|//comment()").getall():
        items = SCRIPT_ITEM.findall(_uncdata(script)) or SCRIPT_ANCHOR.findall(_uncdata(script))
        if items:
            found += fragment_links(items, response.url)
    return found


def fragment_links(fragments: Iterable[str], base_url: str) -> list[Link]:
    """Links of HTML fragments, each keeping the date printed in its own fragment."""
    links: list[Link] = []
    for fragment in fragments:
        sel = Selector(text=f"<div>{fragment}</div>")
        for link in anchor_links(sel.css("a"), base_url):
            links.append(link if link.date else Link(link.url, link.title, parse_date(html_to_text(fragment))))
    return links


def _uncdata(text: str) -> str:
    return text.replace("<![CDATA[", "").replace("]]>", "")


def all_links(response: TextResponse) -> list[Link]:
    """Every link of a page, DOM anchors first, then the ones hidden in scripts."""
    return _unique(anchor_links(response.css("a"), response.url) + script_links(response))


def _unique(links: Iterable[Link]) -> list[Link]:
    seen: dict[str, Link] = {}
    for link in links:
        seen.setdefault(link.url, link)
    return list(seen.values())


# --- body ----------------------------------------------------------------------------------------------------


def body_by_selectors(sel: Selector | TextResponse, selectors: Iterable[str], minimum: int = 20) -> str | None:
    """Text of the first selector whose element holds at least `minimum` characters."""
    for css in selectors:
        for node in sel.css(css):
            text = html_to_text(node.get())
            if len(text) >= minimum:
                return text
    return None


def largest_block(sel: Selector | TextResponse) -> str:
    """The text of the element holding the most paragraph text of its own, skipping link-heavy navigation."""
    best, best_score = None, 0
    for node in sel.xpath(BODY_CANDIDATES):
        score = len(squash("".join(node.xpath(OWN_TEXT).getall())))
        if score > best_score and _link_density(node) < 0.5:
            best, best_score = node, score
    return html_to_text(best.get()) if best is not None else html_to_text(sel.xpath("//body").get() or "")


def _link_density(node: Selector) -> float:
    text = len(squash(node.xpath("string()").get()))
    links = len(squash("".join(node.xpath(".//a//text()").getall())))
    return links / text if text else 1.0


def attachment_links(sel: Selector | TextResponse, base_url: str) -> list[Link]:
    """PDF/DOC/DOCX/WPS links of a page (attachments of an article)."""
    return _links_of(ATTACHMENT_ANCHORS(view_of(sel).root), base_url)
