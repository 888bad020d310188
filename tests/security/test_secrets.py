"""Secrets never show: the database password of a `--db` URL (reachable or not, well-formed or not) and the SMTP
password appear in no output, log record, log file or stored error of the commands that use them, `--debug`
tracebacks included, nor in the logs of a crawl subprocess.

Library-level checks live beside the code: the SMTP transport's errors (tests/monitor/test_deliver.py
`test_password_never_in_errors`) and `Settings.__repr__` (tests/monitor/test_config.py).
"""

from __future__ import annotations

import base64
import logging
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from db import outbox
from db.session import make_engine, session_scope
from monitor.channels import outbox as deliver
from monitor.cli.app import ExitCode
from tests.conftest import ROOT, _reset_pg
from tests.crawler.conftest import run_crawl
from tests.monitor.cli_helpers import Result, run
from tests.security.conftest import Site, article, list_page
from tests.smtp import Inbox, free_port, smtp_server

MARK = "S3cr"  # every password below starts with it, so a partial leak is caught too
PASSWORD = "S3cretPw"
SMTP_USER, SMTP_PASSWORD = "digest", "S3cretSmtpPw"
URLS = {
    "unreachable": f"postgresql://govmon:{PASSWORD}@127.0.0.1:1/x",
    "postgres alias": f"postgres://govmon:{PASSWORD}@127.0.0.1:1/x",
    "unsupported": f"mysql://govmon:{PASSWORD}@127.0.0.1:1/x",
    "malformed port": f"postgresql://govmon:{PASSWORD}@127.0.0.1:notaport/x",
    "bad option": f"postgresql://govmon:{PASSWORD}@127.0.0.1:1/x?sslmode=bogus",
    "percent-encoded": "postgresql://govmon:S3cr%40t%2FPw@127.0.0.1:1/x",  # S3cr@t/Pw
}
COMMANDS = [("status",), ("init",), ("documents",), ("subscribers", "list"), ("digest", "--send"), ("crawl",), ("run",)]


def leaks(*texts: str) -> list[str]:
    encoded = [
        base64.b64encode(f"\0{SMTP_USER}\0{SMTP_PASSWORD}".encode()).decode(),  # AUTH PLAIN
        base64.b64encode(SMTP_PASSWORD.encode()).decode(),
    ]  # fmt: skip  (AUTH LOGIN)
    return [t for t in texts if MARK in t or any(e in t for e in encoded)]


def files_text(root: Path, skip: Path | None = None) -> list[str]:
    return [p.read_bytes().decode("latin-1") for p in root.rglob("*") if p.is_file() and p != skip]


@pytest.fixture
def quiet_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> Path:
    """Data (and any log file) under tmp_path; every log record kept, at DEBUG."""
    monkeypatch.setenv("GOVMON_DATA_DIR", str(tmp_path / "var"))
    caplog.set_level(logging.DEBUG)
    return tmp_path


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("url", URLS.values(), ids=URLS.keys())
def test_database_password_never_in_output_or_logs(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, quiet_env: Path, url: str,
    command: tuple[str, ...],
) -> None:  # fmt: skip
    result = run(capsys, "--db", url, *command)
    assert result.code == ExitCode.DATABASE, result  # a clear database error, not a crash
    assert "database" in result.err or "connect" in result.err
    assert not leaks(result.out, result.err, caplog.text, *files_text(quiet_env))


@pytest.mark.parametrize("url", URLS.values(), ids=URLS.keys())
def test_debug_tracebacks_hide_the_database_password_too(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, quiet_env: Path, url: str
) -> None:
    result = run(capsys, "--debug", "--db", url, "status")
    assert "Traceback" in result.err
    assert not leaks(result.out, result.err, caplog.text)


