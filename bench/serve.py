"""The web face under load: N concurrent clients on the archive index and `/api/v1/documents` of `govmon serve`,
against the same pages of the built static site (`govmon site build`, plus the API's answer saved as a file) served
by Python's plain file server (`python -m http.server`, HTTP/1.1), in the same run, for the same time each.

Both servers run as subprocesses on loopback; the clients (aiohttp, keep-alive, one connection each) run here and
alternate between the two URLs. Prints requests/s, p50/p95 latency and errors (which must be 0) of each side.

    .venv/bin/python -m bench.serve [--seconds 20] [--clients 200] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import ROOT, Row, children, note, vm_kb
from db.migrate import upgrade
from db.repository import FetchedDocument, store_fetched
from db.session import make_engine, session_scope
from monitor.ops.jobs import process_new_versions
from monitor.publish.site import build_site
from tests.smtp import free_port

TEXTS = ROOT / "monitor" / "demo" / "texts"
REGIONS = {"national": "全国", "shanghai": "上海市", "guangdong": "广东省", "zhejiang": "浙江省",
           "bureau-plan": "示例市科学技术局", "bureau-summary": "示例市科学技术局"}  # fmt: skip
KINDS = {"bureau-plan": "plan", "bureau-summary": "summary"}
PATHS = ("/index.html", "/api/v1/documents")


def prepare(workdir: Path) -> tuple[str, Path]:
    """A database of the demo's reports (processed) and the static site built from it."""
    url = f"sqlite:///{workdir / 'bench.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        for path in sorted(TEXTS.glob("*.txt")):
            stem, year = path.stem.rsplit("-", 1)
            text = path.read_text(encoding="utf-8")
            store_fetched(session, FetchedDocument(url=f"https://bench.example.gov.cn/{path.stem}.html",
                                                   region=REGIONS[stem], text=text, raw=text.encode(),
                                                   title=f"{year}年{REGIONS[stem]}{stem}", report_year=int(year),
                                                   doc_type=KINDS.get(stem, "work_report")))  # fmt: skip
    process_new_versions(engine)
    site = workdir / "site"
    build_site(engine, site, "http://127.0.0.1")
    engine.dispose()
    return url, site


@dataclass
class Load:
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, p: float) -> float:
        return statistics.quantiles(self.latencies, n=100)[int(p) - 1] * 1000 if len(self.latencies) > 1 else 0.0


async def _client(session: object, base: str, deadline: float, load: Load, offset: int) -> None:
    i = offset
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        try:
            async with session.get(base + PATHS[i % len(PATHS)]) as answer:  # type: ignore[attr-defined]
                await answer.read()
                ok = answer.status == 200
        except Exception as exc:  # any failure is an error of the run, counted and shown
            ok, load.first_error = False, load.first_error or f"{type(exc).__name__}: {exc}"
        if ok:
            load.latencies.append(time.perf_counter() - start)
        else:
            load.errors += 1
        i += 1


async def _hammer(base: str, clients: int, seconds: float) -> Load:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=clients, force_close=False)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        start = time.perf_counter()
        load = Load(seconds)
        await asyncio.gather(*(_client(session, base, start + seconds, load, n) for n in range(clients)))
        load.seconds = time.perf_counter() - start
    return load


def _wait_up(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(base + PATHS[0], timeout=5):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{base} did not come up")


def _peak_mb(pid: int) -> float:
    return max([vm_kb(p, "VmHWM") for p in (pid, *children(pid))] or [0]) / 1024


def run_server(command: list[str], port: int, clients: int, seconds: float,
               env: dict[str, str] | None = None) -> tuple[Load, float]:  # fmt: skip
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_up(base, proc)
        asyncio.run(_hammer(base, min(clients, 10), 1.0))  # warm-up: caches, connections
        load = asyncio.run(_hammer(base, clients, seconds))
        return load, _peak_mb(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def compare(seconds: float = 20, clients: int = 200, workers: int = 2) -> tuple[Load, Load, float]:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        note("importing and processing the demo's reports, building the static site")
        url, site = prepare(workdir)
        port = free_port()
        env = {**os.environ, "GOVMON_DATA_DIR": str(workdir), "GOVMON_SECRET_KEY": "bench"}
        serve = [sys.executable, "-m", "monitor", "--db", url, "serve", "--port", str(port), "--workers", str(workers)]
        note(f"govmon serve ({workers} workers): {clients} clients for {seconds:.0f} s")
        govmon, rss = run_server(serve, port, clients, seconds, env)
        _save_api_answer(url, site, workdir)
        port = free_port()
        static = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site),
                  "--protocol", "HTTP/1.1"]  # fmt: skip
        note(f"python -m http.server on the static site: {clients} clients for {seconds:.0f} s")
        baseline, _ = run_server(static, port, clients, seconds)
    return govmon, baseline, rss


def _save_api_answer(url: str, site: Path, workdir: Path) -> None:
    """The API's first page as a file of the static site, so both servers send the same bytes for it."""
    from fastapi.testclient import TestClient

    from monitor.config import Settings
    from monitor.web import create_app

    settings = Settings(database_url=url, data_dir=str(workdir), secret_key="bench")
    with TestClient(create_app(settings)) as client:
        body = client.get("/api/v1/documents").content
    target = site / "api" / "v1" / "documents"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)


def describe(load: Load) -> str:
    errors = f"{load.errors} errors" + (f" ({load.first_error})" if load.first_error else "")
    return f"{load.rate:,.0f} req/s, p50 {load.percentile(50):.1f} ms, p95 {load.percentile(95):.1f} ms, {errors}"


def measure(seconds: float = 20, clients: int = 200, workers: int = 2) -> Row:
    govmon, baseline, rss = compare(seconds, clients, workers)
    detail = (f"{clients} clients, {seconds:.0f} s, index + /api/v1/documents; govmon ({workers} workers): "
              f"{describe(govmon)}; static: {describe(baseline)}")  # fmt: skip
    return Row.of("web face vs static files", "req/s", govmon.rate, baseline.rate, rss, detail)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="govmon serve --workers")
    args = parser.parse_args()
    govmon, baseline, rss = compare(args.seconds, args.clients, args.workers)
    print(f"govmon serve   {describe(govmon)}; peak RSS {rss:.0f} MB")
    print(f"static files   {describe(baseline)}")
    print(f"ratio          {govmon.rate / baseline.rate:.2f} (requests/s, govmon / static)")


if __name__ == "__main__":
    main()
