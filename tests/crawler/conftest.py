"""Crawler test fixtures: the local fixture-site server and a `govmon crawl` runner in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.crawler.fixture_server import SITES, FixtureServer

ROOT = Path(__file__).resolve().parents[2]
FAST = {  # politeness off for the local fixture server; timeouts short so the slow page fails fast
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "DOWNLOAD_TIMEOUT": "1",
    "RETRY_TIMES": "1",
    "RETRY_BACKOFF_BASE": "0.05",
    "DOWNLOAD_MAXSIZE": str(8 * 2**20),
}


@pytest.fixture(scope="session")
def site() -> Iterator[FixtureServer]:
    with FixtureServer(slow_seconds=2.5) as server:
        yield server


def registry(server: FixtureServer, tmp_path: Path, name: str = "registry.yaml") -> Path:
    """The fixture registry with the server's address filled in."""
    path = tmp_path / name
    path.write_text((SITES / name).read_text(encoding="utf-8").replace("{base}", server.base), encoding="utf-8")
    return path


@dataclass
class CrawlOutput:
    code: int
    results: list[dict[str, Any]]
    stderr: str

    def of(self, source_id: str) -> dict[str, Any]:
        return next(r for r in self.results if r["source_id"] == source_id)


def run_crawl(db_url: str, registry_file: Path, *args: str) -> CrawlOutput:
    """`govmon crawl --json` in a subprocess (Twisted's reactor cannot restart inside pytest)."""
    settings = [f"-s{name}={value}" for name, value in FAST.items()]
    command = [sys.executable, "-m", "monitor", "--db", db_url, "crawl", "--sources", str(registry_file), "--json"]
    proc = subprocess.run(command + settings + list(args), capture_output=True, text=True, cwd=ROOT, timeout=120)
    try:
        results = json.loads(proc.stdout) if proc.stdout.strip() else []
    except json.JSONDecodeError:
        pytest.fail(f"govmon crawl printed no JSON:\n{proc.stdout}\n{proc.stderr}")
    return CrawlOutput(proc.returncode, results, proc.stderr)
