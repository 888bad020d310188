"""Crawl throughput: the ReportSpider against a plain asyncio HTTP client, same server, same concurrency.

A local site of N article pages (default 5,000) behind 50 TRS-style list pages is served by a threaded
http.server in a child process. We measure, in one run:
  raw     — pages/s fetching every list and article URL with aiohttp at concurrency C
  spider  — pages/s of `govmon crawl` (full path: lists → title filter → articles → classify → store in SQLite)
            with politeness off (no delay, no AutoThrottle, CONCURRENT_REQUESTS[_PER_DOMAIN]=C)
and print the ratio and the crawl process's peak RSS.

    .venv/bin/python bench/crawl.py [--pages 5000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

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


def serve(port_queue: multiprocessing.Queue, pages: int) -> None:  # type: ignore[type-arg]
    lists = pages // PER_LIST

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out as separate writes; without TCP_NODELAY, Nagle's algorithm and the client's
        # delayed ACK stall every keep-alive response by ~40 ms (production servers such as nginx set it).
        disable_nagle_algorithm = True

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
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


def spider_run(base: str, concurrency: int, workdir: Path) -> tuple[float, dict[str, object], int]:
    registry = workdir / "bench.yaml"
    registry.write_text(
        f"- {{id: bench, region: 北京市, cms: trs, max_pages: 100, start_urls: ['{base}/bench/index.html']}}\n",
        encoding="utf-8",
    )
    db = f"sqlite:///{workdir / 'bench.db'}"
    govmon = [sys.executable, "-m", "monitor", "--db", db]
    subprocess.run([*govmon, "init"], check=True, capture_output=True, cwd=ROOT)
    settings = {
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "ROBOTSTXT_OBEY": False,
        "LOG_LEVEL": "ERROR",
    }
    command = [*govmon, "crawl", "--sources", str(registry), "--json", *EXTRA] + [
        f"-s{k}={v}" for k, v in settings.items()
    ]
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = json.loads(proc.stdout)[0] if proc.stdout.strip() else {"error": proc.stderr[-2000:]}
    with session_scope(make_engine(db)) as session:
        run = get_crawl_run(session, int(result["run_id"])) if result.get("run_id") else None
    result["crawl_seconds"] = run.stats.get("elapsed_time_seconds", elapsed) if run else elapsed
    return elapsed, result, peak_kb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(ports, args.pages), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{ports.get(timeout=10)}"
    try:
        all_urls = urls(base, args.pages)
        raw_seconds = asyncio.run(raw_fetch(all_urls, args.concurrency))
        with tempfile.TemporaryDirectory() as tmp:
            spider_seconds, result, peak_kb = spider_run(base, args.concurrency, Path(tmp))
    finally:
        server.terminate()
    report(len(all_urls), raw_seconds, spider_seconds, result, peak_kb, args.concurrency)


def report(n: int, raw: float, spider: float, result: dict[str, object], peak_kb: int, concurrency: int) -> None:
    pages = int(result.get("pages", 0))  # type: ignore[call-overload]
    raw_rate, spider_rate = n / raw, pages / spider
    print(f"site: {n} URLs ({n - n // (PER_LIST + 1)} articles), concurrency {concurrency}, pid {os.getpid()}")
    print(f"raw aiohttp : {n} pages in {raw:6.2f} s = {raw_rate:7.1f} pages/s")
    print(f"spider      : {pages} pages in {spider:6.2f} s = {spider_rate:7.1f} pages/s (process start-up included)")
    print(f"documents   : {result.get('documents')}")
    print(f"ratio       : {spider_rate / raw_rate:.0%} of raw (aim >= 50%)")
    print(f"peak RSS    : {peak_kb / 1024:.0f} MB (aim < 300 MB)")


if __name__ == "__main__":
    main()