def test_database_password_from_the_environment_or_a_config_file(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, quiet_env: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    config = quiet_env / "govmon.toml"
    config.write_text(f'database_url = "{URLS["unreachable"]}"\n', encoding="utf-8")
    from_file = run(capsys, "--config", str(config), "status")
    monkeypatch.setenv("GOVMON_DATABASE_URL", URLS["postgres alias"])
    from_env = run(capsys, "documents")
    assert from_file.code == from_env.code == ExitCode.DATABASE
    assert not leaks(from_file.out, from_file.err, from_env.out, from_env.err, caplog.text)


# --- SMTP ------------------------------------------------------------------------------------------------------


@contextmanager
def auth_refusing_server() -> Iterator[tuple[int, list[Any]]]:
    """A live SMTP server that offers AUTH (without TLS) and refuses every login, remembering what it was sent."""
    offered: list[Any] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        offered.append(data)
        return AuthResult(success=False, handled=False)

    controller = Controller(Inbox(), hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
                            auth_require_tls=False)  # fmt: skip
    controller.start()
    try:
        yield controller.port, offered
    finally:
        controller.stop()


def queue_digest(db: str, key: str) -> None:
    """An outbox row as `govmon digest` writes it, so `--send` has something to deliver."""
    payload = deliver.as_bytes(
        deliver.build_message(sender="govmon <digest@govmon.test>", to="a@example.org", subject="govmon 摘要",
                              text="纯文本摘要", html="<p>摘要</p>", message_id=f"<{key}@govmon.test>",
                              unsubscribe_url="https://govmon.test/unsubscribe?token=1.abc", date=datetime.now(UTC))
    )  # fmt: skip
    engine = make_engine(db)
    try:
        with session_scope(engine) as session:
            (subscriber,) = outbox.list_subscribers(session)
            now = datetime.now(UTC)
            assert outbox.enqueue(session, subscriber.id, key, f"<{key}@govmon.test>", payload,
                                  (now - timedelta(days=1), now))  # fmt: skip
    finally:
        engine.dispose()


def test_smtp_password_never_in_output_logs_or_stored_errors(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, quiet_env: Path
) -> None:
    db, config = f"sqlite:///{quiet_env / 'govmon.db'}", quiet_env / "govmon.toml"

    def configure(port: int) -> None:
        config.write_text(
            f'database_url = "{db}"\ndata_dir = "{quiet_env / "var"}"\nsmtp_host = "127.0.0.1"\nsmtp_port = {port}\n'
            f'smtp_user = "{SMTP_USER}"\nsmtp_password = "{SMTP_PASSWORD}"\nsmtp_timeout = 5\n',
            encoding="utf-8",
        )

    def govmon(*args: str) -> Result:
        return run(capsys, "--config", str(config), *args)

    configure(free_port())  # nobody listens there
    assert govmon("init").code == 0 and govmon("subscribers", "add", "a@example.org").code == 0
    queue_digest(db, "dead")
    results = [govmon("digest", "--send")]
    with auth_refusing_server() as (port, offered):
        configure(port)
        queue_digest(db, "refused")
        results.append(govmon("--debug", "digest", "--send"))
    assert offered, "the server was never offered the password: the test proves nothing"
    with smtp_server() as (_, port):  # a server without AUTH at all
        configure(port)
        queue_digest(db, "no-auth")
        results.append(govmon("digest", "--send"))
    results.append(govmon("status"))

    errors = "\n".join(r.err for r in results)
    assert "cannot reach SMTP server" in errors and f"login as {SMTP_USER} refused" in errors
    assert "AUTH extension not supported" in errors
    engine = make_engine(db)
    with session_scope(engine) as session:
        stored = [d.last_error or "" for d in outbox.list_deliveries(session)]
    engine.dispose()
    assert any(f"login as {SMTP_USER} refused" in e for e in stored), stored
    # every record but the test server's own (aiosmtpd logs what it is sent, credentials included)
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))
    texts = [t for r in results for t in (r.out, r.err)]
    assert not leaks(*texts, ours, *stored, *files_text(quiet_env, skip=config))


# --- crawl subprocess --------------------------------------------------------------------------------------------


def _site_registry(site: Site, path: Path) -> Path:
    site.generated["/list.html"] = list_page([("/art/ok.html", "安全市2025年政府工作报告")])
    site.generated["/art/ok.html"] = article("安全市2025年政府工作报告", "2025年地区生产总值增长5%左右。" * 3)
    path.write_text(f"- {{id: sec-crawl, region: 安全市, start_urls: ['{site.base}/list.html']}}\n", encoding="utf-8")
    return path


def test_crawl_logs_never_show_the_database_password(source_site: Site, tmp_path: Path) -> None:
    registry = _site_registry(source_site, tmp_path / "registry.yaml")
    dry = run_crawl(URLS["unreachable"], registry, "--dry-run", "-v")  # Scrapy runs with the URL in its settings
    assert dry.code == 0, dry.stderr
    assert "found work_report 2025 安全市2025年政府工作报告" in dry.stderr  # INFO logs were really written
    assert "Overridden settings" in dry.stderr
    stored = run_crawl(URLS["unreachable"], registry, "-v")
    assert stored.code == ExitCode.DATABASE and "govmon:***@127.0.0.1:1" in stored.stderr
    assert not leaks(str(dry.results), dry.stderr, str(stored.results), stored.stderr)


@pytest.fixture
def pg_with_password(pg_server: str) -> str:
    """The test database's URL with a password added (the test server trusts local connections)."""
    _reset_pg(pg_server)
    url = make_url(pg_server).set(password=PASSWORD).render_as_string(hide_password=False)
    probe = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with probe.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # a server that checks passwords: this one is made up
        pytest.skip(f"the test PostgreSQL server does not accept a made-up password: {type(exc).__name__}")
    finally:
        probe.dispose()
    return url


@pytest.mark.postgres
@pytest.mark.slow
def test_a_real_crawl_into_postgresql_with_a_password_logs_none_of_it(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, quiet_env: Path, source_site: Site,
    pg_with_password: str,
) -> None:  # fmt: skip
    url = pg_with_password
    assert run(capsys, "--db", url, "init").code == 0
    crawl = run_crawl(url, _site_registry(source_site, quiet_env / "registry.yaml"), "-v")
    assert crawl.code == 0, crawl.stderr
    assert crawl.of("sec-crawl")["documents"] == {"new": 1}
    # `status` in a child process: in-process its scheduler probe leaves a PostgreSQL connection open (ResourceWarning)
    status = subprocess.run([sys.executable, "-m", "monitor", "--db", url, "status"], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)  # fmt: skip
    documents = run(capsys, "--db", url, "documents", "--json")
    engine = make_engine(url)
    with engine.connect() as conn:
        stored = [str(row) for row in conn.execute(text("SELECT stats, status FROM crawl_runs"))]
        stored += [str(row) for row in conn.execute(text("SELECT config, last_error FROM sources"))]
    engine.dispose()
    assert "安全市2025年政府工作报告" in documents.out and len(stored) == 2
    assert status.returncode == 0 and "sec-crawl" in status.stdout, status.stderr
    assert not leaks(
        crawl.stderr, str(crawl.results), status.stdout, status.stderr, documents.out, caplog.text, *stored
    )
