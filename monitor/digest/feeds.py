"""Atom feeds as data (pure): the newest documents of the archive, of a region or of a metric.

`monitor/publish/site.py` gathers the `Listed` documents; `monitor/publish/render.py` turns a `Feed` into XML.
Entry ids and links are absolute URLs under the public base URL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from monitor.digest.archive import DocumentData, DocumentLink, document_link, headline_changes, rfc3339
from monitor.digest.editorial import compact
from monitor.digest.selection import ChangeView, StoredChangeIn, change_view
from monitor.digest.views import metric_name
from monitor.vocabulary import DOC_TYPE_LABELS

FEED_ENTRIES = 50


ENTRY_CHANGES = 5  # changes an entry lists; it says how many there are in all
SCHEME = "https://govmon.invalid/"  # category schemes: region, doc_type, metric


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
    shown: str = ""  # "共 9 项变化，此处列出 3 项" when the entry lists only some
    categories: tuple[Category, ...] = ()


@dataclass(frozen=True)
class Category:
    """An Atom category: a region, a document type or a metric key, with its Chinese label."""

    scheme: str
    term: str
    label: str


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
    doc_type: str = ""


def listed(data: DocumentData) -> Listed:
    return Listed(document_link(data), data.updated, data.first_seen, data.compared_with, data.changes,
                  data.row.doc_type)  # fmt: skip


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
    moved = [c for c in d.changes if c.category == "target" and c.change != "unchanged"]
    if metric_key is not None:
        moved = [c for c in moved if c.metric_key == metric_key]
    changes = headline_changes(moved, ENTRY_CHANGES) if metric_key is None else tuple(change_view(c) for c in moved)
    shown = f"共 {len(moved)} 项变化，此处列出 {len(changes)} 项" if len(changes) < len(moved) else ""
    return FeedEntry(
        id=f"{base}/{link.href}",
        title=_title(link, changes, len(moved)),
        updated=rfc3339(d.updated),
        published=f"{link.published}T00:00:00+08:00" if link.published else rfc3339(d.first_seen),  # its own date
        link=f"{base}/{link.href}",
        source=link.url,
        summary=f"{link.region}{link.doc_type_label}" + (f"，对比{d.compared_with}" if d.compared_with else ""),
        changes=changes,
        shown=shown,
        categories=_categories(d, moved),
    )


def _title(link: DocumentLink, changes: Sequence[ChangeView], count: int) -> str:
    """上海市2025年政府工作报告：经济增长 5.5%以上→5%左右 等3项 — what changed, not only which document."""
    name = link.title if link.region in link.title else f"{link.region}{link.title}"
    if not changes:
        return name
    more = f" 等{count}项" if count > 1 else ""
    return f"{name}：{compact(changes[0])}{more}"


def _categories(d: Listed, moved: Sequence[StoredChangeIn]) -> tuple[Category, ...]:
    found = [Category(f"{SCHEME}region", d.link.region, d.link.region)]
    if d.doc_type:
        found.append(Category(f"{SCHEME}doc_type", d.doc_type, DOC_TYPE_LABELS.get(d.doc_type, d.doc_type)))
    keys = dict.fromkeys(c.metric_key for c in moved if c.metric_key)
    found += [Category(f"{SCHEME}metric", key, metric_name(key)) for key in keys]
    return tuple(found)
