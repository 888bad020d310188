"""Units of work that the CLI, the scheduler and workers call (named apart from Scrapy's item pipelines).

Each job opens its own transactions on the engine it is given, so it can run in any process.
"""

from __future__ import annotations

import ctypes
import json
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from db import derived, jobqueue, outbox, reviews
from db.locks import db_lock
from db.outbox import SubscriberRow
from db.runs import close_unfinished, record_crash
from db.session import make_engine, session_scope
from monitor.config import Settings, child_environment
from monitor.deliver import Transport, send_pending
from monitor.diff import Change, Diff, diff, plan_goals
from monitor.diff import review_reasons as diff_review_reasons
from monitor.digest import DigestContext, DocumentUpdate, Links, build_digest, content_key, due, window_start
from monitor.extract import extract
from monitor.extract.model import Extraction
from monitor.extract.review import review_reasons
from monitor.tokens import load_secret, make_token

EXTRACTOR_VERSION = "2"  # figure identity: measure, term, confidence; needs_review
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


def _now(settings: Settings) -> datetime:
    return datetime.now(ZoneInfo(settings.timezone))


def render_for(settings: Settings, subscriber: SubscriberRow, start: datetime, end: datetime,
               updates: list[DocumentUpdate], secret: bytes) -> DigestContext:  # fmt: skip
    token = make_token(subscriber.id, subscriber.email, secret)
    links = Links(
        archive_base=settings.base_url, unsubscribe_url=f"{settings.base_url.rstrip('/')}/unsubscribe?token={token}"
    )
    return build_digest(subscriber.email, updates, subscriber.filters, links, (start, end), end)


def digest_message(settings: Settings, subscriber: SubscriberRow, context: DigestContext, key: str) -> bytes:
    from monitor.deliver import as_bytes, build_message, message_id_for
    from monitor.render import render_digest_html, render_digest_text

    html = render_digest_html(context) if subscriber.format in ("html", "both") else None
    text = render_digest_text(context) if subscriber.format in ("text", "both") else None
    message = build_message(sender=settings.smtp_from, to=subscriber.email, subject=context.subject, text=text,
                            html=html, message_id=message_id_for(key, settings.smtp_from),
                            unsubscribe_url=context.unsubscribe_url, date=_now(settings))  # fmt: skip
    return as_bytes(message)


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
    for subscriber in due_now:
        report.considered += 1
        start = window_start(subscriber.last_digest_at, subscriber.created_at)
        mine = [u for u in updates if u.processed_at is None or start <= u.processed_at < now]
        context = render_for(settings, subscriber, start, now, mine, secret)
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
    from monitor.deliver import DirectoryTransport, SmtpTransport

    return DirectoryTransport(Path(settings.mail_dir)) if settings.mail_dir else SmtpTransport(settings)


def send_due_digests(engine: Engine, settings: Settings, transport: Transport, now: datetime | None = None,
                     only: str | None = None, force: bool = False) -> DigestReport:  # fmt: skip
    """Queue the due digests, then send everything pending in the outbox."""
    report = queue_due_digests(engine, settings, now, only, force)
    sent = send_pending(engine, transport, settings.smtp_from, lambda: _now(settings))
    report.sent, report.retried, report.failed = sent.sent, sent.retried, sent.failed
    report.errors += sent.errors
    return report


# --- crawls --------------------------------------------------------------------------------------------------

CRAWL_TIMEOUT = 30 * 60
_children: set[subprocess.Popen[bytes]] = set()
_children_lock = threading.Lock()
_stopping = threading.Event()  # set by stop_crawls(): a crawl ending now was stopped, it did not crash


@dataclass
class CrawlOutcome:
    source_id: str
    ok: bool
    health: str = "unknown"
    new: int = 0
    changed: int = 0
    error: str | None = None


def crawl(settings: Settings, source_ids: Sequence[str], registry: str | None = None, *,
          timeout: float = CRAWL_TIMEOUT, parallel: int = 2, progress: Callable[[CrawlOutcome], None] | None = None,
          overrides: Sequence[str] = ()) -> list[CrawlOutcome]:  # fmt: skip
    """Crawl each source in a subprocess of its own (`govmon crawl --source ID --json`), a few at a time.

    A crawl that crashes, hangs past `timeout` or is killed is recorded as a failed CrawlRun and retried at the
    next run; it never blocks the other sources.
    """
    outcomes: list[CrawlOutcome] = []
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        for outcome in pool.map(lambda sid: _crawl_one(settings, sid, registry, timeout, overrides), source_ids):
            outcomes.append(outcome)
            if progress:
                progress(outcome)
    return outcomes


