"""HTML to the text that is stored and hashed: one converter, so a page has the same content hash whether it was
crawled or imported from a file.

Regular expressions over the markup rather than a parse: the crawler converts tens of thousands of article
containers per crawl, and the text of a document already stored must never change with a new converter (its
hash would make every stored document look changed at the next crawl). The one exception: table cells written
with no white space between them (`<td>41</td><td>43</td>`) used to run together into one number (4143); a cell's
end now leaves a space, which changes nothing where the markup already had white space there.
"""

from __future__ import annotations

import html
import re

BLOCK_TAGS = re.compile(r"(?i)<br\s*/?>|</?(?:p|div|h[1-6]|li|tr|table|section|article|ul|ol|dd|dt|blockquote)\b[^>]*>")
DROP_TAGS = re.compile(r"(?is)<(script|style|noscript|template|iframe|head)\b.*?</\1\s*>|<!--.*?-->")
CELL_ENDS = re.compile(r"(?i)</t[dh]\s*>")
SPACES = re.compile(r"[ \t\r\f\v\u3000\xa0]+")
# What a tag is, as w3lib 2.5's `remove_tags` reads it (a quoted attribute value is read whole, so a ">" inside
# it does not end the tag), kept here because stored text must not change with a library upgrade, and because
# w3lib.html imports the network stack, which the pure extraction core may not load.
_TAG_BODY = r"""[^<>=]*(?:(?:=\s*"[^"]*"|=\s*'[^']*'|=(?!\s*["']))[^<>=]*)*"""
_TAG_NAME = r"""[a-zA-Z][a-zA-Z0-9]*(?![^ <>/])"""
TAGS = re.compile(
    rf"""</?(?P<named>{_TAG_NAME}){_TAG_BODY}>|</?(?P<name>[^ <>/]+)(?![^ <>/])[^<>]*>""",
    re.IGNORECASE | re.ASCII,
)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML page or fragment, one line per block, blank lines dropped."""
    markup = DROP_TAGS.sub("", markup)
    markup = BLOCK_TAGS.sub("\n", markup)
    markup = CELL_ENDS.sub(" ", markup)
    text = html.unescape(TAGS.sub("", markup))
    lines = (SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)
