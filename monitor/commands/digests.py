"""`govmon subscribers …` and `govmon digest`: who gets which digest, and sending it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table

from monitor.cli import App, ExitCode, GovmonError, pass_app

if TYPE_CHECKING:
    from monitor.deliver import SendReport, Transport
    from monitor.jobs import DigestReport


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").replace("，", ",").split(",") if part.strip())


@click.group()
def subscribers() -> None:
    """Who receives digests, and what each of them follows."""


@subscribers.command("add")
@click.argument("email")
@click.option("--regions", help="Comma-separated regions, e.g. 上海市,广东省 (default: all).")
@click.option("--themes", help="Comma-separated priorities, e.g. 人工智能,低空经济.")
@click.option("--metrics", help="Comma-separated metric keys, e.g. rd_intensity,gdp_growth.")
@click.option("--doc-types", help="Comma-separated: work_report,plan,summary,other (default: all).")
@click.option("--cadence", type=click.Choice(["immediate", "daily", "weekly"]), default="daily", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["html", "text", "both"]), default="both", show_default=True)
@pass_app
def add(app: App, email: str, regions: str | None, themes: str | None, metrics: str | None, doc_types: str | None,
        cadence: str, fmt: str) -> None:  # fmt: skip
    """Add a subscriber, or update the filters of an existing one.

    With --metrics or --themes the digest carries only those changes; without, every change in the regions.

    \b
    Example:
      govmon subscribers add analyst@example.org --regions 上海市 --metrics rd_intensity --cadence weekly
    """
    from db.outbox import find_subscriber, upsert_subscriber
    from db.session import session_scope
    from monitor.addresses import InvalidAddress, parse_address
    from monitor.digest import Filters

    try:
        address = parse_address(email)
    except InvalidAddress as exc:
        raise GovmonError(str(exc), ExitCode.USAGE) from None
    kinds = _split(doc_types)
    unknown = [k for k in kinds if k not in ("work_report", "plan", "summary", "other")]
    if unknown:
        raise GovmonError(f"unknown doc type {unknown[0]!r}: use work_report, plan, summary or other", ExitCode.USAGE)
    filters = Filters(_split(regions), kinds, _split(metrics), _split(themes))
    with session_scope(app.engine()) as session:
        existing = find_subscriber(session, address.email)
        row = upsert_subscriber(session, address.email, filters, cadence, fmt)
    verb = "subscribed" if existing is None else "updated"
    app.out.print(f"{verb} {row.email} (#{row.id}): {cadence}, {fmt}")


@subscribers.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def list_(app: App, as_json: bool) -> None:
    """Show every subscriber with their filters."""
    from db.outbox import list_subscribers
    from db.session import session_scope

    with session_scope(app.engine()) as session:
        rows = list_subscribers(session)
    if as_json:
        records = [{"id": r.id, "email": r.email, "regions": list(r.filters.regions), "themes": list(r.filters.themes),
                    "metrics": list(r.filters.metrics), "doc_types": list(r.filters.doc_types), "cadence": r.cadence,
                    "format": r.format, "active": r.active} for r in rows]  # fmt: skip
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    table = Table("id", "email", "regions", "metrics", "themes", "doc types", "cadence", "format", "active")
    for r in rows:
        f = r.filters
        table.add_row(str(r.id), r.email, ",".join(f.regions) or "all", ",".join(f.metrics), ",".join(f.themes),
                      ",".join(f.doc_types) or "all", r.cadence, r.format, "yes" if r.active else "no")  # fmt: skip
    app.out.print(table)


@subscribers.command("remove")
@click.argument("email")
@pass_app
def remove(app: App, email: str) -> None:
    """Delete a subscriber and their delivery history: EMAIL (any case), or #ID as `subscribers list` shows it."""
    from db.outbox import remove_subscriber
    from db.session import session_scope
    from monitor.addresses import shown

    with session_scope(app.engine()) as session:
        removed = remove_subscriber(session, email)
    if not removed:
        raise GovmonError(f"no subscriber {shown(email)}: see `govmon subscribers list`", ExitCode.NOT_FOUND)
    for address in removed:
        app.out.print(f"removed {shown(address)}")


