"""The summary table of `python -m bench`: one row per measurement, govmon against its baseline."""

from __future__ import annotations

import os
import platform

from rich.console import Console
from rich.table import Table

from bench.harness import Row


def number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "requests" or value >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:.1f} {unit}" if value >= 10 else f"{value:.2f} {unit}"


def ratio(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.3f}×" if value < 0.1 else f"{value:.2f}×"


def table(rows: list[Row]) -> Table:
    out = Table("measure", "govmon", "baseline", "ratio", "peak RSS", "notes", title_justify="left")
    for column in out.columns[1:5]:
        column.justify = "right"
    for row in rows:
        if row.skipped:
            out.add_row(row.measure, "—", "—", "—", "—", f"[yellow]{row.skipped}[/]")
            continue
        rss = f"{row.rss_mb:.0f} MB" if row.rss_mb is not None else "—"
        out.add_row(row.measure, number(row.govmon, row.unit), number(row.baseline, row.unit), ratio(row.ratio),
                    rss, row.detail)  # fmt: skip
    return out


def render(rows: list[Row], *, quick: bool, seconds: float, load: float, how_to_read: str) -> None:
    console = Console(width=None if os.isatty(1) else 170, highlight=False)
    size = "--quick sizes" if quick else "full sizes"
    out = table(rows)
    out.title = (
        f"govmon benchmarks ({size}; {os.cpu_count()} CPUs, load average {load:.1f} at start; "
        f"Python {platform.python_version()}; {seconds / 60:.1f} min)"
    )
    console.print(out)
    console.print(how_to_read)
