"""Local files as documents: .txt, .html and .pdf (also .docx) read into text, for `extract`, `diff` and `import`.

Decoding reuses the crawler's rules (crawler/fetchers.py) so a file reads exactly as the same bytes fetched
from a site would. Anything that is not a readable document raises `UnreadableFile` with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from crawler.fetchers import UnsupportedAttachment, attachment_kind, attachment_text, decode_html
from monitor.extract import html_to_text

MAX_BYTES = 20 * 1024 * 1024
_HTML_SNIFF = re.compile(rb"<(?:!doctype|html|head|body|div|p|table|meta)\b", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")
CONTENT_TYPES = {"pdf": "application/pdf", "html": "text/html", "text": "text/plain",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}  # fmt: skip


class UnreadableFile(Exception):
    """The file is missing, empty, too large, binary or otherwise not a document."""


@dataclass(frozen=True)
class LoadedFile:
    path: Path
    raw: bytes
    text: str
    kind: str  # text, html, pdf, docx
    encoding: str | None

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES.get(self.kind, "application/octet-stream")


def read_bytes(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    if path.is_dir():
        raise UnreadableFile(f"{path} is a directory: name the files in it (e.g. {path / '*.txt'})")
    if not path.exists():
        raise UnreadableFile(f"{path}: no such file")
    if not path.is_file():
        raise UnreadableFile(f"{path} is not a regular file (a device or a pipe): copy it to a file first")
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile(f"{path}: the file is empty")
    if size > max_bytes:
        raise UnreadableFile(
            f"{path}: {size / 2**20:.0f} MB is more than the {max_bytes / 2**20:.0f} MB a report can be; "
            "split it or pass --max-mb"
        )
    return path.read_bytes()


def load_file(path: str | Path, max_bytes: int = MAX_BYTES) -> LoadedFile:
    """Read a local document into text, whatever its format and encoding."""
    path = Path(path)
    raw = read_bytes(path, max_bytes)
    kind = attachment_kind(path.name, None, raw)
    if kind is not None:
        return _load_attachment(path, raw, kind)
    decoded = decode_html(raw)
    if _looks_binary(decoded.text):
        raise UnreadableFile(f"{path}: not a text, HTML or PDF document (binary data or an unknown encoding)")
    is_html = path.suffix.lower() in (".html", ".htm", ".shtml") or _HTML_SNIFF.search(raw[:4096]) is not None
    text = html_to_text(decoded.text) if is_html else decoded.text
    return _checked(LoadedFile(path, raw, text, "html" if is_html else "text", decoded.encoding))


def _load_attachment(path: Path, raw: bytes, kind: str) -> LoadedFile:
    try:
        text = attachment_text(kind, raw)
    except UnsupportedAttachment as exc:
        raise UnreadableFile(f"{path}: {exc}") from exc
    return _checked(LoadedFile(path, raw, text, kind, None))


def _checked(loaded: LoadedFile) -> LoadedFile:
    if not loaded.text.strip():
        raise UnreadableFile(f"{loaded.path}: no text found in this {loaded.kind} file (a scanned PDF needs OCR)")
    return loaded


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    return bool(sample) and len(_CONTROL.findall(sample)) > 0.02 * len(sample)
