"""Rendering: typed contexts → HTML e-mail, plain-text e-mail, archive pages and the Atom feed (Jinja2).

Templates live in the `templates` package and are read through importlib.resources, so rendering works from a
checkout and from an installed wheel alike. The environment autoescapes HTML and XML, and `StrictUndefined`
turns a misspelt field into an error instead of an empty string. Templates hold no logic beyond loops and
the two output-safety helpers registered here:

- the test `web_url`: only http(s) URLs become links (a scraped `javascript:` URL stays inert text);
- the filter `wrap`: wraps plain text at a display width that counts CJK characters as two columns.
"""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import css_inline
from jinja2 import Environment, FunctionLoader, StrictUndefined, select_autoescape
from jinja2.loaders import split_template_path

from monitor.digest.selection import DigestContext, without_last_section

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


# Gmail clips an HTML part beyond 102 KB (hiding the unsubscribe link); a digest stays well within it, and the
# whole message (both parts, base64-encoded, with headers) within 150 KB.
HTML_BUDGET = 90 * 1024
MESSAGE_BUDGET = 150 * 1024
_BASE64 = 78 / 57  # encoded line of 76 characters and CRLF per 57 bytes
_HEADERS = 6 * 1024  # headers and MIME boundaries, generously


@dataclass(frozen=True)
class RenderedDigest:
    context: DigestContext  # what was rendered: documents past the budget moved to the closing list
    html: str | None
    text: str | None

    @property
    def size(self) -> int:
        """The message's estimated size on the wire."""
        parts = sum(len(p.encode("utf-8")) for p in (self.html, self.text) if p is not None)
        return int(parts * _BASE64) + _HEADERS

    @property
    def fits(self) -> bool:
        html = len(self.html.encode("utf-8")) if self.html is not None else 0
        return html <= HTML_BUDGET and self.size <= MESSAGE_BUDGET


# What differs between subscribers who get the same digest: rendered once with these stand-ins, which pass
# escaping, CSS inlining and wrapping unchanged, then replaced by each subscriber's own values.
_RECIPIENT = "personal-recipient-7d41c9@govmon.invalid"
_UNSUBSCRIBE = "https://govmon.invalid/personal-unsubscribe-7d41c9"
_PREFERENCES = "https://govmon.invalid/personal-preferences-7d41c9"


class DigestRenderer:
    """Renders digests for one run: each distinct digest (the same documents, filters and window) is rendered and
    its CSS inlined once, then given each subscriber's address and links. Keeps the most recent `keep` renders.

    Subscribers who share a digest share its parts (`personal` copies the context), so the digest last rendered
    for the same sections is checked first, field by field — identical objects compare at once — before the
    contexts are hashed whole."""

    def __init__(self, keep: int = 16) -> None:
        self.keep = keep
        self._done: OrderedDict[tuple[DigestContext, bool, bool], _Shared] = OrderedDict()
        self._last: dict[tuple[int, bool, bool, bool], tuple[DigestContext, _Shared]] = {}  # by sections' identity
        self.renders = 0  # distinct digests rendered (the rest were reused)
        from monitor.publish.messages import MessageTemplates  # imports the channels, which import this module

        self.messages = MessageTemplates(keep)  # and their messages' templates

    def render(self, ctx: DigestContext, html: bool = True, text: bool = True) -> RenderedDigest:
        links = is_web_url(ctx.unsubscribe_url) and (not ctx.preferences_url or is_web_url(ctx.preferences_url))
        if not links or not all(_VERBATIM.fullmatch(v) for v in (ctx.recipient, ctx.unsubscribe_url,
                                                                  ctx.preferences_url)):  # fmt: skip
            return render_digest(ctx, html, text)  # a value HTML would escape, or a link not shown as one
        recent = (id(ctx.sections), html, text, bool(ctx.preferences_url))
        last = self._last.get(recent)
        if last is not None and _same_digest(last[0], ctx):
            done = last[1]
        else:
            done = self._shared(ctx, html, text)
            self._last[recent] = (ctx, done)
            if len(self._last) > self.keep:
                del self._last[next(iter(self._last))]
        values = {_RECIPIENT: ctx.recipient, _UNSUBSCRIBE: ctx.unsubscribe_url, _PREFERENCES: ctx.preferences_url}
        return RenderedDigest(
            replace(done.rendered.context, recipient=ctx.recipient, unsubscribe_url=ctx.unsubscribe_url,
                    preferences_url=ctx.preferences_url),
            _personal(done.html, values),
            _personal(done.text, values),
        )  # fmt: skip

    def _shared(self, ctx: DigestContext, html: bool, text: bool) -> _Shared:
        preferences = _PREFERENCES if ctx.preferences_url else ""
        shared = replace(ctx, recipient=_RECIPIENT, unsubscribe_url=_UNSUBSCRIBE, preferences_url=preferences)
        key = (shared, html, text)
        done = self._done.get(key)
        if done is None:
            rendered = render_digest(shared, html, text)
            done = self._done[key] = _Shared(rendered, _pieces(rendered.html), _pieces(rendered.text))
            self.renders += 1
            if len(self._done) > self.keep:
                self._done.popitem(last=False)
        else:
            self._done.move_to_end(key)
        return done


@dataclass(frozen=True)
class _Shared:
    """A digest rendered with the stand-ins, and its parts cut at them (see `_pieces`)."""

    rendered: RenderedDigest
    html: list[str] | None
    text: list[str] | None


_PERSONAL = ("recipient", "unsubscribe_url", "preferences_url")
_SHARED_FIELDS = tuple(f.name for f in fields(DigestContext) if f.name not in _PERSONAL)


def _same_digest(a: DigestContext, b: DigestContext) -> bool:
    """Whether two contexts are the same digest for different subscribers (all but the personal fields equal)."""
    for name in _SHARED_FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        if x is not y and x != y:
            return False
    return True


# Printable ASCII that HTML, attribute or text, shows as it is (nothing to escape)
_VERBATIM = re.compile(r"[!#-%(-;=?-~]*")
_STAND_INS = re.compile("(" + "|".join(re.escape(s) for s in (_RECIPIENT, _UNSUBSCRIBE, _PREFERENCES)) + ")")


def _pieces(part: str | None) -> list[str] | None:
    """The part cut at its stand-ins: text, stand-in, text … (the stand-ins at the odd places)."""
    return None if part is None else _STAND_INS.split(part)


def _personal(pieces: list[str] | None, values: dict[str, str]) -> str | None:
    if pieces is None:
        return None
    return "".join(values[p] if i % 2 else p for i, p in enumerate(pieces))


def render_digest(ctx: DigestContext, html: bool = True, text: bool = True) -> RenderedDigest:
    """The digest's parts within the size budget: while too large, its last documents move to the closing
    "also published" list (with their counts), never half a document."""
    while True:
        done = RenderedDigest(ctx, render_digest_html(ctx) if html else None, render_digest_text(ctx) if text else None)
        smaller = None if done.fits else without_last_section(ctx)
        if smaller is None:
            return done
        ctx = smaller


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
    "DigestRenderer",
    "environment",
    "is_web_url",
    "render",
    "render_compare",
    "render_digest",
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
