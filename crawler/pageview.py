"""One HTML page as the crawler reads it: its lxml tree, and the facts page roles, titles and dates take from it,
each read once.

An article page is read by several functions (its role, its title, its date, its body: `crawler.roles`,
`crawler.cms.common`), and they ask for the same things: the `<title>`, the named metas, the first element of a
container or a heading. Asking parsel for each wraps every node found in a new Selector and evaluates the same
expression again; a crawl does that for every page it fetches. `view_of(page)` gives one `PageView` per response
(or selector): lxml queries compiled once per process, and what the page answered kept for the next reader.

The answers are parsel's own, node for node: CSS is translated by parsel's translator, text results are plain
strings, and elements serialise as `Selector.get()` does.
"""

from __future__ import annotations

import contextlib
import weakref
from functools import cached_property, lru_cache
from typing import Any

from lxml import etree
from parsel import Selector, css2xpath
from scrapy.http import TextResponse

Node = Any  # an lxml element (lxml ships no type information)


def xpath(expression: str) -> etree.XPath:
    """A compiled XPath expression whose text results are plain strings (as parsel gives them)."""
    return etree.XPath(expression, smart_strings=False)


TITLE = xpath("string(//title)")
NAMED_METAS = xpath("//meta[@name]")
STRING = xpath("string()")
LINK_TEXT = xpath(".//a//text()")
ALL_TEXT = xpath(".//text()")
# //body/descendant::text() is the node set of //body//text(), found without a step per descendant
DATE_LABELS = xpath("//body/descendant::text()[contains(., '日期') or contains(., '时间')]/..")


@lru_cache(maxsize=512)
def css(selector: str) -> etree.XPath:
    """A CSS selector as a compiled XPath expression (parsel's translation)."""
    return xpath(css2xpath(selector))


def serialise(node: Node) -> str:
    """An element's markup, as `Selector.get()` gives it."""
    return str(etree.tostring(node, method="html", encoding="unicode", with_tail=False))


class PageView:
    """What one page answers, asked once: `root` is its lxml tree (or the selector's node)."""

    def __init__(self, root: Node) -> None:
        self.root = root
        self._found: dict[str, list[Node]] = {}

    @cached_property
    def title(self) -> str:
        """The text of the page's first `<title>`, as written (white space kept)."""
        return str(TITLE(self.root))

    @cached_property
    def metas(self) -> dict[str, str]:
        """Every named meta (lower-case name → the first non-empty content of that name)."""
        metas: dict[str, str] = {}
        for meta in NAMED_METAS(self.root):
            name, value = (meta.get("name") or "").lower(), (meta.get("content") or "").strip()
            if value and name not in metas:
                metas[name] = value
        return metas

    def select(self, selector: str) -> list[Node]:
        """The elements a CSS selector finds, in document order."""
        found = self._found.get(selector)
        if found is None:
            found = self._found[selector] = css(selector)(self.root)
        return found

    def first_text(self, selector: str) -> str:
        """The text of the first element a CSS selector finds ('' when none)."""
        found = self.select(selector)
        return str(STRING(found[0])) if found else ""

    @cached_property
    def date_labels(self) -> list[Node]:
        """The elements of the body holding a text node that names a date (日期) or a time (时间)."""
        return list(DATE_LABELS(self.root))


_VIEWS: weakref.WeakKeyDictionary[object, PageView] = weakref.WeakKeyDictionary()


def view_of(page: Selector | TextResponse) -> PageView:
    """The page's view: one per response or selector while it lives (a new one for a selector that cannot be
    weakly referenced)."""
    try:
        return _VIEWS[page]
    except (KeyError, TypeError):
        pass
    root = page.selector.root if isinstance(page, TextResponse) else page.root
    found = PageView(root)
    with contextlib.suppress(TypeError):
        _VIEWS[page] = found
    return found
