"""Digest messages on the wire, assembled from a template per distinct digest.

`monitor.channels.outbox.build_message` makes a message with the e-mail package, which parses and folds every
header and encodes every part: several milliseconds a message, more than rendering a cached digest. Subscribers
who get the same digest get messages that differ in a few ASCII header values (To, Message-ID, Date,
List-Unsubscribe) and in their parts (their own links). So `build_message` builds one template per distinct
subject and shape, with stand-ins; each subscriber's message is that template with the stand-ins replaced and
each part encoded as the e-mail package's text encoder encodes it (`encode_part`: the same transfer encoding and
the same bytes, without most of its per-line Python work), so the bytes are those `build_message` gives. A value
the fast path cannot carry verbatim (non-ASCII, a line break, an unusual address) goes through `build_message`
itself.
"""

from __future__ import annotations

import binascii
import re
import threading
from collections import OrderedDict
from datetime import datetime
from email import policy, quoprimime
from email.utils import format_datetime
from typing import TypeVar

from monitor.channels.outbox import as_bytes, build_message

_TO = "personal-to-7d41c9@govmon.invalid"
_ID = "<personal-id-7d41c9@govmon.invalid>"
_UNSUBSCRIBE = "https://govmon.invalid/personal-unsubscribe-7d41c9"
_MAILTO = "mailto:personal-mailto-7d41c9@govmon.invalid"
_DATE = datetime(2000, 1, 1)  # a stand-in, replaced by the real Date header
_TEXT = "〔正文 text 7d41c9〕"  # short non-ASCII lines: the template's parts are 8bit, replaced whole
_HTML = "〔正文 html 7d41c9〕"
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+")
_SAFE = re.compile(r"[\x21-\x7e]+")  # printable ASCII without spaces: copied into a header as it is
_V = TypeVar("_V")


