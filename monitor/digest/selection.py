"""Digest selection (pure): which changes and new documents a subscriber gets, in what order, pre-formatted.

Input: `DocumentUpdate`s (what processing stored for each new version in the window) and a subscriber's
`Filters`. Output: a typed `DigestContext` whose every value is ready to print — templates hold no logic.
A version that changed no target and no priority against the previous version of its page produces nothing.
How one change reads lives in `views`; the order, the groups, the subject and the cap in `editorial`.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from monitor.digest.editorial import (
    AlsoItem,
    GroupedMove,
    compact,
    count_note,
    group_moves,
    short_region,
    subject_line,
    tier,
    top_changes,
    without,
)
from monitor.digest.national import NationalBlock, grouped, select_blocks, subject_block
from monitor.digest.views import (
    CHANGE_LABELS,
    HEADLINE_KEYS,
    LEGEND,
    PRIORITY_LABELS,
    ChangeView,
    GoalView,
    PriorityView,
    StoredChangeIn,
    change_view,
    excerpt,
    figure,
    goal_view,
    linked,
    metric_label_of,
    metric_name,
    priority_view,
)
from monitor.vocabulary import DOC_TYPE_LABELS

MAX_CHANGES = 40  # per digest; the rest are counted and linked to the archive
MAX_CHANGES_PER_DOCUMENT = 15
MAX_GOALS = 8  # rows of 本年主要目标 per document
GOALS_PER_ITEM = 3  # a goal row costs a third of a change card in the digest's budget
MAX_PRIORITIES = 8
MAX_GROUPS = 12  # identical moves shown once; each takes one change's room


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
    compared_id: int | None = None  # the prior-year document, when the archive has it


# --- output --------------------------------------------------------------------------------------------------


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
    status_line: str  # "新发布 · 对比2023年：2023年上海市政府工作报告"
    changes: tuple[ChangeView, ...]
    priorities: tuple[PriorityView, ...]
    unchanged: int  # targets kept from last year, besides the headline ones `steady` names
    hidden: int  # changes not shown here (see the archive)
    in_national: int = 0  # headline changes shown in the national picture instead
    goals: tuple[GoalView, ...] = ()  # 本年主要目标: a document with no prior year to compare with
    steady: str = ""  # headline targets kept from last year: "经济增长 5%左右、城镇调查失业率 5.5%左右"
    in_groups: int = 0  # changes shown once for several regions in `DigestContext.groups`
    more_priorities: int = 0  # priority changes beyond those listed
    compared_url: str = ""  # the prior-year document in the archive
    tier: int = 0  # 0 the nation, 1 a province, 2 a city, 3 a city's or bureau's other documents

    @property
    def notes(self) -> str:
        """One line for what the section does not list itself, or ''."""
        parts = []
        if self.in_national:
            parts.append(f"另有 {self.in_national} 项主要目标见上方全国概览。")
        if self.in_groups:
            parts.append(f"另有 {self.in_groups} 项变化与其他地区相同，见上方“多地相同调整”。")
        if self.unchanged:
            parts.append(f"另有 {self.unchanged} 项目标与上年持平。")
        if self.hidden:
            parts.append(f"本文件还有 {self.hidden} 项变化未列出，见存档。")
        return "".join(parts)


@dataclass(frozen=True)
class Summary:
    """The digest's opening: what arrived and the changes that matter most."""

    counts: str  # "本期 12 份文件（新发布 5 份），41 项目标变化。"
    top: tuple[str, ...]  # "全国 赤字率 3% → 4%左右", at most three


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
    follows: str  # "上海市 · 研发经费投入强度"
    preferences_url: str = ""  # where the subscriber changes what they follow
    national: tuple[NationalBlock, ...] = ()  # the national picture the digest opens with
    summary: Summary | None = None
    groups: tuple[GroupedMove, ...] = ()  # identical moves of several regions, shown once
    also: tuple[AlsoItem, ...] = ()  # documents left out of the body, with their counts
    legend: str = LEGEND
    also_changes: int = field(default=0, compare=False)  # changes of the documents in `also`

    @property
    def empty(self) -> bool:
        return not self.sections and not self.national and not self.groups and not self.also

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


