"""`govmon subscribers …` and `govmon digest`: who gets which digest, and sending it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table

from monitor.cli.app import App, ExitCode, GovmonError, pass_app

if TYPE_CHECKING:
    from monitor.channels.outbox import SendReport, Transport
    from monitor.ops.jobs import DigestReport


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").replace("，", ",").split(",") if part.strip())


@click.group()
def subscribers() -> None:
    """Who receives digests, and what each of them follows."""


@subscribers.command("add")
@click.argument("email", required=False)
@click.option("--webhook", metavar="URL", help="Deliver as signed JSON to this webhook instead of e-mail.")
@click.option("--wecom", metavar="URL", help="Deliver to a 企业微信 group robot (its webhook URL with the key).")
@click.option("--dingtalk", metavar="URL", help="Deliver to a 钉钉 group robot (its webhook URL with the token).")
@click.option("--feishu", metavar="URL", help="Deliver to a 飞书 group bot (its webhook URL).")
@click.option("--secret", metavar="S", help="Signing secret of --webhook, --dingtalk (加签) or --feishu (签名校验).")
@click.option("--regions", help="Comma-separated regions, e.g. 上海市,广东省 (default: all).")
@click.option("--themes", help="Comma-separated priorities of themes.yaml, e.g. 人工智能,低空经济.")
@click.option(
    "--metrics", help="Comma-separated metric keys or names, e.g. rd_intensity,经济增长 (see `govmon metrics`)."
)
@click.option("--doc-types", help="Comma-separated: work_report,plan,summary,other (default: all).")
@click.option("--cadence", type=click.Choice(["immediate", "daily", "weekly"]), default="daily", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["html", "text", "both"]), default="both", show_default=True)
@pass_app
def add(app: App, email: str | None, webhook: str | None, wecom: str | None, dingtalk: str | None,
        feishu: str | None, secret: str | None, regions: str | None, themes: str | None, metrics: str | None,
        doc_types: str | None, cadence: str, fmt: str) -> None:  # fmt: skip
    """Add an active subscriber (no confirmation mail), or update the filters of an existing one: an EMAIL
    address, or a channel (--webhook, --wecom, --dingtalk or --feishu URL, with --secret where it signs).

    Regions, metrics, themes and document types are checked against what govmon knows; a near miss is refused
    with suggestions (上海 → 上海市). With --metrics or --themes the digest carries only those changes; without,
    every change in the regions. A channel URL must pass the egress guard now (http or https, no private or
    loopback address unless listed in GOVMON_CHANNEL_PRIVATE_ORIGINS); it and the secret are shown masked.
    Prints the filters it stored.

    \b
    Examples:
      govmon subscribers add analyst@example.org --regions 上海市 --metrics 研发经费投入强度 --cadence weekly
      govmon subscribers add --dingtalk 'https://oapi.dingtalk.com/robot/send?access_token=…' --secret SEC… \\
          --regions 广东省 --cadence immediate
    """
    from monitor.service.catalogue import FilterError, load_catalogue
    from monitor.service.subscriptions import (
        ChannelChoice,
        Choices,
        SubscriptionError,
        add_channel_subscriber,
        add_subscriber,
    )

    urls = {k: v for k, v in (("webhook", webhook), ("wecom", wecom), ("dingtalk", dingtalk), ("feishu", feishu))
            if v is not None}  # fmt: skip
    if len(urls) + (email is not None) != 1:
        raise GovmonError(
            "give one of: EMAIL, --webhook URL, --wecom URL, --dingtalk URL, --feishu URL", ExitCode.USAGE
        )
    if secret is not None and not urls:
        raise GovmonError("--secret goes with a channel URL (--webhook, --dingtalk, --feishu)", ExitCode.USAGE)
    engine = app.engine()
    choices = Choices(_split(regions), _split(metrics), _split(themes), _split(doc_types), cadence, fmt)
    catalogue = load_catalogue(engine, app.settings)
    try:
        if email is not None:
            row, existed = add_subscriber(engine, app.settings, catalogue, email, choices)
        else:
            ((kind, url),) = urls.items()
            channel = ChannelChoice(kind, url, secret or "")
            row, existed = add_channel_subscriber(engine, app.settings, catalogue, channel, choices)
    except (SubscriptionError, FilterError) as exc:
        raise GovmonError(str(exc), ExitCode.USAGE) from None
    verb = "updated" if existed else "subscribed"
    how = row.format if row.channel == "email" else row.channel
    app.out.print(f"{verb} {row.destination} (#{row.id}): {row.cadence}, {how}, {row.status}")
    labels = [f"{key} ({catalogue.metric_label(key)})" for key in row.metrics]
    for name, values in (("regions", row.regions), ("doc types", row.doc_types), ("metrics", labels),
                         ("themes", row.themes)):  # fmt: skip
        app.out.print(f"  {name + ':':11} {', '.join(values) or 'all'}")


@subscribers.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def list_(app: App, as_json: bool) -> None:
    """Show every subscriber with their status (pending, active, unsubscribed) and filters."""
    from monitor.service.subscriptions import list_subscribers

    rows = list_subscribers(app.engine())
    if as_json:
        click.echo(json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=2))
        return
    table = Table("id", "email or channel", "status", "regions", "metrics", "themes", "doc types", "cadence", "format")
    for r in rows:
        table.add_row(str(r.id), r.destination, r.status, ",".join(r.regions) or "all", ",".join(r.metrics),
                      ",".join(r.themes), ",".join(r.doc_types) or "all", r.cadence,
                      r.format if r.channel == "email" else "—")  # fmt: skip
    app.out.print(table)


@subscribers.command("remove")
@click.argument("email")
@pass_app
def remove(app: App, email: str) -> None:
    """Delete a subscriber and their delivery history: EMAIL (any case), or #ID as `subscribers list` shows it."""
    from monitor.channels.addresses import shown
    from monitor.service.subscriptions import remove_subscriber

    removed = remove_subscriber(app.engine(), email)
    if not removed:
        raise GovmonError(f"no subscriber {shown(email)}: see `govmon subscribers list`", ExitCode.NOT_FOUND)
    for address in removed:
        app.out.print(f"removed {shown(address)}")


