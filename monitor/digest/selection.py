"""Digest selection (pure): which changes and new documents a subscriber gets, in what order, pre-formatted.

Input: `DocumentUpdate`s (what processing stored for each new version in the window) and a subscriber's
`Filters`. Output: a typed `DigestContext` whose every value is ready to print — templates hold no logic.
A version that changed no target and no priority against the previous version of its page produces nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from monitor.digest.national import NationalBlock, grouped, select_blocks, subject_block
from monitor.extract.metrics import headline_keys
from monitor.format import AMBITION_WORDS, arrow, format_value, metric_label, with_qualifier

MAX_CHANGES = 40  # per digest; the rest are counted and linked to the archive
MAX_CHANGES_PER_DOCUMENT = 15
CHANGE_LABELS = {
    "raised": "上调 ▲",
    "lowered": "下调 ▼",
    "unchanged": "持平",
    "reworded": "表述调整",
    "new": "新增",
    "dropped": "删去",
}
PRIORITY_LABELS = {"emerging": "新提出", "fading": "不再提及", "intensified": "更受重视"}
DOC_TYPE_LABELS = {"work_report": "政府工作报告", "plan": "工作要点/规划", "summary": "工作总结", "other": "文件"}
HEADLINE_KEYS = headline_keys()  # the catalogue's headline metrics (metrics.yaml)


# --- input ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What a subscriber follows; an empty tuple means everything."""

    regions: tuple[str, ...] = ()
    doc_types: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()

    @property
    def topical(self) -> bool:
        return bool(self.metrics or self.themes)


@dataclass(frozen=True)
class StoredChangeIn:
    """One stored Change row as plain data (category target or priority)."""

    category: str
    metric: str
    metric_key: str | None
    change: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    significance: float


@dataclass(frozen=True)
class DocumentUpdate:
    """A new version processed in the window, with its stored changes against the prior year."""

    document_id: int
    version_id: int
    title: str
    region: str
    doc_type: str
    report_year: int | None
    url: str
    published: str | None  # ISO date
    is_new_document: bool  # first version of this document (else the page changed)
    changed_since_previous_version: bool  # targets or priorities differ from the previous version of the page
    compared_with: str | None  # title of the prior-year document, None when there is none
    compared_year: int | None
    changes: tuple[StoredChangeIn, ...] = ()
    headline_targets: tuple[dict[str, Any], ...] = ()  # for documents with no prior year to compare with
    processed_at: datetime | None = None  # when extraction and diff stored this version
    held: tuple[str, ...] = ()  # why extraction is unsure of it: its headline changes wait for review


# --- output --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeView:
    metric: str  # the name with what it measures: 单位生产总值能耗 降低, 新增高新技术企业
    metric_key: str
    change: str
    label: str  # 上调 ▲, 上调 ▲ 加码 (a deeper cut), 上调 ▲ 放宽 (a looser cap)
    old: str  # "5.5%以上" or "—"
    new: str
    arrow: str  # "5.5%以上 → 5%左右"
    sentence: str  # the source sentence of the new figure (of the old one for a dropped target)
    old_sentence: str
    baseline: str  # "2023年实际 4.4%" or "": last year's result (or target) the new figure compares with
    headline: bool
    significance: float
    excerpt: str = ""  # the clause of `sentence` that holds the figure, "…" where cut


@dataclass(frozen=True)
class PriorityView:
    theme: str
    change: str
    label: str
    counts: str  # "0 → 3 次"
    sentence: str


@dataclass(frozen=True)
class DocumentSection:
    document_id: int
    title: str
    region: str
    doc_type: str
    doc_type_label: str
    report_year: str
    url: str
    archive_url: str
    published: str
    status_line: str  # "新文件 · 对比 2023年上海市政府工作报告"
    changes: tuple[ChangeView, ...]
    priorities: tuple[PriorityView, ...]
    unchanged: int
    hidden: int  # changes not shown here (see the archive)
    in_national: int = 0  # headline changes shown in the national picture instead


