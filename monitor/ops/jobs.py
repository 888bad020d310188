"""Units of work that the CLI, the scheduler and workers call (named apart from Scrapy's item pipelines).

Each job opens its own transactions on the engine it is given, so it can run in any process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crawler.sources import RegistryError, Source, parse_entry
from db import derived, jobqueue, outbox, reviews
from db.locks import db_lock
from db.outbox import SubscriberRow
from db.session import make_engine, session_scope
from monitor.channels import ChannelError, ChannelFactory, Payload, describe, live_channels
from monitor.channels import render as render_channel
from monitor.channels.outbox import SendReport, Transport, send_pending
from monitor.compare.diff import Change, Diff, diff, plan_goals
from monitor.compare.diff import review_reasons as diff_review_reasons
from monitor.config import Settings
from monitor.digest.national import NationalBlock
from monitor.digest.selection import (
    DigestContext,
    DocumentUpdate,
    Links,
    build_digest,
    content_key,
    due,
    personal,
    window_start,
)
from monitor.extract import extract
from monitor.extract.model import Extraction
from monitor.extract.review import review_reasons
from monitor.ops.crawls import CrawlOutcome, crawl, stop_crawls
from monitor.service.comparisons import national_picture
from monitor.tokens import load_secret, make_token

if TYPE_CHECKING:
    from monitor.publish.render import DigestRenderer

EXTRACTOR_VERSION = "2"  # figure identity: measure, term, confidence; needs_review
__all__ = ["CrawlOutcome", "crawl", "run_once", "run_queued_crawl", "stop_crawls"]
Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class ProcessReport:
    versions: int = 0
    targets: int = 0
    changes: int = 0
    errors: list[str] = field(default_factory=list)


def process_new_versions(
    engine: Engine, *, all_versions: bool = False, progress: Progress | None = None
) -> ProcessReport:
    """Extract every unprocessed version, store its targets and priorities, diff it with the prior year.

    Versions are handled oldest year first, each in its own transaction, so a crash loses at most one version's
    work and a rerun picks up where it stopped. With `all_versions` everything is re-extracted (`reprocess`).
    """
    with session_scope(engine) as session:
        todo = derived.unprocessed_versions(session, all_versions=all_versions)
    report = ProcessReport()
    for done, version_id in enumerate(todo, start=1):
        try:
            _process_one(engine, version_id, report)
        except Exception as exc:  # one bad document must not stop the others; it is reported
            report.errors.append(f"version {version_id}: {type(exc).__name__}: {exc}")
        if progress:
            progress(done, len(todo))
    return report


def _process_one(engine: Engine, version_id: int, report: ProcessReport) -> None:
    with session_scope(engine) as session:
        version = derived.get_version(session, version_id)
        if version is None:
            return
        extraction = extract(version.text, region=version.region, year=version.report_year,
                             doc_type=version.doc_type, title=version.title, url=version.url)  # fmt: skip
        derived.save_extraction(session, version_id, extraction)
        report.versions += 1
        report.targets += len(extraction.targets)
        report.changes += _diff_with_prior_year(session, version, extraction)
        derived.mark_processed(session, version_id, EXTRACTOR_VERSION)
    with session_scope(engine) as session:  # a later year's report already stored is re-diffed against this one
        for later in derived.later_in_series(session, version_id):
            _diff_with_prior_year(session, later)


def _diff_with_prior_year(session: Session, version: derived.VersionInfo, extraction: Extraction | None = None) -> int:
    """Store the version's changes against the prior year (and its term goals against the last plan's), and
    whether the version needs review: its own reasons and a diff that would drop nearly every headline target."""
    new = derived.load_extraction(session, version)
    reasons = extraction.review if extraction is not None else review_reasons(new)
    prior = derived.previous_in_series(session, version.version_id)
    written = 0
    if prior is not None:
        result = diff(derived.load_extraction(session, prior), new)
        written = derived.save_changes(session, prior, version, result)
        reasons = [*reasons, *diff_review_reasons(result.changes)]
    written += _diff_with_prior_plan(session, version, new, prior)
    reviews.save_review(session, version.version_id, reasons)
    return written


def _diff_with_prior_plan(
    session: Session, version: derived.VersionInfo, new: Extraction, prior: derived.VersionInfo | None
) -> int:
    """A document that opens a plan (十五五 goals) compares them with the last plan's goals (十四五)."""
    if not plan_goals(new):
        return 0
    for earlier in derived.earlier_in_series(session, version.version_id):
        old = derived.load_extraction(session, earlier)
        if not plan_goals(old):
            continue
        if prior is not None and earlier.version_id == prior.version_id:
            return 0  # the prior year's diff has compared the goals already
        changes = [c for c in diff(old, new).changes if _term_goal(c)]
        return derived.save_changes(session, earlier, version, Diff(changes))
    return 0


