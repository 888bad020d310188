"""`govmon demo`: the whole flow on the bundled offline demo site (logic in `monitor/demo/`)."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.cli.app import App, ExitCode, GovmonError, pass_app


@click.command()
@click.option("--dir", "directory", default="var/demo", show_default=True, metavar="DIR",
              type=click.Path(file_okay=False, path_type=Path),
              help="Where the database, mail and site go.")  # fmt: skip
@click.option("--fresh", is_flag=True, help="Start over: remove what earlier demo runs wrote in DIR.")
@click.option(
    "--keep",
    is_flag=True,
    help="Afterwards serve the demo site and `govmon serve` (archive, sign-up, unsubscribe) until Ctrl-C.",
)
@pass_app
def demo(app: App, directory: Path, fresh: bool, keep: bool) -> None:
    """Serve the bundled demo site (national, three provinces and a city science bureau, 2024 and 2025, in
    TRS and JCMS markup, with a PDF and a GBK page) on a free localhost port, crawl it into DIR/govmon.db,
    extract and diff the targets, write digests for three demo subscribers to DIR/mail/*.eml and build the
    archive in DIR/site. A second run reuses the database and finds nothing new. Ignores --db.

    \b
    Example:
      govmon demo && xdg-open var/demo/site/index.html
    """
    from monitor.demo.run import DemoError, DemoPaths, demo_settings, keep_serving, run_demo
    from monitor.demo.ui import print_summary, stepper

    paths = DemoPaths(directory)
    if fresh:
        paths.reset()
    settings = demo_settings(app.settings, paths)
    try:
        report = run_demo(paths, settings, stepper(app.err))
    except DemoError as exc:
        raise GovmonError(str(exc), ExitCode.FAILURE) from exc
    print_summary(app.out, report)
    for failed in report.failed:
        app.err.print(f"[yellow]{failed.source_id}[/]: {failed.health} {failed.error or ''}")
    if keep:
        keep_serving(paths, settings, app.out.print)
    if report.failed or report.processed.errors or report.digests.failed:
        raise GovmonError("part of the demo failed (see above)", ExitCode.PARTIAL)


def register(group: click.Group) -> None:
    group.add_command(demo)
