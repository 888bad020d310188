"""The archive: every page rendered from the database through one path, for the static site and the live one.

`Archive(session, base_url).page(path)` renders one page by its path in the site — `index.html`,
`documents/<id>.html`, `regions/<region>.html`, `metrics/<key>.html`, `compare/<year>.html`,
`compare/<metric>/<year>.html` and `.csv` (monitor/service/comparisons.py), `feed.atom`, `regions/<region>.atom`,
`metrics/<key>.atom`, `archive.css` — or None when there is no such page. `govmon site build` writes every path of
`Archive.paths()` to files; `govmon serve` answers each request with `page(path)`. Queries live here and in `db/`;
the pure view building in `monitor/digest/archive.py`; rendering in `monitor/publish/render.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property
from importlib.resources import files
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from db import derived, reads
from db import models as m
from db.repository import DocumentRow, list_documents
from db.session import session_scope
from monitor.compare.identity import kind_class
from monitor.digest.archive import (
    DocumentData,
    MetricTrend,
    document_link,
    document_page,
    index_page,
    metric_links,
    metric_page,
    metric_row,
    metric_trend,
    region_page,
    region_slug,
)
from monitor.digest.feeds import Listed, feed
from monitor.digest.selection import StoredChangeIn
from monitor.publish import render
from monitor.service.comparisons import ComparePages

STYLESHEET = "archive.css"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DOCUMENT = re.compile(r"documents/(\d{1,12})\.html")
_NAMED = re.compile(r"(regions|metrics)/([^/]+)\.(html|atom)")
MEDIA_TYPES = {".html": "text/html; charset=utf-8", ".atom": "application/atom+xml; charset=utf-8",
               ".css": "text/css; charset=utf-8", ".csv": "text/csv; charset=utf-8"}  # fmt: skip


def media_type(path: str) -> str:
    return MEDIA_TYPES.get(Path(path).suffix, "application/octet-stream")


def stylesheet() -> str:
    return files("templates").joinpath("archive", STYLESHEET).read_text(encoding="utf-8")


# --- gathering -----------------------------------------------------------------------------------------------


def _stored_in(c: derived.StoredChange) -> StoredChangeIn:
    return StoredChangeIn(c.category, c.metric, c.metric_key, c.change, c.old, c.new, c.significance)


def gather_document(session: Session, row: DocumentRow) -> DocumentData:
    doc = session.get(m.Document, row.id)
    version = derived.latest_version_of(session, row.id)
    first_seen = doc.first_seen_at if doc else EPOCH
    if version is None:
        return DocumentData(row, first_seen, first_seen, (), (), (), "")
    fetched = session.get(m.DocumentVersion, version.version_id)
    extraction = derived.load_extraction(session, version)
    changes = derived.changes_for(session, version.version_id)
    old_id = next((c.old_version_id for c in changes if c.old_version_id is not None), None)
    old = derived.get_version(session, old_id) if old_id is not None else None
    return DocumentData(
        row=row,
        updated=fetched.fetched_at if fetched else first_seen,
        first_seen=first_seen,
        targets=tuple(extraction.targets),
        priorities=tuple(extraction.priorities),
        changes=tuple(_stored_in(c) for c in changes),
        compared_with=" ".join(old.title.split()) if old else "",
    )


def gather_listed(session: Session) -> list[Listed]:
    """Every document with its headline changes and dates, newest first, in a handful of queries."""
    rows = list_documents(session)
    latest = reads.latest_versions(session)
    changes = reads.changes_of(session, [v.version_id for v in latest.values()])
    compared = {c.compared_version for c in changes.values() if c.compared_version is not None}
    titles = reads.titles_of_versions(session, compared) if compared else {}
    seen = reads.first_seen(session)
    listed = []
    for row in rows:
        version = latest.get(row.id)
        found = changes.get(version.version_id) if version else None
        first = seen.get(row.id, EPOCH)
        old = titles.get(found.compared_version, "") if found and found.compared_version else ""
        data = DocumentData(row, version.fetched_at if version else first, first, (), (),
                            found.changes if found else (), " ".join(old.split()))  # fmt: skip
        listed.append(Listed(document_link(data), data.updated, first, data.compared_with, data.changes))
    return listed


def gather_trends(session: Session, region: str) -> list[MetricTrend]:
    query = (
        select(m.Document.doc_type, m.Target.metric_key, m.Target.kind)
        .join(m.DocumentVersion, m.DocumentVersion.document_id == m.Document.id)
        .join(m.Target, m.Target.version_id == m.DocumentVersion.id)
        .where(m.Document.region == region, m.Target.metric_key.is_not(None), m.Target.status == "target")
        .distinct()
    )
    series = {(doc_type, key, kind_class(key, kind)) for doc_type, key, kind in session.execute(query) if key}
    trends = []
    for doc_type, key, measure in sorted(series):
        trend = metric_trend(doc_type, derived.history(session, region, key, doc_type, measure))
        if trend is not None:
            trends.append(trend)
    return trends


# --- the pages -------------------------------------------------------------------------------------------------


class Archive:
    """The pages of the archive over one session; what several pages share is gathered once."""

    def __init__(self, session: Session, base_url: str, *, live: bool = False) -> None:
        self.session, self.base_url, self.live = session, base_url, live

    @cached_property
    def listed(self) -> list[Listed]:
        return gather_listed(self.session)

    @cached_property
    def regions(self) -> dict[str, str]:
        """slug → region name, for regions with documents."""
        return {region_slug(d.link.region): d.link.region for d in self.listed}

    @cached_property
    def metrics(self) -> dict[str, str]:
        """metric_key → Chinese name, for metrics with stored figures, in catalogue order."""
        from monitor.service.catalogue import metric_choices

        stored = set(reads.metric_keys_with_targets(self.session))
        known = {c.value: c.label for c in metric_choices()}
        return {key: known.get(key, key) for key in [*known, *sorted(stored - set(known))] if key in stored}

    @cached_property
    def comparisons(self) -> ComparePages:
        return ComparePages(self.session, live=self.live)

    def paths(self) -> list[str]:
        """Every page of the site (documents first: they are most of the work)."""
        documents = [d.link.href for d in self.listed]
        regions = [f"regions/{slug}.{ext}" for slug in sorted(self.regions) for ext in ("html", "atom")]
        metrics = [f"metrics/{key}.{ext}" for key in self.metrics for ext in ("html", "atom")]
        compared = self.comparisons.paths()
        return [*documents, *regions, *metrics, *compared, "index.html", "feed.atom", STYLESHEET]

    def page(self, path: str) -> str | None:
        """The page at `path` (relative to the site root, not URL-encoded), or None."""
        path = path.lstrip("/") or "index.html"
        simple: dict[str, Callable[[], str]] = {"index.html": self.index, "feed.atom": self.feed,
                                                STYLESHEET: stylesheet}  # fmt: skip
        if path in simple:
            return simple[path]()
        if path.startswith("compare/"):
            return self.comparisons.page(path)
        if found := _DOCUMENT.fullmatch(path):
            return self.document(int(found.group(1)))
        if found := _NAMED.fullmatch(path):
            kind, name, ext = found.groups()
            render_one = {("regions", "html"): self.region, ("regions", "atom"): self.region_feed,
                          ("metrics", "html"): self.metric, ("metrics", "atom"): self.metric_feed}  # fmt: skip
            return render_one[(kind, ext)](name)
        return None

    def index(self) -> str:
        links = metric_links(list(self.metrics.items()))
        page = index_page([d.link for d in self.listed], links, self.comparisons.latest_matrix)
        return render.render_index(page, live=self.live)

    def document(self, document_id: int) -> str | None:
        row = reads.document(self.session, document_id)
        if row is None:
            return None
        return render.render_document(document_page(gather_document(self.session, row)), live=self.live)

    def region(self, slug: str) -> str | None:
        name = self.regions.get(slug)
        if name is None:
            return None
        links = [d.link for d in self.listed if d.link.region == name]
        page = region_page(name, links, gather_trends(self.session, name))
        return render.render_region(page, live=self.live)

    def metric(self, key: str) -> str | None:
        if key not in self.metrics:
            return None
        rows = [metric_row(region, doc_type, derived.history(self.session, region, key, doc_type))
                for region, doc_type in reads.regions_with_metric(self.session, key)]  # fmt: skip
        page = metric_page(key, self.metrics[key], [r for r in rows if r is not None])
        return render.render_metric(page, live=self.live)

    def feed(self) -> str:
        return render.render_feed(feed(self.listed, self.base_url))

    def region_feed(self, slug: str) -> str | None:
        name = self.regions.get(slug)
        if name is None:
            return None
        mine = [d for d in self.listed if d.link.region == name]
        return render.render_feed(feed(mine, self.base_url, f"regions/{slug}.atom", f"govmon：{name}"))

    def metric_feed(self, key: str) -> str | None:
        if key not in self.metrics:
            return None
        title = f"govmon：{self.metrics[key]}"
        return render.render_feed(feed(self.listed, self.base_url, f"metrics/{key}.atom", title, metric_key=key))


# --- writing -------------------------------------------------------------------------------------------------


Progress = Callable[[int, int], None]


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def build_site(engine: Engine, out_dir: Path, base_url: str, progress: Progress | None = None) -> list[Path]:
    """Render every page of the archive into `out_dir`; returns the files written."""
    written: list[Path] = []
    with session_scope(engine) as session:
        archive = Archive(session, base_url)
        paths = archive.paths()
        for done, path in enumerate(paths, 1):
            text = archive.page(path)
            if text is not None:
                written.append(_write(out_dir / path, text))
            if progress:
                progress(done, len(paths))
    return written
