"""`govmon site build DIR`: the static archive (index, documents, regions with trend charts) and Atom feed."""

from __future__ import annotations

from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from monitor.cli.app import App, pass_app


@click.group("site")
def site_group() -> None:
    """The static archive site and its Atom feed."""


@site_group.command("build")
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--base-url", metavar="URL", help="Public URL of DIR, for the feed's links [setting base_url].")
@click.option("--verbose", "-v", is_flag=True, help="List every file written, not only the summary.")
@pass_app
def build_cmd(app: App, directory: Path, base_url: str | None, verbose: bool) -> None:
    """Write DIR/index.html, DIR/documents/<id>.html, DIR/regions/<region>.html, DIR/metrics/<key>.html, their
    Atom feeds (DIR/feed.atom, DIR/regions/<region>.atom, DIR/metrics/<key>.atom) and DIR/archive.css.

    The same pages `govmon serve` renders live. Pages link to each other relatively, so DIR can be served
    from anywhere; the digest's archive links point at BASE_URL/documents/<id>.html.

    \b
    Example:
      govmon site build var/site --base-url https://example.org/govmon
    """
    from monitor.publish.site import build_site

    engine = app.engine()
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=app.err, transient=True)  # fmt: skip
    with progress as bar:
        task = bar.add_task("rendering documents", total=None)
        written = build_site(engine, directory, base_url or app.settings.base_url,
                             progress=lambda done, total: bar.update(task, completed=done, total=total))  # fmt: skip
    _report(app, directory, written, verbose)


def _report(app: App, directory: Path, written: list[Path], verbose: bool) -> None:
    documents = sum(1 for p in written if p.parent.name == "documents")
    regions = sum(1 for p in written if p.parent.name == "regions" and p.suffix == ".html")
    metrics = sum(1 for p in written if p.parent.name == "metrics" and p.suffix == ".html")
    for path in written if verbose else [p for p in written if p.parent == directory]:
        app.out.print(f"wrote {path}")
    app.out.print(
        f"{len(written)} files in {directory}: {documents} document pages, {regions} region pages, "
        f"{metrics} metric pages, Atom feeds of everything and of each region and metric"
    )


def register(group: click.Group) -> None:
    group.add_command(site_group)
