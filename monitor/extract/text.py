"""Text preparation: HTML to text, full-width folding, whitespace normalisation."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

_FOLD: dict[int, int | str | None] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
# keep Chinese sentence punctuation as it is: only fold what numbers and names are made of
for _keep in "，；：（）！？［］｛｝＂＇":
    _FOLD.pop(ord(_keep), None)
_FOLD.update({0x00A0: " ", 0x2002: " ", 0x2003: " ", 0x2009: " ", 0x200B: "", 0xFEFF: ""})
_FOLD.update({ord("\r"): None, 0x2014: "—", 0x3007: "〇", 0x2212: "-"})
_FOLD_CHARS = {chr(k): chr(v) if isinstance(v, int) else (v or "") for k, v in _FOLD.items()}
# str.translate with a table is slow on long texts; most characters need no folding, so replace only those
_FOLDABLE = re.compile("[" + re.escape("".join(_FOLD_CHARS)) + "]")

_MARKUP = re.compile(
    r"<(?:p|div|br|html|body|span|h[1-6]|table|td|li|a|section|article|font|strong)\b[^>]{0,500}>", re.I
)
_PARA_SPACES = re.compile(r"[\u3000\u2003]{2,}|\u2028|\u2029")
_BLOCK_TAGS = (
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "table", "section",
    "article", "ul", "ol", "blockquote", "title", "dd", "dt", "header", "footer",
)  # fmt: skip
_DROP_TAGS = ("script", "style", "noscript", "template", "head")
_SPACES = re.compile(r"[ \t\u3000]+")
_BLANKS = re.compile(r"\n\s*\n+")


def looks_like_html(text: str) -> bool:
    """True when the text carries HTML markup worth converting."""
    return _MARKUP.search(text, 0, 200_000) is not None


def fold(text: str) -> str:
    """Fold full-width digits, letters and signs to ASCII; keep Chinese punctuation."""
    spaced = _PARA_SPACES.sub("\n", text.replace("&nbsp;", " "))
    return _FOLDABLE.sub(lambda m: _FOLD_CHARS[m.group()], spaced)


def html_to_text(html: str) -> str:
    """Visible text of an HTML page or fragment, one block (heading, paragraph) per line."""
    if not html.strip():
        return ""
    try:
        root = lxml.html.fromstring(html)
    except (etree.ParserError, ValueError):
        return normalise(html)
    etree.strip_elements(root, *_DROP_TAGS, etree.Comment, with_tail=False)
    for el in root.iter(*_BLOCK_TAGS):
        el.tail = "\n" + (el.tail or "")
        if el.tag != "br":
            el.text = "\n" + (el.text or "")
    return normalise(root.text_content())


def normalise(text: str) -> str:
    """Fold, trim each line, drop blank runs: the text every span refers to."""
    lines = (_SPACES.sub(" ", line).strip() for line in fold(text).split("\n"))
    return _BLANKS.sub("\n", "\n".join(lines)).strip()


def prepare(text: str) -> str:
    """Plain text ready for extraction, from either text or HTML."""
    if looks_like_html(text):
        return html_to_text(text)
    return normalise(text)