@dataclass(frozen=True)
class DigestContext:
    """Everything a digest template shows, already formatted; one context serves HTML and text."""

    recipient: str
    subject: str
    preheader: str
    window: str  # "2024-01-22 — 2024-01-23"
    generated_at: str
    sections: tuple[DocumentSection, ...]
    total_changes: int
    shown_changes: int
    archive_url: str
    unsubscribe_url: str
    follows: str  # "上海市 · rd_intensity"
    preferences_url: str = ""  # where the subscriber changes what they follow
    national: tuple[NationalBlock, ...] = ()  # the national picture the digest opens with

    @property
    def empty(self) -> bool:
        return not self.sections and not self.national

    @property
    def more(self) -> int:
        """Changes left out of the digest by the cap (the archive has them)."""
        return self.total_changes - self.shown_changes


@dataclass(frozen=True)
class Links:
    """How to link to the archive, the preferences and to unsubscribe (the caller knows the base URL and the token)."""

    archive_base: str
    unsubscribe_url: str
    preferences_url: str = ""

    def document(self, document_id: int) -> str:
        return f"{self.archive_base.rstrip('/')}/documents/{document_id}.html"


# --- selection -----------------------------------------------------------------------------------------------


def in_scope(update: DocumentUpdate, filters: Filters) -> bool:
    region_ok = not filters.regions or update.region in filters.regions
    return region_ok and (not filters.doc_types or update.doc_type in filters.doc_types)


def wanted(change: StoredChangeIn, filters: Filters) -> bool:
    """A change the subscriber follows: everything unless metrics or themes narrow it down."""
    if change.change == "unchanged":
        return False
    if not filters.topical:
        return True
    if change.category == "priority":
        return change.metric in filters.themes
    if change.metric_key in filters.metrics:
        return True
    sentence = (change.new or change.old or {}).get("sentence", "")
    return any(theme in sentence for theme in filters.themes)


def alerting(update: DocumentUpdate) -> bool:
    """A new document always alerts; a changed page only when its targets or priorities changed."""
    return update.is_new_document or update.changed_since_previous_version


def build_digest(
    recipient: str,
    updates: Sequence[DocumentUpdate],
    filters: Filters,
    links: Links,
    window: tuple[datetime, datetime],
    now: datetime,
    national: Sequence[NationalBlock] = (),
) -> DigestContext:
    """The digest for one subscriber; `.empty` when nothing in the window concerns them.

    `national`: the national picture's candidate blocks; the digest opens with those its own reports call for
    (reports of one year from three or more regions) and leaves their moves out of the regions' sections.
    """
    sections: list[DocumentSection] = []
    total = shown = 0
    scope = [u for u in sorted(updates, key=_update_order) if in_scope(u, filters) and alerting(u)]
    allowed = frozenset(filters.metrics) if filters.topical else None
    sure = [u for u in scope if not u.held]  # a report held for review shows no headline move, here either
    blocks = select_blocks(national, ((u.region, u.report_year, u.doc_type) for u in sure), allowed)
    covered = grouped(blocks)
    for update in scope:
        in_picture = covered.get((update.region, update.report_year or 0), frozenset())
        in_picture = in_picture if update.doc_type == "work_report" else frozenset()
        section, n_total = _section(update, filters, links, MAX_CHANGES - shown, in_picture)
        if section is not None:
            sections.append(section)
            total += n_total
            shown += len(section.changes)
    return DigestContext(
        recipient=recipient,
        subject=_national_subject(blocks) or _subject(sections, total),
        preheader=_preheader(sections),
        window=f"{window[0].astimezone(window[1].tzinfo):%Y-%m-%d %H:%M} — {window[1]:%Y-%m-%d %H:%M}",
        generated_at=f"{now:%Y-%m-%d %H:%M}",
        sections=tuple(sections),
        total_changes=total,
        shown_changes=shown,
        archive_url=links.archive_base,
        unsubscribe_url=links.unsubscribe_url,
        follows=_follows(filters),
        preferences_url=links.preferences_url,
        national=blocks,
    )


def _update_order(update: DocumentUpdate) -> tuple[float, str, int]:
    top = max((c.significance for c in update.changes), default=0.0)
    return (-top, update.region, update.document_id)


