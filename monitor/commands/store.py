"""`govmon import`, `govmon reprocess` and `govmon history`: backfill, re-derive and read the stored series."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from monitor.cli import App, ExitCode, GovmonError, pass_app
from monitor.commands.analysis import DOC_TYPES
from monitor.format import format_target
from monitor.jobs import ProcessReport, process_new_versions


def _progress(app: App) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=app.err, transient=True)  # fmt: skip


def run_processing(app: App, *, all_versions: bool = False) -> ProcessReport:
    """Extract and diff pending versions with a progress bar; print a one-line summary."""
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
@click.option("--region", "-r", required=True, help="Region of the documents, e.g. 上海市 or 全国.")
@click.option("--year", "-y", type=int, required=True, help="Report year (the 2025 report plans 2025).")
@click.option("--doc-type", "-t", type=DOC_TYPES, default="work_report", show_default=True)
@click.option("--title", help="Title (default: inferred from the text, else the file name).")
@click.option("--url", help="Where the document was published (default: its file:// path).")
@click.option("--no-process", is_flag=True, help="Store only; extract and diff later with `govmon reprocess`.")
@pass_app
def import_cmd(app: App, paths: tuple[Path, ...], region: str, year: int, doc_type: str, title: str | None,
               url: str | None, no_process: bool) -> None:  # fmt: skip
    """Store local .txt/.html/.pdf files as documents (backfill of prior years).

    Imported documents go through extraction and diff exactly like crawled ones; importing the same file twice
    adds nothing.

    \b
    Example:
      govmon import 上海2023.txt --region 上海市 --year 2023
    """
    if url and len(paths) > 1:
        raise GovmonError("--url names one document: import one file at a time with it", ExitCode.USAGE)
    outcomes = [_import_one(app, path, region, year, doc_type, title, url) for path in paths]
    for path, status in zip(paths, outcomes, strict=True):
        app.out.print(f"{status:9} {path}")
    if not no_process and any(s in ("new", "changed") for s in outcomes):
        run_processing(app)


def _import_one(app: App, path: Path, region: str, year: int, doc_type: str, title: str | None,
                url: str | None) -> str:  # fmt: skip
    from db.repository import FetchedDocument, store_fetched
    from db.session import session_scope
    from monitor.extract import extract
    from monitor.files import UnreadableFile, load_file

    try:
        loaded = load_file(path)
    except UnreadableFile as exc:
        raise GovmonError(str(exc), ExitCode.INPUT) from exc
    title = title or _default_title(extract(loaded.text[:3000]).document.title, region, year, doc_type)
    item = FetchedDocument(url=url or path.resolve().as_uri(), region=region, text=loaded.text, raw=loaded.raw,
                           title=title, doc_type=doc_type, report_year=year, http_status=None,
                           content_type=loaded.content_type, encoding=loaded.encoding)  # fmt: skip
    with session_scope(app.engine()) as session:
        return store_fetched(session, item).status


TITLE_WORDS = ("报告", "要点", "规划", "方案", "总结", "计划", "思路")
TYPE_TITLES = {"work_report": "政府工作报告", "plan": "工作要点", "summary": "工作总结", "other": "文件"}


def _default_title(inferred: str | None, region: str, year: int, doc_type: str) -> str:
    """The inferred title when it reads like one, else 2025年上海市政府工作报告."""
    head = (inferred or "").strip().split(None, 1)[0] if (inferred or "").strip() else ""
    if not (4 <= len(head) <= 60 and any(w in head for w in TITLE_WORDS)):
        return f"{year}年{region}{TYPE_TITLES[doc_type]}"
    return head if re.search(r"(?:19|20)\d\d", head) else f"{year}年{head}"


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
    from db.derived import history as load_history
    from db.session import session_scope
    from monitor.service.reads import history_point

    with session_scope(app.engine()) as session:
        points = load_history(session, region, metric, doc_type)
    if not points:
        raise GovmonError(f"no stored {doc_type} of {region} mentions {metric}: see `govmon documents`",
                          ExitCode.NOT_FOUND)  # fmt: skip
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
