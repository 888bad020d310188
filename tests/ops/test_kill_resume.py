"""Killing `govmon run` with SIGKILL mid-crawl and running it again loses nothing and duplicates nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select, text

from db import models as m
from db.migrate import upgrade
from db.session import make_engine, session_scope
from tests.crawler.conftest import FAST, registry
from tests.ops.test_scheduler import site  # noqa: F401  (the module-scoped fixture server)

ROOT = Path(__file__).resolve().parents[2]


def _run(db_url: str, registry_file: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "monitor", "--db", db_url, "run", "--sources", str(registry_file),
               *(f"-s{k}={v}" for k, v in FAST.items())]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)  # fmt: skip


def _counts(db_url: str) -> tuple[int, int, int]:
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        docs = s.scalar(select(func.count()).select_from(m.Document)) or 0
        versions = s.scalar(select(func.count()).select_from(m.DocumentVersion)) or 0
        unprocessed = s.scalar(select(func.count()).where(m.DocumentVersion.processed_at.is_(None))) or 0
    engine.dispose()
    return docs, versions, unprocessed


def test_sigkill_mid_crawl_then_rerun(db_url: str, site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    engine = make_engine(db_url)
    upgrade(engine)
    reg = registry(site, tmp_path, "registry.yaml")
    killed = _run(db_url, reg)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:  # wait until the crawl has stored something, then kill everything
        with engine.connect() as conn:
            if conn.execute(text("SELECT count(*) FROM documents")).scalar():
                break
        time.sleep(0.2)
    os.killpg(killed.pid, signal.SIGKILL)
    killed.communicate()
    partial = _counts(db_url)
    assert partial[0] > 0
    rerun = _run(db_url, reg)
    _, err = rerun.communicate(timeout=300)
    assert rerun.returncode in (0, 7), err.decode()
    docs, versions, unprocessed = _counts(db_url)
    assert docs >= partial[0] and versions == docs and unprocessed == 0  # every document once, all processed
    clean = f"sqlite:///{tmp_path / 'clean.db'}"
    upgrade(make_engine(clean))
    reference = _run(clean, reg)
    reference.communicate(timeout=300)  # the stderr pipe is drained and closed
    assert _counts(clean)[0] == docs  # nothing lost compared with an uninterrupted run
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).where(m.CrawlRun.finished_at.is_(None))) == 0
    engine.dispose()
