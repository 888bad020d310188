"""Archive pages as data (pure): stored records → typed, pre-formatted views for the archive templates.

`monitor/publish/site.py` gathers the records from the database and writes the rendered files; everything here is
a plain function of its arguments (no database, no Jinja2), so each page's content is tested as structure.
Links between pages are relative to the site root (`root` leads back to it), so the site works from any base
URL and from file://; only the Atom feed uses absolute URLs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import quote

from monitor.digest.charts import Chart, Observation, trend_chart
from monitor.digest.selection import (
    DOC_TYPE_LABELS,
    HEADLINE_KEYS,
    ChangeView,
    PriorityView,
    StoredChangeIn,
    change_view,
    excerpt,
    priority_view,
)
from monitor.extract.metrics import chart_order
from monitor.extract.model import Priority, Target
from monitor.format import format_target, metric_label

if TYPE_CHECKING:
    from db.derived import HistoryPoint
    from db.repository import DocumentRow

STATUS_LABELS = {"target": "目标", "expected": "预计完成", "achieved": "实际完成"}
HEADLINES_PER_DOCUMENT = 3
MAX_TRENDS = 60
TREND_ORDER = chart_order()  # the catalogue's trend order (metrics.yaml `chart`)

# --- views ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegionLink:
    name: str
    href: str  # "regions/%E4%B8%8A%E6%B5%B7%E5%B8%82.html", relative to the site root
    documents: int


@dataclass(frozen=True)
class DocumentLink:
    document_id: int
    title: str
    region: str
    region_href: str
    doc_type_label: str
    year: str
    published: str
    href: str  # "documents/2.html", relative to the site root
    url: str  # the source; a link only when http(s)
    headline: tuple[ChangeView, ...]  # the most significant changes against the prior year


@dataclass(frozen=True)
class TargetRow:
    metric: str
    figure: str  # 5%左右
    year: str
    excerpt: str
    headline: bool


@dataclass(frozen=True)
class TargetGroup:
    status: str
    label: str  # 目标 / 预计完成 / 实际完成
    rows: tuple[TargetRow, ...]


@dataclass(frozen=True)
class DocumentPage:
    root: str  # "../": from documents/ back to the site root
    doc: DocumentLink
    compared_with: str  # "2023年上海市政府工作报告" or ""
    changes: tuple[ChangeView, ...]
    groups: tuple[TargetGroup, ...]
    priorities: tuple[PriorityView, ...]
    themes: str  # "人工智能 ×6 · 新质生产力 ×3"


@dataclass(frozen=True)
class TrendRow:
    year: str
    target: str
    result: str


@dataclass(frozen=True)
class MetricTrend:
    metric: str
    metric_key: str
    doc_type_label: str
    chart: Chart
    rows: tuple[TrendRow, ...]


@dataclass(frozen=True)
class RegionPage:
    root: str
    name: str
    documents: tuple[DocumentLink, ...]
    trends: tuple[MetricTrend, ...]
    feed_href: str = ""  # "regions/上海市.atom", relative to the site root


@dataclass(frozen=True)
class MetricLink:
    key: str
    name: str
    href: str  # "metrics/rd_intensity.html"


@dataclass(frozen=True)
class IndexPage:
    root: str
    regions: tuple[RegionLink, ...]
    documents: tuple[DocumentLink, ...]
    metrics: tuple[MetricLink, ...] = ()
    comparison: tuple[str, str] | None = None  # (title, href) of the newest year's matrix of all regions


@dataclass(frozen=True)
class MetricRow:
    region: str
    region_href: str
    doc_type_label: str
    year: str
    target: str  # the latest year's target, "—" when it set none
    prior: str  # the year before's target
    result: str  # the latest result reported (of the year before), with its year
    document_href: str


@dataclass(frozen=True)
class MetricPage:
    root: str
    key: str
    name: str
    rows: tuple[MetricRow, ...]
    feed_href: str


# --- records (what site.py gathers) ----------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentData:
    row: DocumentRow
    updated: datetime  # when its latest version was fetched
    first_seen: datetime
    targets: tuple[Target, ...]
    priorities: tuple[Priority, ...]
    changes: tuple[StoredChangeIn, ...]
    compared_with: str


# --- pure view building --------------------------------------------------------------------------------------


def region_slug(name: str) -> str:
    """A file-name-safe slug that keeps the Chinese name readable: 上海市 → 上海市, "a/../b" → a-b."""
    return re.sub(r"[^\w]+", "-", name).strip("-_") or "region"


def region_href(name: str) -> str:
    return f"regions/{quote(region_slug(name))}.html"


def rfc3339(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def headline_changes(changes: Sequence[StoredChangeIn], limit: int = HEADLINES_PER_DOCUMENT) -> tuple[ChangeView, ...]:
    moved = [c for c in changes if c.category == "target" and c.change != "unchanged"]
    moved.sort(key=lambda c: (c.metric_key not in HEADLINE_KEYS, -c.significance))
    return tuple(change_view(c) for c in moved[:limit])


def document_link(data: DocumentData) -> DocumentLink:
    row = data.row
    return DocumentLink(
        document_id=row.id,
        title=" ".join((row.title or row.url).split()),
        region=row.region,
        region_href=region_href(row.region),
        doc_type_label=DOC_TYPE_LABELS.get(row.doc_type, row.doc_type),
        year=str(row.report_year or ""),
        published=row.published_at.isoformat() if row.published_at else "",
        href=f"documents/{row.id}.html",
        url=row.url,
        headline=headline_changes(data.changes),
    )


def _target_row(t: Target) -> TargetRow:
    return TargetRow(metric_label(t.metric, t.kind, t.unit), format_target(t), _period(t),
                     excerpt(t.sentence, t.raw, t.phrase), t.headline)  # fmt: skip


def _period(t: Target) -> str:
    """2025, or 2026—2030 for a term goal."""
    return f"{t.term[0]}—{t.term[1]}" if t.term else str(t.year or "")


def target_groups(targets: Sequence[Target]) -> tuple[TargetGroup, ...]:
    groups = []
    for status, label in STATUS_LABELS.items():
        rows = sorted((t for t in targets if t.status == status), key=lambda t: not t.headline)
        if rows:
            groups.append(TargetGroup(status, label, tuple(_target_row(t) for t in rows)))
    return tuple(groups)


def document_page(data: DocumentData) -> DocumentPage:
    targets = sorted((c for c in data.changes if c.category == "target"), key=lambda c: -c.significance)
    ranked = sorted(data.priorities, key=lambda p: -p.weight)[:15]
    return DocumentPage(
        root="../",
        doc=document_link(data),
        compared_with=data.compared_with,
        changes=tuple(change_view(c) for c in targets),
        groups=target_groups(data.targets),
        priorities=tuple(priority_view(c) for c in data.changes if c.category == "priority"),
        themes=" · ".join(f"{p.theme} ×{p.count}" for p in ranked),
    )


def _main_unit(points: Sequence[HistoryPoint]) -> str | None:
    units = [t.unit for p in points for t in (p.target, p.result) if t is not None]
    return max(set(units), key=units.count) if units else None


def _observation(year: int, t: Target) -> Observation:
    middle = t.value if t.value_max is None else (t.value + t.value_max) / 2
    return Observation(year, middle, format_target(t))


def metric_trend(doc_type: str, points: Sequence[HistoryPoint]) -> MetricTrend | None:
    """The chart and table of one metric across years; None with fewer than two figures to plot."""
    unit = _main_unit(points)
    targets = [_observation(p.year, p.target) for p in points if p.target and p.target.unit == unit]
    results = [
        _observation(p.result.year or p.year - 1, p.result) for p in points if p.result and p.result.unit == unit
    ]
    if len(targets) + len(results) < 2:
        return None
    named = next(t for p in points for t in (p.target, p.result) if t is not None)
    by_year = {o.year: TrendRow(str(o.year), o.label, "—") for o in targets}
    for o in results:
        by_year[o.year] = TrendRow(str(o.year), by_year[o.year].target if o.year in by_year else "—", o.label)
    return MetricTrend(
        metric=metric_label(named.metric, named.kind, named.unit),
        metric_key=named.metric_key or "",
        doc_type_label=DOC_TYPE_LABELS.get(doc_type, doc_type),
        chart=trend_chart(named.metric, unit, targets, results),
        rows=tuple(by_year[y] for y in sorted(by_year)),
    )


def region_page(name: str, documents: Sequence[DocumentLink], trends: Sequence[MetricTrend]) -> RegionPage:
    ordered = sorted(trends, key=_trend_rank)
    feed_href = f"regions/{quote(region_slug(name))}.atom"
    return RegionPage("../", name, tuple(documents), tuple(ordered[:MAX_TRENDS]), feed_href)


def _trend_rank(trend: MetricTrend) -> tuple[int, bool, int, str]:
    """The usual order of a report's main targets first, then other headline metrics, then the longest series."""
    known = TREND_ORDER.index(trend.metric_key) if trend.metric_key in TREND_ORDER else len(TREND_ORDER)
    return (known, trend.metric_key not in HEADLINE_KEYS, -len(trend.rows), trend.metric)


