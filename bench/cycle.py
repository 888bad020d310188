"""A full cycle over thousands of sources: `govmon run` against aiohttp making the same requests, same politeness.

N local sources (default 3,000), each on a host name of its own (`s<i>.bench.test`, resolved to loopback by
bench/loopback.py), each a TRS-style list and a few report articles, served by one aiohttp server in a child
process. The sites are crawled once first (politeness off: preparation, not measured). Then, measured:

  unchanged — `govmon run` (crawl in batches → extract → diff → digests, none due) with the default politeness
              (robots.txt, one request per host at least a second apart): its wall time, requests (from the
              crawl runs it recorded: Scrapy's and the change probe's), CPU seconds (its crawl processes
              included) and peak RSS; against aiohttp making the same requests — each host's robots.txt and
              list, by host name, a connection per host — with the same per-host politeness and as many
              connections (crawl processes × CONCURRENT_REQUESTS).
  changed   — 1% of the sources publish one new article; `govmon run` again: time until it returns, by when the
              new documents are stored *and* processed (checked); against aiohttp fetching the same URLs.

    .venv/bin/python -m bench.cycle [--sources 3000] [--articles 3] [--changed 0.01]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from bench.harness import Finished, Row, note, run
from db import models as m
from db.session import make_engine, session_scope

DOMAIN = "bench.test"
RESOLVER = "bench.loopback.LoopbackResolver"
PROBE_RESOLVER = "bench.loopback.ProbeResolver"  # the same names for the change probe's aiohttp client
PARALLEL = 2  # crawl processes `govmon run` keeps running (jobs.crawl's default)
CONCURRENT = 512  # crawler.settings.CONCURRENT_REQUESTS
DELAY = 1.0  # crawler.settings.DOWNLOAD_DELAY
FAST = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS_PER_DOMAIN=4"]
PARAGRAPH = "示例{i}市2025年地区生产总值增长5%左右，城镇新增就业{j}千人以上，研发经费投入强度达到2.{k}%。"


# --- the sites -----------------------------------------------------------------------------------------------


def _list(site: int, articles: int) -> str:
    items = "".join(
        f'<li><a href="./202501/t2025011{k}_{site}{k}.html">示例{site}市2025年第{k}号工作要点</a>'
        f"<span>2025-01-1{k}</span></li>"
        for k in range(articles)
    )
    paging = '<script>createPageHTML(1, 0, "list", "html");</script>'
    return (
        f'<html><head><meta charset="utf-8"><title>规划计划</title></head><body><ul>{items}</ul>{paging}</body></html>'
    )


def _article(site: int, k: int) -> str:
    text = "".join(f"<p>{PARAGRAPH.format(i=site, j=k + 3, k=site % 10)}</p>" for _ in range(6))
    title = f"示例{site}市2025年第{k}号工作要点"
    return (
        f'<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{title}"></head><body>'
        f'<h1>{title}</h1><div class="info">发布日期：2025-01-1{k}</div>'
        f'<div class="TRS_Editor">{text}</div></body></html>'
    )


def serve(ports: Any, articles: int, changed: Any) -> None:
    """One aiohttp server for every host; a source in `changed` lists one more article."""
    from aiohttp import web

    async def handle(request: web.Request) -> web.Response:
        host = request.host.split(":")[0]
        site = int(host.split(".")[0][1:]) if host.startswith("s") else -1
        count = articles + (1 if 0 <= site < len(changed) and changed[site] else 0)
        path = request.path
        if path == "/robots.txt":
            return web.Response(text="User-agent: *\nAllow: /\n")
        if path == "/list.html" and site >= 0:
            return web.Response(text=_list(site, count), content_type="text/html", charset="utf-8")
        if path.startswith("/202501/t2025011") and site >= 0:
            return web.Response(text=_article(site, int(path[16])), content_type="text/html", charset="utf-8")
        return web.Response(status=404)

    async def main() -> None:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        server = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await server.start()
        ports.put(runner.addresses[0][1])
        await asyncio.Event().wait()

    asyncio.run(main())


@contextmanager
def sites(sources: int, articles: int) -> Iterator[tuple[int, Any]]:
    """The server in a child process; yields its port and the shared `changed` flags."""
    context = multiprocessing.get_context("spawn")
    ports = context.Queue()
    changed = context.Array("b", sources, lock=False)
    server = context.Process(target=serve, args=(ports, articles, changed), daemon=True)
    server.start()
    try:
        yield ports.get(timeout=30), changed
    finally:
        server.terminate()
        server.join()


def registry(path: Path, port: int, sources: int) -> Path:
    lines = [
        f"- {{id: s{i:05d}, region: 示例{i}市, level: city, cms: trs, doc_types: [plan], "
        f"start_urls: ['http://s{i}.{DOMAIN}:{port}/list.html']}}"
        for i in range(sources)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- govmon ------------------------------------------------------------------------------------------------------


EXTRA = os.environ.get("BENCH_CYCLE_SETTINGS", "").split()  # more -s NAME=VALUE for the measured runs


def govmon_run(db: str, registry_file: Path, settings: list[str]) -> Finished:
    resolvers = [f"TWISTED_DNS_RESOLVER={RESOLVER}", f"GOVMON_PROBE_RESOLVER={PROBE_RESOLVER}"]
    overrides = [a for s in [*resolvers, *EXTRA, *settings] for a in ("-s", s)]
    env = {**os.environ, "GOVMON_MAIL_DIR": str(registry_file.parent / "mail")}
    command = [sys.executable, "-m", "monitor", "--db", db, "run", "--sources", str(registry_file), *overrides]
    done = run(command, env=env)
    if done.returncode not in (0, 7):
        raise RuntimeError(f"govmon run failed (exit {done.returncode}): {done.stderr[-3000:]}")
    return done


@dataclass
class Cycle:
    seconds: float
    requests: int
    cpu_seconds: float
    peak_mb: float
    failed_sources: int
    stored: int  # document versions at the end
    unprocessed: int  # versions not yet extracted and diffed at the end


def measure_run(db: str, registry_file: Path, settings: list[str] | None = None) -> Cycle:
    engine = make_engine(db)
    with session_scope(engine) as session:
        last_run = session.scalar(select(func.max(m.CrawlRun.id))) or 0
    done = govmon_run(db, registry_file, settings or [])
    with session_scope(engine) as session:
        runs = session.scalars(select(m.CrawlRun).where(m.CrawlRun.id > last_run)).all()
        requests = sum(_requests(r.stats or {}) for r in runs)
        failed = sum(r.status != "ok" for r in runs)
        stored = session.scalar(select(func.count()).select_from(m.DocumentVersion)) or 0
        unprocessed = session.scalar(select(func.count()).where(m.DocumentVersion.processed_at.is_(None))) or 0
    engine.dispose()
    return Cycle(done.seconds, requests, done.cpu_seconds, done.peak_mb, failed, stored, unprocessed)


def _requests(stats: dict[str, Any]) -> int:
    """A run's requests: Scrapy's, and the change probe's before a crawl that it handed on to Scrapy."""
    return int(stats.get("downloader/request_count", 0)) + int(stats.get("probe/request_count", 0))


