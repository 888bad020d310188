"""Distributed crawl throughput: 1 against 3 `govmon worker` processes, through Redis into PostgreSQL.

N small fixture sources (default 30: a TRS list page and 3 report articles each) are served by a local threaded
HTTP server that answers every request after a fixed latency (default 50 ms), so the work resembles real crawling.
For each worker count, on a fresh PostgreSQL database and a fresh queue: start the workers (`--concurrency 2`
each), wait until they are ready, `govmon enqueue` every source as one cycle, and time from the first job enqueued
to the last one finished, as the `crawl_jobs` ledger records them. Peak RSS is sampled from /proc: a worker
process plus the crawl subprocesses it runs at that moment.

Needs Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/0) and a PostgreSQL role that may create
databases (BENCH_PG_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/test); the databases it
creates are dropped at the end.

    .venv/bin/python -m bench.workers [--sources 30] [--reports 3] [--latency-ms 50]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, create_engine, func, select, text

from bench.harness import ROOT, Row, children, note, run, vm_kb
from db import models as m
from db.jobqueue import FINISHED
from db.session import make_engine, session_scope

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CONCURRENCY = 2  # crawls per worker
FAST = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "ROBOTSTXT_OBEY=False", "DOWNLOAD_TIMEOUT=20"]


class Sites(BaseHTTPRequestHandler):
    """/s<i>/index.html: a TRS-style list of report links; /s<i>/202501/t2025011<k>_<i>.html: report k."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # see bench/crawl.py: without it every keep-alive reply stalls ~40 ms
    latency = 0.05
    reports = 3

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        time.sleep(self.latency)
        parts = self.path.strip("/").split("/")
        if not parts[0][1:].isdigit():  # robots.txt and anything else
            self.reply(404, "")
            return
        site = int(parts[0][1:])
        title = "示例{site}市2025年科技工作要点（第{k}号）"
        if parts[-1] == "index.html":
            links = "".join(
                f'<li><a href="./202501/t2025011{k}_{site}.html">{title.format(site=site, k=k)}</a>'
                f"<span>2025-01-1{k}</span></li>"
                for k in range(self.reports)
            )
            self.reply(200, f'<ul class="list">{links}</ul><script>createPageHTML(1, 0, "index", "html");</script>')
            return
        k = int(parts[-1][8])
        self.reply(
            200,
            f'<h1>{title.format(site=site, k=k)}</h1><div class="info">发布日期：2025-01-1{k}</div>'
            f'<div class="TRS_Editor"><p>示例{site}市2025年全社会研发经费投入强度达到3.{site % 10}%左右，'
            f"新增高新技术企业{100 + site}家，技术合同成交额增长10%以上。第{k}号。</p></div>",
        )

    def reply(self, status: int, body: str) -> None:
        data = f'<html><head><meta charset="utf-8"></head><body>{body}</body></html>'.encode() if body else b""
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def sites(latency_ms: float, reports: int) -> Iterator[str]:
    handler = type("Handler", (Sites,), {"latency": latency_ms / 1000, "reports": reports})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.request_queue_size = 256
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def registry(base: str, count: int, path: Path) -> Path:
    entries = [
        f"- {{id: site-{i:03d}, region: 示例{i}市, level: bureau, cms: trs, doc_types: [plan], "
        f"start_urls: ['{base}/s{i}/index.html']}}"
        for i in range(count)
    ]
    path.write_text("\n".join(entries) + "\n", encoding="utf-8")
    return path


def unavailable() -> str | None:
    """Why the benchmark cannot run here (Redis or PostgreSQL absent), or None."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return f"skipped (Redis unavailable at {REDIS_URL}: {exc})"
    admin = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
    try:
        with admin.connect():
            pass
    except Exception as exc:  # any driver error means "no server here"
        return f"skipped (PostgreSQL unavailable: {str(exc).splitlines()[0]})"
    finally:
        admin.dispose()
    return None


@contextmanager
def database() -> Iterator[str]:
    """A throwaway PostgreSQL database, initialised with `govmon init`; yields its URL."""
    name = f"govmon_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        init = run([sys.executable, "-m", "monitor", "--db", url, "init"])
        if init.returncode:
            raise RuntimeError(f"govmon init failed: {init.stderr[-2000:]}")
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def workers(url: str, queue: str, count: int, logs: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`count` workers, each in a process group of its own; stopped with SIGTERM (then SIGKILL) at the end."""
    env = {**os.environ, "GOVMON_REDIS_URL": REDIS_URL, "GOVMON_QUEUE": queue}
    started = []
    try:
        for i in range(1, count + 1):
            command = [sys.executable, "-m", "monitor", "--db", url, "worker", "--concurrency", str(CONCURRENCY)]
            with (logs / f"w{i}.log").open("wb") as log:
                started.append(subprocess.Popen([*command, "--name", f"w{i}@bench"], cwd=ROOT, env=env, stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True))  # fmt: skip
        yield started
    finally:
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        _forget_queue(queue)


