"""Incremental re-crawl: the same local site crawled twice into one database, nothing changed in between.

The second crawl should fetch the list pages only: articles already stored are skipped until they are
GOVMON_REVISIT_DAYS old (then they get a conditional GET). Prints the requests and seconds of both crawls.

    .venv/bin/python -m bench.recrawl [--pages 1000] [--concurrency 16] [--latency-ms 0]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.crawl import Crawl, prepare, site, spider_run
from bench.harness import Row, note


def crawl_twice(pages: int = 1000, concurrency: int = 16, latency_ms: float = 0) -> tuple[Crawl, Crawl]:
    with site(pages, latency_ms) as base, tempfile.TemporaryDirectory() as tmp:
        db, registry = prepare(base, Path(tmp))
        note(f"first crawl of a {pages:,}-article site")
        first = spider_run(db, registry, concurrency)
        note(f"first crawl: {first.requests:,} requests in {first.seconds:.1f} s; now the re-crawl")
        second = spider_run(db, registry, concurrency)
        note(f"re-crawl: {second.requests:,} requests in {second.seconds:.1f} s")
    return first, second


def measure(pages: int = 1000, concurrency: int = 16, latency_ms: float = 0) -> Row:
    """The summary-table row: requests of the re-crawl against requests of the first crawl."""
    first, second = crawl_twice(pages, concurrency, latency_ms)
    detail = f"{pages:,} articles; re-crawl {second.seconds:.1f} s vs first {first.seconds:.1f} s"
    return Row.of("incremental re-crawl", "requests", second.requests, first.requests, second.peak_mb, detail)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency-ms", type=float, default=0, help="server think time per request")
    args = parser.parse_args()
    first, second = crawl_twice(args.pages, args.concurrency, args.latency_ms)
    for name, c in (("first crawl", first), ("re-crawl", second)):
        print(
            f"{name:12}: {c.requests:6,} requests, {c.pages:6,} pages in {c.seconds:6.2f} s "
            f"(Scrapy's own {c.crawl_seconds:.2f} s), documents {c.documents}, peak RSS {c.peak_mb:.0f} MB"
        )
    print(f"ratio       : the re-crawl made {second.requests / first.requests:.1%} of the first crawl's requests")


if __name__ == "__main__":
    main()