# --- the baseline ------------------------------------------------------------------------------------------------


class _Loopback:
    """aiohttp's resolver for `*.bench.test`: loopback, like bench/loopback.py for Scrapy. Each host name gets
    connections of its own, as separate hosts do."""

    async def resolve(self, host: str, port: int = 0, family: int = 0) -> list[dict[str, Any]]:
        import socket

        return [{"hostname": host, "host": "127.0.0.1", "port": port, "family": socket.AF_INET, "proto": 0,
                 "flags": socket.AI_NUMERICHOST}]  # fmt: skip

    async def close(self) -> None:
        pass


async def polite_fetch(plan: dict[str, list[str]], concurrency: int, delay: float) -> float:
    """aiohttp fetching each host's URLs in order, `delay` apart per host, `concurrency` connections at most."""
    import aiohttp

    connector = aiohttp.TCPConnector(limit=concurrency, limit_per_host=1, resolver=_Loopback())  # type: ignore[arg-type]
    async with aiohttp.ClientSession(connector=connector) as session:

        async def host(urls: list[str]) -> None:
            last = 0.0
            for url in urls:
                await asyncio.sleep(max(0.0, last + delay - time.monotonic()))
                last = time.monotonic()
                async with session.get(url) as reply:
                    await reply.read()

        start = time.perf_counter()
        await asyncio.gather(*(host(urls) for urls in plan.values()))
        return time.perf_counter() - start


def baseline_plan(port: int, sources: int, articles: int, changed: list[int]) -> dict[str, list[str]]:
    """Each host's URLs as govmon fetches them in a cycle: robots.txt, the list, a changed source's new article."""
    plan = {}
    for i in range(sources):
        base = f"http://s{i}.{DOMAIN}:{port}"
        plan[base] = [f"{base}/robots.txt", f"{base}/list.html"]
    for i in changed:
        base = f"http://s{i}.{DOMAIN}:{port}"
        plan[base].append(f"{base}/202501/t2025011{articles}_{i}{articles}.html")
    return plan


# --- the measurement ---------------------------------------------------------------------------------------------


@dataclass
class Result:
    sources: int
    unchanged: Cycle
    changed: Cycle
    changed_sources: int
    new_versions: int
    baseline_unchanged: float  # seconds
    baseline_changed: float
    baseline_requests: tuple[int, int]


