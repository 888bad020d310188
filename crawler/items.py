"""The item a spider yields: one fetched document, before classification and storage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass
class DocumentItem:
    url: str
    source_id: str
    region: str
    title: str
    text: str
    raw: bytes
    published_at: date | None = None
    listed_title: str = ""
    doc_type: str = "other"
    report_year: int | None = None
    http_status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    encoding: str | None = None
