"""Benchmark of the diff engine on real pairs, against a plain line diff of the same texts.

Pairs: every consecutive national pair 2014→2025 and each of the 31 provincial 2025 reports against itself.
Prints the time per pair of govmon's diff (extractions prepared beforehand, as the stored flow has them),
the time of `extract` + `diff` from raw text, and difflib's line diff of the same two texts as the baseline,
with the ratio side by side, and the peak RSS of the run.

    .venv/bin/python -m bench.diff [--pairs N]
"""

from __future__ import annotations

import argparse
import difflib
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import Row, note
from monitor.compare.diff import diff
from monitor.extract import extract
from tests import corpus

Timing = tuple[str, int, float, float, float]  # label, changes, diff s, extract+diff s, difflib s


def pairs() -> list[tuple[str, str, str, str]]:
    """(label, region, old text, new text)."""
    out = [(f"national {y - 1}→{y}", "全国", corpus.national(y - 1), corpus.national(y)) for y in range(2015, 2026)]
    out += [(f"{name} 2025→2025", name, text, text) for name, text in corpus.provinces_2025().items()]
    return out


def timed(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def line_diff(a: str, b: str) -> None:
    list(difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm=""))


def timings(limit: int = 0) -> list[Timing]:
    rows = []
    selected = pairs()[: limit or None]
    note(f"diff: {len(selected)} pairs, 3 passes each, difflib alongside")
    for label, region, old, new in selected:
        a, b = extract(old, region=region), extract(new, region=region)
        t_diff = timed(lambda a=a, b=b: diff(a, b))
        t_full = timed(lambda o=old, n=new, r=region: diff(extract(o, region=r), extract(n, region=r)), repeat=1)
        t_base = timed(lambda o=old, n=new: line_diff(o, n))
        rows.append((label, len(diff(a, b).changes), t_diff, t_full, t_base))
    return rows


def measure(limit: int = 0) -> Row:
    """The summary-table row: pairs/s of govmon's diff (extractions prepared) against difflib's line diff."""
    if not corpus.available():
        return Row("diff", skipped="skipped (shared corpus absent)")
    rows = timings(limit)
    total_diff, total_full, total_base = sum(r[2] for r in rows), sum(r[3] for r in rows), sum(r[4] for r in rows)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    detail = f"{len(rows)} report pairs; extract + diff {total_full / len(rows) * 1e3:.0f} ms/pair"
    return Row.of("diff", "pairs/s", len(rows) / total_diff, len(rows) / total_base, rss, detail)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=0, help="only the first N pairs (0: all)")
    args = parser.parse_args()
    if not corpus.available():
        print(f"the shared corpus is absent ({corpus.SHARED}): nothing to measure")
        return 0
    rows = timings(args.pairs)
    print(f"{'pair':24} {'changes':>7} {'diff ms':>9} {'extract+diff ms':>16} {'difflib ms':>11} {'diff/difflib':>13}")
    for label, n, t_diff, t_full, t_base in rows:
        print(f"{label:24} {n:7} {t_diff * 1e3:9.2f} {t_full * 1e3:16.1f} {t_base * 1e3:11.2f} {t_diff / t_base:13.3f}")
    total_diff, total_base = sum(r[2] for r in rows), sum(r[4] for r in rows)
    print(
        f"\n{len(rows)} pairs: diff {total_diff / len(rows) * 1e3:.2f} ms/pair, "
        f"extract+diff {sum(r[3] for r in rows) / len(rows) * 1e3:.1f} ms/pair, "
        f"difflib line diff {total_base / len(rows) * 1e3:.2f} ms/pair, "
        f"ratio diff/difflib {total_diff / total_base:.3f}"
    )
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
