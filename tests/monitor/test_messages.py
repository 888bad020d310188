"""Messages say what is true and what to do, and exit codes agree with them.

Each case is one an operator met: importing a directory, `digest --send` while digests back off, the run after
a crash, an unreachable start URL, a read-only database, a `file:` start URL — and the README's backoff figures,
read from the README itself.
"""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db import outbox
from db.session import make_engine, session_scope
from monitor.channels import outbox as deliver
from monitor.cli.app import ExitCode
from monitor.cli.root import configure_logging
from monitor.digest.selection import Filters
from tests.monitor.cli_helpers import run
from tests.smtp import free_port, smtp_server

ROOT = Path(__file__).resolve().parents[2]
TEXTS = ROOT / "tests" / "fixtures" / "texts"


@pytest.fixture
def db(capsys: pytest.CaptureFixture[str], db_url: str) -> str:
    assert run(capsys, "--db", db_url, "init").code == 0
    return db_url


def one_line(stderr: str) -> str:
    (line,) = stderr.strip().splitlines()
    return line


# --- import --------------------------------------------------------------------------------------------------


def test_importing_a_directory_says_it_is_one(capsys: pytest.CaptureFixture[str], db: str) -> None:
    result = run(capsys, "--db", db, "import", str(TEXTS), "--region", "示例市", "--year", "2024")
    assert result.code == ExitCode.INPUT
    assert one_line(result.err) == f"error: {TEXTS} is a directory: import its files with --glob, e.g. --glob '*.txt'"


# --- digest --send: backoff and crash ------------------------------------------------------------------------


def smtp_config(tmp_path: Path, port: int) -> str:
    config = tmp_path / "govmon.toml"
    config.write_text(f'smtp_host = "127.0.0.1"\nsmtp_port = {port}\ndata_dir = "{tmp_path}"\n', "utf-8")
    return str(config)


def queue_one(db_url: str) -> Engine:
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        sub = outbox.upsert_subscriber(s, "analyst@example.org", Filters(), "daily", "text")
        now = datetime.now(UTC)
        outbox.enqueue(s, sub.id, "key-1", "<key-1@govmon.test>", b"Subject: x\r\n\r\nbody\r\n", (now, now))
    return engine


