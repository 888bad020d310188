"""`govmon review`: documents whose extraction is unsure of itself, and accepting them after a look."""

from __future__ import annotations

import json
from dataclasses import asdict

import click
from rich.table import Table

from monitor.cli.app import App, ExitCode, GovmonError, pass_app


@click.command()
@click.option("--accept", "accept", type=int, metavar="ID", help="Accept document ID: its held changes go out.")
@click.option("--all", "show_all", is_flag=True, help="List accepted documents too.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (a list) instead of a table.")
@pass_app
def review(app: App, accept: int | None, show_all: bool, as_json: bool) -> None:
    """Documents flagged for review, or --accept ID after checking one.

    A work report with no GDP-growth target for its own year, with two different targets for one headline
    metric, or whose diff would drop nearly every headline target was most likely misread. Its headline
    changes stay out of digests until `govmon reprocess` clears the reasons or an operator accepts it.

    \b
    Example:
      govmon review
      govmon review --accept 12
    """
    from db.reviews import accept_review, reviews
    from db.session import session_scope

    with session_scope(app.engine()) as session:
        if accept is not None:
            row = accept_review(session, accept)
            if row is None:
                raise GovmonError(f"document {accept} has nothing waiting for review", ExitCode.INPUT)
            app.out.print(f"accepted document {row.document_id} ({row.region} {row.title}): its changes go out "
                          "with the next digests")  # fmt: skip
            return
        rows = reviews(session, pending_only=not show_all)
    if as_json:
        click.echo(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=2))
        return
    table = Table("document", "version", "region", "year", "title", "state", "reasons", title="documents to review")
    for r in rows:
        table.add_row(str(r.document_id), str(r.version_id), r.region, str(r.report_year or ""), r.title[:40],
                      r.state, "；".join(r.reasons))  # fmt: skip
    app.out.print(table if rows else "no document needs review")


def register(group: click.Group) -> None:
    group.add_command(review)
