"""Transport errors lose nothing and hold nobody back; addresses are validated and keyed before they are stored.

A transport error before anything leaves the process (a file that cannot be written, a connection refused or
dropped before DATA, a recipient refused) puts the outbox row back to `pending` or marks it `failed` with the
reason — never leaves it `sending` (which the next run would report as `unknown`) — and the subscribers queued
after it are delivered in the same run. Only a message handed over without a confirmation becomes `unknown`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, insert

from db import models as m
from db import outbox
from db.migrate import upgrade
from db.session import make_engine, session_scope
from monitor.channels import outbox as deliver
from monitor.channels.addresses import InvalidAddress, parse_address
from monitor.cli.app import ExitCode
from monitor.config import Settings
from monitor.digest.selection import Filters
from tests.monitor.cli_helpers import run
from tests.smtp import Inbox, free_port, smtp_server

TEXTS = Path(__file__).resolve().parents[1] / "fixtures" / "texts"
T0 = datetime(2025, 3, 5, 9, 0, tzinfo=UTC)
NORMAL = "analyst@example.org"


def long_address(db_url: str) -> str:
    """An address no version should have stored: 10,000 characters (PostgreSQL's column holds 320, so 300 there,
    still longer than any file name)."""
    length = 10_000 if db_url.startswith("sqlite") else 300
    return "a" * (length - len("@example.org")) + "@example.org"


# --- the one validation function ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["not-an-address", "a@", "@example.org", "a b@example.org", "a@localhost", "用户@example.org",
     "a" * 65 + "@example.org", "a@" + "b" * 250 + ".org", "x" * 10_000, "a@example.org\r\nBcc: b@example.org"],
)  # fmt: skip
def test_invalid_addresses_are_refused_with_a_short_reason(text: str) -> None:
    with pytest.raises(InvalidAddress) as exc:
        parse_address(text)
    (line,) = str(exc.value).splitlines()
    assert "is not an e-mail address" in line and len(line) < 300


def test_valid_addresses_are_normalised_and_keyed_without_case() -> None:
    upper, lower = parse_address(" Analyst@EXAMPLE.org "), parse_address("analyst@example.org")
    assert upper.email == "Analyst@example.org" and upper.key == lower.key == "analyst@example.org"
    assert parse_address("a@例子.中国").email == "a@xn--fsqu00a.xn--fiqs8s"


# --- subscribers add ---------------------------------------------------------------------------------------------


@pytest.fixture
def db(capsys: pytest.CaptureFixture[str], db_url: str) -> str:
    assert run(capsys, "--db", db_url, "init").code == 0
    return db_url


def subscribers(capsys: pytest.CaptureFixture[str], db: str) -> list[str]:
    import json

    return [row["email"] for row in json.loads(run(capsys, "--db", db, "subscribers", "list", "--json").out)]


def test_subscribers_add_refuses_a_10000_character_address(capsys: pytest.CaptureFixture[str], db: str) -> None:
    result = run(capsys, "--db", db, "subscribers", "add", "a" * 9_988 + "@example.org")
    assert result.code == ExitCode.USAGE
    (line,) = result.err.strip().splitlines()
    assert "is not an e-mail address: longer than the 254 characters" in line and len(line) < 200
    assert subscribers(capsys, db) == []


def test_addresses_are_one_subscriber_whatever_their_case(capsys: pytest.CaptureFixture[str], db: str) -> None:
    assert run(capsys, "--db", db, "subscribers", "add", "FOO@Example.org", "--cadence", "weekly").code == 0
    again = run(capsys, "--db", db, "subscribers", "add", "foo@example.org", "--cadence", "daily")
    assert again.code == 0 and again.out.startswith("updated FOO@example.org (#1)")
    assert subscribers(capsys, db) == ["FOO@example.org"]
    assert run(capsys, "--db", db, "subscribers", "remove", "foo@EXAMPLE.ORG").code == 0
    assert subscribers(capsys, db) == []


def test_the_database_refuses_a_second_spelling(engine: Engine) -> None:
    """The key has a unique index: two processes adding two spellings at once still make one subscriber."""
    from sqlalchemy.exc import IntegrityError

    with session_scope(engine) as s:
        outbox.upsert_subscriber(s, "Foo@example.org", Filters(), "daily", "both")
    with pytest.raises(IntegrityError), session_scope(engine) as s:
        s.add(m.Subscriber(email="foo@example.org", email_key="foo@example.org", regions=[], themes=[], metrics=[],
                           doc_types=[], cadence="daily", format="both", status="active", created_at=T0))  # fmt: skip


def test_migration_keys_old_rows_and_keeps_one_subscriber_per_address(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0004")
    with engine.begin() as conn:
        for email in ("Foo@example.org", "foo@example.org", "bar@example.org"):
            conn.execute(insert(OLD_SUBSCRIBERS).values(**_old_row(email)))
    upgrade(engine)
    with session_scope(engine) as s:
        rows = [(r.email, r.active) for r in outbox.list_subscribers(s)]
        assert rows == [("Foo@example.org", True), ("foo@example.org", False), ("bar@example.org", True)]
        assert outbox.find_subscriber(s, "FOO@EXAMPLE.ORG").email == "Foo@example.org"  # type: ignore[union-attr]
        assert outbox.remove_subscriber(s, "foo@example.org") == ["Foo@example.org", "foo@example.org"]
    engine.dispose()


# the subscribers table as revision 0004 left it (the model has moved on: an address key, a status)
OLD_SUBSCRIBERS = sa.table(
    "subscribers",
    *(sa.column(name, sa.JSON()) for name in ("regions", "themes", "metrics", "doc_types")),
    *(sa.column(name, sa.String()) for name in ("email", "cadence", "format")),
    sa.column("active", sa.Boolean()),
    sa.column("created_at", m.UTCDateTime()),
)


def _old_row(email: str) -> dict[str, Any]:
    """A subscribers row as versions before the address key wrote it."""
    return {"email": email, "regions": [], "themes": [], "metrics": [], "doc_types": [], "cadence": "immediate",
            "format": "text", "active": True, "created_at": T0 - timedelta(days=1)}  # fmt: skip


# --- a bad address already stored: digest --out and digest --send ------------------------------------------------


@pytest.fixture
def stored_bad_address(capsys: pytest.CaptureFixture[str], db_url: str) -> tuple[str, str]:
    """A database whose first subscriber has an address an older version accepted, the second a normal one,
    and two years of reports to digest; (database URL, the bad address)."""
    bad = long_address(db_url)
    engine = make_engine(db_url)
    upgrade(engine, "0004")
    with engine.begin() as conn:
        conn.execute(insert(OLD_SUBSCRIBERS).values(**_old_row(bad)))
    engine.dispose()
    assert run(capsys, "--db", db_url, "init").code == 0
    assert run(capsys, "--db", db_url, "subscribers", "add", NORMAL, "--cadence", "immediate").code == 0
    for year in (2023, 2024):
        path = str(TEXTS / f"示例市_{year}.txt")
        assert run(capsys, "--db", db_url, "import", path, "--region", "示例市", "--year", str(year)).code == 0
    return db_url, bad


def statuses(db_url: str) -> dict[str, tuple[str, str]]:
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        rows = {d.email: (d.status, d.last_error or "") for d in outbox.list_deliveries(s)}
    engine.dispose()
    return rows


def assert_bad_row_failed_and_normal_delivered(result: Any, db_url: str, bad: str) -> None:
    assert result.code == ExitCode.PARTIAL, result.err
    assert "1 sent" in result.out and "1 failed" in result.out
    assert all(len(line) < 400 for line in result.err.splitlines()), "a message repeats the whole address"
    status, error = statuses(db_url)[bad]
    assert status == "failed" and "subscriber #1:" in error and "is not an e-mail address" in error
    assert "govmon subscribers remove 1" in error
    assert statuses(db_url)[NORMAL][0] == "sent"


def test_digest_out_fails_the_bad_address_and_writes_the_next(
    capsys: pytest.CaptureFixture[str], stored_bad_address: tuple[str, str], tmp_path: Path
) -> None:
    db_url, bad = stored_bad_address
    out = tmp_path / "eml"
    first = run(capsys, "--db", db_url, "digest", "--out", str(out))
    assert_bad_row_failed_and_normal_delivered(first, db_url, bad)
    assert [p.name for p in out.iterdir()] == [f"0001-{NORMAL}.eml"]
    rerun = run(capsys, "--db", db_url, "digest", "--out", str(out))
    assert rerun.code == 0 and "unknown" not in rerun.out + rerun.err
    assert {s for s, _ in statuses(db_url).values()} == {"sent", "failed"}
    removed = run(capsys, "--db", db_url, "subscribers", "remove", "#1")  # as the failure's reason suggests
    assert removed.code == 0 and removed.out.startswith("removed 'aaaa") and "characters)" in removed.out
    assert subscribers(capsys, db_url) == [NORMAL]


def test_digest_send_fails_the_bad_address_and_sends_the_next(
    capsys: pytest.CaptureFixture[str], stored_bad_address: tuple[str, str], tmp_path: Path
) -> None:
    db_url, bad = stored_bad_address
    config = tmp_path / "govmon.toml"
    with smtp_server() as (inbox, port):
        config.write_text(f'smtp_host = "127.0.0.1"\nsmtp_port = {port}\ndata_dir = "{tmp_path}"\n', "utf-8")
        first = run(capsys, "--config", str(config), "--db", db_url, "digest", "--send")
        rerun = run(capsys, "--config", str(config), "--db", db_url, "digest", "--send")
    assert_bad_row_failed_and_normal_delivered(first, db_url, bad)
    assert inbox.envelopes == [("govmon@localhost", [NORMAL])]  # the bad address never reached the server
    assert rerun.code == 0 and "unknown" not in rerun.out + rerun.err


# --- transport faults, through a real SMTP server ----------------------------------------------------------------


class Picky(Inbox):
    """An SMTP server that refuses some recipients, hangs up on others, or drops the line after their message."""

    def __init__(self, refuse: dict[str, str], hang_up_at_rcpt: set[str], hang_up_after_data: set[str]) -> None:
        super().__init__()
        self.refuse, self.hang_up_at_rcpt, self.hang_up_after_data = refuse, hang_up_at_rcpt, hang_up_after_data

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.hang_up_at_rcpt:
            asyncio.get_running_loop().call_soon(server.transport.close)
            return "421 4.7.0 too busy, closing connection"
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        status = await super().handle_DATA(server, session, envelope)
        if set(envelope.rcpt_tos) & self.hang_up_after_data:
            server.transport.abort()  # the message was accepted, but the reply never leaves
        return status


@pytest.fixture
def picky() -> Iterator[tuple[Picky, int]]:
    handler = Picky({}, set(), set())
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


def queue(engine: Engine, *emails: str) -> None:
    with session_scope(engine) as s:
        for i, email in enumerate(emails):
            sub = outbox.upsert_subscriber(s, email, Filters(), "daily", "text")
            payload = f"Subject: digest {i}\r\nTo: {email}\r\n\r\n.leading dot\r\nbody\r\n".encode()
            outbox.enqueue(s, sub.id, f"key-{i}", f"<key-{i}@govmon.test>", payload, (T0 - timedelta(days=1), T0))


def rows(engine: Engine) -> dict[str, tuple[str, str]]:
    with session_scope(engine) as s:
        return {d.email: (d.status, d.last_error or "") for d in outbox.list_deliveries(s)}


def smtp(port: int) -> deliver.SmtpTransport:
    return deliver.SmtpTransport(Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_timeout=5))


def test_refused_or_hung_up_recipients_hold_back_nobody(engine: Engine, picky: tuple[Picky, int]) -> None:
    server, port = picky
    server.refuse = {"gone@example.org": "550 5.1.1 no such user"}
    server.hang_up_at_rcpt = {"busy@example.org"}
    queue(engine, "gone@example.org", "busy@example.org", NORMAL, "second@example.org")
    report = deliver.send_pending(engine, smtp(port), "digest@govmon.org", lambda: T0)
    state = rows(engine)
    assert state["gone@example.org"] == ("failed", "recipient refused (550 5.1.1 no such user)")
    assert state["busy@example.org"][0] == "pending" and "421" in state["busy@example.org"][1]
    assert state[NORMAL][0] == state["second@example.org"][0] == "sent"
    assert [rcpt for _, (rcpt,) in server.envelopes] == [NORMAL, "second@example.org"]
    assert (report.sent, report.failed, report.retried, report.waiting) == (2, 1, 1, 1)
    assert report.next_attempt_at == T0 + timedelta(minutes=2)
    assert server.messages[0].get_payload().startswith(".leading dot")  # dot-stuffing undone by the server


def test_a_reply_lost_after_the_message_is_unknown_and_never_resent(engine: Engine, picky: tuple[Picky, int]) -> None:
    server, port = picky
    server.hang_up_after_data = {"lost@example.org"}
    queue(engine, "lost@example.org", NORMAL)
    first = deliver.send_pending(engine, smtp(port), "digest@govmon.org", lambda: T0)
    later = deliver.send_pending(engine, smtp(port), "digest@govmon.org", lambda: T0 + timedelta(days=1))
    state = rows(engine)
    assert (
        state["lost@example.org"][0] == "unknown"
        and "may or may not have been delivered" in state["lost@example.org"][1]
    )
    assert state[NORMAL][0] == "sent" and (first.unknown, first.sent, later.sent) == (1, 1, 0)
    assert server.received == 2  # the lost one was received once, and not sent again


def test_a_directory_that_cannot_be_written_puts_rows_back_to_pending(engine: Engine, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the mail directory should be", "utf-8")
    queue(engine, NORMAL, "second@example.org")
    report = deliver.send_pending(engine, deliver.DirectoryTransport(blocker / "mail"), "x@govmon.org", lambda: T0)
    assert report.retried == 2 and report.waiting == 2
    assert {status for status, _ in rows(engine).values()} == {"pending"}
    assert all(f"cannot write into {blocker / 'mail'}" in error for _, error in rows(engine).values())


def test_long_addresses_make_short_file_names_and_nothing_is_overwritten(engine: Engine, tmp_path: Path) -> None:
    from monitor.channels.mail import file_stem

    longest = "a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".org"  # 251 characters, a valid address
    queue(engine, longest, longest)  # two digests for one subscriber
    out = tmp_path / "mail"
    out.mkdir()
    earlier = out / f"0002-{file_stem(longest)}.eml"  # the name the first would take, after one file
    earlier.write_text("an earlier digest", "utf-8")
    transport = deliver.DirectoryTransport(out)
    assert deliver.send_pending(engine, transport, "x@govmon.org", lambda: T0).sent == 2
    assert [p.name[:5] for p in transport.written] == ["0003-", "0004-"]
    assert all(len(p.name) < 120 for p in transport.written)
    assert earlier.read_text("utf-8") == "an earlier digest"


def test_digest_out_into_a_file_is_refused_before_anything_is_queued(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    assert run(capsys, "--db", db, "subscribers", "add", NORMAL).code == 0
    blocker = tmp_path / "digests"
    blocker.write_text("not a directory", "utf-8")
    result = run(capsys, "--db", db, "digest", "--out", str(blocker), "--force")
    assert result.code == ExitCode.INPUT
    (line,) = result.err.strip().splitlines()
    assert f"cannot write into {blocker}" in line and "choose another --out directory" in line
    assert statuses(db) == {}


def test_smtp_down_is_still_retried_not_failed(engine: Engine) -> None:
    queue(engine, NORMAL)
    with smtp_server() as (_, port):
        pass  # the port is free again: connections are refused
    report = deliver.send_pending(engine, smtp(port), "x@govmon.org", lambda: T0)
    assert (
        rows(engine)[NORMAL][0] == "pending" and report.waiting == 1 and "cannot reach SMTP server" in report.errors[0]
    )
