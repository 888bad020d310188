"""Extraction throughput over the whole shared corpus, against jieba.lcut on the same text in the same run.

Run: .venv/bin/python bench/extract.py [--shared ../shared] [--repeat 3]
Each side runs in its own subprocess so that peak RSS (ru_maxrss) is measured separately.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


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


def _run(side: str, shared: Path, repeat: int) -> dict[str, float]:
    texts = corpus_texts(shared)
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--side", choices=["extract", "jieba"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not (args.shared / "corpus").is_dir():
        print(f"{args.shared}/corpus not found", file=sys.stderr)
        return 2
    if args.side:
        print(json.dumps(_run(args.side, args.shared, args.repeat)))
        return 0
    results = {}
    for side in ("extract", "jieba"):
        cmd = [sys.executable, __file__, "--side", side, "--shared", str(args.shared), "--repeat", str(args.repeat)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=REPO).stdout
        results[side] = json.loads(out.strip().splitlines()[-1])
    ext, jb = results["extract"], results["jieba"]
    print(f"corpus: {ext['docs']} documents, {ext['chars']:,} characters")
    for side, r in results.items():
        print(f"{side:8} {r['seconds']:7.2f} s  {r['chars_per_s']:>12,.0f} chars/s  peak RSS {r['rss_mb']:6.1f} MB")
    print(f"ratio extract/jieba.lcut: {ext['chars_per_s'] / jb['chars_per_s']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