def _forget_queue(queue: str) -> None:
    """Delete this run's keys from Redis (every key of a queue carries its name as prefix)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{queue}:*"):
        client.delete(key)
    client.close()


def wait_ready(logs: Path, count: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(b" ready." in (logs / f"w{i}.log").read_bytes() for i in range(1, count + 1)):
            return
        time.sleep(0.2)
    note(f"workers not ready after {timeout:.0f} s; enqueueing anyway")


@dataclass
class Cycle:
    workers: int
    sources: int
    seconds: float  # first job enqueued → last job finished
    failed: int
    peak_mb: float  # the largest (worker + its running crawls) seen


def sample(processes: list[subprocess.Popen[bytes]]) -> float:
    """The largest RSS of one worker together with its running crawl subprocesses, in MB."""
    return max(vm_kb(p.pid) + sum(vm_kb(c) for c in children(p.pid)) for p in processes) / 1024


def crawl_cycle(count: int, registry_file: Path, sources: int, tmp: Path, timeout: float = 900) -> Cycle:
    queue = f"govmon-bench-{uuid.uuid4().hex[:8]}"
    with database() as url, workers(url, queue, count, tmp) as started:
        wait_ready(tmp, count)
        note(f"{count} worker(s) ready; enqueueing {sources} sources")
        env = {**os.environ, "GOVMON_REDIS_URL": REDIS_URL, "GOVMON_QUEUE": queue}
        overrides = [arg for setting in FAST for arg in ("-s", setting)]
        command = [sys.executable, "-m", "monitor", "--db", url, "enqueue", "--sources", str(registry_file)]
        enqueue = subprocess.Popen([*command, "--cycle", "c1", *overrides], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
        engine = make_engine(url)
        peak, deadline = 0.0, time.monotonic() + timeout
        while (finished := _finished(engine)) < sources and time.monotonic() < deadline:
            peak = max(peak, sample(started))
            if enqueue.poll() not in (None, 0):
                raise RuntimeError(f"govmon enqueue failed: {enqueue.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            time.sleep(0.25)
        enqueue.wait()
        peak = max(peak, *(vm_kb(p.pid, "VmHWM") / 1024 for p in started))
        seconds, failed = _span(engine)
        engine.dispose()
    if finished < sources:
        raise RuntimeError(f"only {finished} of {sources} jobs finished within {timeout:.0f} s")
    return Cycle(count, sources, seconds, failed, peak)


def _finished(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).where(m.CrawlJob.state.in_(FINISHED))) or 0)


def _span(engine: Engine) -> tuple[float, int]:
    """Seconds from the first job enqueued to the last finished, and how many jobs failed."""
    with session_scope(engine) as session:
        first, last = session.execute(select(func.min(m.CrawlJob.enqueued_at), func.max(m.CrawlJob.finished_at))).one()
        failed = session.scalar(select(func.count()).where(m.CrawlJob.state == "failed"))
    if first is None or last is None:
        raise RuntimeError("no finished crawl job in the ledger")
    return (last - first).total_seconds(), int(failed or 0)


def compare(sources: int = 30, reports: int = 3, latency_ms: float = 50) -> tuple[Cycle, Cycle]:
    with sites(latency_ms, reports) as base, tempfile.TemporaryDirectory() as tmp:
        registry_file = registry(base, sources, Path(tmp) / "sources.yaml")
        cycles = []
        for count in (1, 3):
            logs = Path(tmp) / f"{count}w"
            logs.mkdir()
            cycle = crawl_cycle(count, registry_file, sources, logs)
            note(f"{count} worker(s): {sources} sources in {cycle.seconds:.1f} s ({cycle.failed} failed)")
            cycles.append(cycle)
    return cycles[0], cycles[1]


def measure(sources: int = 30, reports: int = 3, latency_ms: float = 50) -> Row:
    """The summary-table row: sources/s with 3 workers against 1 worker."""
    label = "workers, 3 against 1"
    reason = unavailable()
    if reason:
        return Row(label, skipped=reason)
    one, three = compare(sources, reports, latency_ms)
    failed = f", {one.failed}/{three.failed} jobs failed" if one.failed or three.failed else ""
    detail = (
        f"{sources} sources × {1 + reports} pages, {latency_ms:g} ms, {CONCURRENCY} crawls/worker, "
        f"{os.cpu_count()} CPUs; RSS: worker + its crawls{failed}"
    )
    return Row.of(label, "sources/s", sources / three.seconds, sources / one.seconds, max(one.peak_mb, three.peak_mb),
                  detail)  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, default=30)
    parser.add_argument("--reports", type=int, default=3, help="report articles per source")
    parser.add_argument("--latency-ms", type=float, default=50, help="server think time per request")
    args = parser.parse_args()
    reason = unavailable()
    if reason:
        print(reason)
        return 0
    cycles = compare(args.sources, args.reports, args.latency_ms)
    for c in cycles:
        print(f"{c.workers} worker(s): {c.sources} sources in {c.seconds:6.2f} s = {c.sources / c.seconds:6.2f} "
              f"sources/s, {c.failed} failed, peak RSS of a worker with its crawls {c.peak_mb:.0f} MB")  # fmt: skip
    print(f"ratio 3/1 workers: {cycles[0].seconds / cycles[1].seconds:.2f}x on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
