"""Units of work that the CLI, the scheduler and workers call (named apart from Scrapy's item pipelines).

Each job opens its own transactions on the engine it is given, so it can run in any process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crawler.sources import RegistryError, Source, parse_entry
from db import derived, jobqueue, outbox, reviews
from db.locks import db_lock
from db.outbox import SubscriberRow
from db.session import make_engine, session_scope
from monitor.channels.outbox import SendReport, Transport, send_pending
from monitor.compare.diff import Change, Diff, diff, plan_goals
from monitor.compare.diff import review_reasons as diff_review_reasons
from monitor.config import Settings
from monitor.digest.national import NationalBlock
from monitor.digest.selection import DigestContext, DocumentUpdate, Links, build_digest, content_key, due, window_start
from monitor.extract import extract
from monitor.extract.model import Extraction
from monitor.extract.review import review_reasons
from monitor.ops.crawls import CrawlOutcome, crawl, stop_crawls
from monitor.service.comparisons import national_picture
from monitor.tokens import load_secret, make_token

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


def _diff_with_prior_plan(session: Session, version: derived.VersionInfo, new: Extraction,
                          prior: derived.VersionInfo | None) -> int:  # fmt: skip
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
    base = settings.base_url.rstrip("/")
    token = make_token(subscriber.id, subscriber.email, secret)
    links = Links(settings.base_url, f"{base}/unsubscribe?token={token}", f"{base}/preferences?token={token}")
    return build_digest(subscriber.email, updates, subscriber.filters, links, (start, end), end, national)


def digest_message(settings: Settings, subscriber: SubscriberRow, context: DigestContext, key: str) -> bytes:
    from monitor.channels.outbox import as_bytes, build_message, message_id_for
    from monitor.publish.render import render_digest_html, render_digest_text

    html = render_digest_html(context) if subscriber.format in ("html", "both") else None
    text = render_digest_text(context) if subscriber.format in ("text", "both") else None
    message = build_message(sender=settings.smtp_from, to=subscriber.email, subject=context.subject, text=text,
                            html=html, message_id=message_id_for(key, settings.smtp_from),
                            unsubscribe_url=context.unsubscribe_url, date=_now(settings),
                            list_id=list_id(settings.base_url), unsubscribe_mailto=unsubscribe_mailto(settings,
                            context.unsubscribe_url))  # fmt: skip
    return as_bytes(message)


def list_id(base_url: str) -> str:
    """RFC 2919 List-Id of the digests, in the namespace of the public host."""
    return f"govmon digests <digest.{urlsplit(base_url).hostname or 'govmon.invalid'}>"


def unsubscribe_mailto(settings: Settings, unsubscribe_url: str) -> str:
    """The mailto: of List-Unsubscribe, with the token in the subject, when an unsubscribe mailbox is set."""
    if not settings.unsubscribe_mailbox:
        return ""
    token = unsubscribe_url.rpartition("token=")[2]
    return f"mailto:{settings.unsubscribe_mailbox}?subject={quote(f'unsubscribe {token}')}"


def queue_due_digests(engine: Engine, settings: Settings, now: datetime | None = None,
                      only: str | None = None, force: bool = False) -> DigestReport:  # fmt: skip
    """Render each due subscriber's digest into the outbox and advance their window, in one transaction each."""
    now = now or _now(settings)
    secret = load_secret(settings)
    report = DigestReport()
    with session_scope(engine) as session:
        subscribers = outbox.list_subscribers(session, active_only=True, email=only)
    due_now = [s for s in subscribers if force or due(s.cadence, s.last_digest_at, now, settings.digest_hour)]
    if not due_now:
        return report
    earliest = min(window_start(s.last_digest_at, s.created_at) for s in due_now)
    with session_scope(engine) as session:  # gathered once; each subscriber takes its own window of it
        updates = outbox.updates_between(session, earliest, now)
    national = national_picture(engine, updates)
    for subscriber in due_now:
        report.considered += 1
        start = window_start(subscriber.last_digest_at, subscriber.created_at)
        mine = [u for u in updates if u.processed_at is None or start <= u.processed_at < now]
        context = render_for(settings, subscriber, start, now, mine, secret, national)
        with session_scope(engine) as session:
            if context.empty:
                report.empty += 1
            else:
                key = content_key(subscriber.id, start, context)
                payload = digest_message(settings, subscriber, context, key)
                message_id = _message_id(payload)
                report.queued += outbox.enqueue(session, subscriber.id, key, message_id, payload, (start, now))
            outbox.mark_digested(session, subscriber.id, now)
    return report


def _message_id(payload: bytes) -> str:
    from email import message_from_bytes

    return str(message_from_bytes(payload)["Message-ID"])


def transport_for(settings: Settings) -> Transport:
    """SMTP, or .eml files in `mail_dir` when that is set (demos, staging)."""
    from monitor.channels.outbox import DirectoryTransport, SmtpTransport

    return DirectoryTransport(Path(settings.mail_dir)) if settings.mail_dir else SmtpTransport(settings)


def send_due_digests(engine: Engine, settings: Settings, transport: Transport, now: datetime | None = None,
                     only: str | None = None, force: bool = False) -> DigestReport:  # fmt: skip
    """Queue the due digests, then send everything pending in the outbox."""
    report = queue_due_digests(engine, settings, now, only, force)
    sent = send_pending(engine, transport, settings.smtp_from, lambda: _now(settings))
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
        outcomes = crawl(settings, [], sources=sources, parallel=1, overrides=overrides, job=context,
                         batch_size=len(sources))  # fmt: skip
        with db_lock(engine, "process") as taken:
            if taken:  # else another worker is processing; it (or the scheduler's digest job) picks these up
                process_new_versions(engine)
        if any(o.status == "skipped" for o in outcomes):
            return "busy"
        return "done" if all(o.ok for o in outcomes) else "failed"
    finally:
        engine.dispose()


def _parsed(engine: Engine, entries: list[dict[str, Any]], rows: dict[str, str], cycle: str,
            worker: str) -> list[Source]:  # fmt: skip
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
