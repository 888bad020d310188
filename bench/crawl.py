"""Crawl throughput: the ReportSpider against a plain asyncio HTTP client, same server, same concurrency.

A local site of N article pages (default 5,000) behind 50 TRS-style list pages is served by a threaded
http.server in a child process, optionally answering each request after a fixed latency (real government sites
answer in tens to hundreds of milliseconds; on loopback at 0 ms the comparison only measures CPU cost per page).
We measure, in one run:
  raw     — pages/s fetching every list and article URL with aiohttp at concurrency C
  bare    — pages/s of a Scrapy spider that only fetches the same URLs (the framework's ceiling)
  spider  — pages/s of `govmon crawl` (full path: lists → title filter → articles → classify → store in SQLite)
            with politeness off (no delay, no AutoThrottle, CONCURRENT_REQUESTS[_PER_DOMAIN]=C)
and print the ratio and the crawl process's peak RSS.

    .venv/bin/python bench/crawl.py [--pages 5000] [--concurrency 16] [--latency-ms 0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.harness import Row, note, run  # noqa: E402
from db.repository import get_crawl_run  # noqa: E402
from db.session import make_engine, session_scope  # noqa: E402

PER_LIST = 100
EXTRA = os.environ.get("BENCH_EXTRA", "").split()
PARAGRAPH = "<p>第{n}号文件：全市地区生产总值增长5%左右，研发经费投入强度达到3.2%，新增城镇就业8万人。</p>"


def article(n: int) -> bytes:
    body = "".join(PARAGRAPH.format(n=n) for _ in range(20))
    return (
        f'<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="2025年第{n}号工作要点">'
        f"<title>2025年第{n}号工作要点</title></head><body><h1>2025年第{n}号工作要点</h1>"
        f'<div class="info">发布日期：2025-01-{n % 28 + 1:02d}</div><div class="TRS_Editor">{body}</div></body></html>'
    ).encode()


def list_page(index: int, lists: int) -> bytes:
    items = "".join(
        f'<li><a href="./202501/t202501{n % 28 + 1:02d}_{n}.html" title="2025年第{n}号工作要点">'
        f"2025年第{n}号工作要点</a><span>2025-01-{n % 28 + 1:02d}</span></li>"
        for n in range(index * PER_LIST, (index + 1) * PER_LIST)
    )
    paging = f'<script>createPageHTML({lists}, {index}, "index", "html");</script>'
    return f"<html><body><ul>{items}</ul>{paging}</body></html>".encode()


def serve(port_queue: multiprocessing.Queue, pages: int, latency: float = 0.0) -> None:  # type: ignore[type-arg]
    lists = pages // PER_LIST

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out as separate writes; without TCP_NODELAY, Nagle's algorithm and the client's
        # delayed ACK stall every keep-alive response by ~40 ms (production servers such as nginx set it).
        disable_nagle_algorithm = True

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if latency:
                time.sleep(latency)  # the server's think time, before the first byte of the reply
            name = self.path.rsplit("/", 1)[-1]
            if name in ("", "index.html"):
                body = list_page(0, lists)
            elif name.startswith("index_"):
                body = list_page(int(name[6:-5]), lists)
            elif name.startswith("t2025"):
                body = article(int(name.split("_")[1][:-5]))
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.request_queue_size = 256
    port_queue.put(httpd.server_address[1])
    httpd.serve_forever()


@contextmanager
def site(pages: int, latency_ms: float = 0) -> Iterator[str]:
    """The bench site served from a child process; yields its base URL."""
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(ports, pages, latency_ms / 1000), daemon=True)
    server.start()
    try:
        yield f"http://127.0.0.1:{ports.get(timeout=10)}"
    finally:
        server.terminate()
        server.join()


def urls(base: str, pages: int) -> list[str]:
    lists = [f"{base}/bench/index.html"] + [f"{base}/bench/index_{i}.html" for i in range(1, pages // PER_LIST)]
    return lists + [f"{base}/bench/202501/t202501{n % 28 + 1:02d}_{n}.html" for n in range(pages)]


async def raw_fetch(all_urls: list[str], concurrency: int) -> float:
    import aiohttp

    queue: asyncio.Queue[str] = asyncio.Queue()
    for url in all_urls:
        queue.put_nowait(url)
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            while not queue.empty():
                async with session.get(queue.get_nowait()) as response:
                    await response.read()

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - start


@dataclass
class Crawl:
    """One `govmon crawl` of the bench site."""

    seconds: float  # wall time, process start-up included
    crawl_seconds: float  # Scrapy's own elapsed time
    pages: int
    requests: int
    documents: dict[str, int]
    peak_mb: float
    cpu_seconds: float = 0.0  # the crawl process's CPU time, start-up included


def prepare(base: str, workdir: Path) -> tuple[str, Path]:
    """An initialised SQLite database and a registry with the bench site; returns (database URL, registry)."""
    registry = workdir / "bench.yaml"
    registry.write_text(
        f"- {{id: bench, region: 北京市, cms: trs, max_pages: 100, start_urls: ['{base}/bench/index.html']}}\n",
        encoding="utf-8",
    )
    db = f"sqlite:///{workdir / 'bench.db'}"
    init = run([sys.executable, "-m", "monitor", "--db", db, "init"])
    if init.returncode:
        raise RuntimeError(f"govmon init failed: {init.stderr[-2000:]}")
    return db, registry


def spider_run(db: str, registry: Path, concurrency: int) -> Crawl:
    settings = {
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "ROBOTSTXT_OBEY": False,
        "LOG_LEVEL": "ERROR",
    }
    command = [sys.executable, "-m", "monitor", "--db", db, "crawl", "--sources", str(registry), "--json", *EXTRA]
    done = run(command + [f"-s{k}={v}" for k, v in settings.items()])
    if not done.stdout.strip():
        raise RuntimeError(f"govmon crawl failed (exit {done.returncode}): {done.stderr[-2000:]}")
    result = json.loads(done.stdout)[0]
    engine = make_engine(db)
    with session_scope(engine) as session:
        stored = get_crawl_run(session, int(result["run_id"])) if result.get("run_id") else None
    engine.dispose()
    crawl_seconds = float(stored.stats.get("elapsed_time_seconds", done.seconds)) if stored else done.seconds
    requests = sum(result.get("requests", {}).values())
    return Crawl(done.seconds, crawl_seconds, int(result["pages"]), requests, result["documents"], done.peak_mb,
                 done.cpu_seconds)  # fmt: skip


@dataclass
class Comparison:
    urls: int
    raw_seconds: float
    crawl: Crawl
    concurrency: int
    latency_ms: float
    bare_seconds: float  # a Scrapy spider that only fetches: the framework's ceiling
    bare_cpu: float = 0.0  # its CPU seconds, start-up included


def compare(pages: int = 5000, concurrency: int = 16, latency_ms: float = 0) -> Comparison:
    with site(pages, latency_ms) as base, tempfile.TemporaryDirectory() as tmp:
        all_urls = urls(base, pages)
        note(f"raw aiohttp: {len(all_urls):,} URLs at concurrency {concurrency}, {latency_ms:g} ms server latency")
        raw_seconds = asyncio.run(raw_fetch(all_urls, concurrency))
        note(f"raw aiohttp: {len(all_urls) / raw_seconds:,.1f} pages/s; now govmon crawl of the same site")
        crawl = spider_run(*prepare(base, Path(tmp)), concurrency)
        note(f"govmon crawl: {crawl.pages / crawl.crawl_seconds:,.1f} pages/s; now a bare Scrapy spider")
        bare_seconds, bare_cpu = bare_scrapy(all_urls, concurrency, Path(tmp))
    return Comparison(len(all_urls), raw_seconds, crawl, concurrency, latency_ms, bare_seconds, bare_cpu)


def bare_scrapy(all_urls: list[str], concurrency: int, workdir: Path) -> tuple[float, float]:
    """Seconds a Scrapy spider that only fetches (bench/bare_scrapy.py) takes for the same URLs, and its CPU
    seconds (start-up included)."""
    listing = workdir / "urls.txt"
    listing.write_text("\n".join(all_urls), encoding="utf-8")
    done = run([sys.executable, "-m", "bench.bare_scrapy", str(listing), str(concurrency)])
    seconds, received = done.stdout.split()
    if int(received) != len(all_urls):
        raise RuntimeError(f"bare Scrapy fetched {received} of {len(all_urls)} URLs: {done.stderr[-2000:]}")
    return float(seconds), done.cpu_seconds


def measure(pages: int = 5000, concurrency: int = 16, latency_ms: float = 0) -> list[Row]:
    """The summary-table rows: govmon crawl pages/s against raw aiohttp, and against a bare fetch-only Scrapy
    spider (the framework's ceiling; what govmon adds per page: parsing, roles, classification, storage)."""
    c = compare(pages, concurrency, latency_ms)
    label = f"crawl, {latency_ms:g} ms server latency" if latency_ms else "crawl, loopback 0 ms"
    start_up = c.crawl.seconds - c.crawl.crawl_seconds
    rate, bare = c.crawl.pages / c.crawl.crawl_seconds, c.urls / c.bare_seconds
    detail = f"{c.urls:,} URLs, concurrency {concurrency}, start-up ({start_up:.1f} s) not counted"
    cpu = f"; CPU s with start-up: govmon {c.crawl.cpu_seconds:.1f}, bare {c.bare_cpu:.1f}"
    return [
        Row.of(label, "pages/s", rate, c.urls / c.raw_seconds, c.crawl.peak_mb, detail + "; baseline aiohttp"),
        Row.of(f"{label}, vs Scrapy", "pages/s", rate, bare, c.crawl.peak_mb,
               detail + "; baseline a bare fetch-only Scrapy spider (the ceiling)" + cpu),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency-ms", type=float, default=0, help="server think time per request")
    args = parser.parse_args()
    report(compare(args.pages, args.concurrency, args.latency_ms))


def report(c: Comparison) -> None:
    crawl, n = c.crawl, c.urls
    raw_rate, spider_rate = n / c.raw_seconds, crawl.pages / crawl.crawl_seconds
    print(f"site: {n} URLs ({n - n // (PER_LIST + 1)} articles), concurrency {c.concurrency}, "
          f"server latency {c.latency_ms:g} ms")  # fmt: skip
    print(f"raw aiohttp : {n} pages in {c.raw_seconds:6.2f} s = {raw_rate:7.1f} pages/s")
    print(f"spider      : {crawl.pages} pages in {crawl.crawl_seconds:6.2f} s = {spider_rate:7.1f} pages/s "
          f"(Scrapy's crawl time, from opening the database to the last write; with process start-up "
          f"{crawl.seconds:.2f} s = {crawl.pages / crawl.seconds:.1f} pages/s)")  # fmt: skip
    bare_rate = n / c.bare_seconds
    print(f"bare Scrapy : {n} pages in {c.bare_seconds:6.2f} s = {bare_rate:7.1f} pages/s (fetch only: the framework's "
          f"ceiling; govmon at {spider_rate / bare_rate:.0%} of it)")  # fmt: skip
    print(
        f"CPU         : govmon {crawl.cpu_seconds:.1f} s, bare Scrapy {c.bare_cpu:.1f} s (start-up included; on a "
        f"busy machine the CPU ratio {c.bare_cpu / crawl.cpu_seconds:.0%} is steadier than the wall-time one)"
    )
    print(f"documents   : {crawl.documents}")
    print(f"ratio       : {spider_rate / raw_rate:.0%} of raw (aim >= 50%)")
    print(f"peak RSS    : {crawl.peak_mb:.0f} MB (aim < 300 MB)")


if __name__ == "__main__":
    main()