def compare(sources: int = 3000, articles: int = 3, share: float = 0.01) -> Result:
    with sites(sources, articles) as (port, flags), tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        db = f"sqlite:///{workdir / 'cycle.db'}"
        init = run([sys.executable, "-m", "monitor", "--db", db, "init"])
        if init.returncode:
            raise RuntimeError(f"govmon init failed: {init.stderr[-2000:]}")
        reg = registry(workdir / "sources.yaml", port, sources)
        note(f"preparing: first crawl of {sources:,} sources × {articles} articles (politeness off, not measured)")
        first = measure_run(db, reg, FAST)
        note(f"prepared in {first.seconds:.0f} s: {first.stored:,} documents; now the unchanged cycle")
        unchanged = measure_run(db, reg)
        note(f"unchanged cycle: {unchanged.requests:,} requests in {unchanged.seconds:.1f} s; now aiohttp")
        plan = baseline_plan(port, sources, articles, [])
        base_unchanged = asyncio.run(polite_fetch(plan, PARALLEL * CONCURRENT, DELAY))
        changed_ids = list(range(0, sources, max(1, round(1 / share))))
        for i in changed_ids:
            flags[i] = 1
        note(f"aiohttp: {base_unchanged:.1f} s; now {len(changed_ids)} sources publish a new article")
        changed = measure_run(db, reg)
        change_plan = baseline_plan(port, sources, articles, changed_ids)
        base_changed = asyncio.run(polite_fetch(change_plan, PARALLEL * CONCURRENT, DELAY))
        note(f"changed cycle: {changed.seconds:.1f} s (aiohttp {base_changed:.1f} s)")
    requests = (sum(map(len, plan.values())), sum(map(len, change_plan.values())))
    return Result(sources, unchanged, changed, len(changed_ids), changed.stored - unchanged.stored, base_unchanged,
                  base_changed, requests)  # fmt: skip


def rows(r: Result) -> list[Row]:
    u, c = r.unchanged, r.changed
    ok = "all stored and processed" if r.new_versions == r.changed_sources and not c.unprocessed else (
        f"{r.new_versions} of {r.changed_sources} new documents stored, {c.unprocessed} unprocessed")  # fmt: skip
    unchanged = Row.of(
        f"cycle, {r.sources:,} sources unchanged", "requests/s", u.requests / u.seconds,
        r.baseline_requests[0] / r.baseline_unchanged, u.peak_mb,
        f"govmon run {u.seconds:.0f} s for {u.requests:,} requests ({u.cpu_seconds:.0f} CPU s, {u.failed_sources} "
        f"failed); aiohttp {r.baseline_unchanged:.0f} s for {r.baseline_requests[0]:,}, same politeness "
        f"(a connection per host, 1 request per host per s, {PARALLEL * CONCURRENT} connections at most)",
    )  # fmt: skip
    changed = Row.of(
        f"cycle, {r.changed_sources} of {r.sources:,} sources changed", "requests/s", c.requests / c.seconds,
        r.baseline_requests[1] / r.baseline_changed, c.peak_mb,
        f"new documents {ok} when govmon run returned, {c.seconds:.0f} s ({c.cpu_seconds:.0f} CPU s); "
        f"aiohttp {r.baseline_changed:.0f} s for the same {r.baseline_requests[1]:,} requests",
    )  # fmt: skip
    return [unchanged, changed]


def measure(sources: int = 3000, articles: int = 3, changed: float = 0.01) -> list[Row]:
    return rows(compare(sources, articles, changed))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, default=3000)
    parser.add_argument("--articles", type=int, default=3, help="report articles per source")
    parser.add_argument("--changed", type=float, default=0.01, help="share of sources that change")
    args = parser.parse_args()
    r = compare(args.sources, args.articles, args.changed)
    for name, cycle, base, count in (("unchanged", r.unchanged, r.baseline_unchanged, r.baseline_requests[0]),
                                     ("changed", r.changed, r.baseline_changed, r.baseline_requests[1])):  # fmt: skip
        print(f"{name:9}: govmon run {cycle.seconds:6.1f} s, {cycle.requests:,} requests = "
              f"{cycle.requests / cycle.seconds:6.1f}/s, {cycle.cpu_seconds:.0f} CPU s, "
              f"peak RSS {cycle.peak_mb:.0f} MB, {cycle.failed_sources} failed; "
              f"aiohttp {base:6.1f} s for {count:,} = {count / base:6.1f}/s "
              f"(ratio {cycle.requests / cycle.seconds / (count / base):.2f})")  # fmt: skip
    print(
        f"changed  : {r.new_versions} new documents for {r.changed_sources} changed sources; "
        f"{r.changed.unprocessed} unprocessed when govmon run returned"
    )


if __name__ == "__main__":
    main()
