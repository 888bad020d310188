"""Importing local files as documents (`govmon import`): one file, or a directory of them with `--glob`.

Each file's region, report year and type come from what the user gave, else its name, else its text
(`monitor/ingest/placing.py`); a file that stays without a region or a year, or cannot be read, is not imported and is
reported with the reason. Storing goes through the same repository function as crawled pages, so a file
already stored (same content) adds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from db.repository import FetchedDocument, store_fetched
from db.session import session_scope
from monitor.ingest.files import LoadedFile, UnreadableFile, load_file
from monitor.ingest.placing import Placement, place

STORED = ("new", "changed")  # outcomes that added a version
ALREADY = ("unchanged", "duplicate")  # outcomes of a file whose content is already stored
TITLE_WORDS = ("报告", "要点", "规划", "方案", "总结", "计划", "思路")
TYPE_TITLES = {"work_report": "政府工作报告", "plan": "工作要点", "summary": "工作总结", "other": "文件"}


class NotAFile(ValueError):
    """A path that names no file to import (missing, or a directory without a pattern)."""


@dataclass(frozen=True)
class Given:
    """What the user said on the command line; None: infer it per file."""

    region: str | None = None
    year: int | None = None
    doc_type: str | None = None
    title: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Outcome:
    path: Path
    status: str  # new / changed / unchanged / duplicate, or unreadable / unplaced (not imported)
    placement: Placement | None = None
    reason: str = ""

    @property
    def imported(self) -> bool:
        return self.status in STORED or self.status in ALREADY


def expand(paths: Iterable[Path], pattern: str | None) -> list[Path]:
    """The files to import: each file as given, each directory's files matching `pattern` (sorted)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            if pattern is None:
                raise NotAFile(f"{path} is a directory: import its files with --glob, e.g. --glob '*.txt'")
            found += sorted(p for p in path.glob(pattern) if p.is_file())
        elif path.exists() or pattern is None:
            found.append(path)
        else:
            raise NotAFile(f"{path}: no such file or directory")
    return found


def import_file(engine: Engine, path: Path, given: Given) -> Outcome:
    """Read, place and store one file; never raises for a bad file, the outcome says why."""
    try:
        loaded = load_file(path)
    except UnreadableFile as exc:
        return Outcome(path, "unreadable", reason=str(exc))
    placement = place(path.stem, loaded.text, given.region, given.year, given.doc_type)
    if placement.problem is not None:
        return Outcome(path, "unplaced", placement, f"{path}: {placement.problem}")
    with session_scope(engine) as session:
        status = store_fetched(session, _document(loaded, placement, given)).status
    return Outcome(path, status, placement)


def import_files(engine: Engine, paths: list[Path], given: Given,
                 progress: Callable[[int, Path], None] | None = None) -> list[Outcome]:  # fmt: skip
    outcomes = []
    for done, path in enumerate(paths, 1):
        outcomes.append(import_file(engine, path, given))
        if progress:
            progress(done, path)
    return outcomes


def _document(loaded: LoadedFile, placement: Placement, given: Given) -> FetchedDocument:
    region, year = placement.region or "", placement.year or 0  # a placed file has both
    title = given.title or default_title(placement.title, region, year, placement.doc_type)
    return FetchedDocument(url=given.url or loaded.path.resolve().as_uri(), region=region, text=loaded.text,
                           raw=loaded.raw, title=title, doc_type=placement.doc_type, report_year=year,
                           http_status=None, content_type=loaded.content_type, encoding=loaded.encoding)  # fmt: skip


def default_title(inferred: str | None, region: str, year: int, doc_type: str) -> str:
    """The inferred title when it reads like one, else 2025年上海市政府工作报告."""
    head = (inferred or "").strip().split(None, 1)[0] if (inferred or "").strip() else ""
    if not (4 <= len(head) <= 60 and any(w in head for w in TITLE_WORDS)):
        return f"{year}年{region}{TYPE_TITLES.get(doc_type, '文件')}"
    return head if re.search(r"(?:19|20)\d\d", head) else f"{year}年{head}"
