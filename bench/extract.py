"""Extraction throughput over the whole shared corpus, against jieba.lcut on the same text in the same run.

Run: .venv/bin/python -m bench.extract [--shared ../shared] [--repeat 3] [--limit N]
Each side runs in its own subprocess so that peak RSS (ru_maxrss) is measured separately.

``--pathological [MB]`` times instead the inputs that once blew up (long runs of one character or separator) and a
report-like text of MB megabytes (default 50), reporting seconds and characters per second: the test suite only
counts the work these take, the wall clock is measured here.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GOVMON_SHARED", REPO.parent / "shared"))  # as tests/corpus.py reads it
sys.path.insert(0, str(REPO))

from bench.harness import Row, note  # noqa: E402


def corpus_texts(shared: Path) -> list[str]:
    """Every document of ../shared/corpus and ../shared/seeds as one text each."""
    texts: list[str] = []
    csv.field_size_limit(sys.maxsize)
    for path in sorted((shared / "corpus").rglob("*")) + sorted((shared / "seeds").glob("*.txt")):
        if not path.is_file() or path.name == "SOURCES.md":
            continue
        raw = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".jsonl":
            texts += [json.loads(line)["content"] for line in raw.splitlines() if line.strip()]
        elif path.suffix == ".csv" and "report" in raw.partition("\n")[0].split(","):
            texts += [row["report"] for row in csv.DictReader(raw.splitlines())]
        elif path.name.startswith("gov_reports"):
            texts += [line.partition("\t")[2] for line in raw.splitlines()]
        else:
            texts.append(raw)
    return texts


def _run(side: str, shared: Path, repeat: int, limit: int = 0) -> dict[str, float]:
    texts = corpus_texts(shared)[: limit or None]
    chars = sum(len(t) for t in texts)
    if side == "extract":
        from monitor.extract import extract

        extract("预热：国内生产总值增长5%左右。")
        work = extract
    else:
        import jieba

        jieba.setLogLevel(60)
        jieba.initialize()
        work = jieba.lcut  # type: ignore[assignment]
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for text in texts:
            work(text)
        best = min(best, time.perf_counter() - start)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"chars": chars, "docs": len(texts), "seconds": best, "chars_per_s": chars / best, "rss_mb": rss_mb}


def compare(shared: Path = SHARED, repeat: int = 3, limit: int = 0) -> dict[str, dict[str, float]]:
    """Both sides over the same texts, each in a subprocess of its own: {"extract": {...}, "jieba": {...}}."""
    results = {}
    for side in ("extract", "jieba"):
        note(f"{side}: {repeat} pass(es) over the shared corpus")
        cmd = [sys.executable, __file__, "--side", side, "--shared", str(shared), "--repeat", str(repeat)]
        cmd += ["--limit", str(limit)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=REPO).stdout
        results[side] = json.loads(out.strip().splitlines()[-1])
    return results


def measure(shared: Path = SHARED, repeat: int = 3, limit: int = 0) -> Row:
    """The summary-table row: govmon extraction chars/s against jieba.lcut chars/s."""
    if not (shared / "corpus").is_dir():
        return Row("extraction", skipped="skipped (shared corpus absent)")
    results = compare(shared, repeat, limit)
    ext, jb = results["extract"], results["jieba"]
    detail = f"{ext['docs']:.0f} documents, {ext['chars']:,.0f} chars; jieba peak RSS {jb['rss_mb']:.0f} MB"
    return Row.of("extraction", "chars/s", ext["chars_per_s"], jb["chars_per_s"], ext["rss_mb"], detail)


def _pathological_texts(megabytes: float) -> dict[str, str]:
    unit = "地区生产总值增长5%左右，新增高新技术企业1.8万家。" + "一" * 3000 + "1" * 2000 + "“" * 500 + "\n"
    return {
        "digits": "1" * 200_000,
        "numerals": "一" * 200_000,
        "quotes": "“" * 100_000 + "5%",
        "percent list": "5%、" * 50_000,
        "tags": "<p>" * 50_000,
        f"report lines ({megabytes:g} MB)": unit * max(1, int(megabytes * 1_000_000) // len(unit)),
    }


def pathological(megabytes: float = 50) -> list[tuple[str, int, float, int]]:
    """(input, characters, seconds, figures found) of each pathological input."""
    from monitor.extract import extract

    extract("预热：国内生产总值增长5%左右。")
    rows = []
    for name, text in _pathological_texts(megabytes).items():
        start = time.perf_counter()
        found = len(extract(text, year=2025).targets)
        rows.append((name, len(text), time.perf_counter() - start, found))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--limit", type=int, default=0, help="only the first N documents (0: all)")
    ap.add_argument(
        "--pathological",
        type=float,
        nargs="?",
        const=50.0,
        metavar="MB",
        help="time the pathological inputs and a report-like text of MB megabytes instead",
    )
    ap.add_argument("--side", choices=["extract", "jieba"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.pathological is not None:
        for name, chars, seconds, found in pathological(args.pathological):
            print(f"{name:24} {chars:>11,} chars {seconds:8.2f} s {chars / seconds:>12,.0f} chars/s {found:>8} figures")
        return 0
    if not (args.shared / "corpus").is_dir():
        print(f"{args.shared}/corpus not found", file=sys.stderr)
        return 2
    if args.side:
        print(json.dumps(_run(args.side, args.shared, args.repeat, args.limit)))
        return 0
    results = compare(args.shared, args.repeat, args.limit)
    ext, jb = results["extract"], results["jieba"]
    print(f"corpus: {ext['docs']} documents, {ext['chars']:,} characters")
    for side, r in results.items():
        print(f"{side:8} {r['seconds']:7.2f} s  {r['chars_per_s']:>12,.0f} chars/s  peak RSS {r['rss_mb']:6.1f} MB")
    print(f"ratio extract/jieba.lcut: {ext['chars_per_s'] / jb['chars_per_s']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
