"""Rendering: typed contexts → HTML e-mail, plain-text e-mail, archive pages and the Atom feed (Jinja2).

Templates live in the `templates` package and are read through importlib.resources, so rendering works from a
checkout and from an installed wheel alike. The environment autoescapes HTML and XML, and `StrictUndefined`
turns a misspelt field into an error instead of an empty string. Templates hold no logic beyond loops and
the two output-safety helpers registered here:

- the test `web_url`: only http(s) URLs become links (a scraped `javascript:` URL stays inert text);
- the filter `wrap`: wraps plain text at a display width that counts CJK characters as two columns.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import css_inline
from jinja2 import Environment, FunctionLoader, StrictUndefined, select_autoescape
from jinja2.loaders import split_template_path

from monitor.digest.selection import DigestContext

if TYPE_CHECKING:
    from monitor.compare.pages import ComparePage, MatrixPage
    from monitor.digest.archive import DocumentPage, IndexPage, MetricPage, RegionPage
    from monitor.digest.feeds import Feed

TEXT_WIDTH = 76  # plain-text lines stay within 78 columns with the indents the templates add


def is_web_url(value: object) -> bool:
    """An absolute http(s) URL with a host: the only kind the renderers turn into a link."""
    if not isinstance(value, str) or any(ch in value for ch in "\r\n\t\x00 "):
        return False
    parts = urlsplit(value)
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def display_width(text: str) -> int:
    return sum(2 if _wide(ch) else 1 for ch in text)


def wrap(text: str, width: int = TEXT_WIDTH, indent: str = "") -> str:
    """Break `text` into lines of at most `width` display columns (CJK counts two), each after `indent`.

    Latin words are kept whole where they fit; CJK text breaks between any two characters, but never before
    closing punctuation.
    """
    lines: list[str] = []
    line, used, room = "", 0, width - display_width(indent)
    for token in _tokens(" ".join(text.split())):
        size = display_width(token)
        if line and used + size > room and token not in _NO_BREAK_BEFORE:
            lines.append(line.rstrip())
            line = token.lstrip()
            used = display_width(line)
        else:
            line += token
            used += size
    lines.append(line.rstrip())
    return "\n".join(indent + ln for ln in lines)


_NO_BREAK_BEFORE = frozenset("，。；：！？、）》」』”’…,.;:!?)")


def _tokens(text: str) -> list[str]:
    """Latin words (with their leading space) stay together; every wide character is a token of its own."""
    tokens: list[str] = []
    for ch in text:
        joins = ch != " " and not _wide(ch) and tokens and not _wide(tokens[-1][-1])
        if joins:
            tokens[-1] += ch
        else:
            tokens.append(ch)
    return tokens


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def _load(name: str) -> tuple[str, str, Callable[[], bool]]:
    resource = files("templates").joinpath(*split_template_path(name))
    return resource.read_text(encoding="utf-8"), name, lambda: True


@cache
def environment() -> Environment:
    env = Environment(
        loader=FunctionLoader(_load),
        autoescape=select_autoescape(["html", "xml", "atom", "html.j2", "atom.j2"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.tests["web_url"] = is_web_url
    env.filters["wrap"] = wrap
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def render_digest_html(ctx: DigestContext) -> str:
    """The HTML e-mail: table layout, at most 640 px wide, every style inlined (media queries kept)."""
    return _INLINER.inline(render("digest.html.j2", ctx=ctx))


def render_digest_text(ctx: DigestContext) -> str:
    """The plain-text e-mail with the same content as the HTML one."""
    return render("digest.txt.j2", ctx=ctx)


def render_index(page: IndexPage, live: bool = False) -> str:
    """`live`: served by `govmon serve`, so the pages link to the sign-up form."""
    return render("archive/index.html.j2", page=page, live=live)


def render_document(page: DocumentPage, live: bool = False) -> str:
    return render("archive/document.html.j2", page=page, live=live)


def render_region(page: RegionPage, live: bool = False) -> str:
    return render("archive/region.html.j2", page=page, live=live)


def render_metric(page: MetricPage, live: bool = False) -> str:
    return render("archive/metric.html.j2", page=page, live=live)


def render_compare(page: ComparePage, live: bool = False) -> str:
    """A metric across regions: `compare/<metric>/<year>` of the archive and of the live server."""
    return render("archive/compare.html.j2", page=page, live=live)


def render_matrix(page: MatrixPage, live: bool = False) -> str:
    """A year's headline targets of every region: `compare/<year>`."""
    return render("archive/matrix.html.j2", page=page, live=live)


def render_feed(feed: Feed) -> str:
    return render("feed.atom.j2", feed=feed)


__all__ = [
    "environment",
    "is_web_url",
    "render",
    "render_compare",
    "render_digest_html",
    "render_digest_text",
    "render_document",
    "render_feed",
    "render_index",
    "render_matrix",
    "render_metric",
    "render_region",
    "wrap",
]
