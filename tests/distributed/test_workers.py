"""Three `govmon worker` processes crawl 60 fixture sources, in batches, through Redis into one PostgreSQL database.

Each source is crawled once per cycle and each document stored once, even though one worker is killed with
SIGKILL in the middle of a job (its message is delivered again to another worker) and duplicate messages are
published on purpose. Needs Redis and PostgreSQL: skipped without them unless CI is set, then it fails.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db import models as m
from db.migrate import upgrade
from db.session import make_engine, session_scope
from tests.crawler.conftest import FAST

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("GOVMON_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SOURCES = 60
REPORTS = 2  # report links per source; each list also carries one notice that must be skipped
RESOLVER = "tests.security.fakedns.LocalTestResolver"  # *.test → 127.0.0.1
ARTICLE_DELAY = 0.3  # seconds per article, so jobs last long enough to kill a worker in the middle of one


def _redis() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required in CI but unavailable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis unavailable at {REDIS_URL}: {exc}")


class Sites(BaseHTTPRequestHandler):
    """/s<i>/index.html: a TRS-style list; /s<i>/202501/t2025011<k>_<i><k>.html: its reports; one notice."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        parts = self.path.strip("/").split("/")
        if not parts[0].startswith("s") or not parts[0][1:].isdigit():  # robots.txt and anything else
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        site = int(parts[0][1:])
        if parts[-1] == "index.html":
            links = "".join(
                f'<li><a href="./202501/t2025011{k}_{site}{k}.html">示例{site}市2025年科技工作要点（第{k}号）</a>'
                f"<span>2025-01-1{k}</span></li>"
                for k in range(REPORTS)
            )
            links += f'<li><a href="./202501/t20250119_{site}9.html">示例{site}市科技局招聘公告</a></li>'
            body = f'<html><body><ul class="list">{links}</ul><script>createPageHTML(1, 0, "index", "html");</script>'
        else:
            time.sleep(ARTICLE_DELAY)
            k = parts[-1].split("_")[1][-6]
            body = (
                f'<html><head><meta name="ArticleTitle" content="示例{site}市2025年科技工作要点（第{k}号）">'
                f'<meta name="PubDate" content="2025-01-1{k} 09:00"></head><body>'
                f'<div class="TRS_Editor"><p>示例{site}市2025年全社会研发经费投入强度达到3.{site % 10}%左右，'
                f"新增高新技术企业{100 + site}家，技术合同成交额增长10%以上。第{k}号。</p></div>"
            )
        data = (body + "</body></html>").encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def sites() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Sites)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _registry(base: str, path: Path) -> Path:
    """Each source on a host of its own (`s<i>.test`, which the test resolver points at the local server), as
    real sources are: a crawl job batches sources by host, so they spread over several jobs and workers."""
    port = base.rsplit(":", 1)[1]
    entries = [
        f"- {{id: site-{i:02d}, region: 示例{i}市, level: bureau, cms: trs, doc_types: [plan], "
        f"start_urls: ['http://s{i}.test:{port}/s{i}/index.html']}}"
        for i in range(SOURCES)
    ]
    path.write_text("\n".join(entries) + "\n", encoding="utf-8")
    return path


def _env(queue: str) -> dict[str, str]:
    return {**os.environ, "GOVMON_REDIS_URL": REDIS_URL, "GOVMON_QUEUE": queue, "GOVMON_JOB_REDELIVERY": "20"}


