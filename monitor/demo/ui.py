"""How `govmon demo` looks: a progress bar per step and the closing summary (Rich)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from monitor.demo.run import DemoReport, Step, Update, latest_mail
from monitor.vocabulary import CHANGE_WORDS


def stepper(console: Console) -> Step:
    """A `Step` for `run_demo`: one transient progress bar per step, on `console` (stderr)."""

    @contextmanager
    def step(description: str, total: int) -> Iterator[Update]:
        columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn())  # fmt: skip
        with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
            task = bar.add_task(description, total=total or None)
            yield lambda done, all_: bar.update(task, completed=done, total=all_)
        console.print(f"[green]✓[/] {description}")

    return step


def print_summary(console: Console, report: DemoReport) -> None:
    console.print(_regions_table(report))
    if report.top:
        console.print(_changes_table(report))
    console.print(_headline(report))
    console.print(_paths_table(report))


def _regions_table(report: DemoReport) -> Table:
    table = Table("region", "documents", "years", "targets", "raised", "lowered", "new", "dropped", box=box.SIMPLE,
                  title="govmon demo: what the database holds", title_justify="left")  # fmt: skip
    for r in report.regions:
        years = "–".join(str(y) for y in sorted(set(r.years)))
        moves = (r.changes[c] for c in ("raised", "lowered", "new", "dropped"))
        table.add_row(r.region, str(r.documents), years, str(r.targets), *map(str, moves))
    return table


def _changes_table(report: DemoReport) -> Table:
    table = Table("region", "metric", "change", "old → new", box=box.SIMPLE, title="most significant changes",
                  title_justify="left")  # fmt: skip
    for c in report.top:
        style = {"raised": "green", "lowered": "red"}.get(c.change, "yellow")
        label = CHANGE_WORDS[c.change].label if c.change in CHANGE_WORDS else c.change
        table.add_row(c.region, c.metric, f"[{style}]{label}[/]", f"{c.old} → {c.new}")
    return table


def _headline(report: DemoReport) -> str:
    d = report.digests
    digests = f"{d.sent} digest(s) written" + (f", {d.empty} subscriber(s) had nothing new" if d.empty else "")
    if report.new_documents == 0 and d.sent == 0:
        return (f"[bold]Nothing new[/] since the last run: 0 new documents, 0 digests "
                f"({report.seconds:.1f} s). Start over with `govmon demo --fresh`.")  # fmt: skip
    return (f"[bold]{report.new_documents} new documents[/], {report.processed.versions} processed, "
            f"{report.processed.targets} figures extracted, {report.processed.changes} comparisons with the prior "
            f"year; {digests} ({report.seconds:.1f} s).")  # fmt: skip


def _paths_table(report: DemoReport) -> Table:
    paths = report.paths
    mail = latest_mail(paths)
    table = Table("open", "path", box=box.SIMPLE, title="where to look", title_justify="left", show_header=False)
    table.add_row("archive index", _show(paths.site / "index.html"))
    if mail is not None:
        table.add_row("a digest (.eml)", _show(mail))
        if mail.with_suffix(".html").is_file():
            table.add_row("its HTML preview", _show(mail.with_suffix(".html")))
    table.add_row("Atom feed", _show(paths.site / "feed.atom"))
    table.add_row("database", _show(paths.database))
    return table


def _show(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path.resolve())
