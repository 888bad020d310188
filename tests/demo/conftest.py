"""`govmon demo` run twice in a subprocess into a directory of its own; the tests read what it left behind."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db.session import make_engine
from monitor.demo.run import DemoPaths
from monitor.service import summary

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float


@dataclass
class DemoRuns:
    paths: DemoPaths
    engine: Engine
    first: Run
    second: Run
    counts_after_first: dict[str, int]
    mails_after_first: list[Path]


def run_demo(directory: Path, *args: str) -> Run:
    started = time.monotonic()
    command = [sys.executable, "-m", "monitor", "demo", "--dir", str(directory), *args]
    proc = subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=240,
        env={"COLUMNS": "160", "PATH": "/usr/bin:/bin", "HOME": str(directory.parent)},
    )
    return Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


def _counts(engine: Engine) -> dict[str, int]:
    return summary.counts(engine)


@pytest.fixture(scope="package")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRuns]:
    paths = DemoPaths(tmp_path_factory.mktemp("demo") / "var" / "demo")
    first = run_demo(paths.root)
    assert first.code == 0, first.out + first.err
    engine = make_engine(paths.database_url)
    counts, mails = _counts(engine), sorted(paths.mail.glob("*.eml"))
    second = run_demo(paths.root)
    yield DemoRuns(paths, engine, first, second, counts, mails)
    engine.dispose()
