"""`govmon run`, `schedule`, `worker`, `enqueue` and `status`: operating govmon unattended, on one or many machines."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from monitor.cli.app import App, ExitCode, GovmonError, pass_app
from monitor.cli.digests import undelivered_digests


def _sources(app: App, registry: str | None, only: tuple[str, ...]) -> tuple[list[Any], str | None]:
    """The enabled registry entries (or `only` those), synced into the database; read once per command."""
    from crawler.sources import load_registry
    from monitor.service.operations import sync_sources

    registry = registry or app.settings.sources_file or None
    entries = [s for s in load_registry(registry) if s.enabled and (not only or s.id in only)]
    missing = set(only) - {s.id for s in entries}
    if missing:
        raise GovmonError(f"unknown source {sorted(missing)[0]}: see `govmon sources list`", ExitCode.NOT_FOUND)
    sync_sources(app.engine(), entries)
    return entries, registry


@click.command("run")
@click.option("--source", "only", multiple=True, metavar="ID", help="Only this source (repeatable).")
@click.option("--sources", "registry", metavar="FILE", type=click.Path(), help="Another registry file.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Scrapy setting for each crawl.")
@pass_app
def run_cmd(app: App, only: tuple[str, ...], registry: str | None, overrides: tuple[str, ...]) -> None:
    """One full cycle now: crawl every source (in batches, a crawl process each) → extract → diff → due digests."""
    from rich.progress import Progress

    from monitor.ops import jobs

    entries, registry = _sources(app, registry, only)
    with Progress(console=app.err, transient=True) as bar:
        task = bar.add_task("crawling", total=len(entries))
        report = jobs.run_once(app.engine(), app.settings, jobs.transport_for(app.settings), [s.id for s in entries],
                               registry, overrides, progress=lambda _: bar.advance(task), sources=entries)  # fmt: skip
    crawls, processed, digests = report.crawls, report.processed, report.digests
    failed = [c for c in crawls if not c.ok]
    new = sum(c.new + c.changed for c in crawls)
    app.out.print(f"crawled {len(crawls)} sources ({len(failed)} failed): {new} new or changed documents; "
                  f"processed {processed.versions} versions ({processed.changes} changes); "
                  f"digests: {digests.queued} queued, {digests.sent} sent, {digests.retried} to retry, "
                  f"{digests.failed} failed")  # fmt: skip
    for c in failed:  # a source crawled elsewhere right now says by whom, on one line
        health = "" if c.status == "skipped" else f"{c.health} "
        app.err.print(f"[yellow]{c.source_id}[/]: {health}{c.error or ''}")
    undelivered = undelivered_digests(app, digests.delivery)  # waiting for a retry, or unknown after a crash
    if undelivered:
        app.err.print(f"[yellow]digests[/]: not every digest was delivered: {undelivered}")
    if failed or processed.errors or digests.failed or undelivered:
        raise GovmonError("part of the cycle failed (see above); the next run retries it", ExitCode.PARTIAL)


@click.command()
@click.option("--sources", "registry", metavar="FILE", type=click.Path(), help="Another registry file.")
@click.option("--interval", type=float, metavar="SECONDS", help="Run every job at this interval (tests, demos).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Scrapy setting for each crawl.")
@pass_app
def schedule(app: App, registry: str | None, interval: float | None, overrides: tuple[str, ...]) -> None:
    """The daemon: crawl each source on its cadence (daily; every 2 hours in January–March), process, send
    digests. Jobs persist in the database; SIGTERM or Ctrl-C stops it cleanly."""
    from monitor.ops.scheduler import job_specs, serve

    entries, registry = _sources(app, registry, ())
    specs = job_specs(app.settings, entries, registry, interval, overrides)
    serve(app.settings, specs, log=lambda m: app.err.print(m))


@click.command()
@click.option("-c", "--concurrency", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Crawls this worker runs at once (each is a subprocess).")  # fmt: skip
@click.option("--name", metavar="NAME", help="Worker name in the job ledger: NAME@HOST (default govmon@HOST).")
@pass_app
def worker(app: App, concurrency: int, name: str | None) -> None:
    """A crawl worker: take crawl jobs (a batch of sources each) from Redis (GOVMON_REDIS_URL) and run each in a
    crawl process of its own, then extract and diff what it stored. Start one on every machine that
    shares the PostgreSQL database; `govmon schedule` with the same GOVMON_REDIS_URL feeds them.

    \b
    A job is acknowledged only after it ran: if a worker dies, its job is delivered to another worker after
    GOVMON_JOB_REDELIVERY seconds and crawled once. SIGTERM lets running crawls finish, then stops.
    """
    from monitor.ops import workers as tasks

    app.engine()  # a clear error now if the database is missing or outdated
    try:
        tasks.run_worker(app.settings, concurrency, name)
    except tasks.BrokerUnavailable as exc:
        raise GovmonError(str(exc), ExitCode.UNAVAILABLE) from exc


@click.command()
@click.option("--source", "only", multiple=True, metavar="ID", help="Only this source (repeatable).")
@click.option("--sources", "registry", metavar="FILE", type=click.Path(), help="Another registry file.")
@click.option("--cycle", metavar="LABEL", help="Cycle label; a source is queued once per cycle (default: now).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE", help="Scrapy setting for each crawl.")
@pass_app
def enqueue(
    app: App, only: tuple[str, ...], registry: str | None, cycle: str | None, overrides: tuple[str, ...]
) -> None:
    """Queue a crawl of every source (or --source ID ...) for the workers now, as one cycle."""
    from monitor.ops import workers as tasks

    entries, registry = _sources(app, registry, only)
    try:
        tasks.check_broker(app.settings)
        result = tasks.enqueue(app.engine(), app.settings, entries, cycle, overrides)
    except tasks.BrokerUnavailable as exc:
        raise GovmonError(str(exc), ExitCode.UNAVAILABLE) from exc
    app.out.print(f"cycle {result.cycle}: queued {len(result.queued)} sources in {result.jobs} crawl jobs"
                  + (f"; {len(result.already)} already queued in this cycle" if result.already else ""))  # fmt: skip


@click.command()
@pass_app
def status(app: App) -> None:
    """Source health, recent crawl runs, the scheduler's next jobs, the delivery outbox, documents to review."""
    from monitor.channels import describe
    from monitor.channels.addresses import shown
    from monitor.service.operations import status as read_status

    now = read_status(app.engine())
    sources, runs, counts, unknown = now.sources, now.runs, now.deliveries, now.undelivered
    job_counts, running, to_review = now.jobs, now.running, now.to_review
    health = Table("source", "region", "health", "documents", "last error", title="sources")
    for s in sources:
        health.add_row(s.id, s.region, s.health, str(s.documents), (s.last_error or "")[:80])
    app.out.print(health)
    runs_table = Table("run", "source", "started", "status", "pages", "new", "errors", title="recent crawl runs")
    for r in runs:
        runs_table.add_row(str(r.id), r.source_id, f"{r.started_at:%Y-%m-%d %H:%M}", r.status, str(r.pages),
                           str(r.new_documents), str(r.errors))  # fmt: skip
    app.out.print(runs_table)
    app.out.print("next jobs: " + _next_jobs(app))
    if job_counts:
        app.out.print("crawl jobs (workers): " + ", ".join(f"{n} {k}" for k, n in sorted(job_counts.items())))
        for j in running:
            app.out.print(f"  running {j.source_id} on {j.worker} (attempt {j.attempts}, cycle {j.cycle})")
    app.out.print("deliveries: " + (", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "none"))
    for d in unknown:
        to = shown(d.email) if d.channel == "email" else describe(d.channel, d.channel_url, d.channel_secret)
        app.out.print(f"  [red]{d.status}[/] #{d.id} to {to}: {d.last_error or ''}")
    app.out.print(f"documents to review: {len(to_review)}" + (" (govmon review)" if to_review else ""))
    for flagged in to_review:
        app.out.print(
            f"  [yellow]#{flagged.document_id}[/] {flagged.region} {flagged.title}: " + "；".join(flagged.reasons)
        )


def _next_jobs(app: App) -> str:
    from monitor.ops.scheduler import next_runs

    runs = next_runs(app.settings)
    if runs is None:
        return "not known (the scheduler's jobs cannot be read from this database)"
    upcoming = sorted((j for j in runs if j[1] is not None), key=lambda j: j[1])[:10]  # type: ignore[arg-type,return-value]
    return ", ".join(f"{n} at {t:%Y-%m-%d %H:%M}" for n, t in upcoming if t) or "none (start `govmon schedule`)"


def register(group: click.Group) -> None:
    group.add_command(run_cmd)
    group.add_command(schedule)
    group.add_command(status)
    group.add_command(worker)
    group.add_command(enqueue)
