"""Atom feeds as data (pure): the newest documents of the archive, of a region or of a metric.

`monitor/publish/site.py` gathers the `Listed` documents; `monitor/publish/render.py` turns a `Feed` into XML.
Entry ids and links are absolute URLs under the public base URL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from monitor.digest.archive import DocumentData, DocumentLink, document_link, rfc3339
from monitor.digest.selection import ChangeView, StoredChangeIn, change_view

FEED_ENTRIES = 50


@dataclass(frozen=True)
class FeedEntry:
    id: str
    title: str
    updated: str  # RFC 3339
    published: str
    link: str  # the archive page (absolute)
    source: str  # the source URL; a link only when http(s)
    summary: str
    changes: tuple[ChangeView, ...]


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    updated: str
    self_url: str
    site_url: str
    entries: tuple[FeedEntry, ...]


@dataclass(frozen=True)
class Listed:
    """A document as lists and feeds show it: its link (with headline changes) and dates."""

    link: DocumentLink
    updated: datetime  # when its latest version was fetched
    first_seen: datetime
    compared_with: str
    changes: tuple[StoredChangeIn, ...]


def listed(data: DocumentData) -> Listed:
    return Listed(document_link(data), data.updated, data.first_seen, data.compared_with, data.changes)


FEED_TITLE = "govmon：政府工作报告目标变化"


def feed(documents: Sequence[Listed], base_url: str, path: str = "feed.atom", title: str = FEED_TITLE,
         metric_key: str | None = None) -> Feed:  # fmt: skip
    """The newest documents first; an entry's id is its archive URL, `updated` its latest fetch. With `metric_key`,
    only documents that changed that metric, each entry listing that metric's change."""
    base = base_url.rstrip("/")
    chosen = [d for d in documents if metric_key is None or _touches(d, metric_key)]
    newest = sorted(chosen, key=lambda d: d.updated, reverse=True)[:FEED_ENTRIES]
    entries = tuple(_entry(d, base, metric_key) for d in newest)
    updated = entries[0].updated if entries else "1970-01-01T00:00:00Z"
    return Feed(f"{base}/{path}", title, updated, f"{base}/{path}", f"{base}/", entries)


def _touches(d: Listed, metric_key: str) -> bool:
    return any(c.metric_key == metric_key and c.change != "unchanged" for c in d.changes)


def _entry(d: Listed, base: str, metric_key: str | None) -> FeedEntry:
    link = d.link
    changes = link.headline
    if metric_key is not None:
        changes = tuple(change_view(c) for c in d.changes if c.metric_key == metric_key and c.change != "unchanged")
    return FeedEntry(
        id=f"{base}/{link.href}",
        title=f"{link.region} {link.title}",
        updated=rfc3339(d.updated),
        published=rfc3339(d.first_seen),
        link=f"{base}/{link.href}",
        source=link.url,
        summary=f"{link.region}{link.doc_type_label}" + (f"，对比{d.compared_with}" if d.compared_with else ""),
        changes=changes,
    )
