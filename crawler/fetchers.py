"""What a fetched body *is*: its encoding, its text when it is a PDF or Word file, and whether it is a challenge.

Encoding order (gov-sites.md §1.6): the HTTP header, then `<meta charset>` / `http-equiv`, then strict UTF-8,
then GB18030 (a superset of GBK and GB2312). Attachments go through maintained libraries: pypdf for PDF,
python-docx for DOCX. Legacy binary DOC has no maintained pure-Python reader; when the `antiword` program is
installed it is used, otherwise the attachment is reported as unsupported and skipped.
"""

from __future__ import annotations

import codecs
import io
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from gzip import GzipFile

_CHARSET_HEADER = re.compile(rb"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn"}


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


def _codec(name: bytes | str | None) -> str | None:
    """A Python codec name for a declared charset, GB2312/GBK widened to GB18030; None when unknown."""
    if not name:
        return None
    label = (name.decode("ascii", "ignore") if isinstance(name, bytes) else name).strip().lower()
    if label in _GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def header_charset(content_type: str | bytes | None) -> str | None:
    if not content_type:
        return None
    raw = content_type.encode("latin-1") if isinstance(content_type, str) else content_type
    match = _CHARSET_HEADER.search(raw)
    return _codec(match.group(1)) if match else None


def meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    return _codec(match.group(1)) if match else None


def decode_html(body: bytes, content_type: str | bytes | None = None) -> Decoded:
    """Decode a page: header charset, meta charset, strict UTF-8, GB18030 (never raises)."""
    for encoding in (header_charset(content_type), meta_charset(body)):
        if encoding:
            decoded = _strict(body, encoding)
            if decoded is not None:
                return decoded  # else a lying declaration: fall through to sniffing
    if body.startswith(codecs.BOM_UTF8):
        return Decoded(body[3:].decode("utf-8", "replace"), "utf-8")
    return _strict(body, "utf-8") or Decoded(body.decode("gb18030", "replace"), "gb18030")


def _strict(body: bytes, encoding: str) -> Decoded | None:
    """`body` in `encoding`, or None when it is not; a body that merely ends mid-character is (it was cut
    short, and sniffing another encoding would turn the whole page into mojibake)."""
    try:
        return Decoded(body.decode(encoding), encoding)
    except UnicodeDecodeError as exc:
        return Decoded(body.decode(encoding, "replace"), encoding) if _cut_in_character(exc, body) else None


def _cut_in_character(exc: UnicodeDecodeError, body: bytes) -> bool:
    """Whether the only undecodable bytes are an incomplete last character (the body ends mid-character)."""
    return exc.end == len(body) and len(body) - exc.start < 4


# --- bodies cut short ----------------------------------------------------------------------------------------


class TruncatedBody(ValueError):
    """The body ends before its end: a gzip stream without its end marker, a page without its closing tags."""


_OPENING_TAG = re.compile(rb"<(?:html|body)[\s>]", re.I)
_CLOSING_TAG = re.compile(rb"</(?:html|body)\s*>", re.I)


def cut_short(body: bytes) -> bool:
    """Whether an HTML page opens `<html>`/`<body>` but closes neither: the server under-declared its
    Content-Length, or a connection framed by its close was cut. (Pages omitting both end tags are rare;
    one closing tag is enough to pass, so a merely sloppy page is kept.)"""
    return bool(_OPENING_TAG.search(body[:4096])) and not _CLOSING_TAG.search(body)


def gzip_truncated(data: bytes) -> bool:
    """Whether a gzip stream ends before its end-of-stream marker (a damaged CRC or trailing junk is not that)."""
    reader = GzipFile(fileobj=io.BytesIO(data))
    try:
        while reader.read1(1 << 20):
            pass
    except EOFError:
        return True
    except (OSError, struct.error):
        return False
    return False


# --- attachments ---------------------------------------------------------------------------------------------


def attachment_kind(url: str, content_type: str | None, body: bytes) -> str | None:
    """'pdf', 'docx' or 'doc' when the response is such a file (by magic bytes first), else None."""
    if body.startswith(b"%PDF"):
        return "pdf"
    if body.startswith(b"PK\x03\x04") and (b"word/" in body[:4000] or url.lower().endswith(".docx")):
        return "docx"
    if body.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    kind = (content_type or "").lower()
    if "pdf" in kind:
        return "pdf"
    if "wordprocessingml" in kind:
        return "docx"
    return "doc" if "msword" in kind else None


class UnsupportedAttachment(Exception):
    """The attachment's format cannot be read here (e.g. DOC without antiword)."""


def pdf_text(body: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(body))
    return "\n".join((page.extract_text() or "").strip() for page in reader.pages).strip()


def docx_text(body: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(body))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(t for t in paragraphs + cells if t.strip())


def doc_text(body: bytes) -> str:
    antiword = shutil.which("antiword")
    if antiword is None:
        raise UnsupportedAttachment("DOC needs the antiword program (no maintained Python reader exists)")
    proc = subprocess.run([antiword, "-m", "UTF-8.txt", "-"], input=body, capture_output=True, timeout=60)
    if proc.returncode != 0:
        raise UnsupportedAttachment(f"antiword failed: {proc.stderr.decode('utf-8', 'replace')[:200]}")
    return proc.stdout.decode("utf-8", "replace").strip()


def attachment_text(kind: str, body: bytes) -> str:
    readers = {"pdf": pdf_text, "docx": docx_text, "doc": doc_text}
    try:
        return readers[kind](body)
    except UnsupportedAttachment:
        raise
    except Exception as exc:  # any parser failure on a broken file is the file's fault, not ours
        raise UnsupportedAttachment(f"unreadable {kind}: {type(exc).__name__}: {exc}") from exc


# --- challenge pages -----------------------------------------------------------------------------------------

_MARKERS = (  # (literal needles, found in the page's first 16 KB, lower-cased; the reason)
    ((b"$_ts=", b"$_ts =", b"$_ts."), "瑞数 (Ruishu) $_ts script challenge"),
    ((b"wzwschallenge", b"wzwsrel", b"wzws_cid", "网防G01".encode().lower()), "网防G01 / wzws challenge"),
    ((b"__jsl_clearance", b"__jsluid"), "加速乐 __jsl_clearance challenge"),
    (("安全狗".encode(), b"safedog"), "安全狗 WAF page"),
)
_SMALL_PAGE = 16_384


def challenge_reason(status: int, body: bytes, headers: dict[str, str] | None = None) -> str | None:
    """Why this response is an anti-bot challenge rather than content, or None."""
    cookies = " ".join((headers or {}).get("set-cookie", "").split()).lower()
    if "wzws" in cookies:
        return f"HTTP {status}: 网防G01 / wzws challenge cookie"
    if "__jsl_clearance" in cookies or "__jsluid" in cookies:
        return f"HTTP {status}: 加速乐 __jsl_clearance cookie"
    if status >= 400 or len(body) < _SMALL_PAGE:  # a challenge is an error page or a small one
        head = body[:_SMALL_PAGE].lower()
        for needles, reason in _MARKERS:
            if any(needle in head for needle in needles):
                return f"HTTP {status}: {reason}"
    if status == 412:
        return "HTTP 412 Precondition Failed (瑞数-style JS cookie challenge)"
    if status == 521:
        return "HTTP 521 (加速乐-style JS cookie challenge)"
    return None