def encode_part(body: str) -> tuple[str, bytes]:
    """A part's transfer encoding and body on the wire (CRLF line ends), as `EmailMessage.set_content` encodes
    text: the same choice of encoding and the same bytes, made cheaper for parts that share most of their lines.

    The choice is the e-mail package's: 7bit or 8bit when no line is longer than 78 bytes, else base64 or
    quoted-printable by which encodes the first ten lines shorter (that comparison is kept for recent openings,
    which the copies of one digest share). Base64 is encoded in one call and cut into lines of 76 characters
    (57 bytes a line, a multiple of 3, so the lines are those of encoding 57 bytes at a time), and
    quoted-printable, which encodes each line on its own, reuses the lines it encoded recently."""
    raw = body.encode("utf-8")
    lines = raw.splitlines()
    if max(map(len, lines), default=0) <= _MAX_LINE:
        return ("7bit" if raw.isascii() else "8bit"), b"\r\n".join(lines) + b"\r\n"
    opening = b"\n".join(lines[:10]) + b"\n"
    qp_opening = _QP_OPENINGS.get(opening)
    if qp_opening is None:
        qp_opening = quoprimime.body_encode(opening.decode("latin-1"), _MAX_LINE)
        _keep(_QP_OPENINGS, _OPENINGS_KEPT, opening, qp_opening)
    if len(qp_opening) > 4 * -(-len(opening) // 3) + 1:  # longer than `binascii.b2a_base64(opening)`
        encoded = binascii.b2a_base64(b"\n".join(lines) + b"\n", newline=False)
        return "base64", b"\r\n".join([encoded[i : i + 76] for i in range(0, len(encoded), 76)]) + b"\r\n"
    if len(lines) <= 10:
        return "quoted-printable", qp_opening.encode("ascii").replace(b"\n", b"\r\n")
    return "quoted-printable", b"\r\n".join([_qp_line(line) for line in lines]) + b"\r\n"


_MAX_LINE: int = policy.default.max_line_length or 78  # what `set_content` folds and encodes at
# openings and quoted-printable lines kept (the oldest dropped first), each of at most _LONGEST bytes: a few MB
_OPENINGS_KEPT, _LINES_KEPT, _LONGEST = 64, 1024, 4096
_QP_OPENINGS: OrderedDict[bytes, str] = OrderedDict()
_QP_LINES: OrderedDict[bytes, bytes] = OrderedDict()
_LOCK = threading.Lock()


def _keep(kept: OrderedDict[bytes, _V], most: int, key: bytes, value: _V) -> None:
    if len(key) <= _LONGEST:
        with _LOCK:
            kept[key] = value
            if len(kept) > most:
                kept.popitem(last=False)


def _qp_line(line: bytes) -> bytes:
    """One line (without its end) quoted-printable, soft breaks as CRLF: what `body_encode` makes of it in a body."""
    found = _QP_LINES.get(line)
    if found is None:
        encoded = quoprimime.body_encode(line.decode("latin-1"), _MAX_LINE, eol="\r\n").encode("ascii")
        _keep(_QP_LINES, _LINES_KEPT, line, encoded)
        return encoded
    return found


def _part(stand_in: str) -> re.Pattern[bytes]:
    """A template's part: its transfer-encoding header, the part's other headers, and the stand-in body."""
    return re.compile(rb"Content-Transfer-Encoding: 8bit\r\n((?:[^\r\n]+\r\n)*)\r\n" + re.escape(stand_in.encode())
                      + rb"\r\n")  # fmt: skip


_PARTS = {_TEXT: _part(_TEXT), _HTML: _part(_HTML)}


def _filled(wire: bytes, stand_in: str, body: str) -> bytes:
    cte, data = encode_part(body)
    filled, count = _PARTS[stand_in].subn(
        lambda m: b"Content-Transfer-Encoding: " + cte.encode() + b"\r\n" + m.group(1) + b"\r\n" + data, wire, 1
    )
    if count != 1:
        raise ValueError("the message template has no part to fill")
    return filled


class MessageTemplates:
    """Templates of the digest messages of one run, by subject and shape (the most recent `keep`)."""

    def __init__(self, keep: int = 16) -> None:
        self.keep = keep
        self._templates: OrderedDict[tuple[str, str, str, bool, bool, bool], bytes] = OrderedDict()

    def message(self, *, sender: str, to: str, subject: str, text: str | None, html: str | None,
                message_id: str, unsubscribe_url: str, date: datetime, list_id: str = "",
                unsubscribe_mailto: str = "") -> bytes:  # fmt: skip
        """The wire form `as_bytes(build_message(...))` gives for a Chinese digest, made from a template."""
        values = (message_id, unsubscribe_url, unsubscribe_mailto or "x")
        plain = _PLAIN_ADDRESS.fullmatch(to) and all(_SAFE.fullmatch(v) for v in values)
        if not plain or not (text or html):
            return as_bytes(build_message(sender=sender, to=to, subject=subject, text=text, html=html,
                                          message_id=message_id, unsubscribe_url=unsubscribe_url, date=date,
                                          list_id=list_id, unsubscribe_mailto=unsubscribe_mailto))  # fmt: skip
        template = self._template(sender, subject, list_id, text is not None, html is not None,
                                  bool(unsubscribe_mailto))  # fmt: skip
        wire = (
            template.replace(_TO.encode(), to.encode(), 1)
            .replace(_ID.encode(), message_id.encode(), 1)
            .replace(_UNSUBSCRIBE.encode(), unsubscribe_url.encode(), 1)
            .replace(_MAILTO.encode(), unsubscribe_mailto.encode(), 1)
            .replace(format_datetime(_DATE).encode(), format_datetime(date).encode(), 1)
        )
        if text is not None:
            wire = _filled(wire, _TEXT, text)
        if html is not None:
            wire = _filled(wire, _HTML, html)
        return wire

    def _template(self, sender: str, subject: str, list_id: str, text: bool, html: bool, mailto: bool) -> bytes:
        key = (sender, subject, list_id, text, html, mailto)
        found = self._templates.get(key)
        if found is not None:
            self._templates.move_to_end(key)
            return found
        mailto_stand_in = _MAILTO if mailto else ""
        wire = as_bytes(build_message(sender=sender, to=_TO, subject=subject, text=_TEXT if text else None,
                                      html=_HTML if html else None, message_id=_ID, unsubscribe_url=_UNSUBSCRIBE,
                                      date=_DATE, list_id=list_id, unsubscribe_mailto=mailto_stand_in))  # fmt: skip
        found = self._templates[key] = wire
        if len(self._templates) > self.keep:
            self._templates.popitem(last=False)
        return found


__all__ = ["MessageTemplates", "encode_part"]