def _worker(db_url: str, queue: str, name: str, log: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "monitor", "--db", db_url, "worker", "--concurrency", "2", "--name", name]
    with log.open("wb") as out:  # the child keeps its own descriptor
        return subprocess.Popen(command, cwd=ROOT, env=_env(queue), stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip


def _govmon(db_url: str, queue: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "monitor", "--db", db_url, *args]
    return subprocess.run(command, cwd=ROOT, env=_env(queue), capture_output=True, text=True, timeout=120)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _wait(what: str, condition, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.mark.timeout(420)
def test_three_workers_sixty_sources_one_killed(pg_server: str, sites: str, tmp_path: Path) -> None:
    _redis()
    from tests.conftest import _reset_pg

    _reset_pg(pg_server)
    engine = make_engine(pg_server)
    upgrade(engine)
    queue = f"govmon-test-{uuid.uuid4().hex[:8]}"
    registry = _registry(sites, tmp_path / "sixty.yaml")
    workers = {name: _worker(pg_server, queue, f"{name}@test", tmp_path / f"{name}.log") for name in ("w1", "w2", "w3")}

    def jobs() -> list[m.CrawlJob]:
        with session_scope(engine) as s:
            return list(s.scalars(select(m.CrawlJob)))

    try:
        fast = [f"-s{k}={v}" for k, v in {**FAST, "DOWNLOAD_TIMEOUT": "10", "TWISTED_DNS_RESOLVER": RESOLVER}.items()]
        queued = _govmon(pg_server, queue, "enqueue", "--sources", str(registry), "--cycle", "c1", *fast)
        assert queued.returncode == 0, queued.stderr
        assert f"queued {SOURCES} sources in " in queued.stdout  # batches of sources, a few per worker

        # kill w1 (the worker and its crawl subprocesses) in the middle of a job: one it has been running for 0.3 s
        # and more, killed right after it is seen running (a fixed sleep between seeing and killing let short jobs
        # end in between)
        running: list[m.CrawlJob] = []

        def w1_crawling() -> bool:
            settled = datetime.now(UTC) - timedelta(seconds=0.3)
            running[:] = [j for j in jobs() if j.state == "running" and j.worker == "w1@test"
                          and j.started_at is not None and _aware(j.started_at) <= settled]  # fmt: skip
            return bool(running)

        _wait("w1 to be crawling", w1_crawling, 120)
        os.killpg(workers["w1"].pid, signal.SIGKILL)
        victim = running[0]
        workers["w1"].wait()

        _wait("every job to finish", lambda: sum(j.state in ("done", "failed") for j in jobs()) == SOURCES, 300)
        again = _govmon(pg_server, queue, "enqueue", "--sources", str(registry), "--cycle", "c1", *fast)
        assert f"queued 0 sources in 0 crawl jobs; {SOURCES} already queued in this cycle" in again.stdout

        # duplicate messages of finished jobs (as a broker may deliver) crawl nothing
        from monitor.config import load
        from monitor.ops import workers as tasks

        tasks.configure(load(environ=_env(queue)))
        done = [j for j in jobs() if j.state == "done"][:3]
        for job in done:
            tasks.crawl_batch.apply_async(([{"id": job.source_id}], "c1", []), task_id=job.id, queue=queue)
        time.sleep(4)
    except BaseException:
        engine.dispose()  # a failure must not leave a connection open for a later test's garbage collection
        raise
    finally:
        for process in workers.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in workers.values():
            process.wait(timeout=60)

    final = {j.source_id: j for j in jobs()}
    assert len(final) == SOURCES
    assert [(j.source_id, j.error) for j in final.values() if j.state != "done"] == []
    redone = final[victim.source_id]
    assert redone.attempts == 2 and redone.worker in ("w2@test", "w3@test")  # delivered again, to a live worker
    assert {j.worker for j in final.values()} >= {"w2@test", "w3@test"}

    with session_scope(engine) as s:
        documents = s.scalar(select(func.count()).select_from(m.Document))
        versions = s.scalar(select(func.count()).select_from(m.DocumentVersion))
        urls = s.scalar(select(func.count(func.distinct(m.Document.url))))
        ok_runs = dict(
            s.execute(
                select(m.CrawlRun.source_id, func.count())
                .where(m.CrawlRun.status == "ok")
                .group_by(m.CrawlRun.source_id)
            ).all()
        )
        open_runs = s.scalar(select(func.count()).where(m.CrawlRun.finished_at.is_(None)))
        unprocessed = s.scalar(select(func.count()).where(m.DocumentVersion.processed_at.is_(None)))
    assert documents == versions == urls == SOURCES * REPORTS  # every report once; notices skipped
    assert ok_runs == {f"site-{i:02d}": 1 for i in range(SOURCES)}  # each source crawled to its end exactly once
    assert open_runs == 0  # the killed worker's run was closed when its job ran again
    assert unprocessed == 0  # workers extract and diff what they store
    engine.dispose()
