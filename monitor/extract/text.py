"""Text preparation: HTML to text, full-width folding, whitespace normalisation."""

from __future__ import annotations

import re

from monitor.vocabulary.html_text import html_to_text as convert

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
    """Visible text of an HTML page or fragment, one block (heading, paragraph) per line, folded and trimmed: the
    stored text's converter (`monitor.vocabulary.html_text`), then `normalise`."""
    if not html.strip():
        return ""
    return normalise(convert(html))


def normalise(text: str) -> str:
    """Fold, trim each line, drop blank runs: the text every span refers to."""
    lines = (_SPACES.sub(" ", line).strip() for line in fold(text).split("\n"))
    return _BLANKS.sub("\n", "\n".join(lines)).strip()


def prepare(text: str) -> str:
    """Plain text ready for extraction, from either text or HTML."""
    if looks_like_html(text):
        return html_to_text(text)
    return normalise(text)
