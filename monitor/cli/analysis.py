"""`govmon extract` and `govmon diff`: the pure cores on local files (or stored documents), no crawl needed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from monitor import vocabulary
from monitor.cli.app import App, ExitCode, GovmonError, pass_app
from monitor.compare.diff import Diff, diff
from monitor.extract import Extraction, Target, extract
from monitor.format import format_target, metric_label, reference

DOC_TYPES = click.Choice(vocabulary.DOC_TYPES)
STATUS_STYLE = {"target": "bold green", "achieved": "cyan", "expected": "yellow"}


def load_extraction(
    app: App, ref: str, region: str | None, year: int | None, doc_type: str | None, max_mb: int = 20
) -> Extraction:
    """A file path, or the id of a stored document (its latest version)."""
    if ref.isdigit() and not Path(ref).exists():
        return _stored_extraction(app, int(ref))
    from monitor.ingest.files import UnreadableFile, load_file

    try:
        loaded = load_file(ref, max_bytes=max_mb * 2**20)
    except UnreadableFile as exc:
        raise GovmonError(str(exc), ExitCode.INPUT) from exc
    return extract(loaded.text, region=region, year=year, doc_type=doc_type, with_keywords=True)


def _stored_extraction(app: App, document_id: int) -> Extraction:
    from monitor.service.reads import stored_extraction

    stored = stored_extraction(app.engine(), document_id)
    if stored is None:
        raise GovmonError(f"no stored document with id {document_id}: see `govmon documents`", ExitCode.NOT_FOUND)
    return stored


@click.command("extract")
@click.argument("path", metavar="PATH")
@click.option("--region", "-r", help="Region, e.g. 上海市 (inferred from the text when absent).")
@click.option("--year", "-y", type=int, help="Report year (inferred when absent).")
@click.option("--doc-type", "-t", type=DOC_TYPES, help="Document type (inferred when absent).")
@click.option("--status", type=click.Choice(["target", "achieved", "expected"]), help="Only figures of this status.")
@click.option("--headline", is_flag=True, help="Only headline figures (主要预期目标, fiscal, headline results).")
@click.option(
    "--json", "as_json", is_flag=True, help="Print JSON: the document, its targets and priorities, needs_review."
)
@click.option("--max-mb", type=int, default=20, show_default=True, help="Refuse files larger than this.")
@pass_app
def extract_cmd(app: App, path: str, region: str | None, year: int | None, doc_type: str | None,
                status: str | None, headline: bool, as_json: bool, max_mb: int) -> None:  # fmt: skip
    """Targets, results and priorities of one .txt, .html or .pdf file (or stored document id).

    \b
    Examples:
      govmon extract 2025年政府工作报告.txt --headline
      govmon extract report.html --region 上海市 --year 2025 --json
    """
    result = load_extraction(app, path, region, year, doc_type, max_mb)
    targets = [t for t in result.targets if (not status or t.status == status) and (not headline or t.headline)]
    if as_json:
        data = result.to_dict()
        data["targets"] = [t.to_dict() for t in targets]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    _print_extraction(app, result, targets)


def _print_extraction(app: App, result: Extraction, targets: list[Target]) -> None:
    doc = result.document
    app.out.print(f"[bold]{doc.title or ''}[/] {doc.region or '?'} {doc.year or '?'} {doc.doc_type or '?'}")
    if not targets:
        app.out.print("no quantitative targets or results found")
    table = Table("status", "year", "metric", "figure", "key", "sentence", title=f"{len(targets)} figures")
    for t in targets:
        style = STATUS_STYLE.get(t.status, "")
        period = f"{t.term[0]}—{t.term[1]}" if t.term else str(t.year or "")
        table.add_row(f"[{style}]{t.status}[/]", period, metric_label(t.metric, t.kind, t.unit), format_target(t),
                      t.metric_key or "", _clip(t.sentence, 60))  # fmt: skip
    app.out.print(table)
    if result.review:
        app.out.print("[yellow]needs review[/]: " + "；".join(result.review))
    themes = ", ".join(f"{p.theme}×{p.count}" for p in result.priorities[:15])
    app.out.print(f"priorities: {themes or 'none'}")


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


@click.command("diff")
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option("--old-region", help="Region of OLD (inferred when absent).")
@click.option("--old-year", type=int, help="Report year of OLD.")
@click.option("--new-region", help="Region of NEW.")
@click.option("--new-year", type=int, help="Report year of NEW.")
@click.option("--doc-type", "-t", type=DOC_TYPES, help="Document type of both.")
@click.option("--all", "show_all", is_flag=True, help="Also list unchanged targets in the table.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: the changes and the priorities' shifts.")
@pass_app
def diff_cmd(app: App, old: str, new: str, old_region: str | None, old_year: int | None, new_region: str | None,
             new_year: int | None, doc_type: str | None, show_all: bool, as_json: bool) -> None:  # fmt: skip
    """What changed between two reports: OLD and NEW are files or stored document ids.

    \b
    Examples:
      govmon diff 2024年报告.txt 2025年报告.txt
      govmon diff 12 31 --json          # two stored documents
    """
    before = load_extraction(app, old, old_region, old_year, doc_type)
    after = load_extraction(app, new, new_region, new_year, doc_type)
    result = diff(before, after)
    _check_pair(app, before, after, result, old, new)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    _print_diff(app, result, show_all)


def _check_pair(app: App, before: Extraction, after: Extraction, result: Diff, old: str, new: str) -> None:
    for name, doc in ((old, before), (new, after)):
        if not doc.targets and not any(p.source == "theme" for p in doc.priorities):
            raise GovmonError(f"{name}: no targets or priorities found — is it a work report or plan?", ExitCode.INPUT)
    a, b = before.document, after.document
    if a.region and b.region and a.region != b.region:
        app.err.print(f"note: comparing different regions ({a.region} → {b.region})")
    if a.year and b.year and a.year >= b.year:
        app.err.print(f"note: OLD is from {a.year}, NEW from {b.year}: is the order right?")
    if not any(c.old and c.new for c in result.changes):
        app.err.print("note: the two documents share no comparable target — are they related?")


def _print_diff(app: App, result: Diff, show_all: bool) -> None:
    table = Table("change", "metric", "old", "", "new", "vs last result", title="target changes")
    for c in result.changes:
        if c.change == "unchanged" and not show_all:
            continue
        style = vocabulary.CHANGE_STYLES.get(c.change, "")
        ambition = _baseline_text(c.baseline.to_dict()) if c.baseline else ""
        shown = c.new or c.old
        label = metric_label(c.metric, shown.kind, shown.unit) if shown else c.metric
        sense = f" ({c.ambition})" if c.ambition in ("more", "less") else ""
        table.add_row(f"[{style}]{c.change}{sense}[/]", label, format_target(c.old) if c.old else "—", "→",
                      format_target(c.new) if c.new else "—", ambition)  # fmt: skip
    app.out.print(table)
    unchanged = sum(c.change == "unchanged" for c in result.changes)
    if unchanged and not show_all:
        app.out.print(f"{unchanged} unchanged targets not shown (--all)")
    for label, group in (("emerging", result.emerging), ("fading", result.fading), ("intensified", result.intensified)):
        if group:
            app.out.print(f"[bold]{label}[/]: " + ", ".join(p.theme for p in group))


def _baseline_text(a: dict[str, Any]) -> str:
    return reference(a)  # the digest's reference line: "2024年实际 5%左右", "上年目标 3%左右"


def register(group: click.Group) -> None:
    group.add_command(extract_cmd)
    group.add_command(diff_cmd)