@subscribers.command("unsubscribe")
@click.argument("token")
@pass_app
def unsubscribe(app: App, token: str) -> None:
    """Stop digests for the subscriber a signed token (from a digest's link or a mailto: unsubscribe) names."""
    from monitor.service.subscriptions import InvalidLink
    from monitor.service.subscriptions import unsubscribe as stop

    try:
        done = stop(app.engine(), app.settings, token)
    except InvalidLink as exc:
        raise GovmonError(str(exc), ExitCode.INPUT) from exc
    email = done.subscriber.destination
    app.out.print(f"{email} unsubscribed" if done.changed else f"{email} was already unsubscribed")


@click.command("metrics")
@click.option("--json", "as_json", is_flag=True, help='Print JSON: a list of {"key", "name"}.')
def metrics(as_json: bool) -> None:
    """The metric keys subscribers and `history` accept, with their Chinese names."""
    from monitor.service.catalogue import metric_choices

    choices = metric_choices()
    if as_json:
        click.echo(json.dumps([{"key": c.value, "name": c.label} for c in choices], ensure_ascii=False, indent=2))
        return
    width = max(len(c.value) for c in choices)
    for c in choices:
        click.echo(f"{c.value:{width}}  {c.label}")


@click.command("digest")
@click.option("--subscriber", metavar="EMAIL", help="Only this subscriber.")
@click.option("--send", is_flag=True, help="Queue due digests and send them by SMTP (advances each window).")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="Preview: write the due digests as .eml files into the directory PATH, recording nothing (with "
    "--record: deliver them there through the outbox, like a send). With --preview: the file to write.",
)
@click.option("--record", is_flag=True, help="With --out: record the deliveries and advance each window.")
@click.option(
    "--preview",
    metavar="EMAIL",
    help="Render this subscriber's next digest (due or not) to stdout, or to --out FILE; records nothing.",
)
@click.option(
    "--as",
    "shape",
    type=click.Choice(["text", "html", "eml"]),
    default="text",
    show_default=True,
    help="With --preview: the plain-text part, the HTML part or the whole message.",
)
@click.option("--force", is_flag=True, help="Ignore cadences: every subscriber's digest is due now.")
@pass_app
def digest(app: App, subscriber: str | None, send: bool, out: Path | None, record: bool, preview: str | None,
           shape: str, force: bool) -> None:  # fmt: skip
    """Build the digests that are due and send them (--send), preview them as .eml files (--out DIR), or show
    one subscriber's next digest (--preview EMAIL).

    A digest covers what was processed since the subscriber's last one (a new subscriber: the last 30 days);
    one with nothing to say is not sent. Every digest sent goes through the outbox: sent at most once, never
    lost. A preview records nothing: run it as often as you like, `govmon status` shows nothing sent.

    \b
    Examples:
      govmon digest --out var/digests --force      # preview every digest (nothing recorded)
      govmon digest --preview a@example.org        # the next digest of one subscriber, as text
      govmon digest --send                         # the scheduler's daily run
    """
    if preview:
        _preview(app, preview, out, shape)
        return
    if record and not out:
        raise GovmonError("--record goes with --out DIR", ExitCode.USAGE)
    if send == bool(out):
        raise GovmonError("choose one: --send (SMTP), --out DIR (.eml files) or --preview EMAIL", ExitCode.USAGE)
    if out and not record:
        _preview_all(app, out, subscriber, force)
        return
    _deliver(app, out, subscriber, force)