def _section(update: DocumentUpdate, filters: Filters, links: Links, budget: int,
             in_national: frozenset[str] = frozenset()) -> tuple[DocumentSection | None, int]:  # fmt: skip
    targets = [c for c in update.changes if c.category == "target" and wanted(c, filters)]
    if update.compared_with is None and not filters.topical:
        targets = [_as_new(t) for t in update.headline_targets]
    if update.held:
        targets = [c for c in targets if (c.metric_key or "") not in HEADLINE_KEYS]
    national = [c for c in targets if c.metric_key in in_national]
    targets = [c for c in targets if c.metric_key not in in_national]
    targets.sort(key=lambda c: -c.significance)
    priorities = [c for c in update.changes if c.category == "priority" and wanted(c, filters)]
    if filters.topical and not targets and not priorities:
        return None, 0
    if not update.is_new_document and not targets and not priorities:
        return None, 0
    limit = max(0, min(budget, MAX_CHANGES_PER_DOCUMENT))
    views = tuple(_change_view(c) for c in targets[:limit])
    unchanged = sum(1 for c in update.changes if c.category == "target" and c.change == "unchanged"
                    and c.metric_key not in in_national)  # fmt: skip
    section = DocumentSection(
        document_id=update.document_id,
        title=update.title,
        region=update.region,
        doc_type=update.doc_type,
        doc_type_label=DOC_TYPE_LABELS.get(update.doc_type, update.doc_type),
        report_year=str(update.report_year or ""),
        url=update.url,
        archive_url=links.document(update.document_id),
        published=update.published or "",
        status_line=_status_line(update),
        changes=views,
        priorities=tuple(_priority_view(p) for p in priorities),
        unchanged=0 if filters.topical else unchanged,
        hidden=len(targets) - len(views),
        in_national=len(national),
    )
    return section, len(targets)


def _as_new(target: dict[str, Any]) -> StoredChangeIn:
    key = target.get("metric_key")
    significance = 0.5 if key in HEADLINE_KEYS else 0.2
    return StoredChangeIn("target", target["metric"], key, "new", None, target, significance)


def _status_line(update: DocumentUpdate) -> str:
    state = "新发布" if update.is_new_document else "页面更新"
    if update.compared_with:
        line = f"{state} · 对比{update.compared_year or ''}年：{update.compared_with}"
    else:
        line = f"{state} · 暂无上一年度可对比，列出主要目标"
    if update.held:
        line += f" · 主要目标待人工复核，暂不列出（{'；'.join(update.held)}）"
    return line


def _figure(data: dict[str, Any] | None) -> str:
    if not data:
        return "—"
    return with_qualifier(format_value(data["value"], data.get("unit"), data.get("value_max")), data.get("qualifier"))


def _change_label(c: StoredChangeIn) -> str:
    """上调 ▲, with 加码 or 放宽 where the arrow alone would mislead: a deeper cut or a tighter cap is 加码, a
    looser cap 放宽 (a higher GDP target needs no word)."""
    label = CHANGE_LABELS.get(c.change, c.change)
    new = c.new or {}
    sense = str(new.get("ambition") or "")
    if c.change not in ("raised", "lowered") or sense not in AMBITION_WORDS:
        return label
    naive = (c.change == "raised") == (sense == "more")
    if naive and new.get("kind") not in ("reduction", "cap"):
        return label
    return f"{label} {AMBITION_WORDS[sense]}"


def _metric_label(c: StoredChangeIn) -> str:
    shown = c.new or c.old or {}
    return metric_label(c.metric, shown.get("kind"), shown.get("unit"))


def _change_view(c: StoredChangeIn) -> ChangeView:
    old, new = _figure(c.old), _figure(c.new)
    return ChangeView(
        metric=_metric_label(c),
        metric_key=c.metric_key or "",
        change=c.change,
        label=_change_label(c),
        old=old,
        new=new,
        arrow=arrow(old if c.old else None, new if c.new else None),
        sentence=(c.new or c.old or {}).get("sentence", ""),
        old_sentence=(c.old or {}).get("sentence", "") if c.new else "",
        baseline=_baseline(_baseline_of(c.new)),
        headline=(c.metric_key or "") in HEADLINE_KEYS,
        significance=c.significance,
        excerpt=_figure_excerpt(c.new or c.old or {}),
    )


def _figure_excerpt(data: dict[str, Any]) -> str:
    return excerpt(data.get("sentence", ""), data.get("raw", ""), data.get("phrase", ""))


def change_view(c: StoredChangeIn) -> ChangeView:
    """One stored change, formatted as in a digest (the archive pages use the same views)."""
    return _change_view(c)


def priority_view(c: StoredChangeIn) -> PriorityView:
    return _priority_view(c)


_CLAUSE = re.compile(r"[^，。；：！？,;]+[，。；：！？,;]?")


