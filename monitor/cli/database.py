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
    from db.migrate import current_revision, head_revision, upgrade

    engine = app.connect()
    before = current_revision(engine)
    if before == head_revision():
        app.out.print(f"database is up to date (schema {before}): {_where(app)}")
        return
    _, after = upgrade(engine)
    verb = "created" if before is None else f"upgraded from schema {before} to"
    app.out.print(f"{verb} schema {after}: {_where(app)}")


def _where(app: App) -> str:
    from db.session import parse_url

    return parse_url(app.settings.database_url).render_as_string(hide_password=True)


@click.command()
@click.option("--region", "-r", metavar="R", help="Only this region, e.g. 上海市 or 全国.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (a list, newest first) instead of a table.")
@pass_app
def documents(app: App, region: str | None, as_json: bool) -> None:
    """List stored reports and plans, newest first."""
    from db.repository import list_documents
    from db.session import session_scope

    with session_scope(app.engine()) as session:
        rows = list_documents(session, region)
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