@subscribers.command("unsubscribe")
@click.argument("token")
@pass_app
def unsubscribe(app: App, token: str) -> None:
    """Stop digests for the subscriber a signed token (from a digest's link) names."""
    from db.outbox import deactivate, get_subscriber
    from db.session import session_scope
    from monitor.tokens import InvalidToken, load_secret, token_subscriber_id, verify_token

    try:
        subscriber_id = token_subscriber_id(token)
        with session_scope(app.engine()) as session:
            row = get_subscriber(session, subscriber_id)
            if row is None:
                raise InvalidToken("this unsubscribe token names no subscriber (already removed?)")
            verify_token(token, row.id, row.email, load_secret(app.settings))
            changed = deactivate(session, subscriber_id)
    except InvalidToken as exc:
        raise GovmonError(str(exc), ExitCode.INPUT) from exc
    app.out.print(f"{row.email} unsubscribed" if changed else f"{row.email} was already unsubscribed")


@click.command("digest")
@click.option("--subscriber", metavar="EMAIL", help="Only this subscriber.")
@click.option("--send", is_flag=True, help="Queue due digests and send them by SMTP (advances each window).")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Dry run: deliver to .eml files in DIR instead of SMTP (recorded in the outbox like a send).",
)
@click.option("--force", is_flag=True, help="Ignore cadences: every subscriber's digest is due now.")
@pass_app
def digest(app: App, subscriber: str | None, send: bool, out: Path | None, force: bool) -> None:
    """Build the digests that are due and send them (--send) or write them as .eml files (--out DIR).

    A digest covers what was processed since the subscriber's last one (a new subscriber: the last 30 days);
    one with nothing to say is not sent. Every digest goes through the outbox: sent at most once, never lost.

    \b
    Examples:
      govmon digest --out var/digests --force      # preview every digest
      govmon digest --send                         # the scheduler's daily run
    """
    from monitor.deliver import DirectoryTransport, SmtpTransport
    from monitor.jobs import send_due_digests

    if send == bool(out):
        raise GovmonError("choose one: --send (SMTP) or --out DIR (.eml files)", ExitCode.USAGE)
    transport: Transport = DirectoryTransport(out) if out else SmtpTransport(app.settings)
    if out:
        _check_out(transport)
    report = send_due_digests(app.engine(), app.settings, transport, only=subscriber, force=force)
    _print_report(app, report, transport)
    problems = _undelivered(app, report.delivery)
    if problems:
        raise GovmonError(f"not every digest was delivered: {problems}", ExitCode.PARTIAL)


def _check_out(transport: Transport) -> None:
    """--out names a directory that must be writable: say so now, before any digest is queued."""
    from monitor.deliver import TemporaryFailure

    try:
        transport.connect()
    except TemporaryFailure as exc:
        raise GovmonError(f"{exc}: choose another --out directory", ExitCode.INPUT) from None


def _print_report(app: App, report: DigestReport, transport: Transport) -> None:
    from monitor.deliver import DirectoryTransport

    unknown = f", {report.delivery.unknown} unknown" if report.delivery.unknown else ""
    app.out.print(
        f"{report.considered} due, {report.empty} with nothing new, {report.queued} queued; "
        f"{report.sent} sent, {report.retried} to retry, {report.failed} failed{unknown}"
    )
    if isinstance(transport, DirectoryTransport):
        for path in transport.written:
            app.out.print(f"  wrote {path}")
    for error in report.errors:
        app.err.print(f"[yellow]{error}[/]", markup=True)


def _undelivered(app: App, delivery: SendReport) -> str:
    """Warnings for what is not delivered (yet), and a summary for the error line ('' when all is well)."""
    problems = []
    if delivery.recovered_unknown:
        app.err.print(
            f"[red]{delivery.recovered_unknown} digest(s) were being sent when an earlier run stopped: marked "
            "`unknown` (they may or may not have been delivered, and are not resent); look for their Message-ID "
            "in the mail server's log — `govmon status` lists them[/]",
            markup=True,
        )
    if delivery.failed:
        problems.append(f"{delivery.failed} failed for good (reasons above)")
    if delivery.unknown or delivery.recovered_unknown:
        problems.append(f"{delivery.unknown + delivery.recovered_unknown} unknown")
    if delivery.waiting:
        problems.append(f"{delivery.waiting} waiting to be retried, {_next_attempt(app, delivery)}")
    return "; ".join(problems)


def _next_attempt(app: App, delivery: SendReport) -> str:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    due = delivery.next_attempt_at
    if due is None or due <= datetime.now(UTC):
        return "due now: run `govmon digest --send` again"
    minutes = max(1, round((due - datetime.now(UTC)).total_seconds() / 60))
    local = due.astimezone(ZoneInfo(app.settings.timezone))
    return f"the next attempt at {local:%Y-%m-%d %H:%M} (in {minutes} min; `govmon schedule` retries by itself)"


def register(group: click.Group) -> None:
    group.add_command(subscribers)
    group.add_command(digest)