def _crawl_command(settings: Settings, source_id: str, registry: str | None, overrides: Sequence[str]) -> list[str]:
    """The crawl's command line; the database URL goes through its environment (`config.child_environment`), since any
    local user can read a command line (`ps`) and the URL may hold a password."""
    command = [sys.executable, "-m", "monitor", "crawl", "--source", source_id, "--json"]
    command += ["--sources", registry] if registry else []
    return command + [f"-s{override}" for override in overrides]


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the thread that started it dies, so no crawl outlives a killed
    worker or scheduler (Linux; elsewhere the crawl runs to its end and its documents are still stored once)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def _crawl_one(settings: Settings, source_id: str, registry: str | None, timeout: float,
               overrides: Sequence[str]) -> CrawlOutcome:  # fmt: skip
    command = _crawl_command(settings, source_id, registry, overrides)
    preexec = _die_with_parent if sys.platform == "linux" else None
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_environment(settings),
                          preexec_fn=preexec) as child:  # fmt: skip
        with _children_lock:
            _children.add(child)
        try:
            out, err = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            out, err = child.communicate()
            err += f"\ncrawl timed out after {timeout:.0f} s".encode()
        finally:
            with _children_lock:
                _children.discard(child)
    return _outcome(settings, source_id, child.returncode, out, err)


def _outcome(settings: Settings, source_id: str, code: int, out: bytes, err: bytes) -> CrawlOutcome:
    try:
        (result,) = json.loads(out.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        result = None
    status = "stopped" if _stopping.is_set() else "failed"
    if code in (0, 7) and isinstance(result, dict):
        docs = result.get("documents", {})
        _record(settings, lambda s: close_unfinished(s, source_id, f"crawl exited with status {code}", status))
        return CrawlOutcome(source_id, code == 0, str(result.get("health")), int(docs.get("new", 0)),
                            int(docs.get("changed", 0)), result.get("reason"))  # fmt: skip
    reason = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit status {code}"]
    error = f"exit status {code}: {reason[0]}"
    if status == "stopped":
        error = "stopped at shutdown; crawled again at the next run"
    _record(settings, lambda s: record_crash(s, source_id, error, status))
    return CrawlOutcome(source_id, False, "unknown", error=error)


def _record(settings: Settings, write: Callable[[Session], object]) -> None:
    engine = make_engine(settings.database_url)
    try:
        with session_scope(engine) as session:
            write(session)
    finally:
        engine.dispose()


def stop_crawls(grace: float = 20.0) -> None:
    """Ask running crawl subprocesses to stop (Scrapy closes gracefully on SIGTERM), kill them after `grace`."""
    _stopping.set()
    with _children_lock:
        children = list(_children)
    for child in children:
        child.terminate()
    deadline = time.monotonic() + grace
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()


# --- crawl jobs from the task queue (monitor/tasks.py) -----------------------------------------------------------


def run_queued_crawl(settings: Settings, job_id: str, source: dict[str, Any], cycle: str, worker: str,
                     overrides: Sequence[str] = ()) -> str:  # fmt: skip
    """Run one delivered crawl job: `done`, `failed` (the crawl failed; the next cycle retries it), `duplicate`
    (this job already ran: a redelivery) or `busy` (another crawl of the source is running: deliver it later).

    The source's registry entry travels in the message, so a worker needs no registry file of its own.
    """
    import yaml

    source_id = str(source["id"])
    engine = make_engine(settings.database_url)
    try:
        with db_lock(engine, f"crawl:{source_id}") as taken:
            if not taken:
                return "busy"
            with session_scope(engine) as session:
                if not jobqueue.begin(session, job_id, source_id, cycle, worker):
                    return "duplicate"
            with tempfile.TemporaryDirectory(prefix="govmon-job-") as tmp:
                registry = Path(tmp) / "source.yaml"
                registry.write_text(yaml.safe_dump([source], allow_unicode=True), encoding="utf-8")
                (outcome,) = crawl(settings, [source_id], str(registry), parallel=1, overrides=overrides)
            with session_scope(engine) as session:
                jobqueue.finish(session, job_id, outcome.ok, outcome.new + outcome.changed, outcome.error)
        with db_lock(engine, "process") as taken:
            if taken:  # else another worker is processing; it (or the scheduler's digest job) picks these up
                process_new_versions(engine)
        return "done" if outcome.ok else "failed"
    finally:
        engine.dispose()


@dataclass
class RunReport:
    crawls: list[CrawlOutcome]
    processed: ProcessReport
    digests: DigestReport


def run_once(engine: Engine, settings: Settings, transport: Transport, source_ids: Sequence[str],
             registry: str | None = None, overrides: Sequence[str] = (),
             progress: Callable[[CrawlOutcome], None] | None = None) -> RunReport:  # fmt: skip
    """One full cycle: crawl → extract and diff → due digests."""
    crawls = crawl(settings, source_ids, registry, overrides=overrides, progress=progress)
    processed = process_new_versions(engine)
    digests = send_due_digests(engine, settings, transport)
    return RunReport(crawls, processed, digests)
