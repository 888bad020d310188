"""`govmon sources list`: the registry with each source's health."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.table import Table

from crawler.sources import Source
from db.repository import SourceRow
from monitor.cli.app import App, pass_app

HEALTH_STYLE = {"ok": "green", "blocked": "red", "broken": "yellow", "unknown": "dim"}


@click.group()
def sources() -> None:
    """The source registry (crawler/sources.yaml or --sources FILE)."""


@sources.command("list")
@click.option("--sources", "registry", metavar="FILE", type=click.Path(), help="Another registry file.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_app
def list_(app: App, registry: str | None, as_json: bool) -> None:
    """Show every registered source with its health (ok, blocked, broken) and last error."""
    from crawler.sources import load_registry
    from db.repository import list_sources, sync_sources
    from db.session import DatabaseReadOnly, session_scope

    entries = load_registry(registry or app.settings.sources_file or None)
    engine = app.engine()
    try:
        with session_scope(engine) as session:
            sync_sources(session, (entry.spec() for entry in entries))
    except DatabaseReadOnly:
        app.err.print("the database is read-only: showing the health last stored, without recording registry changes")
    with session_scope(engine) as session:
        rows = {row.id: row for row in list_sources(session)}
    records = [_record(entry, rows.get(entry.id)) for entry in entries]
    if as_json:
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    table = Table("id", "region", "level", "cms", "health", "docs", "last crawl", "last error", title="sources")
    for r in records:
        style = HEALTH_STYLE.get(r["health"], "")
        table.add_row(
            r["id"], r["region"], r["level"], r["cms"], f"[{style}]{r['health']}[/]", str(r["documents"]),
            r["last_crawled_at"] or "never", r["last_error"] or "",
        )  # fmt: skip
    app.out.print(table)


def _record(entry: Source, row: SourceRow | None) -> dict[str, Any]:
    return {
        "id": entry.id,
        "name": entry.name,
        "region": entry.region,
        "level": entry.level,
        "cms": entry.cms,
        "start_urls": list(entry.start_urls),
        "health": row.health if row else "unknown",
        "last_error": row.last_error if row else None,
        "last_crawled_at": row.last_crawled_at.isoformat(timespec="minutes") if row and row.last_crawled_at else None,
        "documents": row.documents if row else 0,
    }


def register(group: click.Group) -> None:
    group.add_command(sources)
