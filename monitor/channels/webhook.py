"""Generic webhook: the digest as JSON with a stable schema, signed so that the receiver can trust it.

Request: `POST <url>`, `Content-Type: application/json; charset=utf-8`, headers

- `X-Govmon-Delivery`: the delivery id, the same on every retry of this part and unique otherwise: a receiver
  that has seen it already answers 2xx and drops the duplicate;
- `X-Govmon-Timestamp`: Unix seconds of this attempt;
- `X-Govmon-Signature`: `sha256=` + hex HMAC-SHA256 under the shared secret of `timestamp + "." + raw body`
  (only when the subscriber has a secret). Verify it over the raw bytes, in constant time, and refuse a
  timestamp more than five minutes old (`monitor.channels.signing.verify_webhook` does both).

Body (schema `govmon.digest.v1`; fields are only ever added, never renamed or removed within v1)::

    {"schema": "govmon.digest.v1", "delivery_id": "…", "part": 1, "parts": 1,
     "subject": "govmon：…", "window": "2024-01-22 08:00 — 2024-01-23 08:00", "generated_at": "2024-01-23 08:00",
     "follows": "上海市 · …", "archive_url": "https://…/", "unsubscribe_url": "https://…",
     "total_changes": 3, "shown_changes": 3, "more": 0,
     "documents": [{"document_id": 7, "title": "…", "region": "上海市", "doc_type": "work_report",
                    "doc_type_label": "政府工作报告", "report_year": "2024", "published": "2024-01-23",
                    "url": "https://… (the source page)", "archive_url": "https://…/documents/7.html",
                    "status": "新发布 · 对比2023年：…", "unchanged": 12, "hidden": 0,
                    "changes": [{"metric": "地区生产总值", "metric_key": "gdp_growth", "change": "lowered",
                                 "label": "下调 ▼", "old": "5.5%左右", "new": "5%左右", "arrow": "5.5%左右 → 5%左右",
                                 "baseline": "2023年实际 5%左右", "headline": true, "significance": 0.9,
                                 "excerpt": "…", "sentence": "…", "old_sentence": "…"}],
                    "priorities": [{"theme": "…", "change": "emerging", "label": "新提出",
                                    "counts": "0 → 3 次", "sentence": "…"}]}]}

Added within v1, what the e-mail digest opens and closes with, as data::

    "preheader": "全国 赤字率 3%→4%左右；…", "legend": "箭头左侧为上年目标…",
    "summary": {"counts": "本期 12 份文件（新发布 5 份），41 项目标变化。", "top": ["全国 赤字率 3%→4%左右", …]}
               (null for an empty digest),
    "national": [{"year": 2025, "level": "province", "metric": "…", "metric_key": "gdp_growth", "lead": "…",
                  "top_change": "lowered", "headline": "…", "reported": "…",
                  "moves": [{"change": "lowered", "label": "下调 ▼", "old": "5.5%左右", "new": "5%左右",
                             "regions": ["河北省", "山西省"]}]}],
    "groups": [{"metric": "居民消费价格涨幅", "metric_key": "cpi", "change": "lowered", "label": "下调 ▼",
                "old": "3%左右", "new": "2%左右", "regions": ["上海市", "广东省"]}],
    "also": [{"region": "…", "title": "…", "archive_url": "https://…", "note": "9项变化"}], "also_changes": 9

and in each document `tier` (0 the nation … 3 a city's other documents), `compared_url`, `goals` (本年主要目标 of
a document without a prior year: `{"metric", "metric_key", "figure", "headline"}`), `steady`, `in_national`,
`in_groups`, `more_priorities`, `notes`; in each change `rank`, `source_url`, `old_url`, `old_excerpt`. A change
shown in `groups` or `national` is not repeated in its document's `changes` (`in_groups`, `in_national` count
them). The envelope (summary, groups, also) is repeated in every part of a split digest.

`change` is one of raised, lowered, unchanged, reworded, new, dropped; figures are display strings in the
digest's units (5.66万亿元, 4.5%—5%), "—" for an absent side. Strings are the crawled text as is: a receiver that
renders them must escape them itself. A digest larger than 256 KiB is split between documents into parts.
A 2xx answer is `sent`; 429, 408, 5xx, a timeout or a broken connection are `retry` (Retry-After honoured);
any other 4xx and 3xx are `failed`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from monitor.channels.base import Outcome, Payload, delivery_id, describe, url_secrets
from monitor.channels.http import HttpSender, NoReply, http_outcome, transport_outcome
from monitor.channels.robots import compact
from monitor.channels.signing import webhook_signature

if TYPE_CHECKING:
    from monitor.digest.editorial import AlsoItem, GroupedMove
    from monitor.digest.national import NationalBlock
    from monitor.digest.selection import ChangeView, DigestContext, DocumentSection, PriorityView

SCHEMA = "govmon.digest.v1"
MAX_BYTES = 256 * 1024


def render(ctx: DigestContext, key: str) -> list[Payload]:
    documents = [_document(s) for s in ctx.sections]
    chunks = _chunks(documents, MAX_BYTES - len(compact(_envelope(ctx, key, 99, 99, []))))
    n = len(chunks)
    return [Payload("webhook", delivery_id(key, i), i, n, compact(_envelope(ctx, key, i, n, docs)))
            for i, docs in enumerate(chunks, 1)]  # fmt: skip


def _envelope(ctx: DigestContext, key: str, part: int, parts: int, documents: list[dict[str, Any]]) -> dict[str, Any]:
    return {"schema": SCHEMA, "delivery_id": delivery_id(key, part), "part": part, "parts": parts,
            "subject": ctx.subject, "window": ctx.window, "generated_at": ctx.generated_at, "follows": ctx.follows,
            "archive_url": ctx.archive_url, "unsubscribe_url": ctx.unsubscribe_url,
            "total_changes": ctx.total_changes, "shown_changes": ctx.shown_changes, "more": ctx.more,
            "documents": documents, "preheader": ctx.preheader, "legend": ctx.legend,
            "summary": _summary(ctx), "national": [_block(b) for b in ctx.national],
            "groups": [_group(g) for g in ctx.groups], "also": [_also(a) for a in ctx.also],
            "also_changes": ctx.also_changes}  # fmt: skip


def _summary(ctx: DigestContext) -> dict[str, Any] | None:
    return {"counts": ctx.summary.counts, "top": list(ctx.summary.top)} if ctx.summary else None


def _block(b: NationalBlock) -> dict[str, Any]:
    return {"year": b.year, "level": b.level, "metric": b.metric, "metric_key": b.metric_key, "lead": b.lead,
            "top_change": b.top_change, "headline": b.headline, "reported": b.reported,
            "moves": [{"change": m.change, "label": m.label, "old": m.old, "new": m.new, "regions": list(m.regions)}
                      for m in b.moves]}  # fmt: skip


def _group(g: GroupedMove) -> dict[str, Any]:
    return {"metric": g.metric, "metric_key": g.metric_key, "change": g.change, "label": g.label, "old": g.old,
            "new": g.new, "regions": list(g.regions)}  # fmt: skip


def _also(a: AlsoItem) -> dict[str, Any]:
    return {"region": a.region, "title": a.title, "archive_url": a.archive_url, "note": a.note}


def _document(s: DocumentSection) -> dict[str, Any]:
    return {"document_id": s.document_id, "title": s.title, "region": s.region, "doc_type": s.doc_type,
            "doc_type_label": s.doc_type_label, "report_year": s.report_year, "published": s.published,
            "url": s.url, "archive_url": s.archive_url, "status": s.status_line, "unchanged": s.unchanged,
            "hidden": s.hidden, "changes": [_change(c) for c in s.changes],
            "priorities": [_priority(p) for p in s.priorities], "tier": s.tier, "compared_url": s.compared_url,
            "goals": [{"metric": g.metric, "metric_key": g.metric_key, "figure": g.figure, "headline": g.headline}
                      for g in s.goals],
            "steady": s.steady, "in_national": s.in_national, "in_groups": s.in_groups,
            "more_priorities": s.more_priorities, "notes": s.notes}  # fmt: skip


def _change(c: ChangeView) -> dict[str, Any]:
    return {"metric": c.metric, "metric_key": c.metric_key, "change": c.change, "label": c.label, "old": c.old,
            "new": c.new, "arrow": c.arrow, "baseline": c.baseline, "headline": c.headline,
            "significance": c.significance, "excerpt": c.excerpt, "sentence": c.sentence,
            "old_sentence": c.old_sentence, "rank": c.rank, "source_url": c.source_url, "old_url": c.old_url,
            "old_excerpt": c.old_excerpt}  # fmt: skip


def _priority(p: PriorityView) -> dict[str, Any]:
    return {"theme": p.theme, "change": p.change, "label": p.label, "counts": p.counts, "sentence": p.sentence}


def _chunks(documents: list[dict[str, Any]], room: int) -> list[list[dict[str, Any]]]:
    """Documents packed in order into parts of at most `room` bytes (a part holds at least one)."""
    chunks: list[list[dict[str, Any]]] = [[]]
    used = 0
    for document in documents:
        size = len(compact(document)) + 1
        if chunks[-1] and used + size > room:
            chunks.append([])
            used = 0
        chunks[-1].append(document)
        used += size
    return chunks


def signed_headers(payload: Payload, secret: str, timestamp: int) -> dict[str, str]:
    headers = {"X-Govmon-Delivery": payload.delivery_id, "X-Govmon-Timestamp": str(timestamp)}
    if secret:
        headers["X-Govmon-Signature"] = webhook_signature(secret, timestamp, payload.body)
    return headers


@dataclass(frozen=True, repr=False)
class WebhookChannel:
    kind: ClassVar[str] = "webhook"

    url: str
    http: HttpSender
    secret: str = ""
    clock: Callable[[], float] = field(default=time.time)

    def describe(self) -> str:
        return describe(self.kind, self.url, self.secret)

    def __repr__(self) -> str:
        return f"WebhookChannel({self.describe()})"

    def render(self, context: DigestContext, *, key: str) -> list[Payload]:
        return render(context, key)

    def send(self, payload: Payload) -> Outcome:
        if payload.channel != self.kind:
            return Outcome.failed(f"a {payload.channel} payload cannot go to a webhook")
        headers = signed_headers(payload, self.secret, int(self.clock()))
        answer = self.http.post(self.url, payload.body, headers)
        if isinstance(answer, NoReply):  # the receiver drops a duplicate by X-Govmon-Delivery
            return transport_outcome(answer, duplicates_harmless=True)
        return http_outcome(answer, (*url_secrets(self.url), self.secret)) or Outcome.sent()