@dataclass(frozen=True)
class _Draft:
    """One document's full content before the order and the cap are applied."""

    update: DocumentUpdate
    section: DocumentSection  # every change and goal, nothing hidden yet
    changes: int  # its changes, those in the national picture included
    score: float

    @property
    def baseline_only(self) -> bool:
        return self.update.compared_with is None


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
    scope = [u for u in updates if in_scope(u, filters) and alerting(u)]
    allowed = frozenset(filters.metrics) if filters.topical else None
    sure = [u for u in scope if not u.held]  # a report held for review shows no headline move, here either
    blocks = select_blocks(national, ((u.region, u.report_year, u.doc_type) for u in sure), allowed)
    covered = grouped(blocks)
    since = window[0].date()
    drafts = [d for u in scope if (d := _draft(u, filters, links, since, _in_picture(covered, u))) is not None]
    documents = len(drafts)
    drafts, also = _baselines_of_newer(drafts)
    moves = [(d.update.region, c) for d in drafts if d.section.tier > 0 for c in d.section.changes]
    groups = tuple(group_moves(moves)[:MAX_GROUPS])
    drafts = [_ungrouped(d, groups) for d in drafts]
    drafts.sort(key=lambda d: (d.section.tier, d.baseline_only, -d.score, d.update.region, d.update.document_id))
    sections, also_capped = _fit(drafts, MAX_CHANGES - len(groups))
    also = sorted(also, key=lambda a: (tier(a.region, ""), a.region)) + also_capped
    total = sum(d.changes for d in drafts)
    shown = sum(len(s.changes) + s.in_national + s.in_groups for s in sections)
    tagged = [(s.tier, s.region, c) for s in sections for c in s.changes]
    summary = _summary(documents, drafts, total, tagged, blocks, groups)
    return DigestContext(
        recipient=recipient,
        subject=_subject(tagged, blocks, groups, sections, total),
        preheader=_preheader(summary, sections),
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
        summary=summary,
        groups=groups,
        also=tuple(also),
        also_changes=total - shown - sum(s.hidden for s in sections),
    )


def _in_picture(covered: dict[tuple[str, int], frozenset[str]], update: DocumentUpdate) -> frozenset[str]:
    if update.doc_type != "work_report":
        return frozenset()
    return covered.get((update.region, update.report_year or 0), frozenset())


def _draft(update: DocumentUpdate, filters: Filters, links: Links, since: date,
           in_national: frozenset[str]) -> _Draft | None:  # fmt: skip
    targets = [c for c in update.changes if c.category == "target" and wanted(c, filters)]
    goals: list[GoalView] = []
    if update.compared_with is None and not filters.topical:
        goals = _goals(update)
        targets = [c for c in targets if c.change != "new"]  # the goals table shows them once
    if update.held:
        targets = [c for c in targets if (c.metric_key or "") not in HEADLINE_KEYS]
    national = [c for c in targets if c.metric_key in in_national]
    targets = [c for c in targets if c.metric_key not in in_national]
    targets.sort(key=lambda c: -c.significance)
    priorities = [c for c in update.changes if c.category == "priority" and wanted(c, filters)]
    if filters.topical and not targets and not priorities:
        return None
    if not update.is_new_document and not targets and not priorities:
        return None
    compared_url = links.document(update.compared_id) if update.compared_id else ""
    views = tuple(sorted((linked(change_view(c, update.region), update.url, compared_url) for c in targets),
                         key=lambda v: -v.rank))  # fmt: skip
    kept = [c for c in update.changes if c.category == "target" and c.change == "unchanged"
            and c.metric_key not in in_national]  # fmt: skip
    steady = [c for c in kept if (c.metric_key or "") in HEADLINE_KEYS] if not filters.topical else []
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
        status_line=_status_line(update, since),
        changes=views,
        priorities=tuple(priority_view(p) for p in priorities[:MAX_PRIORITIES]),
        unchanged=0 if filters.topical else len(kept) - len(steady),
        hidden=0,
        in_national=len(national),
        goals=tuple(goals),
        steady="、".join(f"{metric_label_of(c, update.region)} {figure(c.new)}" for c in steady),
        more_priorities=max(0, len(priorities) - MAX_PRIORITIES),
        compared_url=compared_url,
        tier=tier(update.region, update.doc_type),
    )
    score = max((v.rank for v in views), default=0.0)
    return _Draft(update, section, len(views) + len(national), score)


def _goals(update: DocumentUpdate) -> list[GoalView]:
    seen: set[str] = set()
    goals = []
    for target in update.headline_targets:
        view = goal_view(target, update.region)
        if view.metric not in seen:
            seen.add(view.metric)
            goals.append(view)
    goals.sort(key=lambda g: not g.headline)  # headline metrics first, each group in the report's order
    return goals[:MAX_GOALS]


