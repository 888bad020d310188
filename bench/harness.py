"""What the benchmarks share: one row of the summary table, a subprocess runner that reports the child's peak RSS,
and progress lines on stderr."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Row:
    """One measurement against its baseline. `ratio` is govmon / baseline as the row's unit counts it."""

    measure: str
    unit: str = ""
    govmon: float | None = None
    baseline: float | None = None
    ratio: float | None = None
    rss_mb: float | None = None  # peak RSS of govmon's side of the measurement
    detail: str = ""
    skipped: str | None = None

    @classmethod
    def of(cls, measure: str, unit: str, govmon: float, baseline: float, rss_mb: float | None = None,
           detail: str = "") -> Row:  # fmt: skip
        return cls(measure, unit, govmon, baseline, govmon / baseline if baseline else None, rss_mb, detail)


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float  # the child's peak RSS, or its largest descendant's, whichever is larger
    cpu_seconds: float = 0.0  # the child's user + system CPU time (its own, not its children's)


def run(command: list[str], *, env: dict[str, str] | None = None, timeout: float | None = None,
        capture_stderr: bool = True) -> Finished:  # fmt: skip
    """Run a command from the repository root and reap it with wait4, which gives this child's own peak RSS
    (getrusage(RUSAGE_CHILDREN) would give the largest of every child so far)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err if capture_stderr else None)
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer:
            timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            if timer:
                timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return Finished(proc.returncode, _text(out.read()), _text(err.read()), seconds, usage.ru_maxrss / 1024, cpu)


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def note(message: str) -> None:
    """A progress line on stderr (the benchmarks take minutes)."""
    print(f"    {message}", file=sys.stderr, flush=True)


def vm_kb(pid: int, field: str = "VmRSS") -> int:
    """A memory field of /proc/<pid>/status in kB (VmRSS now, VmHWM the peak); 0 when the process is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def children(pid: int) -> list[int]:
    """The live descendants of a process (Linux /proc)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as fh:
                direct = [int(p) for p in fh.read().split()]
        except OSError:
            continue
        for child in direct:
            found += [child, *children(child)]
    return found