def excerpt(sentence: str, raw: str, phrase: str = "", limit: int = 60) -> str:
    """The clause of a long sentence that holds the figure: "…全市生产总值增长5%左右…"."""
    if len(sentence) <= limit or not raw or raw not in sentence:
        return sentence
    clauses = _CLAUSE.findall(sentence)
    holding = [i for i, clause in enumerate(clauses) if raw in clause]
    at = next((i for i in holding if phrase and phrase in clauses[i]), holding[0] if holding else 0)
    text = clauses[at]
    if at < len(clauses) - 1:
        text = text.rstrip("，。；：！？,;") + "…"
    return ("…" if at > 0 else "") + text


def _baseline_of(new: dict[str, Any] | None) -> dict[str, Any] | None:
    """The stored comparison with last year's result (rows stored before it was renamed keep it as "ambition")."""
    data = (new or {}).get("baseline") or (new or {}).get("ambition")
    return data if isinstance(data, dict) else None


def _baseline(data: dict[str, Any] | None) -> str:
    if not data:
        return ""
    figure = format_value(data["value"], data.get("unit"))
    year = f"{data['year']}年" if data.get("year") else "上年"
    return f"{year}实际 {figure}" if data["basis"] == "achieved" else f"上年目标 {figure}"


def _priority_view(c: StoredChangeIn) -> PriorityView:
    data = c.new or {}
    sentences = data.get("sentences") or [""]
    return PriorityView(
        theme=c.metric,
        change=c.change,
        label=PRIORITY_LABELS.get(c.change, c.change),
        counts=f"{data.get('old_count', 0)} → {data.get('new_count', 0)} 次",
        sentence=sentences[0],
    )


def _national_subject(blocks: Sequence[NationalBlock]) -> str:
    lead = subject_block(blocks)
    if lead is None:
        return ""
    more = f"（另有{len(blocks) - 1}项指标的全国概览）" if len(blocks) > 1 else ""
    return f"govmon：{lead.year}年 {lead.lead}{more}"


def _subject(sections: Sequence[DocumentSection], total: int) -> str:
    if not sections:
        return "govmon：无新变化"
    first = sections[0]
    lead = f"{first.region} {first.title}"
    if first.changes:
        c = first.changes[0]
        lead += f"：{c.metric} {c.arrow}"
    more = total - (1 if first.changes else 0)
    return f"govmon：{lead}" + (f"（另有{more}项变化）" if more > 0 else "")


def _preheader(sections: Sequence[DocumentSection]) -> str:
    parts = [f"{s.region}{s.doc_type_label}" for s in sections[:3]]
    return "、".join(parts) + (f" 等{len(sections)}份文件" if len(sections) > 3 else "")


def _follows(filters: Filters) -> str:
    parts: Iterable[str] = (*filters.regions, *filters.doc_types, *filters.metrics, *filters.themes)
    return " · ".join(parts) or "全部地区与文件"


__all__ = [
    "ChangeView",
    "DigestContext",
    "DocumentSection",
    "DocumentUpdate",
    "Filters",
    "Links",
    "PriorityView",
    "StoredChangeIn",
    "build_digest",
    "change_view",
    "excerpt",
    "priority_view",
]


# --- cadence -------------------------------------------------------------------------------------------------

FIRST_DIGEST_LOOKBACK_DAYS = 30


def due(cadence: str, last: datetime | None, now: datetime, hour: int) -> bool:
    """Whether a subscriber's digest is due at `now` (aware, in the configured time zone).

    immediate: at every run; daily: once a day from `hour`; weekly: once a week from Monday at `hour`.
    """
    if cadence == "immediate" or last is None:
        return cadence == "immediate" or now.hour >= hour
    slot = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if cadence == "weekly":
        slot -= timedelta(days=slot.weekday())
    if now < slot:
        slot -= timedelta(days=7 if cadence == "weekly" else 1)
    return last < slot


def window_start(last: datetime | None, created: datetime) -> datetime:
    """Where a subscriber's next window starts: the end of the last one, else a month before sign-up."""
    return last if last is not None else created - timedelta(days=FIRST_DIGEST_LOOKBACK_DAYS)


def content_key(subscriber_id: int, start: datetime, context: DigestContext) -> str:
    """Idempotency key of a digest: subscriber, window and what it says (not when it was rendered)."""
    said = (context.sections, context.national) if context.national else context.sections
    digest = hashlib.sha256(repr((subscriber_id, start.isoformat(), said)).encode("utf-8"))
    return digest.hexdigest()