def _term_goal(change: Change) -> bool:
    figure = change.new or change.old
    return figure is not None and figure.term is not None


# --- digests -------------------------------------------------------------------------------------------------


@dataclass
class DigestReport:
    considered: int = 0
    empty: int = 0
    queued: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    delivery: SendReport = field(default_factory=SendReport)  # the outbox after the run: waiting, unknown …


def _now(settings: Settings) -> datetime:
    return datetime.now(ZoneInfo(settings.timezone))


def render_for(settings: Settings, subscriber: SubscriberRow, start: datetime, end: datetime,
               updates: list[DocumentUpdate], secret: bytes,
               national: Sequence[NationalBlock] = ()) -> DigestContext:  # fmt: skip
    links = _links(settings, subscriber, secret)
    return build_digest(_recipient(subscriber), updates, subscriber.filters, links, (start, end), end, national)


def _recipient(subscriber: SubscriberRow) -> str:
    """Whom a digest is addressed to: the e-mail address, or the channel's masked destination."""
    return subscriber.email or describe(subscriber.channel, subscriber.channel_url, subscriber.channel_secret)


def _links(settings: Settings, subscriber: SubscriberRow, secret: bytes) -> Links:
    base = settings.base_url.rstrip("/")
    token = make_token(subscriber.id, subscriber.identity, secret)
    return Links(settings.base_url, f"{base}/unsubscribe?token={token}", f"{base}/preferences?token={token}")


def digest_message(settings: Settings, subscriber: SubscriberRow, context: DigestContext, key: str,
                   renderer: DigestRenderer | None = None) -> bytes:  # fmt: skip
    """The digest's wire form; `renderer` reuses what an earlier subscriber's identical digest rendered."""
    from monitor.channels.outbox import message_id_for
    from monitor.publish.render import render_digest

    fmt = subscriber.format
    make = renderer.render if renderer is not None else render_digest
    done = make(context, fmt in ("html", "both"), fmt in ("text", "both"))
    html, text = done.html, done.text
    # with a renderer the same bytes are assembled from a template of this digest's message
    make_message = renderer.messages.message if renderer is not None else _built
    return make_message(sender=settings.smtp_from, to=subscriber.email, subject=context.subject, text=text, html=html,
                        message_id=message_id_for(key, settings.smtp_from), unsubscribe_url=context.unsubscribe_url,
                        date=_now(settings), list_id=list_id(settings.base_url),
                        unsubscribe_mailto=unsubscribe_mailto(settings, context.unsubscribe_url))  # fmt: skip


def _built(**fields: Any) -> bytes:
    from monitor.channels.outbox import as_bytes, build_message

    return as_bytes(build_message(**fields))


def list_id(base_url: str) -> str:
    """RFC 2919 List-Id of the digests, in the namespace of the public host."""
    return f"govmon digests <digest.{urlsplit(base_url).hostname or 'govmon.invalid'}>"


def unsubscribe_mailto(settings: Settings, unsubscribe_url: str) -> str:
    """The mailto: of List-Unsubscribe, with the token in the subject, when an unsubscribe mailbox is set."""
    if not settings.unsubscribe_mailbox:
        return ""
    token = unsubscribe_url.rpartition("token=")[2]
    return f"mailto:{settings.unsubscribe_mailbox}?subject={quote(f'unsubscribe {token}')}"


@dataclass(frozen=True)
class DueDigest:
    """One subscriber's next digest, built but not recorded."""

    subscriber: SubscriberRow
    start: datetime
    context: DigestContext