def _baselines_of_newer(drafts: list[_Draft]) -> tuple[list[_Draft], list[AlsoItem]]:
    """A first document of its kind that a newer report in the same digest is compared with is that report's
    baseline, not news: it moves to the closing list."""
    compared = {(d.update.region, d.update.doc_type, d.update.compared_year) for d in drafts if not d.baseline_only}
    kept, also = [], []
    for d in drafts:
        u = d.update
        newer = (u.region, u.doc_type, u.report_year) in compared
        if d.baseline_only and newer and not d.section.changes:
            reason = f"作为{(u.report_year or 0) + 1}年报告的对比基准"
            also.append(AlsoItem(u.region, u.title, d.section.archive_url, count_note(0, len(d.section.goals), reason)))
        else:
            kept.append(d)
    return kept, also


def _ungrouped(d: _Draft, groups: Sequence[GroupedMove]) -> _Draft:
    views = without(groups, d.update.region, d.section.changes)
    if len(views) == len(d.section.changes):
        return d
    grouped_here = len(d.section.changes) - len(views)
    return replace(d, section=replace(d.section, changes=views, in_groups=grouped_here))


def _fit(drafts: Sequence[_Draft], room: int) -> tuple[list[DocumentSection], list[AlsoItem]]:
    """Apply the cap: each document gets what room is left, or moves whole to the closing list."""
    sections: list[DocumentSection] = []
    also: list[AlsoItem] = []
    for d in drafts:
        s = d.section
        cost = len(s.changes) + -(-len(s.goals) // GOALS_PER_ITEM)
        has_body = bool(s.changes or s.goals or s.priorities or s.steady or d.update.held)  # held: says why
        if not has_body and not (s.in_national or s.in_groups):
            also.append(AlsoItem(s.region, s.title, s.archive_url, "未提取到主要目标"))
            continue
        if room <= 0 and (cost or not (s.in_national or s.in_groups)):
            also.append(AlsoItem(s.region, s.title, s.archive_url, count_note(len(s.changes), len(s.goals))))
            continue
        take = min(room, MAX_CHANGES_PER_DOCUMENT)
        shown = s.changes[:take]
        sections.append(replace(s, changes=shown, hidden=len(s.changes) - len(shown)))
        room -= len(shown) + -(-len(s.goals) // GOALS_PER_ITEM)
    return sections, also


def personal(ctx: DigestContext, recipient: str, links: Links) -> DigestContext:
    """Another subscriber's copy of the same digest: their address and signed links, the same content."""
    return replace(ctx, recipient=recipient, unsubscribe_url=links.unsubscribe_url,
                   preferences_url=links.preferences_url)  # fmt: skip


def without_last_section(ctx: DigestContext) -> DigestContext | None:
    """The digest with its last document moved to the closing list (to fit a size budget); None when no
    document is left to move."""
    if not ctx.sections:
        return None
    last = ctx.sections[-1]
    note = count_note(len(last.changes) + last.hidden, len(last.goals))
    also = (AlsoItem(last.region, last.title, last.archive_url, note), *ctx.also)
    return replace(ctx, sections=ctx.sections[:-1], also=also, shown_changes=ctx.shown_changes - len(last.changes),
                   also_changes=ctx.also_changes + len(last.changes) + last.hidden)  # fmt: skip


def _status_line(update: DocumentUpdate, since: date) -> str:
    fresh = not update.published or update.published >= since.isoformat()
    state = ("新发布" if fresh else "首次收录") if update.is_new_document else "页面更新"
    if update.compared_with:
        line = f"{state} · 对比{update.compared_year or ''}年：{update.compared_with}"
    else:
        line = f"{state} · 无上一年度文件可对比，列出本年主要目标"
    if update.held:
        line += f" · 主要目标待人工复核，暂不列出（{'；'.join(update.held)}）"
    return line


def _summary(documents: int, drafts: Sequence[_Draft], total: int, tagged: Sequence[tuple[int, str, ChangeView]],
             blocks: Sequence[NationalBlock], groups: Sequence[GroupedMove]) -> Summary | None:  # fmt: skip
    fresh = sum(1 for d in drafts if d.section.status_line.startswith("新发布"))
    state = f"新发布 {fresh} 份" if fresh else "均为此前发布、首次收录"
    counts = f"本期 {documents} 份文件（{state}），{total} 项目标变化。"
    top = [f"{short_region(region)} {compact(view)}" for region, view in top_changes(tagged)]
    if len(top) < 3:
        top += [f"{len(g.regions)}地 {g.metric} {g.old}→{g.new}" for g in groups][: 3 - len(top)]
    if len(top) < 3 and blocks:
        top += [f"{b.year}年 {b.lead}" for b in blocks][: 3 - len(top)]
    return Summary(counts, tuple(top)) if documents else None


def _subject(tagged: Sequence[tuple[int, str, ChangeView]], blocks: Sequence[NationalBlock],
             groups: Sequence[GroupedMove], sections: Sequence[DocumentSection], total: int) -> str:  # fmt: skip
    top = top_changes(tagged, 1)
    if top and (not blocks or tagged_tier(tagged, top[0][1]) == 0):
        region, view = top[0]
        return subject_line(f"{short_region(region)}：{compact(view)}", total)
    lead = subject_block(blocks)
    if lead is not None:
        return subject_line(f"{lead.year}年 {lead.lead}", total)
    if groups:
        g = groups[0]
        return subject_line(f"{len(g.regions)}地：{g.metric} {g.old}→{g.new}", total)
    if top:
        region, view = top[0]
        return subject_line(f"{short_region(region)}：{compact(view)}", total)
    if sections:
        return subject_line(f"{short_region(sections[0].region)}：{sections[0].title}", total)
    return subject_line("无新变化", 0)


def tagged_tier(tagged: Sequence[tuple[int, str, ChangeView]], view: ChangeView) -> int:
    return next(t for t, _, v in tagged if v is view)


def _preheader(summary: Summary | None, sections: Sequence[DocumentSection]) -> str:
    if summary and summary.top:
        return "；".join(summary.top)
    titles = [s.title for s in sections[:3]]
    return "、".join(titles) + (f" 等{len(sections)}份文件" if len(sections) > 3 else "")


def _follows(filters: Filters) -> str:
    """What the subscriber follows, in Chinese: 上海市 · 政府工作报告 · 研发经费投入强度."""
    doc_types = (DOC_TYPE_LABELS.get(t, t) for t in filters.doc_types)
    metrics = (metric_name(k) for k in filters.metrics)
    return " · ".join((*filters.regions, *doc_types, *metrics, *filters.themes)) or "全部地区与文件"


__all__ = [
    "CHANGE_LABELS",
    "DOC_TYPE_LABELS",
    "HEADLINE_KEYS",
    "PRIORITY_LABELS",
    "AlsoItem",
    "ChangeView",
    "DigestContext",
    "DocumentSection",
    "DocumentUpdate",
    "Filters",
    "GoalView",
    "GroupedMove",
    "Links",
    "PriorityView",
    "StoredChangeIn",
    "Summary",
    "build_digest",
    "change_view",
    "excerpt",
    "personal",
    "priority_view",
    "without_last_section",
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
    """Idempotency key of a digest: subscriber, window and what it says (not when it was rendered).

    The hash of `repr((subscriber_id, start, said))`, fed in pieces: what the digest says is written out once for
    all the subscribers who share it (see `_said`)."""
    digest = hashlib.sha256(f"({subscriber_id!r}, {start.isoformat()!r}, ".encode())
    digest.update(_said(context.sections, context.national))
    digest.update(b")")
    return digest.hexdigest()


_SAID: OrderedDict[tuple[int, int], tuple[object, object, bytes]] = OrderedDict()
_SAID_LOCK = threading.Lock()


def _said(sections: tuple[DocumentSection, ...], national: tuple[NationalBlock, ...]) -> bytes:
    """`repr` of what a digest says, kept for the most recent few: the subscribers with the same filters and window
    share the very same tuples (`personal`), so they are found by identity, never by comparing their contents."""
    key = (id(sections), id(national))
    found = _SAID.get(key)
    if found is not None and found[0] is sections and found[1] is national:
        return found[2]
    said = repr((sections, national) if national else sections).encode("utf-8")
    with _SAID_LOCK:
        _SAID[key] = (sections, national, said)  # the tuples are kept alive with it, so their ids stay theirs
        if len(_SAID) > SAID_KEPT:
            _SAID.popitem(last=False)
    return said


SAID_KEPT = 64
