"""One crawl per source at a time, on either backend: the second crawl of a source skips it, says who holds it
and exits 7, and the site never sees more than one request per second. A lock left by a dead process is taken
over."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import Engine

from db.locks import CrawlLocks, Holder
from tests.crawler.conftest import ROOT, CrawlOutput

pytestmark = pytest.mark.slow
ARTICLES = 4


class Site(BaseHTTPRequestHandler):
    """/list.html and its articles; every request's arrival time is kept."""

    protocol_version = "HTTP/1.1"
    hits: ClassVar[list[tuple[float, str]]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.hits.append((time.monotonic(), self.path))
        if self.path == "/list.html":
            items = "".join(f'<li><a href="/202501/t2025011{n}_{n}.html">锁市2025年第{n}号工作要点</a>'
                            f"<span>2025-01-1{n}</span></li>" for n in range(ARTICLES))  # fmt: skip
            body = f"<html><body><ul>{items}</ul></body></html>"
        elif self.path.startswith("/202501/"):
            n = self.path.split("_")[-1].split(".")[0]
            body = (f'<html><head><meta name="ArticleTitle" content="锁市2025年第{n}号工作要点"></head><body>'
                    f'<div class="TRS_Editor"><p>锁市2025年地区生产总值增长5%左右，城镇新增就业2万人以上，'
                    f"第{n}号。</p></div></body></html>")  # fmt: skip
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def site() -> Iterator[tuple[str, list[tuple[float, str]]]]:
    handler = type("Handler", (Site,), {"hits": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler.hits
    server.shutdown()
    server.server_close()


def crawl(db_url: str, registry: Path) -> subprocess.Popen[str]:
    """`govmon crawl` with the default politeness (one request per host per second, robots.txt obeyed)."""
    command = [sys.executable, "-m", "monitor", "--db", db_url, "crawl", "--sources", str(registry), "--json"]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen[str]) -> CrawlOutput:
    import json

    out, err = proc.communicate(timeout=120)
    return CrawlOutput(proc.returncode, json.loads(out) if out.strip() else [], err)


def test_two_crawls_of_one_source_one_skips_and_the_host_sees_one_request_per_second(
    engine: Engine, db_url: str, site: tuple[str, list[tuple[float, str]]], tmp_path: Path
) -> None:
    base, hits = site
    registry = tmp_path / "lock.yaml"
    registry.write_text(f"- {{id: fx-lock, region: 锁市, cms: trs, start_urls: ['{base}/list.html']}}\n", "utf-8")
    first = crawl(db_url, registry)
    deadline = time.monotonic() + 60
    while not any(path == "/list.html" for _, path in hits) and time.monotonic() < deadline:
        time.sleep(0.05)  # the first crawl holds the lock once it fetches
    second = finish(crawl(db_url, registry))
    done = finish(first)

    assert done.code == 0, done.stderr
    assert done.of("fx-lock")["documents"] == {"new": ARTICLES}
    assert second.code == 7, second.stderr
    assert second.of("fx-lock")["status"] == "skipped"
    lines = [line for line in second.stderr.splitlines() if "fx-lock" in line]
    assert len(lines) == 1 and f"pid {first.pid} on " in lines[0] and " since " in lines[0], second.stderr
    paths = [path for _, path in hits]
    assert len(paths) == len(set(paths)) and sum(p.startswith("/202501/") for p in paths) == ARTICLES  # once each
    times = sorted(t for t, _ in hits)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # requests leave a second apart; arrivals may come a little closer when the first one waited for its
    # connection, so: no two within 0.8 s, and never more than one per second on average
    assert min(gaps) >= 0.8 and len(gaps) <= times[-1] - times[0] + 0.2, gaps


def _hold_then_die(db_url: str, ready: Path) -> None:
    from db.session import make_engine

    locks = CrawlLocks(make_engine(db_url))
    assert locks.acquire("fx-dead") is None
    ready.write_text(str(os.getpid()))
    time.sleep(600)


def test_a_lock_left_by_a_dead_process_is_taken_over(engine: Engine, db_url: str, tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    code = f"import pathlib, tests.crawler.test_locks as t; t._hold_then_die({db_url!r}, pathlib.Path({str(ready)!r}))"
    holder = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    deadline = time.monotonic() + 60
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    with CrawlLocks(engine) as mine:
        held = mine.acquire("fx-dead")
        assert isinstance(held, Holder) and held.pid == holder.pid
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    deadline = time.monotonic() + 10
    with CrawlLocks(engine) as mine:
        while (held := mine.acquire("fx-dead")) is not None and time.monotonic() < deadline:
            time.sleep(0.1)  # PostgreSQL ends the dead client's session a moment later
        assert held is None


def test_a_dry_run_takes_no_lock(engine: Engine, db_url: str, site: tuple[str, list[tuple[float, str]]],
                                 tmp_path: Path) -> None:  # fmt: skip
    """A dry run writes nothing, so it neither waits for nor blocks a real crawl: with the source's lock held
    elsewhere it still lists what it finds."""
    base, _ = site
    registry = tmp_path / "lock.yaml"
    registry.write_text(f"- {{id: fx-lock, region: 锁市, cms: trs, start_urls: ['{base}/list.html']}}\n", "utf-8")
    with CrawlLocks(engine) as held:
        assert held.acquire("fx-lock") is None
        command = [sys.executable, "-m", "monitor", "--db", db_url, "crawl", "--sources", str(registry), "--json",
                   "--dry-run", "-sDOWNLOAD_DELAY=0", "-sAUTOTHROTTLE_ENABLED=False"]  # fmt: skip
        dry = finish(subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    assert dry.code == 0, dry.stderr
    assert dry.of("fx-lock")["status"] == "finished" and dry.of("fx-lock")["documents"] == {"found": ARTICLES}
