"""Fixtures of the fault-injection suite: crawls as subprocesses, PostgreSQL databases of their own, counts.

Crawls run `govmon crawl --json` in a subprocess (Twisted's reactor cannot restart inside pytest), started with
`Popen` so a test can break something while the crawl runs. PostgreSQL comes from `tests/conftest.py`
(`pg_server`: skipped with the reason when the server is absent, failed when CI is set).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from db import models as m
from db.migrate import upgrade
from db.session import make_engine, session_scope
from tests.conftest import _reset_pg, own_pg_database
from tests.crawler.conftest import FAST, CrawlOutput

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {**FAST, "DOWNLOAD_TIMEOUT": "2"}  # a little headroom for the slow-but-good page on a busy machine


class Crawl:
    """A running `govmon crawl --json`; `finish()` waits for it and parses its output."""

    def __init__(
        self, db_url: str, registry: Path, settings: dict[str, str], *args: str, prefix: Sequence[str] = ()
    ) -> None:
        """`prefix` goes before the Python command (e.g. a wrapper setting a resource limit)."""
        command = [*prefix, sys.executable, "-m", "monitor", "--db", db_url, "crawl", "--sources", str(registry)]
        command += ["--json", *(f"-s{k}={v}" for k, v in {**SETTINGS, **settings}.items()), *args]
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        self.seconds = 0.0

    def finish(self, timeout: float = 120) -> CrawlOutput:
        out, err = self.proc.communicate(timeout=timeout)
        self.seconds = time.monotonic() - self.started
        try:
            results = json.loads(out) if out.strip() else []
        except json.JSONDecodeError:
            pytest.fail(f"govmon crawl printed no JSON:\n{out}\n{err}")
        return CrawlOutput(self.proc.returncode, results, err)


def crawl(db_url: str, registry: Path, settings: dict[str, str] | None = None, *args: str) -> CrawlOutput:
    return Crawl(db_url, registry, settings or {}, *args).finish()


@dataclass(frozen=True)
class Stored:
    """What the database holds: URL → (text of each version), and the crawl runs."""

    versions: dict[str, list[str]]
    raw: dict[str, list[bytes]]
    runs: list[m.CrawlRun]

    def run_of(self, source_id: str) -> m.CrawlRun:
        return [r for r in self.runs if r.source_id == source_id][-1]


def stored(db_url: str) -> Stored:
    engine = make_engine(db_url)
    versions: dict[str, list[str]] = {}
    raw: dict[str, list[bytes]] = {}
    try:
        with session_scope(engine) as session:
            query = select(m.Document.url, m.DocumentVersion.text, m.DocumentVersion.raw).join(m.DocumentVersion)
            for url, body, data in session.execute(query.order_by(m.DocumentVersion.id)):
                versions.setdefault(url, []).append(body)
                raw.setdefault(url, []).append(data)
            runs = list(session.scalars(select(m.CrawlRun).order_by(m.CrawlRun.id)))
    finally:
        engine.dispose()
    return Stored(versions, raw, runs)


def document_count(db_url: str) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(m.Document)).scalar() or 0)
    finally:
        engine.dispose()


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> str:
    """The test run's PostgreSQL database, emptied and migrated."""
    url: str = request.getfixturevalue("pg_server")
    _reset_pg(url)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def pg_own_database() -> Iterator[str]:
    """A migrated PostgreSQL database of this test alone (for database-wide settings), dropped afterwards."""
    with own_pg_database("govmon_rel") as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url


def registry_file(tmp_path: Path, yaml_text: str, name: str = "registry.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml_text, encoding="utf-8")
    return path
