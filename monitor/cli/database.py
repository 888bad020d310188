"""`govmon init` and `govmon documents`."""

from __future__ import annotations

import json

import click
from rich.table import Table

from monitor.cli.app import App, pass_app


@click.command()
@pass_app
def init(app: App) -> None:
    """Create the database or upgrade it to the newest schema (safe to repeat)."""
    from monitor.service.database import schema, shown_url, upgrade

    engine = app.connect()
    where = shown_url(app.settings.database_url)
    if schema(engine).up_to_date:
        app.out.print(f"database is up to date (schema {schema(engine).current}): {where}")
        return
    done = upgrade(engine)
    verb = "created" if done.current is None else f"upgraded from schema {done.current} to"
    app.out.print(f"{verb} schema {done.head}: {where}")


@click.command()
@click.option("--region", "-r", metavar="R", help="Only this region, e.g. 上海市 or 全国.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (a list, newest first) instead of a table.")
@pass_app
def documents(app: App, region: str | None, as_json: bool) -> None:
    """List stored reports and plans, newest first."""
    from monitor.service.reads import stored_documents

    rows = stored_documents(app.engine(), region)
    if as_json:
        click.echo(json.dumps([row.to_json() for row in rows], ensure_ascii=False, indent=2))
        return
    if not rows:
        app.out.print("no documents yet: run `govmon crawl`, `govmon import` or `govmon demo`")
        return
    table = Table("id", "year", "region", "type", "title", "published", "versions", title="documents")
    for row in rows:
        published = row.published_at.isoformat() if row.published_at else ""
        table.add_row(
            str(row.id), str(row.report_year or ""), row.region, row.doc_type, row.title, published,
            str(row.versions),
        )  # fmt: skip
    app.out.print(table)


def register(group: click.Group) -> None:
    group.add_command(init)
    group.add_command(documents)