def due_digests(engine: Engine, settings: Settings, now: datetime, only: str | None = None,
                force: bool = False) -> list[DueDigest]:  # fmt: skip
    """Every due subscriber's next digest (empty ones included), read-only: nothing is recorded."""
    secret = load_secret(settings)
    with session_scope(engine) as session:
        subscribers = outbox.list_subscribers(session, active_only=True, email=only)
    due_now = [s for s in subscribers if force or due(s.cadence, s.last_digest_at, now, settings.digest_hour)]
    if not due_now:
        return []
    earliest = min(window_start(s.last_digest_at, s.created_at) for s in due_now)
    with session_scope(engine) as session:  # gathered once; each subscriber takes its own window of it
        updates = outbox.updates_between(session, earliest, now)
    national = national_picture(engine, updates)
    built = []
    shared: dict[tuple[object, ...], DigestContext] = {}  # subscribers with the same filters and window
    for subscriber in due_now:
        start = window_start(subscriber.last_digest_at, subscriber.created_at)
        mine = [u for u in updates if u.processed_at is None or start <= u.processed_at < now]
        same = (subscriber.filters, tuple(u.version_id for u in mine), f"{start.astimezone(now.tzinfo):%Y%m%d%H%M}")
        context = shared.get(same)
        if context is None:
            context = render_for(settings, subscriber, start, now, mine, secret, national)
            shared[same] = context
            if len(shared) > SHARED_CONTEXTS:
                del shared[next(iter(shared))]
        else:  # the same digest: only the address and the signed links differ
            context = personal(context, _recipient(subscriber), _links(settings, subscriber, secret))
        built.append(DueDigest(subscriber, start, context))
    return built


SHARED_CONTEXTS = 64


def preview_digests(engine: Engine, settings: Settings, now: datetime | None = None, only: str | None = None,
                    force: bool = False) -> list[tuple[DueDigest, bytes]]:  # fmt: skip
    """The messages the next run would queue, with nothing recorded: no outbox row, no window advanced."""
    from monitor.publish.render import DigestRenderer

    now = now or _now(settings)
    previews = []
    renderer = DigestRenderer()
    for d in due_digests(engine, settings, now, only, force):
        if not d.context.empty and d.subscriber.channel == "email":  # channel payloads: `digest --out --record`
            key = content_key(d.subscriber.id, d.start, d.context)
            previews.append((d, digest_message(settings, d.subscriber, d.context, key, renderer)))
    return previews


def preview_channel_payloads(
    engine: Engine, settings: Settings, now: datetime | None = None, only: str | None = None, force: bool = False
) -> list[tuple[DueDigest, list[Payload]]]:
    """What the next run would queue for channel subscribers (webhook, robots), with nothing recorded."""
    now = now or _now(settings)
    found = []
    for d in due_digests(engine, settings, now, only, force):
        if not d.context.empty and d.subscriber.channel != "email":
            key = content_key(d.subscriber.id, d.start, d.context)
            found.append((d, render_channel(d.subscriber.channel, d.context, key)))
    return found


def queue_due_digests(engine: Engine, settings: Settings, now: datetime | None = None,
                      only: str | None = None, force: bool = False) -> DigestReport:  # fmt: skip
    """Render each due subscriber's digest into the outbox and advance their window, in one transaction each."""
    from monitor.channels.outbox import message_id_for
    from monitor.publish.render import DigestRenderer

    now = now or _now(settings)
    report = DigestReport()
    renderer = DigestRenderer()
    built = due_digests(engine, settings, now, only, force)
    for start in range(0, len(built), QUEUE_BATCH):
        batch = built[start : start + QUEUE_BATCH]
        mail = []  # rendered before the transaction begins: the database is written to only briefly
        for d in batch:
            if not d.context.empty and d.subscriber.channel == "email":
                key = content_key(d.subscriber.id, d.start, d.context)
                payload = digest_message(settings, d.subscriber, d.context, key, renderer)
                mail.append(outbox.Queued(d.subscriber.id, key, message_id_for(key, settings.smtp_from), payload,
                                          (d.start, now)))  # fmt: skip
        with session_scope(engine) as session:  # each digest is queued with its window advanced, or neither is
            for d in batch:
                report.considered += 1
                if d.context.empty:
                    report.empty += 1
                elif d.subscriber.channel != "email":
                    report.queued += _enqueue_parts(session, d.subscriber, d.context, d.start, now)
            report.queued += outbox.enqueue_many(session, mail)
            outbox.mark_digested(session, [d.subscriber.id for d in batch], now)
    return report


def _enqueue_parts(
    session: Session, subscriber: SubscriberRow, context: DigestContext, start: datetime, end: datetime
) -> bool:
    """A channel's digest into the outbox: one row per part, in part order, in the caller's transaction."""
    key = content_key(subscriber.id, start, context)
    queued = False
    for payload in render_channel(subscriber.channel, context, key):
        row_key = f"{key}-{payload.part}"
        queued |= outbox.enqueue(session, subscriber.id, row_key, payload.delivery_id, payload.dumps(), (start, end))
    return queued


QUEUE_BATCH = 100  # digests queued per transaction: one commit each would cost more than rendering them


