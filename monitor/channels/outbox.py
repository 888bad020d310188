"""Delivery: digest messages and the outbox sender.

Side effects enter through one injectable `Transport` (`monitor.channels.mail`: SMTP, or .eml files for
`--out`/`mail_dir`). `send_pending` implements the outbox guarantee of ARCHITECTURE §5: every digest is sent at
most once, and none is silently lost — each row ends `sent`, back to `pending` with a later attempt, `failed`
with the reason, or `unknown` only when a message left the process and no answer came back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import Engine

from db import outbox
from db.session import session_scope
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
__all__ = ["DirectoryTransport", "PermanentFailure", "SendReport", "SmtpTransport", "TemporaryFailure", "Transport",
           "UncertainDelivery", "as_bytes", "build_message", "message_id_for", "send_pending"]  # fmt: skip

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
                 max_attempts: int = MAX_ATTEMPTS) -> SendReport:  # fmt: skip
    """Send every due outbox row once: claim (sending) → transmit → sent; failures go back with backoff."""
    report = SendReport()
    with session_scope(engine) as session:
        report.recovered_unknown = outbox.recover_interrupted(session)
        due = outbox.due_deliveries(session, now())
    try:
        for index, delivery in enumerate(due):
            try:
                transport.connect()  # a dead server is found before any row is claimed
            except (TemporaryFailure, PermanentFailure) as exc:
                report.errors.append(str(exc))
                _retry_all(engine, due[index:], str(exc), now(), max_attempts, report)
                break
            _send_one(engine, transport, sender, delivery, now, max_attempts, report)
    finally:
        transport.close()
        _count_waiting(engine, report)
    return report


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


def _record_failure(engine: Engine, delivery: outbox.DeliveryRow, exc: Exception, now: datetime, max_attempts: int,
                    report: SendReport) -> None:  # fmt: skip
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


def _retry_all(engine: Engine, rows: list[outbox.DeliveryRow], error: str, now: datetime, max_attempts: int,
               report: SendReport) -> None:  # fmt: skip
    """The server is down: every remaining row waits for the next run (its attempt counts)."""
    with session_scope(engine) as session:
        for row in rows:
            if outbox.claim(session, row.id):
                outbox.mark_retry(session, row.id, error, now, max_attempts=max_attempts)
                report.retried += 1


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
