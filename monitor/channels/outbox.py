"""Delivery: digest messages and the outbox sender.

Side effects enter through injectable objects: one `Transport` for e-mail (`monitor.channels.mail`: SMTP, or .eml
files for `--out`/`mail_dir`) and a `ChannelFactory` for the other channels (live HTTP, or JSON files for
`--out`). `send_pending` keeps the outbox's promise for every medium: a digest is sent at most once and none is
silently lost — each row ends `sent`, back to `pending` with a later attempt, `failed` with the reason, or
`unknown` only when a message left the process and no answer came back (it is then never resent by itself).

A channel's digest may be several rows, one per part (idempotency key `<key>-<part>`): a part waits until the
part before it is sent, and fails when that one failed, so a group never reads part 2 without part 1.

Mail rows are claimed a batch at a time for a lease (`claimed`), on one connection, and each message then costs
one short transaction that records the message before it `sent` and marks it `sending` just before it leaves.
So only the message on the wire can be `sending` when the process dies (the next run makes it `unknown`, as
ever); the rest of its batch was never handed over and is sent by the next run, at once when this one stopped
cleanly, or when the lease ends. Two senders at once take different batches (db.outbox.claim_batch).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from db import outbox
from db.session import session_scope
from monitor.channels import ChannelError, ChannelFactory, Outcome, Payload, describe
from monitor.channels.addresses import InvalidAddress, parse_address, shown
from monitor.channels.mail import (
    DirectoryTransport,
    PermanentFailure,
    SmtpTransport,
    TemporaryFailure,
    Transport,
    UncertainDelivery,
)

# the transports are re-exported: callers import them from here, with the sender
__all__ = ["DirectoryChannels", "DirectoryTransport", "PermanentFailure", "SendReport", "SmtpTransport",
           "TemporaryFailure", "Transport", "UncertainDelivery", "as_bytes", "build_message", "message_id_for",
           "send_pending"]  # fmt: skip

MAX_ATTEMPTS = 8


def build_message(*, sender: str, to: str, subject: str, text: str | None, html: str | None, message_id: str,
                  unsubscribe_url: str, date: datetime, list_id: str = "",
                  unsubscribe_mailto: str = "") -> EmailMessage:  # fmt: skip
    """multipart/alternative (text first, HTML preferred) or a single part, with the list headers: one-click
    List-Unsubscribe (RFC 8058; a mailto: too when an unsubscribe mailbox is set), List-Id and Auto-Submitted."""
    msg = EmailMessage()
    # a scraped title or region with a line break would make the header invalid (every digest would fail)
    msg["Subject"], msg["From"], msg["To"] = " ".join(subject.split()), sender, to
    msg["Date"], msg["Message-ID"] = format_datetime(date), message_id
    msg["List-Unsubscribe"] = ", ".join(f"<{uri}>" for uri in (unsubscribe_url, unsubscribe_mailto) if uri)
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if list_id:
        msg["List-Id"] = list_id
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a digest
    msg.set_content(text if text is not None else "This digest is HTML only.", charset="utf-8")
    if html is not None:
        if text is None:
            msg.clear_content()
            msg.set_content(html, subtype="html", charset="utf-8")
        else:
            msg.add_alternative(html, subtype="html", charset="utf-8")
    return msg


def message_id_for(key: str, sender: str) -> str:
    """A Message-ID derived from the idempotency key: the same digest always carries the same id."""
    domain = sender.rpartition("@")[2].strip(" >") or "govmon.local"
    return f"<{key[:40]}@{domain}>"


# Lines up to RFC 5322's hard limit: folded at 78, a header holding a long URL (List-Unsubscribe with a long base
# URL or a mailto:) would be turned into RFC 2047 encoded words, which no mailbox provider reads as a URI.
WIRE = policy.SMTP.clone(max_line_length=998)


def as_bytes(message: EmailMessage) -> bytes:
    """The wire form (CRLF line ends), as stored in the outbox and written to .eml files."""
    return message.as_bytes(policy=WIRE)


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    unknown: int = 0  # handed over, never confirmed (this run)
    recovered_unknown: int = 0  # left `sending` by an earlier run that died, now `unknown`
    waiting: int = 0  # still pending after this run (backing off, or not yet due)
    next_attempt_at: datetime | None = None
    errors: list[str] = field(default_factory=list)


def send_pending(engine: Engine, transport: Transport, sender: str, now: Callable[[], datetime],
                 max_attempts: int = MAX_ATTEMPTS, channels: ChannelFactory | None = None) -> SendReport:  # fmt: skip
    """Send every due outbox row once: claim (sending) → transmit → sent; failures go back with backoff.

    Rows of channel subscribers go through `channels` (none given: they stay pending, as for a run that only
    sends mail)."""
    report = SendReport()
    with session_scope(engine) as session:
        report.recovered_unknown = outbox.recover_interrupted(session)
        due = outbox.due_deliveries(session, now())
    mail = [d for d in due if d.channel == "email"]
    try:
        if channels is not None:
            run = _ChannelRun(channels)
            for delivery in (d for d in due if d.channel != "email"):
                _send_by_channel(engine, run, delivery, now, max_attempts, report)
        if mail:
            _send_mail(_MailRun(engine, transport, sender, now, max_attempts, report), mail)
    finally:
        transport.close()
        _count_waiting(engine, report)
    return report


BATCH = 100  # mail rows claimed per transaction


@dataclass
class _MailRun:
    """One run over mail rows: a batch is claimed in one transaction, then each message costs one more, which
    records the message before it as sent and marks this one `sending` just before it leaves. Between the two, a
    message the server accepted is still `sending`: a crash there makes it `unknown`, never resent, as when its
    own transaction would have recorded it."""

    engine: Engine
    transport: Transport
    sender: str
    now: Callable[[], datetime]
    max_attempts: int
    report: SendReport
    accepted: int | None = None  # the message the server accepted, not yet recorded `sent`
    steps: outbox.Steps | None = None  # on the run's connection


def _send_mail(run: _MailRun, mail: list[outbox.DeliveryRow]) -> None:
    with run.engine.connect() as conn:  # one connection for the run's hot path (no checkout, no ping per message)
        for start in range(0, len(mail), BATCH):
            if not _connected(run, conn, mail[start:]):  # a dead server is found before any row is claimed
                return
            batch = mail[start : start + BATCH]
            moment = run.now()
            lease = moment + outbox.LEASE
            with conn.begin():
                payloads = outbox.claim_batch(conn, [d.id for d in batch], moment, lease)
            claimed = [d for d in batch if d.id in payloads]
            try:
                for index, delivery in enumerate(claimed):
                    if not _connected(run, conn, claimed[index:] + mail[start + BATCH :], lease):
                        return
                    _send_claimed(run, conn, delivery, payloads.pop(delivery.id), lease)
            finally:
                try:
                    _record_accepted(run, conn)
                finally:
                    _release(conn, [d.id for d in claimed if d.id in payloads], lease)


def _connected(run: _MailRun, conn: Connection, rest: list[outbox.DeliveryRow], lease: datetime | None = None) -> bool:
    """Whether the transport is connected (it reconnects after a dropped session). If not, every row of `rest`
    waits for the next run, its attempt counted (those of this run's claim are released first)."""
    try:
        run.transport.connect()
    except (TemporaryFailure, PermanentFailure) as exc:
        _record_accepted(run, conn)
        if lease is not None:
            _release(conn, [d.id for d in rest], lease)
        run.report.errors.append(str(exc))
        _retry_all(run.engine, rest, str(exc), run.now(), run.max_attempts, run.report)
        return False
    return True


def _release(conn: Connection, ids: list[int], lease: datetime) -> None:
    """Claimed rows this run will not send back to pending now, rather than at the end of the lease."""
    if ids:
        with contextlib.suppress(SQLAlchemyError), conn.begin():  # else they wait for the lease to end
            outbox.release(conn, ids, lease)


def _send_claimed(run: _MailRun, conn: Connection, delivery: outbox.DeliveryRow, payload: bytes,
                  lease: datetime) -> None:  # fmt: skip
    if run.steps is None:
        run.steps = outbox.Steps(conn)
    started = run.steps.advance(run.accepted, delivery.id, lease)
    if run.accepted is not None:
        run.accepted, run.report.sent = None, run.report.sent + 1
    if not started:  # the claim was lost: its lease ended and another sender has it, or it was cancelled
        return
    try:
        recipient = parse_address(delivery.email).email  # rows stored before addresses were validated
        run.transport.send(payload, run.sender, recipient)
    except (TemporaryFailure, PermanentFailure, UncertainDelivery, InvalidAddress) as exc:
        _record_failure(run.engine, delivery, exc, run.now(), run.max_attempts, run.report)
        return
    except BaseException as exc:  # a bug, or the process is being stopped: whether it left is not known
        with session_scope(run.engine) as session:
            outbox.mark_unknown(session, delivery.id, f"interrupted while sending: {type(exc).__name__}: {exc}")
        raise
    run.accepted = delivery.id


def _record_accepted(run: _MailRun, conn: Connection) -> None:
    if run.accepted is not None:
        with conn.begin():
            outbox.mark_sent(conn, run.accepted)
        run.accepted, run.report.sent = None, run.report.sent + 1


def _count_waiting(engine: Engine, report: SendReport) -> None:
    with session_scope(engine) as session:
        report.waiting, report.next_attempt_at = outbox.waiting(session)


def _send_one(engine: Engine, transport: Transport, sender: str, delivery: outbox.DeliveryRow,
              now: Callable[[], datetime], max_attempts: int, report: SendReport) -> None:  # fmt: skip
    with session_scope(engine) as session:
        if not outbox.claim(session, delivery.id):
            return
        payload = outbox.payload_of(session, delivery.id)
    try:
        recipient = parse_address(delivery.email).email  # rows stored before addresses were validated
        transport.send(payload, sender, recipient)
    except (TemporaryFailure, PermanentFailure, UncertainDelivery, InvalidAddress) as exc:
        _record_failure(engine, delivery, exc, now(), max_attempts, report)
        return
    except BaseException as exc:  # a bug, or the process is being stopped: whether it left is not known
        with session_scope(engine) as session:
            outbox.mark_unknown(session, delivery.id, f"interrupted while sending: {type(exc).__name__}: {exc}")
        raise
    with session_scope(engine) as session:
        outbox.mark_sent(session, delivery.id)
    report.sent += 1


def _record_failure(
    engine: Engine, delivery: outbox.DeliveryRow, exc: Exception, now: datetime, max_attempts: int, report: SendReport
) -> None:
    error = str(exc)
    if isinstance(exc, InvalidAddress):  # stored by an older version, before addresses were validated
        who = delivery.subscriber_id
        error = f"subscriber #{who}: {exc}: remove it with `govmon subscribers remove {who}`, add the right one"
    with session_scope(engine) as session:
        if isinstance(exc, TemporaryFailure):
            outbox.mark_retry(session, delivery.id, error, now, max_attempts=max_attempts)
            report.retried += 1
        elif isinstance(exc, UncertainDelivery):
            outbox.mark_unknown(session, delivery.id, f"{error}: it may or may not have been delivered")
            report.unknown += 1
        else:
            outbox.mark_failed(session, delivery.id, error)
            report.failed += 1
    report.errors.append(f"{shown(delivery.email)}: {error}" if not isinstance(exc, InvalidAddress) else error)


def _retry_all(
    engine: Engine, rows: list[outbox.DeliveryRow], error: str, now: datetime, max_attempts: int, report: SendReport
) -> None:
    """The server is down: every remaining row waits for the next run (its attempt counts)."""
    with session_scope(engine) as session:
        for row in rows:
            if outbox.claim(session, row.id):
                outbox.mark_retry(session, row.id, error, now, max_attempts=max_attempts)
                report.retried += 1


# --- channels ---------------------------------------------------------------------------------------------------


@dataclass
class _ChannelRun:
    """One sending run over channel rows: the factory, and the receivers that asked to wait (or are down)."""

    channels: ChannelFactory
    waiting: set[str] = field(default_factory=set)  # URLs: their later rows wait for the next run


def _send_by_channel(engine: Engine, run: _ChannelRun, delivery: outbox.DeliveryRow, now: Callable[[], datetime],
                     max_attempts: int, report: SendReport) -> None:  # fmt: skip
    if delivery.channel_url in run.waiting:
        return
    earlier = _earlier_part(engine, delivery)
    if earlier in ("pending", "claimed", "sending"):
        return  # it goes once the part before it is sent
    where = describe(delivery.channel, delivery.channel_url, delivery.channel_secret)
    outcome: Outcome | None = None
    if earlier is not None and earlier != "sent":
        outcome = Outcome.failed(f"the part before it was not delivered ({earlier}): the rest is not sent either")
    else:
        try:
            channel = run.channels(delivery.channel, delivery.channel_url, delivery.channel_secret)
        except ChannelError as exc:  # the URL is refused now (settings changed since it was added)
            outcome = Outcome.failed(str(exc))
    with session_scope(engine) as session:
        if not outbox.claim(session, delivery.id):
            return
        data = outbox.payload_of(session, delivery.id)
    if outcome is None:
        try:
            outcome = channel.send(Payload.loads(data))
        except ValueError as exc:  # a stored payload no channel can read: sending it again will not help
            outcome = Outcome.failed(str(exc))
        except BaseException as exc:  # a bug, or the process is being stopped: whether it left is not known
            with session_scope(engine) as session:
                outbox.mark_unknown(session, delivery.id, f"interrupted while sending: {type(exc).__name__}: {exc}")
            raise
    _record_outcome(engine, run, delivery, outcome, now(), max_attempts, report, where)


def _earlier_part(engine: Engine, delivery: outbox.DeliveryRow) -> str | None:
    """The status of the part before this row's (None: it is a first part, or a whole message)."""
    base, _, part = delivery.idempotency_key.rpartition("-")
    if not base or not part.isdigit() or int(part) <= 1:
        return None
    with session_scope(engine) as session:
        return outbox.status_of(session, f"{base}-{int(part) - 1}") or "missing"


def _record_outcome(engine: Engine, run: _ChannelRun, delivery: outbox.DeliveryRow, outcome: Outcome, now: datetime,
                    max_attempts: int, report: SendReport, where: str) -> None:  # fmt: skip
    with session_scope(engine) as session:
        if outcome.status == "sent":
            outbox.mark_sent(session, delivery.id)
            report.sent += 1
            return
        if outcome.status == "retry":
            wait = timedelta(seconds=outcome.retry_after) if outcome.retry_after else None
            outbox.mark_retry(session, delivery.id, outcome.reason, now, max_attempts=max_attempts, at_least=wait)
            run.waiting.add(delivery.channel_url)
            report.retried += 1
        elif outcome.status == "unknown":
            outbox.mark_unknown(session, delivery.id, outcome.reason)
            report.unknown += 1
        else:
            outbox.mark_failed(session, delivery.id, outcome.reason)
            report.failed += 1
    report.errors.append(f"{where}: {outcome.reason}")


@dataclass
class DirectoryChannels:
    """A dry run for channel subscribers: each payload's body is written to `<directory>/<delivery id>.json`
    instead of being posted (recorded in the outbox like a send)."""

    directory: Path
    written: list[Path] = field(default_factory=list)

    def __call__(self, kind: str, url: str, secret: str) -> _FileChannel:
        return _FileChannel(self, kind, url, secret)


@dataclass(frozen=True, repr=False)
class _FileChannel:
    files: DirectoryChannels
    kind: str
    url: str
    secret: str

    def describe(self) -> str:
        return describe(self.kind, self.url, self.secret)

    def render(self, context: object, *, key: str) -> list[Payload]:
        raise NotImplementedError("a dry run only writes what was queued")

    def send(self, payload: Payload) -> Outcome:
        path = self.files.directory / f"{payload.delivery_id}.json"
        try:
            self.files.directory.mkdir(parents=True, exist_ok=True)
            path.write_bytes(payload.body)
        except OSError as exc:
            return Outcome.retry(f"cannot write {path}: {exc.strerror or exc}")
        self.files.written.append(path)
        return Outcome.sent()


def send_one(engine: Engine, transport: Transport, sender: str, delivery_id: int, now: Callable[[], datetime],
             max_attempts: int = MAX_ATTEMPTS) -> SendReport:  # fmt: skip
    """Send one pending outbox row now (a sign-up confirmation), with the steps and guarantees of `send_pending`."""
    report = SendReport()
    with session_scope(engine) as session:
        row = outbox.delivery_row(session, delivery_id)
    if row is None or row.status != "pending":
        return report
    try:
        transport.connect()
    except (TemporaryFailure, PermanentFailure) as exc:
        report.errors.append(str(exc))
        _retry_all(engine, [row], str(exc), now(), max_attempts, report)
        return report
    try:
        _send_one(engine, transport, sender, row, now, max_attempts, report)
    finally:
        transport.close()
    return report