def transport_for(settings: Settings) -> Transport:
    """SMTP, or .eml files in `mail_dir` when that is set (demos, staging)."""
    from monitor.channels.outbox import DirectoryTransport, SmtpTransport

    return DirectoryTransport(Path(settings.mail_dir)) if settings.mail_dir else SmtpTransport(settings)


def send_due_digests(engine: Engine, settings: Settings, transport: Transport, now: datetime | None = None,
                     only: str | None = None, force: bool = False,
                     channels: ChannelFactory | None = None) -> DigestReport:  # fmt: skip
    """Queue the due digests, then send everything pending in the outbox: mail through `transport`, the other
    channels through `channels` (by default live, over HTTP with the egress guard)."""
    report = queue_due_digests(engine, settings, now, only, force)
    try:
        from monitor.channels.http import HttpSender  # the egress guard, loaded only when channels send

        http = HttpSender.from_settings(settings)
    except ChannelError as exc:  # a malformed channel setting holds the channels' rows back, never the mail
        http, report.errors = None, [*report.errors, f"channel digests wait: {exc}"]
    live = live_channels(http) if http is not None else None
    try:
        sent = send_pending(engine, transport, settings.smtp_from, lambda: _now(settings), channels=channels or live)
    finally:
        if http is not None:
            http.close()
    report.sent, report.retried, report.failed = sent.sent, sent.retried, sent.failed
    report.errors += sent.errors
    report.delivery = sent
    return report


# --- crawls (monitor/ops/crawls.py) and crawl jobs from the task queue (monitor/ops/workers.py) ---------------


def run_queued_crawl(settings: Settings, job_id: str, entries: Sequence[dict[str, Any]], cycle: str, worker: str,
                     overrides: Sequence[str] = ()) -> str:  # fmt: skip
    """Run one delivered crawl job (a batch of sources): `done`, `failed` (a crawl failed; the next cycle retries
    it), `duplicate` (every source's job already ran this cycle: a redelivery) or `busy` (another process is
    crawling one of them: deliver the job again later; the sources already done are not crawled twice).

    The registry entries travel in the message, so a worker needs no registry file of its own. The ledger row of
    each source is begun by the crawl process under the source's lock (`crawler.extensions`).
    """
    engine = make_engine(settings.database_url)
    try:
        rows = {str(e.get("id")): jobqueue.row_id(job_id, str(e.get("id"))) for e in entries}
        with session_scope(engine) as session:
            finished = jobqueue.finished_sources(session, list(rows), cycle)
        sources = _parsed(engine, [e for e in entries if str(e.get("id")) not in finished], rows, cycle, worker)
        if not sources:
            return "duplicate"
        context = {"cycle": cycle, "worker": worker, "rows": {s.id: rows[s.id] for s in sources}}
        outcomes = crawl(
            settings, [], sources=sources, parallel=1, overrides=overrides, job=context, batch_size=len(sources)
        )
        with db_lock(engine, "process") as taken:
            if taken:  # else another worker is processing; it (or the scheduler's digest job) picks these up
                process_new_versions(engine)
        if any(o.status == "skipped" for o in outcomes):
            return "busy"
        return "done" if all(o.ok for o in outcomes) else "failed"
    finally:
        engine.dispose()


def _parsed(
    engine: Engine, entries: list[dict[str, Any]], rows: dict[str, str], cycle: str, worker: str
) -> list[Source]:
    """The entries as sources; an invalid one fails its ledger row with the reason (it cannot be crawled)."""
    sources = []
    for index, entry in enumerate(entries):
        try:
            sources.append(parse_entry(entry, index))
        except RegistryError as exc:
            with session_scope(engine) as session:
                if jobqueue.begin(session, rows[str(entry.get("id"))], str(entry.get("id")), cycle, worker):
                    jobqueue.finish(session, rows[str(entry.get("id"))], False, error=str(exc))
    return sources


@dataclass
class RunReport:
    crawls: list[CrawlOutcome]
    processed: ProcessReport
    digests: DigestReport


def run_once(engine: Engine, settings: Settings, transport: Transport, source_ids: Sequence[str],
             registry: str | None = None, overrides: Sequence[str] = (),
             progress: Callable[[CrawlOutcome], None] | None = None,
             sources: Sequence[Source] | None = None) -> RunReport:  # fmt: skip
    """One full cycle: crawl (`sources`, else `source_ids` of the registry) → extract and diff → due digests."""
    crawls = crawl(settings, source_ids, registry, overrides=overrides, progress=progress, sources=sources)
    processed = process_new_versions(engine)
    digests = send_due_digests(engine, settings, transport)
    return RunReport(crawls, processed, digests)