def test_digest_send_during_backoff_says_how_many_wait_and_when(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    queue_one(db).dispose()
    config = smtp_config(tmp_path, free_port())  # nothing listens: the first attempt fails
    down = run(capsys, "--config", config, "--db", db, "digest", "--send")
    assert down.code == ExitCode.PARTIAL and "0 sent, 1 to retry" in down.out
    with smtp_server() as (inbox, port):
        backing_off = run(capsys, "--config", smtp_config(tmp_path, port), "--db", db, "digest", "--send")
    assert inbox.received == 0 and "0 sent, 0 to retry" in backing_off.out
    assert backing_off.code == ExitCode.PARTIAL, "digests are still waiting: exit 0 would say all was delivered"
    line = one_line(backing_off.err)
    assert "not every digest was delivered: 1 waiting to be retried, the next attempt at " in line
    due = datetime.strptime(re.search(r"at (\d{4}-\d\d-\d\d \d\d:\d\d)", line)[1], "%Y-%m-%d %H:%M")  # type: ignore[index]
    expected = datetime.now(UTC).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")) + timedelta(minutes=2)
    assert abs(due - expected.replace(tzinfo=None, second=0, microsecond=0)) <= timedelta(minutes=1)
    assert "(in 2 min;" in line or "(in 1 min;" in line


def test_the_run_after_a_crash_says_it_marked_a_row_unknown(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    engine = queue_one(db)
    with session_scope(engine) as s:  # what a process killed between handing over and `sent` leaves behind
        (row,) = outbox.list_deliveries(s)
        assert outbox.claim(s, row.id)
    engine.dispose()
    with smtp_server() as (inbox, port):
        rerun = run(capsys, "--config", smtp_config(tmp_path, port), "--db", db, "digest", "--send")
    assert inbox.received == 0 and rerun.code == ExitCode.PARTIAL
    assert "1 digest(s) were being sent when an earlier run stopped: marked `unknown`" in rerun.err
    assert "govmon status" in rerun.err and "error: not every digest was delivered: 1 unknown" in rerun.err
    if db.startswith("sqlite"):  # `status` on PostgreSQL leaves a connection open (the scheduler's job store)
        status = run(capsys, "--db", db, "status")
        assert "unknown #1 to 'analyst@example.org': interrupted while sending" in status.out


def test_a_run_whose_digests_wait_for_a_retry_says_so_and_exits_partly_failed(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    queue_one(db).dispose()
    registry = tmp_path / "sources.yaml"
    registry.write_text("sources: []\n", "utf-8")
    config = smtp_config(tmp_path, free_port())  # nothing listens: the digest waits for its retry
    down = run(capsys, "--config", config, "--db", db, "run", "--sources", str(registry))
    assert "digests: 0 queued, 0 sent, 1 to retry" in down.out
    assert down.code == ExitCode.PARTIAL, "a digest is still waiting: exit 0 would say the cycle delivered it"
    assert "not every digest was delivered: 1 waiting to be retried, the next attempt at " in down.err


# --- the README's backoff figures ----------------------------------------------------------------------------


def test_readme_backoff_figures_are_the_codes() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    readme = " ".join(readme.split())
    figures = re.search(r"after (\d+), (\d+), (\d+) … (\d+) minutes .*?after (\d+) attempts, about (\d+) hours", readme)
    assert figures, "the README's delivery paragraph no longer states the backoff"
    first, second, third, last, attempts, hours = map(int, figures.groups())
    waits = [outbox.backoff(n) for n in range(1, deliver.MAX_ATTEMPTS)]  # after each failed attempt but the last
    assert [first, second, third, last] == [int(w.total_seconds() // 60) for w in (*waits[:3], waits[-1])]
    assert attempts == deliver.MAX_ATTEMPTS
    assert round(sum(waits, timedelta()).total_seconds() / 3600) == hours


def test_a_temporary_failure_waits_what_the_readme_says(engine: Engine) -> None:
    queue_one(engine.url.render_as_string(hide_password=False)).dispose()
    t0 = datetime(2025, 3, 5, 9, 0, tzinfo=UTC)
    transport = deliver.SmtpTransport(__import__("monitor.config").config.Settings(smtp_port=free_port()))
    report = deliver.send_pending(engine, transport, "x@govmon.org", lambda: t0)
    assert report.next_attempt_at == t0 + outbox.backoff(1) == t0 + timedelta(minutes=2)


# --- library log records: one line, no traceback unless --debug ------------------------------------------------


@pytest.fixture
def records() -> Iterator[list[str]]:
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(logging.Formatter("%(name)s %(message)s").format(record))  # type: ignore[method-assign]
    library = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")
    library.addHandler(handler)
    yield lines
    library.removeHandler(handler)
    configure_logging(False)


def _log_a_library_failure() -> None:
    try:
        raise ConnectionRefusedError("Connection was refused by other side: 111: Connection refused.")
    except ConnectionRefusedError as exc:
        args = {"request": "<GET http://127.0.0.1:9/>", "f_exception": exc}
        logger = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")
        logger.error("Error downloading %(request)s: %(f_exception)s", args, exc_info=True)


def test_library_tracebacks_reach_the_user_only_with_debug(records: list[str]) -> None:
    configure_logging(False)
    _log_a_library_failure()
    configure_logging(True)
    _log_a_library_failure()
    quiet, debug = records
    assert quiet == (
        "scrapy.downloadermiddlewares.robotstxt Error downloading <GET http://127.0.0.1:9/>: "
        "Connection was refused by other side: 111: Connection refused."
    )
    assert debug.startswith(quiet) and "Traceback (most recent call last)" in debug


def test_an_unreachable_start_url_prints_no_traceback(db: str, tmp_path: Path) -> None:
    registry = tmp_path / "sources.yaml"
    registry.write_text(f"- id: gone\n  region: 示例市\n  start_urls: [http://127.0.0.1:{free_port()}/]\n", "utf-8")
    command = [sys.executable, "-m", "monitor", "--db", db, "crawl", "--sources", str(registry), "-sRETRY_ENABLED=0"]
    proc = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == ExitCode.PARTIAL
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert "Traceback" not in proc.stderr and not any(line[:1].isspace() for line in lines), proc.stderr
    (line,) = lines  # one line: which source failed, why and where; the robots.txt error it repeats is not shown
    assert line.startswith("error: 1 of 1 source(s) failed: gone is broken: no list page could be fetched"), line
    assert "Connection refused" in line and "http://127.0.0.1:" in line


# --- a read-only database ------------------------------------------------------------------------------------


@pytest.fixture
def read_only_db(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Iterator[str]:
    """An initialised SQLite database with two reports and a subscriber, made immutable (chattr +i) with its
    directory: as on a read-only mount, not even root can write it."""
    directory = tmp_path / "readonly"
    directory.mkdir()
    url = f"sqlite:///{directory / 'govmon.db'}"
    assert run(capsys, "--db", url, "init").code == 0
    for year in (2023, 2024):
        path = str(TEXTS / f"示例市_{year}.txt")
        assert run(capsys, "--db", url, "import", path, "--region", "示例市", "--year", str(year)).code == 0
    assert run(capsys, "--db", url, "subscribers", "add", "analyst@example.org").code == 0
    assert run(capsys, "--db", url, "status").code == 0  # its scheduler table exists, as on a deployed database
    locked = [directory / "govmon.db", directory]
    if subprocess.run(["chattr", "+i", *map(str, locked)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not permitted here (needs root with CAP_LINUX_IMMUTABLE)")
    try:
        yield url
    finally:
        subprocess.run(["chattr", "-i", *map(str, locked)], check=True)


@pytest.mark.parametrize(
    ("command", "expected"),
    [(["documents", "--json"], "2024年示例市政府工作报告"), (["status"], "deliveries:"),
     (["sources", "list"], "beijing"), (["subscribers", "list", "--json"], "analyst@example.org"),
     (["history", "--region", "示例市", "--metric", "gdp_growth"], "5%左右")],
)  # fmt: skip
def test_a_read_only_database_serves_read_only_commands(
    capsys: pytest.CaptureFixture[str], read_only_db: str, command: list[str], expected: str
) -> None:
    result = run(capsys, "--db", read_only_db, *command)
    assert result.code == 0, result.err
    assert expected in result.out
    if command == ["sources", "list"]:  # the registry could not be recorded: said once, not an error
        assert one_line(result.err).startswith("the database is read-only: showing the health last stored")


def test_a_read_only_database_refuses_writes_in_one_line(capsys: pytest.CaptureFixture[str], read_only_db: str) -> None:
    result = run(capsys, "--db", read_only_db, "subscribers", "add", "new@example.org")
    assert result.code == ExitCode.DATABASE
    path = read_only_db.removeprefix("sqlite:///")
    assert one_line(result.err) == (
        f"error: {path} is read-only: this command writes to it, so run it with write access "
        "(read-only commands such as `documents`, `status` and `sources list` work)"
    )


def test_a_read_only_postgresql_database_serves_reads_and_refuses_writes(capsys: pytest.CaptureFixture[str]) -> None:
    """A role or database whose transactions are read-only (a standby server behaves the same)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from tests.conftest import PG_ADMIN_URL, own_pg_database

    with own_pg_database("govmon_ro") as url:
        assert run(capsys, "--db", url, "init").code == 0
        path = str(TEXTS / "示例市_2024.txt")
        assert run(capsys, "--db", url, "import", path, "--region", "示例市", "--year", "2024").code == 0
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            name = make_url(url).database
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
        admin.dispose()
        documents = run(capsys, "--db", url, "documents", "--json")
        assert documents.code == 0 and "2024年示例市政府工作报告" in documents.out
        listed = run(capsys, "--db", url, "sources", "list", "--json")
        assert listed.code == 0 and '"id": "beijing' in listed.out
        assert one_line(listed.err).startswith("the database is read-only: showing the health last stored")
        refused = run(capsys, "--db", url, "subscribers", "add", "new@example.org")
        assert refused.code == ExitCode.DATABASE
        assert one_line(refused.err).endswith(f"/{name} is read-only: this command writes to it, so run it with "
                                              "write access (read-only commands such as `documents`, `status` and "
                                              "`sources list` work)")  # fmt: skip


# --- a start URL that is not a web address -------------------------------------------------------------------


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/", "javascript:alert(1)"])
def test_a_start_url_that_is_not_http_says_what_is_allowed(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path, url: str
) -> None:
    registry = tmp_path / "sources.yaml"
    registry.write_text(f"- id: local\n  region: 示例市\n  start_urls: ['{url}']\n", "utf-8")
    result = run(capsys, "--db", db, "sources", "list", "--sources", str(registry))
    assert result.code == ExitCode.CONFIG
    assert one_line(result.err) == (
        f"error: invalid source registry: source local: field 'start_urls': '{url}' is not allowed: only http:// "
        "and https:// addresses of the site are crawled"
    )
