"""The mail outbox claims its rows a batch at a time under a lease, on SQLite and PostgreSQL.

Two senders at once send each message once; a sender that stops after claiming a batch leaves its rows to be
taken again when the lease ends (nothing of them had left); a sender whose lease ran out sends nothing another
sender has taken since; an unsubscribe cancels claimed rows too; a server lost mid-batch puts the rest back with
their attempt counted. The one message that may have been handed over stays the only `unknown` one.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db import outbox
from db.session import make_engine, session_scope
from monitor.channels import outbox as deliver
from monitor.channels.mail import TemporaryFailure, dot_stuffed
from monitor.config import Settings
from monitor.digest.selection import Filters
from tests.smtp import smtp_server

T0 = datetime(2025, 3, 5, 9, 0, tzinfo=UTC)
SENDER = "digest@govmon.test"


def queue(engine: Engine, count: int) -> list[int]:
    """`count` one-line digests for as many subscribers; their outbox ids."""
    with session_scope(engine) as s:
        for i in range(count):
            sub = outbox.upsert_subscriber(s, f"reader{i}@example.org", Filters(), "daily", "text")
            payload = f"Subject: digest {i}\r\nTo: reader{i}@example.org\r\n\r\nbody {i}\r\n".encode()
            window = (T0 - timedelta(days=1), T0)
            assert outbox.enqueue(s, sub.id, f"key-{i}", f"<key-{i}@govmon.test>", payload, window)
        return [d.id for d in outbox.list_deliveries(s)]


def states(engine: Engine) -> dict[str, tuple[str, int]]:
    with session_scope(engine) as s:
        return {d.email: (d.status, d.attempts) for d in outbox.list_deliveries(s)}


def smtp(port: int) -> deliver.SmtpTransport:
    return deliver.SmtpTransport(Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_timeout=10))


def test_two_senders_at_once_send_each_message_once(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    queue(engine, 120)
    monkeypatch.setattr(deliver, "BATCH", 7)  # many small claims, so the two senders' claims interleave
    start = threading.Barrier(2)
    reports: list[deliver.SendReport] = []
    failures: list[BaseException] = []

    def sender(inbox_port: int) -> None:
        own = make_engine(engine.url.render_as_string(hide_password=False))
        try:
            start.wait()
            reports.append(deliver.send_pending(own, smtp(inbox_port), SENDER, lambda: T0))
        except BaseException as exc:  # reported below: an assertion in a thread would be lost
            failures.append(exc)
        finally:
            own.dispose()

    with smtp_server() as (inbox, port):
        threads = [threading.Thread(target=sender, args=(port,)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    assert not failures
    received = [rcpt for _, (rcpt,) in inbox.envelopes]
    assert sorted(received) == sorted(f"reader{i}@example.org" for i in range(120))  # each once
    assert sum(r.sent for r in reports) == 120
    assert set(states(engine).values()) == {("sent", 1)}


def test_on_postgresql_a_claim_skips_the_rows_another_sender_is_claiming(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises whole transactions: two claims never overlap there")
    ids = queue(engine, 6)
    lease = T0 + outbox.LEASE
    with engine.connect() as first, engine.connect() as second:
        first.begin()
        assert set(outbox.claim_batch(first, ids[:3], T0, lease)) == set(ids[:3])  # not committed yet
        with second.begin():
            second.exec_driver_sql("SET LOCAL lock_timeout = '5s'")  # waiting for `first` would fail the test
            assert set(outbox.claim_batch(second, ids, T0, lease)) == set(ids[3:])
        first.commit()
    assert {status for status, _ in states(engine).values()} == {"claimed"}


def test_a_sender_that_stops_after_claiming_leaves_its_batch_to_the_next_after_the_lease(engine: Engine) -> None:
    ids = queue(engine, 3)
    with session_scope(engine) as s:  # a sender claims, then dies before sending anything
        assert set(outbox.claim_batch(s, ids, T0, T0 + outbox.LEASE)) == set(ids)
    with smtp_server() as (inbox, port):
        early = deliver.send_pending(engine, smtp(port), SENDER, lambda: T0 + timedelta(minutes=1))
        assert early.sent == 0 and early.recovered_unknown == 0 and inbox.received == 0
        assert (early.waiting, early.next_attempt_at) == (3, T0 + outbox.LEASE)  # not lost: waiting for the lease
        later = deliver.send_pending(engine, smtp(port), SENDER, lambda: T0 + outbox.LEASE)
    assert later.sent == 3 and inbox.received == 3
    assert set(states(engine).values()) == {("sent", 1)}  # the abandoned claim counted no attempt


def test_a_crash_mid_batch_makes_only_the_message_in_flight_unknown(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue(engine, 5)
    real = deliver.SmtpTransport.send

    def dies_on_the_third(self: deliver.SmtpTransport, payload: bytes, sender: str, recipient: str) -> None:
        if recipient == "reader2@example.org":
            raise SystemExit("killed while sending")
        real(self, payload, sender, recipient)

    with smtp_server() as (inbox, port):
        monkeypatch.setattr(deliver.SmtpTransport, "send", dies_on_the_third)
        with pytest.raises(SystemExit):
            deliver.send_pending(engine, smtp(port), SENDER, lambda: T0)
        monkeypatch.undo()
        assert states(engine) == {
            "reader0@example.org": ("sent", 1),
            "reader1@example.org": ("sent", 1),  # accepted just before: recorded on the way out
            "reader2@example.org": ("unknown", 1),
            "reader3@example.org": ("pending", 0),  # released: nothing of them had left
            "reader4@example.org": ("pending", 0),
        }
        restart = deliver.send_pending(engine, smtp(port), SENDER, lambda: T0)
    assert (restart.sent, restart.recovered_unknown) == (2, 0)
    assert sorted(rcpt for _, (rcpt,) in inbox.envelopes) == [f"reader{i}@example.org" for i in (0, 1, 3, 4)]


def test_a_sender_whose_lease_ran_out_sends_nothing_taken_since(engine: Engine) -> None:
    (row,) = queue(engine, 1)
    first_lease = T0 + outbox.LEASE
    with session_scope(engine) as s:
        assert set(outbox.claim_batch(s, [row], T0, first_lease)) == {row}
        assert not outbox.claim_batch(s, [row], T0 + timedelta(minutes=1), T0 + timedelta(minutes=6))  # still held
    later = T0 + outbox.LEASE + timedelta(seconds=1)
    with session_scope(engine) as s:  # a second sender takes it once the first one's lease has ended
        assert set(outbox.claim_batch(s, [row], later, later + outbox.LEASE)) == {row}
    with session_scope(engine) as s:
        assert not outbox.start_sending(s, row, first_lease)  # the first sender lost it
        assert outbox.release(s, [row], first_lease) == 0
        assert outbox.start_sending(s, row, later + outbox.LEASE)
    assert states(engine) == {"reader0@example.org": ("sending", 1)}


def test_the_step_between_two_messages_records_one_and_starts_the_next(engine: Engine) -> None:
    first, second = queue(engine, 2)
    lease = T0 + outbox.LEASE
    with engine.connect() as conn:
        with conn.begin():
            outbox.claim_batch(conn, [first, second], T0, lease)
        steps = outbox.Steps(conn)
        assert not steps.advance(None, first, lease + timedelta(microseconds=1))  # another claim's lease
        assert steps.advance(None, first, lease)
        assert not steps.advance(None, first, lease)  # started once
        assert steps.advance(first, second, lease)
    assert states(engine) == {"reader0@example.org": ("sent", 1), "reader1@example.org": ("sending", 1)}
    with session_scope(engine) as s:
        assert {d.id: d.sent_at is not None for d in outbox.list_deliveries(s)} == {first: True, second: False}


def test_a_database_error_in_the_step_is_the_toolkit_s(engine: Engine) -> None:
    from sqlalchemy.exc import DBAPIError

    (row,) = queue(engine, 1)
    own = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        with own.connect() as conn:
            steps = outbox.Steps(conn)
            conn.connection.driver_connection.close()  # type: ignore[union-attr]
            with pytest.raises(DBAPIError):
                steps.advance(None, row, T0 + outbox.LEASE)
            conn.invalidate()
    finally:
        own.dispose()


def test_an_unsubscribe_cancels_a_claimed_digest(engine: Engine) -> None:
    (row,) = queue(engine, 1)
    with session_scope(engine) as s:
        outbox.claim_batch(s, [row], T0, T0 + outbox.LEASE)
        (sub,) = outbox.list_subscribers(s)
        assert outbox.cancel_unsent(s, sub.id) == 1
    with session_scope(engine) as s:
        assert not outbox.start_sending(s, row, T0 + outbox.LEASE)
    assert states(engine) == {"reader0@example.org": ("cancelled", 0)}


class LostAfter(deliver.DirectoryTransport):
    """Writes `good` messages, then the server is gone: every later connect fails."""

    def __init__(self, directory: Path, good: int) -> None:
        super().__init__(directory)
        self.good = good

    def connect(self) -> None:
        if len(self.written) >= self.good:
            raise TemporaryFailure("cannot reach SMTP server 127.0.0.1:25: connection refused")
        super().connect()


def test_a_server_lost_mid_batch_puts_the_rest_back_with_their_attempt_counted(engine: Engine, tmp_path: Path) -> None:
    queue(engine, 5)
    report = deliver.send_pending(engine, LostAfter(tmp_path / "mail", good=2), SENDER, lambda: T0)
    assert (report.sent, report.retried, report.waiting) == (2, 3, 3)
    assert report.next_attempt_at == T0 + outbox.backoff(1)
    assert [state for _, state in sorted(states(engine).items())] == [("sent", 1)] * 2 + [("pending", 1)] * 3


def test_enqueue_many_writes_only_new_digests(engine: Engine) -> None:
    queue(engine, 2)
    window = (T0 - timedelta(days=1), T0)
    with session_scope(engine) as s:
        subs = [sub.id for sub in outbox.list_subscribers(s)]
        rows = [outbox.Queued(subs[0], "key-0", "<key-0@govmon.test>", b"again", window),  # already queued
                outbox.Queued(subs[0], "key-new", "<key-new@govmon.test>", b"new", window),
                outbox.Queued(subs[1], "key-new", "<key-new@govmon.test>", b"twice in one batch", window)]  # fmt: skip
        assert outbox.enqueue_many(s, rows) == 1
    with session_scope(engine) as s:
        rows_now = outbox.list_deliveries(s)
        assert [(d.idempotency_key, d.payload) for d in rows_now][2] == ("key-new", b"new")
        assert [d.idempotency_key for d in rows_now] == ["key-0", "key-1", "key-new"]


@pytest.mark.parametrize(
    "payload",
    [b"Subject: a\r\n\r\nbody\r\n", b"Subject: a\r\n\r\n.leading dot\r\nbody", b".first\r\n", b"bare\nline\n",
     b"mixed\r\nends\nand\rmore\r\n", b"Subject: a\r\n\r\nno dot\r\n.\r\n", b""],
)  # fmt: skip
def test_dot_stuffing_leaves_a_clean_wire_form_as_it_is(payload: bytes) -> None:
    import re

    rewritten = re.sub(rb"(?m)^\.", b"..", re.sub(rb"\r\n|\r|\n", b"\r\n", payload))
    expected = rewritten + (b"" if rewritten.endswith(b"\r\n") else b"\r\n") + b".\r\n"
    assert dot_stuffed(payload) == expected
