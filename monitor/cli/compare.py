"""`govmon compare`: one metric across every region that reported a year, or the headline matrix."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from monitor.cli.analysis import CHANGE_STYLE
from monitor.cli.app import App, ExitCode, GovmonError, pass_app
from monitor.compare import LEVELS, CompareTable, Matrix, UnknownMetric, resolve_metric
from monitor.compare import views as v
from monitor.compare.levels import LEVEL_WORDS
from monitor.compare.matrix import matrix_csv

COMPARED_TYPES = ("work_report", "plan")  # a summary's goals are for the year after its own: not comparable here


@click.command("compare")
@click.option("--metric", "-m", metavar="KEY|中文名", help="The metric: a key (gdp_growth) or its name (经济增长).")
@click.option("--year", "-y", type=int, help="Report year (default: the latest with reports of the level).")
@click.option("--level", "-l", type=click.Choice(LEVELS), default="province", show_default=True,
              help="Which regions: provinces, cities, or all of them.")  # fmt: skip
@click.option("--headline", is_flag=True, help="Instead of one metric: regions × headline metrics with arrows.")
@click.option("--doc-type", "-t", type=click.Choice(COMPARED_TYPES), default="work_report", show_default=True,
              help="Work reports, or plans (工作要点) whose goals are for their own year.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {metric, year, summary, rows}.")
@click.option("--csv", "as_csv", is_flag=True, help="Print the table as CSV.")
@pass_app
def compare_cmd(app: App, metric: str | None, year: int | None, level: str, headline: bool, doc_type: str,
                as_json: bool, as_csv: bool) -> None:  # fmt: skip
    """One metric across every region that has reported a year: this year's target, last year's target and
    result, the change and the gap; with how many have reported, the median and the national target.

    \b
    Examples:
      govmon compare --metric gdp_growth --year 2025
      govmon compare --metric 研发经费投入强度 --level all --csv > rd.csv
      govmon compare --year 2025 --headline
    """
    key = _check_usage(metric, headline, as_json, as_csv)
    from monitor.service.comparisons import NothingToCompare, load_matrix, load_table

    try:
        result = load_matrix(app.engine(), year, level, doc_type) if key is None else (
            load_table(app.engine(), key, year, level, doc_type))  # fmt: skip
    except NothingToCompare as exc:
        raise GovmonError(str(exc), ExitCode.NOT_FOUND) from exc
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    elif isinstance(result, Matrix):
        _print_matrix(app, result, as_csv)
    elif as_csv:
        click.echo(v.csv_text(result).lstrip("\ufeff"), nl=False)
    else:
        _print_table(app, result)


def _check_usage(metric: str | None, headline: bool, as_json: bool, as_csv: bool) -> str | None:
    if as_json and as_csv:
        raise GovmonError("choose one of --json and --csv", ExitCode.USAGE)
    if headline == (metric is not None):
        raise GovmonError("give either --metric KEY or --headline", ExitCode.USAGE)
    if metric is None:
        return None
    try:
        return resolve_metric(metric)
    except UnknownMetric as exc:
        raise GovmonError(str(exc), ExitCode.USAGE) from exc


def _print_table(app: App, table: CompareTable) -> None:
    year, before = table.year, table.year - 1
    word = LEVEL_WORDS.get(table.level, "地区")
    unit = table.summary.unit
    gap = f"gap ({v.gap_unit(unit)})" if v.gap_unit(unit) else "gap"
    grid = Table("region", f"{year} target", "change", f"{before} target", f"{before} result", gap,
                 title=f"{table.metric} · {year} · {word}", title_justify="left")  # fmt: skip
    for r in table.rows:
        change = f"[{CHANGE_STYLE.get(r.change or '', '')}]{v.change_label(r.change)}[/]" if r.change else ""
        target = v.figure(r.target) if r.target else "[dim]未设定[/]"
        target += " [yellow](待复核)[/]" if r.held else ""
        grid.add_row(r.region, target, change, v.figure(r.prior_target), v.figure(r.prior_result),
                     v.gap_text(r.gap, unit, with_unit=False))  # fmt: skip
    _show(app, grid)
    for line in _summary_lines(table):
        app.out.print(line)


def _summary_lines(table: CompareTable) -> list[str]:
    lines = [v.reported_line(table), v.counts_line(table)]
    median = f"中位数 {v.median_label(table)}"
    spread = v.spread_label(table)
    lines.append(median + (f"（{spread}）" if spread else "") + f"；全国 {v.national_label(table)}")
    return [line for line in lines if line]


def _print_matrix(app: App, matrix: Matrix, as_csv: bool) -> None:
    if as_csv:
        click.echo(matrix_csv(matrix).lstrip("\ufeff"), nl=False)
        return
    word = LEVEL_WORDS.get(matrix.level, "地区")
    grid = Table("region", *(t.metric for t in matrix.tables), title=f"{matrix.year}年各{word}主要预期目标",
                 title_justify="left")  # fmt: skip
    for region in matrix.regions:
        grid.add_row(region, *(matrix.cell(t, region).text for t in matrix.tables))
    grid.add_row("[bold]中位数[/]", *(v.median_label(t) for t in matrix.tables))
    grid.add_row("[bold]全国[/]", *(v.national_label(t) for t in matrix.tables))
    _show(app, grid)
    app.out.print("▲ 上调  ▼ 下调  ＝ 持平  ≈ 表述调整  ＋ 新增  × 删去（与上年报告相比）")
    if matrix.rare:
        app.out.print(
            "少于四分之一地区设定：" + "、".join(f"{t.metric}（{t.summary.with_target}）" for t in matrix.rare)
        )


def _show(app: App, grid: Table) -> None:
    """Print a table whole: a terminal shows what fits, a pipe or file gets every column uncut."""
    for column in grid.columns:
        column.no_wrap = True
    if app.out.is_terminal:
        app.out.print(grid)
    else:
        Console(file=app.out.file, width=1000, highlight=False, soft_wrap=True).print(grid)


def register(group: click.Group) -> None:
    group.add_command(compare_cmd)
