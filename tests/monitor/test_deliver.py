"""Delivery through a real SMTP server on loopback: message shape, outbox retries, no duplicates after a crash."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header

import pytest
from sqlalchemy import Engine

from db import outbox
from db.session import session_scope
from monitor.channels import outbox as deliver
from monitor.config import Settings
from monitor.digest.selection import Filters
from tests.smtp import free_port, smtp_server

SUBJECT = "govmon：上海市 2024年上海市政府工作报告：经济增长 5.5%以上 → 5%左右"
T0 = datetime(2024, 1, 24, 9, 0, tzinfo=UTC)


def settings(port: int, **kw: object) -> Settings:
    return Settings(
        smtp_host="127.0.0.1", smtp_port=port, smtp_timeout=5, smtp_from="govmon <digest@govmon.test>", **kw
    )  # type: ignore[arg-type]


def message(to: str = "analyst@example.org", key: str = "k1") -> bytes:
    msg = deliver.build_message(
        sender="govmon <digest@govmon.test>",
        to=to,
        subject=SUBJECT,
        text="纯文本摘要",
        html="<p>摘要</p>",
        message_id=deliver.message_id_for(key, "digest@govmon.test"),
        unsubscribe_url="https://govmon.test/unsubscribe?token=1.abc",
        date=T0,
    )
    return deliver.as_bytes(msg)


@pytest.fixture
def queued(engine: Engine) -> Iterator[Engine]:
    with session_scope(engine) as s:
        sub = outbox.upsert_subscriber(s, "analyst@example.org", Filters(regions=("上海市",)), "daily", "both")
        assert outbox.enqueue(s, sub.id, "k1", "<k1@govmon.test>", message(), (T0 - timedelta(days=1), T0))
        assert not outbox.enqueue(s, sub.id, "k1", "<k1@govmon.test>", message(), (T0 - timedelta(days=1), T0))
    yield engine


def statuses(engine: Engine) -> list[tuple[str, int]]:
    with session_scope(engine) as s:
        return [(d.status, d.attempts) for d in outbox.list_deliveries(s)]


def test_message_is_multipart_alternative_with_encoded_subject_and_unsubscribe(queued: Engine) -> None:
    with smtp_server() as (inbox, port):
        report = deliver.send_pending(queued, deliver.SmtpTransport(settings(port)), "digest@govmon.test", lambda: T0)
    assert report.sent == 1 and statuses(queued) == [("sent", 1)]
    (msg,) = inbox.messages
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg["Subject"] == SUBJECT
    raw_subject = message().split(b"Subject: ", 1)[1].split(b"\r\nFrom:")[0].decode("ascii")
    assert raw_subject.startswith("=?utf-8?") and str(make_header(decode_header(raw_subject))) == SUBJECT
    assert msg["Message-ID"] == "<k1@govmon.test>"
    assert msg["List-Unsubscribe"] == "<https://govmon.test/unsubscribe?token=1.abc>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert inbox.envelopes == [("digest@govmon.test", ["analyst@example.org"])]


def test_smtp_down_then_up_delivers_once(queued: Engine) -> None:
    port = free_port()
    down = deliver.send_pending(queued, deliver.SmtpTransport(settings(port)), "digest@govmon.test", lambda: T0)
    assert (down.sent, down.retried) == (0, 1) and "cannot reach SMTP server" in down.errors[0]
    assert statuses(queued) == [("pending", 1)]
    too_early = deliver.send_pending(queued, deliver.SmtpTransport(settings(port)), "x@t", lambda: T0)
    assert too_early.retried == 0  # backing off
    later = T0 + timedelta(hours=1)
    with smtp_server(port) as (inbox, _):
        up = deliver.send_pending(queued, deliver.SmtpTransport(settings(port)), "digest@govmon.test", lambda: later)
        again = deliver.send_pending(queued, deliver.SmtpTransport(settings(port)), "digest@govmon.test", lambda: later)
    assert (up.sent, again.sent) == (1, 0) and len(inbox.messages) == 1
    assert statuses(queued) == [("sent", 2)]


def test_crash_between_send_and_commit_never_sends_twice(queued: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*_: object) -> None:
        raise SystemExit("killed after the server accepted the message")

    with smtp_server() as (inbox, port):
        monkeypatch.setattr(outbox, "mark_sent", crash)
        with pytest.raises(SystemExit):
            deliver.send_pending(queued, deliver.SmtpTransport(settings(port)), "digest@govmon.test", lambda: T0)
        monkeypatch.undo()
        restart = deliver.send_pending(queued, deliver.SmtpTransport(settings(port)), "digest@govmon.test", lambda: T0)
    assert len(inbox.messages) == 1 and restart.sent == 0 and restart.recovered_unknown == 1
    assert statuses(queued) == [("unknown", 1)]


def test_permanent_refusal_is_failed_not_retried(queued: Engine) -> None:
    class Refusing(deliver.DirectoryTransport):
        def send(self, payload: bytes, sender: str, recipient: str) -> None:
            raise deliver.PermanentFailure("recipient refused (550)")

    report = deliver.send_pending(queued, Refusing(__import__("pathlib").Path("/tmp")), "x@t", lambda: T0)
    assert report.failed == 1 and statuses(queued) == [("failed", 1)]


def test_gives_up_after_max_attempts(queued: Engine) -> None:
    port = free_port()
    for i in range(3):
        deliver.send_pending(
            queued, deliver.SmtpTransport(settings(port)), "x@t", lambda i=i: T0 + timedelta(days=i), max_attempts=3
        )
    assert statuses(queued) == [("failed", 3)]


def test_password_never_in_errors(queued: Engine) -> None:
    port = free_port()
    report = deliver.send_pending(
        queued, deliver.SmtpTransport(settings(port, smtp_user="u", smtp_password="hunter2")), "x@t", lambda: T0
    )
    assert report.errors and not any("hunter2" in e for e in report.errors)
    with session_scope(queued) as s:
        assert not any("hunter2" in (d.last_error or "") for d in outbox.list_deliveries(s))


def test_directory_transport_writes_eml(tmp_path: object, queued: Engine) -> None:
    from pathlib import Path

    transport = deliver.DirectoryTransport(Path(str(tmp_path)) / "out")
    assert deliver.send_pending(queued, transport, "x@t", lambda: T0).sent == 1
    (path,) = transport.written
    assert path.suffix == ".eml" and b"List-Unsubscribe" in path.read_bytes()
