"""The scheduler daemon and the job layer with real crawls of the local fixture sites.

`govmon schedule --interval N` runs as a subprocess (as in production) against a fixture registry; the tests
check the order crawl → process → digest, clean SIGTERM, restarts without double runs, the database lock and
that a crashing crawl is recorded without blocking other sources.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError

from crawler import runner
from crawler.sources import Source, load_registry
from db import models as m
from db.migrate import upgrade
from db.session import make_engine, session_scope
from monitor.config import Settings
from monitor.ops import crawls, jobs
from tests.crawler.conftest import FAST, registry
from tests.crawler.fixture_server import FixtureServer

ROOT = Path(__file__).resolve().parents[2]
OVERRIDES = [f"-s{name}={value}" for name, value in FAST.items()]


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureServer]:
    with FixtureServer(slow_seconds=2.5) as server:
        yield server


@pytest.fixture
def trs_registry(site: FixtureServer, tmp_path: Path) -> Path:
    """Two working fixture sources (TRS, JCMS)."""
    full = registry(site, tmp_path, "registry.yaml").read_text(encoding="utf-8")
    entries = [e for e in full.split("\n- ") if "id: fx-trs" in e or "id: fx-jcms" in e]
    path = tmp_path / "two.yaml"
    path.write_text("- " + "\n- ".join(e.lstrip("- ") for e in entries) + "\n", encoding="utf-8")
    return path


class Daemon:
    """A running `govmon schedule`: its stderr read as it comes, so a test can wait for its readiness line."""

    READY = ("scheduler running", "standing by")

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc, self.lines, self.ready = proc, [], threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)
            if any(word in line for word in self.READY):
                self.ready.set()

    def wait_ready(self, timeout: float = 120) -> None:
        """Until the daemon says it runs its jobs (or stands by): its signal handlers are installed by then."""
        if not self.ready.wait(timeout):
            raise AssertionError(f"the scheduler did not become ready: {''.join(self.lines)}")


def _start(db_url: str, registry_file: Path, tmp_path: Path, *extra: str) -> Daemon:
    env = {**os.environ, "GOVMON_MAIL_DIR": str(tmp_path / "mail"), "GOVMON_DATA_DIR": str(tmp_path)}
    command = [
        sys.executable,
        "-m",
        "monitor",
        "--db",
        db_url,
        "schedule",
        "--sources",
        str(registry_file),
        "--interval",
        "2",
        *OVERRIDES,
        *extra,
    ]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return Daemon(proc)


def _stop(daemon: Daemon, timeout: float = 60) -> tuple[int, str]:
    daemon.wait_ready()  # a SIGTERM before the daemon handles it would kill it outright
    daemon.proc.send_signal(signal.SIGTERM)
    daemon.proc.wait(timeout=timeout)
    daemon.reader.join(timeout=10)
    if daemon.proc.stderr is not None:
        daemon.proc.stderr.close()
    return daemon.proc.returncode, "".join(daemon.lines)


def _wait_for(engine: Engine, query: str, minimum: int, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with engine.connect() as conn:
                value = int(conn.execute(text(query)).scalar() or 0)
        except DBAPIError:  # the scheduler has not created its job table yet
            value = 0
        if value >= minimum:
            return value
        time.sleep(0.5)
    raise AssertionError(f"{query} stayed below {minimum}")


@pytest.fixture
def migrated(db_url: str) -> Iterator[tuple[str, Engine]]:
    engine = make_engine(db_url)
    upgrade(engine)
    yield db_url, engine
    engine.dispose()


def test_schedule_crawls_processes_and_stops_cleanly(
    migrated: tuple[str, Engine], trs_registry: Path, tmp_path: Path
) -> None:
    db_url, engine = migrated
    with session_scope(engine) as s:
        from db.outbox import upsert_subscriber
        from monitor.digest.selection import Filters

        upsert_subscriber(s, "all@example.org", Filters(), "immediate", "text")
    proc = _start(db_url, trs_registry, tmp_path)
    try:
        _wait_for(engine, "SELECT count(*) FROM crawl_runs WHERE finished_at IS NOT NULL", 2)
        _wait_for(engine, "SELECT count(*) FROM document_versions WHERE processed_at IS NOT NULL", 1)
        _wait_for(engine, "SELECT count(*) FROM deliveries WHERE status = 'sent'", 1)
    finally:
        code, err = _stop(proc)
    assert code == 0, err
    assert "scheduler stopped" in err and "Traceback" not in err
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).where(m.CrawlRun.finished_at.is_(None))) == 0
        first_processed = s.scalar(select(func.min(m.DocumentVersion.processed_at)))
        first_sent = s.scalar(select(func.min(m.Delivery.sent_at)))
        assert first_processed is not None and first_sent is not None and first_processed <= first_sent
    assert list((tmp_path / "mail").glob("*.eml"))


def test_restart_keeps_persisted_jobs_without_duplicates(
    migrated: tuple[str, Engine], trs_registry: Path, tmp_path: Path
) -> None:
    db_url, engine = migrated
    for _ in range(2):
        proc = _start(db_url, trs_registry, tmp_path)
        try:
            proc.wait_ready()
            _wait_for(engine, "SELECT count(*) FROM apscheduler_jobs", 2)
            time.sleep(3)
        finally:
            assert _stop(proc)[0] == 0
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id FROM apscheduler_jobs ORDER BY id")).scalars().all()
    assert len(rows) == 2 and rows[0].startswith("crawl:") and rows[1] == "digests"  # both sources share a cadence
    with session_scope(engine) as s:  # never two crawls of one source at the same time
        runs = s.execute(select(m.CrawlRun.source_id, m.CrawlRun.started_at, m.CrawlRun.finished_at)).all()
    for source in ("fx-trs", "fx-jcms"):
        spans = sorted((a, b) for sid, a, b in runs if sid == source)
        assert all(prev[1] <= nxt[0] for prev, nxt in itertools.pairwise(spans)), spans


def test_second_scheduler_on_the_same_database_stands_by(
    migrated: tuple[str, Engine], trs_registry: Path, tmp_path: Path
) -> None:
    db_url, _ = migrated
    first = _start(db_url, trs_registry, tmp_path)
    try:
        first.wait_ready()
        second = _start(db_url, trs_registry, tmp_path)
        time.sleep(3)
        code, err = _stop(second)
        assert code == 0 and "standing by" in err and "scheduler running" not in err
    finally:
        assert _stop(first)[0] == 0


def test_sigterm_during_a_crawl(migrated: tuple[str, Engine], site: FixtureServer, tmp_path: Path) -> None:
    db_url, engine = migrated
    slow = registry(site, tmp_path, "registry.yaml")
    proc = _start(db_url, slow, tmp_path)
    _wait_for(engine, "SELECT count(*) FROM crawl_runs", 1)
    code, err = _stop(proc, timeout=90)
    assert code == 0, err
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).where(m.CrawlRun.status == "running")) == 0


def crashing_child(sources: list[Source], settings: dict[str, object], sender: object) -> None:
    """A crawl process that dies at once (SIGKILL) when its batch holds fx-jcms; a normal one otherwise."""
    if any(s.id == "fx-jcms" for s in sources):
        os.kill(os.getpid(), signal.SIGKILL)
    runner.child_main(sources, settings, sender)  # type: ignore[arg-type]


def test_crashing_crawl_is_recorded_and_does_not_block_others(
    migrated: tuple[str, Engine], trs_registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_url, engine = migrated
    settings = Settings(database_url=db_url)
    apart = trs_registry.with_name("apart.yaml")  # fx-jcms on `localhost`: another host, so another batch
    entries = trs_registry.read_text(encoding="utf-8").split("\n- ")
    apart.write_text("\n- ".join(e.replace("127.0.0.1", "localhost") if "fx-jcms" in e else e for e in entries),
                     encoding="utf-8")  # fmt: skip
    raw = [o[2:] for o in OVERRIDES]
    monkeypatch.setattr(crawls, "child_target", crashing_child)
    with session_scope(engine) as s:
        from db.repository import sync_sources

        sync_sources(s, (e.spec() for e in load_registry(apart)))
    crawl = jobs.crawl(settings, ["fx-jcms", "fx-trs"], str(apart), overrides=raw, batch_size=1)
    outcomes = {o.source_id: o for o in crawl}
    assert outcomes["fx-trs"].ok and outcomes["fx-trs"].new > 0
    assert not outcomes["fx-jcms"].ok and "exit status -9" in (outcomes["fx-jcms"].error or "")
    with session_scope(engine) as s:
        crash = s.scalars(select(m.CrawlRun).where(m.CrawlRun.source_id == "fx-jcms")).one()
        assert crash.status == "failed" and "exit status -9" in crash.stats["crash"]
    monkeypatch.undo()  # next run: the crawl works again
    retry = jobs.crawl(settings, ["fx-jcms"], str(apart), overrides=raw)
    assert retry[0].ok and retry[0].new > 0


def test_sources_of_one_host_share_a_crawl_job() -> None:
    """A host's sources are crawled by one job (so one crawl process keeps the host's politeness); cadences are
    spread over the hour by host."""
    from crawler.sources import parse_entry
    from monitor.ops.scheduler import job_specs

    def entry(source_id: str, host: str) -> Source:
        return parse_entry({"id": source_id, "region": "示例市", "start_urls": [f"https://{host}/col/index.html"]})

    sources = [entry("a-1", "www.a.gov.cn"), entry("a-2", "www.a.gov.cn"), entry("b-1", "www.b.gov.cn")]
    crawl_specs = [s for s in job_specs(Settings(), sources, None) if s.id.startswith("crawl:")]
    groups = sorted(tuple(spec.args[0]) for spec in crawl_specs)  # type: ignore[arg-type]
    assert ("a-1", "a-2") in groups and ("b-1",) in groups
