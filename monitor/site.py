"""The static archive site: gather records from the database, build the pages (monitor/archive), write files.

`build_site` writes `DIR/index.html`, `DIR/documents/<id>.html`, `DIR/regions/<slug>.html` and
`DIR/feed.atom`. Queries live here; the pure view building lives in `monitor/archive.py`; rendering in
`monitor/render.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from db import derived
from db import models as m
from db.repository import DocumentRow, list_documents
from db.session import session_scope
from monitor import render
from monitor.archive import (
    DocumentData,
    DocumentLink,
    MetricTrend,
    document_page,
    feed,
    index_page,
    metric_trend,
    region_page,
    region_slug,
)
from monitor.digest import StoredChangeIn
from monitor.identity import kind_class

# --- gathering -----------------------------------------------------------------------------------------------


def _stored_in(c: derived.StoredChange) -> StoredChangeIn:
    return StoredChangeIn(c.category, c.metric, c.metric_key, c.change, c.old, c.new, c.significance)


def gather_document(session: Session, row: DocumentRow) -> DocumentData:
    doc = session.get(m.Document, row.id)
    version = derived.latest_version_of(session, row.id)
    first_seen = doc.first_seen_at if doc else datetime(1970, 1, 1, tzinfo=UTC)
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


# --- writing -------------------------------------------------------------------------------------------------


Progress = Callable[[int, int], None]


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def build_site(engine: Engine, out_dir: Path, base_url: str, progress: Progress | None = None) -> list[Path]:
    """Render every page and the feed into `out_dir`; returns the files written."""
    written: list[Path] = []
    pairs: list[tuple[DocumentLink, DocumentData]] = []
    with session_scope(engine) as session:
        rows = list_documents(session)
        for done, row in enumerate(rows, 1):
            data = gather_document(session, row)
            page = document_page(data)
            pairs.append((page.doc, data))
            written.append(_write(out_dir / page.doc.href, render.render_document(page)))
            if progress:
                progress(done, len(rows))
        links = [link for link, _ in pairs]
        for region in sorted({link.region for link in links}):
            page_r = region_page(region, [d for d in links if d.region == region], gather_trends(session, region))
            written.append(_write(out_dir / "regions" / f"{region_slug(region)}.html", render.render_region(page_r)))
    written.append(_write(out_dir / "index.html", render.render_index(index_page(links))))
    written.append(_write(out_dir / "feed.atom", render.render_feed(feed(pairs, base_url))))
    return written
