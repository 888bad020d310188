"""Crawl the demo sources: `govmon crawl --source ID --json` in a subprocess per source, as `monitor.jobs.crawl`
does (Twisted's reactor cannot restart in one process), but with politeness off for the local demo server."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

# The demo server is ours and local: no delay, no throttling, short timeouts.
FAST = {"DOWNLOAD_DELAY": "0", "RANDOMIZE_DOWNLOAD_DELAY": "False", "AUTOTHROTTLE_ENABLED": "False",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "8", "DOWNLOAD_TIMEOUT": "10", "RETRY_TIMES": "1"}  # fmt: skip
TIMEOUT = 120.0


@dataclass(frozen=True)
class SourceCrawl:
    source_id: str
    ok: bool
    health: str
    new: int = 0
    changed: int = 0
    pages: int = 0
    error: str | None = None


def command(database_url: str, registry: Path, source_id: str) -> list[str]:
    base = [sys.executable, "-m", "monitor", "--db", database_url, "crawl", "--sources", str(registry)]
    return [*base, "--source", source_id, "--json", *(f"-s{k}={v}" for k, v in FAST.items())]


def crawl_one(database_url: str, registry: Path, source_id: str) -> SourceCrawl:
    try:
        proc = subprocess.run(command(database_url, registry, source_id), capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return SourceCrawl(source_id, False, "unknown", error=f"timed out after {TIMEOUT:.0f} s")
    return parse(source_id, proc.returncode, proc.stdout, proc.stderr)


def parse(source_id: str, code: int, out: bytes, err: bytes) -> SourceCrawl:
    try:
        (result,) = json.loads(out.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        lines = err.decode("utf-8", "replace").strip().splitlines() or [f"exit status {code}"]
        return SourceCrawl(source_id, False, "unknown", error=lines[-1])
    docs = result.get("documents", {})
    return SourceCrawl(source_id, code == 0, str(result.get("health")), int(docs.get("new", 0)),
                       int(docs.get("changed", 0)), int(result.get("pages", 0)), result.get("reason"))  # fmt: skip


def crawl_all(database_url: str, registry: Path, source_ids: Sequence[str],
              progress: Callable[[SourceCrawl], None] | None = None,
              parallel: int = 3) -> list[SourceCrawl]:  # fmt: skip
    """Crawl each source in its own subprocess, a few at a time; `progress` hears of each as it finishes."""
    results = []
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        futures = [pool.submit(crawl_one, database_url, registry, sid) for sid in source_ids]
        for future in as_completed(futures):
            results.append(future.result())
            if progress:
                progress(results[-1])
    return sorted(results, key=lambda r: list(source_ids).index(r.source_id))
