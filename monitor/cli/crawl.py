"""`govmon crawl`: run the ReportSpider for registry entries in-process and print a summary per source."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from monitor.cli.app import App, ExitCode, GovmonError, pass_app


@click.command()
@click.option(
    "--source", "source_ids", multiple=True, metavar="ID", help="Crawl this source (repeatable; default all)."
)
@click.option("--sources", "registry", metavar="FILE", type=click.Path(), help="Another registry file.")
@click.option("--limit", type=int, default=0, help="Fetch at most N documents per source (smoke tests).")
@click.option("--dry-run", is_flag=True, help="Find and list documents, store nothing (no database needed).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Override a Scrapy setting.")
@click.option("--json", "as_json", is_flag=True, help="Print the per-source results as JSON.")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log (INFO) instead of warnings only.")
@pass_app
def crawl(
    app: App, source_ids: tuple[str, ...], registry: str | None, limit: int, dry_run: bool,
    overrides: tuple[str, ...], as_json: bool, verbose: bool,
) -> None:  # fmt: skip
    """Crawl the registry's sources for new reports and plans; exit 7 if a source was blocked or broken."""
    from crawler.runner import crawl_settings, run_batch
    from crawler.sources import load_registry

    registry = registry or app.settings.sources_file or None
    sources = _select(load_registry(registry), source_ids)
    url = app.settings.database_url if dry_run else _checked_url(app)
    settings = crawl_settings(url, {"LOG_LEVEL": "INFO" if verbose else "WARNING", **_parse(overrides)}, dry_run)
    settings.set("USER_AGENT", app.settings.user_agent, priority="cmdline")
    with _progress(app, sources, quiet=as_json) as update:
        results = run_batch(sources, settings, limit=limit, progress=update)
    for r in results:
        if r.status == "skipped":
            app.err.print(f"source {r.source_id}: {r.reason}")
    if as_json:
        click.echo(json.dumps([r.to_json() for r in results], ensure_ascii=False, indent=2))
    else:
        _print_summary(app, results)
    stopped = [r for r in results if r.status == "database_unavailable"]
    if stopped:
        reason = str(stopped[0].stats.get("govmon/store_error") or "the database became unavailable")
        raise GovmonError(f"{len(stopped)} of {len(results)} crawl(s) stopped: {reason}", ExitCode.DATABASE)
    if any(r.failed for r in results):
        raise GovmonError(f"{sum(r.failed for r in results)} of {len(results)} source(s) failed", ExitCode.PARTIAL)


def _checked_url(app: App) -> str:
    app.engine()  # fails early with a clear message when the database is missing or outdated
    app.close()
    return app.settings.database_url


def _select(sources: list[Any], ids: tuple[str, ...]) -> list[Any]:
    if not ids:
        return [s for s in sources if s.enabled]
    by_id = {s.id: s for s in sources}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise GovmonError(f"unknown source {missing[0]!r}: see `govmon sources list`", ExitCode.NOT_FOUND)
    return [by_id[i] for i in ids]


def _parse(overrides: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in overrides:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise GovmonError(f"-s expects NAME=VALUE, not {item!r}", ExitCode.USAGE)
        out[name.strip()] = value
    return out


class _progress:
    """A progress bar of finished sources, with the pages fetched so far."""

    def __init__(self, app: App, sources: list[Any], quiet: bool) -> None:
        self.bar = Progress(
            TextColumn("crawling"), BarColumn(), TextColumn("{task.completed}/{task.total} sources"),
            TextColumn("{task.fields[pages]} pages"), TimeElapsedColumn(), console=app.err, disable=quiet,
            transient=True,
        )  # fmt: skip
        self.task = self.bar.add_task("crawl", total=len(sources), pages=0)
        self.pages = 0

    def __enter__(self) -> Any:
        self.bar.start()
        return self.update

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def update(self, source_id: str, event: str) -> None:
        if event == "page":
            self.pages += 1
            self.bar.update(self.task, pages=self.pages)
        else:
            self.bar.advance(self.task)


def _print_summary(app: App, results: list[Any]) -> None:
    table = Table("source", "health", "pages", "requests", "new", "changed", "unchanged", "errors", "reason")
    for r in results:
        style = {"ok": "green", "blocked": "red", "broken": "yellow"}.get(r.health, "")
        table.add_row(
            r.source_id, f"[{style}]{r.health}[/]", str(r.pages), str(sum(r.requests.values())),
            str(r.documents.get("new", 0) + r.documents.get("found", 0)), str(r.documents.get("changed", 0)),
            str(r.documents.get("unchanged", 0)), str(r.errors), r.reason or "",
        )  # fmt: skip
    app.out.print(table)


def register(group: click.Group) -> None:
    group.add_command(crawl)