def index_page(documents: Sequence[DocumentLink], metrics: Sequence[MetricLink] = (),
               comparison: tuple[str, str] | None = None) -> IndexPage:  # fmt: skip
    counts: dict[str, int] = {}
    for d in documents:
        counts[d.region] = counts.get(d.region, 0) + 1
    regions = tuple(RegionLink(name, region_href(name), n) for name, n in sorted(counts.items()))
    return IndexPage("", regions, tuple(documents), tuple(metrics), comparison)


def metric_href(key: str) -> str:
    return f"metrics/{quote(key)}.html"


def metric_links(names: Sequence[tuple[str, str]]) -> tuple[MetricLink, ...]:
    """(key, name) pairs → links, in the order given."""
    return tuple(MetricLink(key, name, metric_href(key)) for key, name in names)


def metric_row(region: str, doc_type: str, points: Sequence[HistoryPoint]) -> MetricRow | None:
    """The latest target of one region's series with the one before it and the latest result."""
    with_target = [p for p in points if p.target is not None]
    latest = with_target[-1] if with_target else (points[-1] if points else None)
    if latest is None:
        return None
    earlier = [p for p in with_target if p.year < latest.year]
    results = [p.result for p in points if p.result is not None]
    result = results[-1] if results else None
    return MetricRow(
        region=region,
        region_href=region_href(region),
        doc_type_label=DOC_TYPE_LABELS.get(doc_type, doc_type),
        year=str(latest.year),
        target=format_target(latest.target) if latest.target else "—",
        prior=format_target(earlier[-1].target) if earlier and earlier[-1].target else "—",
        result=f"{format_target(result)}（{result.year}年）" if result and result.year else "—",
        document_href=f"documents/{latest.document_id}.html",
    )


def metric_page(key: str, name: str, rows: Sequence[MetricRow]) -> MetricPage:
    ordered = sorted(rows, key=lambda r: (r.region != "全国", r.region, r.doc_type_label))
    return MetricPage("../", key, name, tuple(ordered), f"metrics/{quote(key)}.atom")
