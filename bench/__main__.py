"""Every benchmark in sequence, each in a subprocess of its own (so peak RSS is per measurement), as one table.

    .venv/bin/python -m bench [--quick] [--only NAME ...] [--json]

Each row compares govmon with a baseline measured side by side in the same run. Progress goes to stderr, the
table (or with `--json` a list of {measure, govmon, baseline, ratio, unit, peak_rss_mb, notes}) to stdout. The
modules also run on their own (`python -m bench.crawl`, `bench.cycle`, `bench.extract`, ...).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import Row, run


@dataclass(frozen=True)
class Measure:
    name: str
    module: str
    title: str
    full: dict[str, Any] = field(default_factory=dict)
    quick: dict[str, Any] = field(default_factory=dict)


MS50 = {"latency_ms": 50}
MEASURES = [
    Measure("crawl-0ms", "bench.crawl", "crawl, loopback 0 ms", {"pages": 5000}, {"pages": 500}),
    Measure(
        "crawl-50ms", "bench.crawl", "crawl, 50 ms server latency", {**MS50, "pages": 5000}, {**MS50, "pages": 500}
    ),
    Measure("recrawl", "bench.recrawl", "incremental re-crawl", {"pages": 1000}, {"pages": 300}),
    Measure("cycle", "bench.cycle", "cycle of 3,000 sources", {"sources": 3000}, {"sources": 200}),
    Measure("extract", "bench.extract", "extraction", {"repeat": 3}, {"repeat": 1, "limit": 40}),
    Measure("diff", "bench.diff", "diff", {}, {"limit": 5}),
    Measure("digest", "bench.digest", "digests", {"subscribers": 10_000}, {"subscribers": 300}),
    Measure("compare", "bench.compare", "compare, 31 provinces", {"repeat": 5}, {"repeat": 2}),
    Measure("workers", "bench.workers", "workers, 3 against 1", {"sources": 30}, {"sources": 6, "reports": 2}),
    Measure(
        "serve", "bench.serve", "web face, 200 clients", {"seconds": 20, "clients": 200}, {"seconds": 3, "clients": 50}
    ),
]

HOW_TO_READ = (
    "How to read it: ratio = govmon / baseline, both measured in this run on this machine. For rates (pages/s, "
    "chars/s, pairs/s, msgs/s) a ratio above 1 means govmon is faster than the baseline. For the re-crawl it is the "
    "share of the first crawl's requests that a re-crawl of the unchanged site makes (lower is better). For the cycle, "
    "requests/s of `govmon run` over all sources against aiohttp making the same requests with the same politeness. "
    "For workers the baseline is 1 worker: the ratio is the speed-up of 3 (bounded by the CPUs). For the web face it "
    "is the requests/s of govmon serve over those of a plain file server on the same pages built as static files. "
    "For compare the baseline is one plain SQL query reading the same figures (the floor, not a rival); its notes "
    "give the whole command's time. "
    "Peak RSS is govmon's side: "
    "the `govmon crawl` process, the extraction process, the digest run, a worker with its running crawls."
)


def measure_in_process(name: str, quick: bool) -> list[Row]:
    spec = next(m for m in MEASURES if m.name == name)
    rows: Row | list[Row] = importlib.import_module(spec.module).measure(**(spec.quick if quick else spec.full))
    return rows if isinstance(rows, list) else [rows]


def measure_in_child(spec: Measure, quick: bool) -> tuple[list[Row], float]:
    """Run one measurement in a subprocess; returns its rows and the subprocess's own wall time."""
    command = [sys.executable, "-m", "bench", "--measure", spec.name] + (["--quick"] if quick else [])
    done = run(command, capture_stderr=False)  # the child's progress lines go straight to our stderr
    try:
        rows = [Row(**row) for row in json.loads(done.stdout.strip().splitlines()[-1])]
    except (IndexError, ValueError, TypeError):
        return [Row(spec.title, skipped=f"failed (exit {done.returncode}; see its error above)")], done.seconds
    for row in rows:
        if row.rss_mb is None and not row.skipped:
            row.rss_mb = done.peak_mb
    return rows, done.seconds


def as_json(rows: list[Row]) -> list[dict[str, Any]]:
    """The table as data: one object per row; a skipped row has null figures and says why in `notes`."""
    return [
        {"measure": r.measure, "govmon": r.govmon, "baseline": r.baseline, "ratio": r.ratio, "unit": r.unit,
         "peak_rss_mb": r.rss_mb, "notes": r.skipped or r.detail}
        for r in rows
    ]  # fmt: skip


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def selected(only: list[str]) -> list[Measure]:
    if not only:
        return MEASURES
    chosen = [m for m in MEASURES if any(m.name == o or m.name.startswith(o + "-") for o in only)]
    unknown = [o for o in only if not any(m.name == o or m.name.startswith(o + "-") for m in MEASURES)]
    if unknown:
        raise SystemExit(f"unknown measure {unknown[0]!r}; choose from {', '.join(m.name for m in MEASURES)}")
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run of a minute or two")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help=f"only this measure (repeatable): {', '.join(m.name for m in MEASURES)}; "
                             "`crawl` selects both crawl rows")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print the rows as a JSON list instead of a table")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # in the child: run one, print its rows as JSON
    args = parser.parse_args()
    if args.measure:
        rows = measure_in_process(args.measure, args.quick)
        print(json.dumps([asdict(row) for row in rows], ensure_ascii=False))
        return 0
    specs = selected(args.only)
    rows, start, load = [], time.perf_counter(), os.getloadavg()[0]
    for i, spec in enumerate(specs, 1):
        progress(f"[{i}/{len(specs)}] {spec.title} …")
        done, seconds = measure_in_child(spec, args.quick)
        progress(f"[{i}/{len(specs)}] {spec.title}: {done[0].skipped or 'done'} in {seconds:.0f} s")
        rows += done
    if args.json:
        print(json.dumps(as_json(rows), ensure_ascii=False, indent=2))
        return 0
    from bench.table import render

    render(rows, quick=args.quick, seconds=time.perf_counter() - start, load=load, how_to_read=HOW_TO_READ)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
