"""Texts of the shared corpus (../shared), by what they are: national report of a year, Shanghai, a province.

Only tests and benchmarks read these; each caller skips (or reports) when the shared directory is absent.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import TextIO

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("GOVMON_SHARED", REPO.parent / "shared"))
RAW = SHARED / "corpus" / "raw"
NATIONAL_JSONL = RAW / "aldohemsn-chinese-political-corpora" / "government_work_reports.jsonl"
NATIONAL_TSV = RAW / "chengjun-mybook" / "gov_reports1954-2022.txt"
SHANGHAI_CSV = RAW / "sepinetam-texiv" / "source" / "example" / "data" / "shanghai_reports.csv"
PROVINCES_2025 = RAW / "alexzhu0-jina-rag-2025-provinces" / "docs" / "31省区市政府工作报告"


def available() -> bool:
    return RAW.is_dir()


# gold documents written for this project live in the repository (tests/fixtures/genres); the rest in ../shared
OWN_PREFIX = "tests/"


def document_path(path: str, shared: Path | None = None) -> Path:
    """Where a gold file's document path points: our own fixtures under the repository, else the shared corpus."""
    return REPO / path if path.startswith(OWN_PREFIX) else (shared or SHARED) / path


def container_text(path: Path, fmt: str, key: str | int | None = None) -> str:
    """A document out of its container: a jsonl record, a csv row or a tsv line selected by year."""
    if fmt == "txt":
        return path.read_text(encoding="utf-8")
    key = str(key)
    with path.open(encoding="utf-8", newline="") as fh:
        for text_key, text in _records(fh, fmt):
            if text_key == key:
                return text
    raise KeyError(f"no record {key!r} in {path}")


def _records(fh: TextIO, fmt: str) -> Iterator[tuple[str, str]]:
    if fmt == "jsonl":
        for line in fh:
            record = json.loads(line)
            yield str(record.get("year")), str(record["content"])
    elif fmt == "tsv":
        for line in fh:
            year, _, text = line.rstrip("\n").partition("\t")
            yield year.strip(), text
    elif fmt == "csv":
        csv.field_size_limit(sys.maxsize)
        for row in csv.DictReader(fh):
            yield str(row.get("year", "")).split(".")[0], row["report"]
    else:
        raise ValueError(f"unknown container format {fmt!r}")


@cache
def national(year: int) -> str:
    """The national report of a year (2020 comes from the TSV corpus, the rest from the JSONL one)."""
    if year == 2020:
        return container_text(NATIONAL_TSV, "tsv", year)
    return container_text(NATIONAL_JSONL, "jsonl", year)


def province_file(name: str) -> Path:
    (path,) = [p for p in PROVINCES_2025.glob("*.txt") if name in p.name]
    return path


@cache
def shanghai(year: int) -> str:
    if year == 2025:
        return province_file("上海").read_text(encoding="utf-8")
    return container_text(SHANGHAI_CSV, "csv", year)


def provinces_2025() -> dict[str, str]:
    """Province short name (as in the file name) → 2025 report text."""
    out = {}
    for path in sorted(PROVINCES_2025.glob("*.txt")):
        name = path.stem.replace("2025年", "").replace("政府工作报告", "")
        out[name] = path.read_text(encoding="utf-8")
    return out


def seed(prefix: str) -> str:
    (path,) = (SHARED / "seeds").glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def seed001_sections() -> list[tuple[str, str]]:
    """Seed 001 cut at its `NO.27·山东` headers: (province, text); each holds a 2021 review and a 2022 plan."""
    import re

    text = seed("001")
    heads = list(re.finditer(r"NO\.\d+·(\S+?) ", text))
    ends = [h.start() for h in heads[1:]] + [len(text)]
    return [(h.group(1), text[h.start() : end]) for h, end in zip(heads, ends, strict=True)]
