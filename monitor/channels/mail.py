"""The transports that carry a digest: SMTP, or .eml files in a directory (`--out`, `mail_dir`).

A transport reports each failure as one of three kinds, and the outbox (`monitor.channels.outbox.send_pending`) acts on
the kind alone:

- `TemporaryFailure`: nothing was delivered and trying later may work (server down, 4xx, a file not writable);
- `PermanentFailure`: nothing was delivered and trying again will not help (5xx, an address refused);
- `UncertainDelivery`: the message left the process but no answer came back (the connection dropped after the
  final dot): it may have been delivered, so it must not be sent again.

SMTP is spoken step by step (MAIL, RCPT, DATA, the message) rather than through `smtplib.sendmail`, because only
then is it known whether a lost connection happened before or after the message was handed over. After any
failure the session is reset, or dropped and reopened for the next message, so one bad recipient never holds
back the subscribers after it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
import smtplib
import ssl
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from monitor.config import Settings


class TemporaryFailure(Exception):
    """Nothing was delivered; the server is unreachable, said 4xx, or a file could not be written: retry later."""


class PermanentFailure(Exception):
    """Nothing was delivered and retrying will not help: the server refused the message for good (5xx)."""


class UncertainDelivery(Exception):
    """The message was handed over but its acceptance was never confirmed: it must not be sent again."""


class Transport(Protocol):
    def connect(self) -> None: ...
    def send(self, payload: bytes, sender: str, recipient: str) -> None: ...
    def close(self) -> None: ...


def refusal(code: int, reply: bytes | str, what: str) -> Exception:
    """The failure for an SMTP reply code: 4xx temporary, anything else permanent."""
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    message = f"{what} ({code} {' '.join(text.split())[:200]})"
    return TemporaryFailure(message) if 400 <= code < 500 else PermanentFailure(message)


def reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
    return str(exc) or type(exc).__name__


_LINE_ENDS = re.compile(rb"\r\n|\r|\n")
_LEADING_DOT = re.compile(rb"(?m)^\.")


# a dot-atom address without quotes, comments or a display name: `smtplib.quoteaddr` puts it in <> as it is
_BARE = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")


def smtp_path(address: str) -> str:
    """The <path> of MAIL FROM or RCPT TO, as `smtplib.quoteaddr` writes it; a bare address is not parsed again
    for each message, and the sender (the same every time) is parsed once."""
    return f"<{address}>" if _BARE.fullmatch(address) else _quoted(address)


@functools.lru_cache(maxsize=64)
def _quoted(address: str) -> str:
    return smtplib.quoteaddr(address)


def dot_stuffed(payload: bytes) -> bytes:
    """The DATA section of RFC 5321 §4.5.2: CRLF line ends, a leading dot doubled, ended by CRLF.CRLF."""
    crlf = payload.count(b"\r\n")
    if crlf == payload.count(b"\n") == payload.count(b"\r") and b"\n." not in payload and not payload.startswith(b"."):
        data = payload  # the stored wire form usually is already: counting is far cheaper than rewriting
    else:
        data = _LEADING_DOT.sub(b"..", _LINE_ENDS.sub(b"\r\n", payload))
    return data + (b"" if data.endswith(b"\r\n") else b"\r\n") + b".\r\n"


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
            raise TemporaryFailure(f"cannot reach SMTP server {s.smtp_host}:{s.smtp_port}: {reason(exc)}") from exc
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
            raise TemporaryFailure(f"SMTP session with {s.smtp_host} failed: {reason(exc)}") from exc
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
            self._envelope(self._smtp, sender, recipient)
            self._start_data(self._smtp)
        except BaseException:
            self._reset()
            raise
        self._transmit(self._smtp, payload)

    def _envelope(self, smtp: smtplib.SMTP, sender: str, recipient: str) -> None:
        """MAIL FROM and RCPT TO: nothing of the message has left yet, so every failure here is retryable."""
        try:
            smtp.ehlo_or_helo_if_needed()
            code, reply = smtp.docmd("mail", f"from:{smtp_path(sender)}")  # what smtp.mail(sender) sends
            if code != 250:
                raise refusal(code, reply, "sender refused")
            code, reply = smtp.docmd("rcpt", f"to:{smtp_path(recipient)}")  # and smtp.rcpt(recipient)
            if code not in (250, 251):
                raise refusal(code, reply, "recipient refused")
        except UnicodeEncodeError as exc:
            raise PermanentFailure("the address needs SMTPUTF8, which govmon does not use") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(f"SMTP connection lost before the message was sent: {reason(exc)}") from exc

    def _start_data(self, smtp: smtplib.SMTP) -> None:
        try:
            code, reply = smtp.docmd("DATA")
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(f"SMTP connection lost before the message was sent: {reason(exc)}") from exc
        if code != 354:
            raise refusal(code, reply, "message refused")

    def _transmit(self, smtp: smtplib.SMTP, payload: bytes) -> None:
        """The message itself: once its last byte may have reached the server, a lost reply is not a refusal."""
        try:
            smtp.send(dot_stuffed(payload))
            code, reply = smtp.getreply()
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            raise UncertainDelivery(f"SMTP connection lost after the message was sent: {reason(exc)}") from exc
        if code != 250:
            self._reset()
            raise refusal(code, reply, "message refused")

    def _reset(self) -> None:
        """Ready for the next message: RSET, or a new connection next time when the session is unusable."""
        if self._smtp is None:
            return
        try:
            code, _ = self._smtp.rset()
        except (OSError, smtplib.SMTPException):
            code = 0
        if code != 250:
            self._drop()

    def _drop(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
            self._drop()


MAX_NAME = 100  # characters of the recipient in a file name: the whole name stays far below NAME_MAX (255 bytes)


def file_stem(recipient: str) -> str:
    """A file-name-safe form of the address, cut (with a hash to stay unique) when long."""
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "@._-") else "_" for ch in recipient)
    if len(safe) <= MAX_NAME:
        return safe
    return f"{safe[: MAX_NAME - 13]}-{hashlib.sha256(recipient.encode()).hexdigest()[:12]}"


@dataclass
class DirectoryTransport:
    """Writes each message to `<dir>/<n>-<recipient>.eml` instead of sending it; never overwrites a file."""

    directory: Path
    written: list[Path] = field(default_factory=list)
    _next: int = field(default=0, init=False)

    def connect(self) -> None:
        if self._next:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.directory):  # permission bits say nothing for root or read-only mounts
                pass
        except OSError as exc:
            raise TemporaryFailure(f"cannot write into {self.directory}: {exc.strerror or exc}") from exc
        self._next = len(list(self.directory.glob("*.eml"))) + 1

    def send(self, payload: bytes, sender: str, recipient: str) -> None:
        self.connect()
        stem = file_stem(recipient)
        while True:
            path = self.directory / f"{self._next:04d}-{stem}.eml"
            self._next += 1
            try:
                with path.open("xb") as out:
                    out.write(payload)
                break
            except FileExistsError:
                continue
            except OSError as exc:
                with contextlib.suppress(OSError):
                    path.unlink(missing_ok=True)  # a partial file (disk full) must not look like a digest
                raise TemporaryFailure(f"cannot write {path}: {exc.strerror or exc}") from exc
        self.written.append(path)

    def close(self) -> None:
        return None