def _deliver(app: App, out: Path | None, subscriber: str | None, force: bool) -> None:
    from monitor.channels.outbox import DirectoryChannels, DirectoryTransport, SmtpTransport
    from monitor.ops.jobs import send_due_digests

    transport: Transport = DirectoryTransport(out) if out else SmtpTransport(app.settings)
    files = DirectoryChannels(out) if out else None  # channel subscribers' payloads as .json files
    if out:
        _check_out(transport)
    report = send_due_digests(app.engine(), app.settings, transport, only=subscriber, force=force, channels=files)
    _print_report(app, report, transport)
    for path in files.written if files else ():
        app.out.print(f"  wrote {path}")
    problems = undelivered_digests(app, report.delivery)
    if problems:
        raise GovmonError(f"not every digest was delivered: {problems}", ExitCode.PARTIAL)


def _preview_all(app: App, out: Path, subscriber: str | None, force: bool) -> None:
    """The due digests as .eml files, nothing recorded (the outbox and every window stay as they were)."""
    from monitor.channels.outbox import DirectoryTransport
    from monitor.ops.jobs import preview_channel_payloads, preview_digests

    transport = DirectoryTransport(out)
    _check_out(transport)
    previews = preview_digests(app.engine(), app.settings, only=subscriber, force=force)
    for due, payload in previews:
        transport.send(payload, app.settings.smtp_from, due.subscriber.email)
    written = list(transport.written)
    channels = preview_channel_payloads(app.engine(), app.settings, only=subscriber, force=force)
    for _, payloads in channels:  # a webhook's or robot's messages as the JSON bodies they would post
        for part in payloads:
            path = out / f"{part.delivery_id}.json"
            try:
                path.write_bytes(part.body)
            except OSError as exc:
                raise GovmonError(f"cannot write {path}: {exc.strerror or exc}", ExitCode.INPUT) from exc
            written.append(path)
    count = len(previews) + len(channels)
    app.out.print(f"{count} digest(s) previewed; nothing recorded (add --record to deliver through the outbox)")
    for path in written:
        app.out.print(f"  wrote {path}")


def _preview(app: App, email: str, out: Path | None, shape: str) -> None:
    """One subscriber's next digest, due or not, to stdout or a file; nothing recorded."""
    from email import message_from_bytes, policy
    from email.message import EmailMessage

    from monitor.ops.jobs import preview_digests

    found = preview_digests(app.engine(), app.settings, only=email, force=True)
    if not found:
        raise GovmonError(f"nothing to preview for {email}: not an active subscriber, or nothing new in their "
                          "window (see `govmon subscribers list`)", ExitCode.NOT_FOUND)  # fmt: skip
    payload = found[0][1]
    if shape == "eml":
        data = payload
    else:
        message = message_from_bytes(payload, policy=policy.default)
        part = message.get_body((shape if shape == "html" else "plain",)) if isinstance(message, EmailMessage) else None
        if part is None:
            raise GovmonError(f"{email} gets no {shape} part: try --as eml", ExitCode.USAGE)
        data = part.get_content().encode("utf-8")
    if out is None:
        click.echo(data.decode("utf-8"), nl=False)
        return
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise GovmonError(f"cannot write {out}: {exc.strerror or exc}", ExitCode.INPUT) from None
    app.out.print(f"wrote {out}")


def _check_out(transport: Transport) -> None:
    """--out names a directory that must be writable: say so now, before any digest is queued."""
    from monitor.channels.outbox import TemporaryFailure

    try:
        transport.connect()
    except TemporaryFailure as exc:
        raise GovmonError(f"{exc}: choose another --out directory", ExitCode.INPUT) from None


def _print_report(app: App, report: DigestReport, transport: Transport) -> None:
    from monitor.channels.outbox import DirectoryTransport

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


def undelivered_digests(app: App, delivery: SendReport) -> str:
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
    group.add_command(metrics)
