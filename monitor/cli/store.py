"""`govmon import`, `govmon reprocess` and `govmon history`: backfill, re-derive and read the stored series."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from monitor.cli.analysis import DOC_TYPES
from monitor.cli.app import App, ExitCode, GovmonError, pass_app
from monitor.format import format_target

if TYPE_CHECKING:
    from monitor.ingest.backfill import Given, Outcome
    from monitor.ops.jobs import ProcessReport


def _progress(app: App) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=app.err, transient=True)  # fmt: skip


def run_processing(app: App, *, all_versions: bool = False) -> ProcessReport:
    """Extract and diff pending versions with a progress bar; print a one-line summary."""
    from monitor.ops.jobs import process_new_versions  # the crawl side of jobs loads Scrapy: not at start-up

    with _progress(app) as bar:
        task = bar.add_task("extracting and comparing", total=None)
        report = process_new_versions(
            app.engine(),
            all_versions=all_versions,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    app.out.print(f"processed {report.versions} versions: {report.targets} figures, {report.changes} changes")
    for error in report.errors:
        app.err.print(f"[red]failed[/] {error}")
    return report


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="PATH...")
@click.option(
    "--glob", "pattern", metavar="PATTERN", help="Import the files of each directory PATH matching this, e.g. '*.txt'."
)
@click.option(
    "--region", "-r", help="Region of the documents, e.g. 上海市 or 全国 (default: from each file's name or text)."
)
@click.option("--year", "-y", type=int, help="Report year; the 2025 report plans 2025 (default: from name or text).")
@click.option("--doc-type", "-t", type=DOC_TYPES, help="Document type (default: from name or text).")
@click.option("--title", help="Title (default: inferred from the text, else the file name).")
@click.option("--url", help="Where the document was published (default: its file:// path).")
@click.option("--no-process", is_flag=True, help="Store only; extract and diff later with `govmon reprocess`.")
@pass_app
def import_cmd(app: App, paths: tuple[Path, ...], pattern: str | None, region: str | None, year: int | None,
               doc_type: str | None, title: str | None, url: str | None, no_process: bool) -> None:  # fmt: skip
    """Store local .txt/.html/.pdf files as documents (backfill of prior years).

    Region, year and type come from each file's name (2024年河北省政府工作报告.txt, 宁夏2024.txt), else its text;
    options override them for every file. Files already stored are skipped; files that cannot be placed or read
    are listed with the reason. Imported documents go through extraction and diff exactly like crawled ones.

    \b
    Examples:
      govmon import 上海2023.txt --region 上海市 --year 2023
      govmon import reports/2024/ --glob '*.txt'
    """
    from monitor.ingest.backfill import Given, NotAFile, expand

    try:
        files = expand(paths, pattern)
    except NotAFile as exc:
        raise GovmonError(str(exc), ExitCode.INPUT) from exc
    if url and len(files) > 1:
        raise GovmonError("--url names one document: import one file at a time with it", ExitCode.USAGE)
    outcomes = _import_all(app, files, Given(region, year, doc_type, title, url))
    if not no_process and any(o.status in ("new", "changed") for o in outcomes):
        run_processing(app)
    _fail_on_problems(outcomes, single=len(paths) == 1 and not paths[0].is_dir())


def _import_all(app: App, files: list[Path], given: Given) -> list[Outcome]:
    from monitor.ingest.backfill import import_files

    with _progress(app) as bar:
        task = bar.add_task("importing", total=len(files))

        def advance(done: int, path: Path) -> None:
            bar.update(task, completed=done, description=path.name)

        outcomes = import_files(app.engine(), files, given, progress=advance)
    for o in outcomes:
        app.out.print(_outcome_line(o))
    _summary(app, outcomes)
    return outcomes


def _outcome_line(o: Outcome) -> str:
    if not o.imported:
        return f"{'skipped':9} {o.reason}"
    p = o.placement
    where = f"  ({p.region} {p.year} {p.doc_type})" if p else ""
    stored = "  (already stored)" if o.status in ("unchanged", "duplicate") else ""
    return f"{o.status:9} {o.path}{where}{stored}"


def _summary(app: App, outcomes: list[Outcome]) -> None:
    if len(outcomes) < 2:
        return
    stored = sum(1 for o in outcomes if o.status in ("new", "changed"))
    already = sum(1 for o in outcomes if o.status in ("unchanged", "duplicate"))
    app.out.print(f"{len(outcomes)} files: {stored} new, {already} already stored, {len(outcomes) - stored - already} "
                  "not imported")  # fmt: skip


def _fail_on_problems(outcomes: list[Outcome], single: bool) -> None:
    failed = [o for o in outcomes if not o.imported]
    if not failed:
        return
    if single:
        code = ExitCode.INPUT if failed[0].status == "unreadable" else ExitCode.USAGE
        raise GovmonError(failed[0].reason, code)
    raise GovmonError(f"{len(failed)} of {len(outcomes)} files were not imported (listed above)", ExitCode.PARTIAL)


@click.command("reprocess")
@click.option("--all", "all_versions", is_flag=True, help="Re-extract every stored version (after an upgrade).")
@pass_app
def reprocess(app: App, all_versions: bool) -> None:
    """Extract and diff stored versions again, without re-crawling (pending ones, or --all)."""
    report = run_processing(app, all_versions=all_versions)
    if report.errors:
        raise GovmonError(f"{len(report.errors)} versions failed (listed above)", ExitCode.PARTIAL)


@click.command("history")
@click.option("--region", "-r", required=True, help="Region, e.g. 上海市.")
@click.option("--metric", "-m", required=True, help="metric_key, e.g. rd_intensity, gdp_growth, cpi.")
@click.option("--doc-type", "-t", type=DOC_TYPES, default="work_report", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table and chart.")
@pass_app
def history(app: App, region: str, metric: str, doc_type: str, as_json: bool) -> None:
    """A metric's targets and results across every stored year of a region.

    \b
    Example:
      govmon history --region 上海市 --metric rd_intensity
    """
    from monitor.service.reads import history_point, stored_history

    points = stored_history(app.engine(), region, metric, doc_type)
    if not points:
        raise GovmonError(
            f"no stored {doc_type} of {region} mentions {metric}: see `govmon documents`", ExitCode.NOT_FOUND
        )
    if as_json:
        click.echo(json.dumps([history_point(p) for p in points], ensure_ascii=False, indent=2))
        return
    _print_history(app, region, metric, points)


def _print_history(app: App, region: str, metric: str, points: list[Any]) -> None:
    values = [p.target.value for p in points if p.target] or [1.0]
    top = max(values) or 1.0
    table = Table("year", "target", "", "result reported", title=f"{region} · {metric}")
    for p in points:
        bar = "█" * max(1, round(24 * p.target.value / top)) if p.target else ""
        result = f"{format_target(p.result)} ({p.result.year})" if p.result else ""
        table.add_row(str(p.year), format_target(p.target) if p.target else "—", f"[green]{bar}[/]", result)
    app.out.print(table)


def register(group: click.Group) -> None:
    group.add_command(import_cmd)
    group.add_command(reprocess)
    group.add_command(history)
