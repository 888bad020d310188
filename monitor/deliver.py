"""Delivery: digest messages, the transports that carry them, and the outbox sender.

Side effects enter through one injectable `Transport`: `SmtpTransport` (STARTTLS, SSL or plain, AUTH from the
settings) or `DirectoryTransport` (`--dry-run`/`--out`: .eml files). `send_pending` implements the outbox
guarantee of ARCHITECTURE §5: every digest is sent at most once, and none is silently lost.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine

from db import outbox
from db.session import session_scope
from monitor.config import Settings

MAX_ATTEMPTS = 8


class TemporaryFailure(Exception):
    """The server is unreachable or said 4xx: try again later."""


class PermanentFailure(Exception):
    """The server refused the message for good (5xx)."""


class Transport(Protocol):
    def connect(self) -> None: ...
    def send(self, payload: bytes, sender: str, recipient: str) -> None: ...
    def close(self) -> None: ...


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
class SmtpTransport:
    settings: Settings
    _smtp: smtplib.SMTP | None = field(default=None, init=False)

    def connect(self) -> None:
        if self._smtp is not None:
            return
        s = self.settings
        try:
            smtp = self._open()
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(f"cannot reach SMTP server {s.smtp_host}:{s.smtp_port}: {_reason(exc)}") from exc
        try:
            if s.smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password)
        except smtplib.SMTPAuthenticationError as exc:
            smtp.close()
            raise PermanentFailure(f"SMTP login as {s.smtp_user} refused ({exc.smtp_code})") from exc
        except (OSError, smtplib.SMTPException) as exc:
            smtp.close()
            raise TemporaryFailure(f"SMTP session with {s.smtp_host} failed: {_reason(exc)}") from exc
        self._smtp = smtp

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        if s.smtp_security == "ssl":
            context = ssl.create_default_context()
            return smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout, context=context)
        return smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)

    def send(self, payload: bytes, sender: str, recipient: str) -> None:
        self.connect()
        assert self._smtp is not None
        try:
            self._smtp.sendmail(sender, [recipient], payload)
        except smtplib.SMTPRecipientsRefused as exc:
            code = next(iter(exc.recipients.values()))[0]
            raise (TemporaryFailure if 400 <= code < 500 else PermanentFailure)(f"recipient refused ({code})") from exc
        except smtplib.SMTPResponseException as exc:
            kind = TemporaryFailure if 400 <= exc.smtp_code < 500 else PermanentFailure
            raise kind(f"SMTP server said {exc.smtp_code}: {_reason(exc)}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._smtp = None
            raise TemporaryFailure(f"SMTP connection lost: {_reason(exc)}") from exc

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
            self._smtp = None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return str(exc) or type(exc).__name__


@dataclass
class DirectoryTransport:
    """Writes each message to `<dir>/<n>-<recipient>.eml` instead of sending it."""

    directory: Path
    written: list[Path] = field(default_factory=list)

    def connect(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)

    def send(self, payload: bytes, sender: str, recipient: str) -> None:
        self.connect()
        safe = "".join(ch if ch.isalnum() or ch in "@._-" else "_" for ch in recipient)
        path = self.directory / f"{len(list(self.directory.glob('*.eml'))) + 1:04d}-{safe}.eml"
        path.write_bytes(payload)
        self.written.append(path)

    def close(self) -> None:
        return None


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    recovered_unknown: int = 0
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
    return report


def _send_one(engine: Engine, transport: Transport, sender: str, delivery: outbox.DeliveryRow,
              now: Callable[[], datetime], max_attempts: int, report: SendReport) -> None:  # fmt: skip
    with session_scope(engine) as session:
        if not outbox.claim(session, delivery.id):
            return
        payload = outbox.payload_of(session, delivery.id)
    try:
        transport.send(payload, sender, delivery.email)
    except TemporaryFailure as exc:
        with session_scope(engine) as session:
            outbox.mark_retry(session, delivery.id, str(exc), now(), max_attempts=max_attempts)
        report.retried += 1
        report.errors.append(f"{delivery.email}: {exc}")
        return
    except PermanentFailure as exc:
        with session_scope(engine) as session:
            outbox.mark_failed(session, delivery.id, str(exc))
        report.failed += 1
        report.errors.append(f"{delivery.email}: {exc}")
        return
    with session_scope(engine) as session:
        outbox.mark_sent(session, delivery.id)
    report.sent += 1


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
