"""The `govmon` command line: a thin layer over the library (db/, crawler/, monitor/).

Errors are one line on stderr saying what went wrong and what to do, with an exit code from `ExitCode`;
a traceback only with `--debug`. Commands of each area live in their own modules of `monitor/cli/` and register here.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import click
from rich.console import Console

from monitor import config
from monitor.cli import analysis, compare, crawl, database, demo, digests, operate, review, serve, site, sources, store
from monitor.cli.app import App, ExitCode, GovmonError

HELP = """govmon watches Chinese government work reports (政府工作报告) and plans (工作要点, 规划, 行动方案):
it crawls them, extracts every quantitative target and result, compares them with prior years and sends
digests of what changed.

\b
Quick start:
  govmon init                       create the database (SQLite under ./var by default)
  govmon demo                       the whole flow on a bundled offline demo site
  govmon extract report.txt --json  targets of one file, no database needed
"""


@click.group(help=HELP, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.option("--db", "database_url", metavar="URL", help="Database URL [env GOVMON_DATABASE_URL].")
@click.option("--config", "config_file", metavar="FILE", type=click.Path(), help="TOML settings file.")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.version_option(package_name="govmon")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None, config_file: str | None, debug: bool) -> None:
    configure_logging(debug)
    settings = config.load(config_file).replace(database_url=database_url)
    ctx.obj = App(settings=settings, debug=debug)
    ctx.call_on_close(ctx.obj.close)


class _OneLineRecords:
    """Log record factory: unless --debug, a record carries no traceback, only its exception's one-line summary.

    Libraries (Scrapy's robots.txt and retry middlewares, Twisted …) log failures with `exc_info`, and whichever
    handler is installed (Scrapy installs its own for each crawl) would print the traceback under the message. A
    record factory applies to every logger and every handler, so the rule needs no call site to know it.
    """

    def __init__(self, make: Callable[..., logging.LogRecord]) -> None:
        self.make, self.tracebacks = make, False

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.make(*args, **kwargs)
        if not self.tracebacks and (record.exc_info or record.stack_info):
            _flatten(record)
        return record


def _flatten(record: logging.LogRecord) -> None:
    message = record.getMessage()
    error = record.exc_info[1] if record.exc_info else None
    if error is not None and str(error) not in message:
        message = f"{message} ({type(error).__name__}: {error})"
    record.msg, record.args = " ".join(message.split()), None
    record.exc_info, record.exc_text, record.stack_info = None, None, None


def configure_logging(debug: bool) -> None:
    """Tracebacks in log records only with --debug (errors are one line; see `_OneLineRecords`)."""
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _OneLineRecords):
        factory = _OneLineRecords(factory)
        logging.setLogRecordFactory(factory)
    factory.tracebacks = debug


def _fail(message: str, code: ExitCode, debug: bool) -> NoReturn:
    if debug:
        import traceback

        traceback.print_exc()
    Console(stderr=True, highlight=False, soft_wrap=True).print(f"[bold red]error:[/] {message}", markup=True)
    sys.exit(int(code))


def _error_mapping() -> list[tuple[type[BaseException], ExitCode, Callable[[Any], str]]]:
    from crawler.sources import RegistryError
    from db.session import DatabaseUnavailable

    return [
        (GovmonError, ExitCode.FAILURE, str),
        (DatabaseUnavailable, ExitCode.DATABASE, str),
        (config.ConfigError, ExitCode.CONFIG, str),
        (RegistryError, ExitCode.CONFIG, lambda e: f"invalid source registry: {e}"),
    ]


def main(argv: list[str] | None = None) -> NoReturn:
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="govmon", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted", ExitCode.FAILURE, False)
    except click.Abort:
        _fail("aborted", ExitCode.FAILURE, False)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except Exception as exc:
        for kind, code, render in _error_mapping():
            if isinstance(exc, kind):
                _fail(render(exc), getattr(exc, "code", code), debug)
        _fail(
            f"unexpected {type(exc).__name__}: {exc} (rerun with --debug and report it)",
            ExitCode.FAILURE,
            debug,
        )
    sys.exit(int(ExitCode.OK))


MODULES = (database, sources, analysis, compare, store, review, crawl, digests, operate, site, serve, demo)

# The one-line descriptions of `govmon --help` (the full text is each command's own --help).
SHORT_HELP = {
    "init": "Create or upgrade the database (safe to repeat).",
    "documents": "List stored reports and plans, newest first.",
    "sources": "The source registry and each source's health.",
    "extract": "Targets and results of one file, no database needed.",
    "diff": "What changed between two reports (files or ids).",
    "import": "Store local files as documents (backfill).",
    "reprocess": "Re-extract and re-diff stored versions.",
    "history": "A metric's targets and results across years.",
    "compare": "One metric across every region, or the headline matrix.",
    "review": "Documents flagged for review; --accept ID.",
    "crawl": "Crawl registry sources for new reports and plans.",
    "subscribers": "Add, list and remove digest subscribers.",
    "metrics": "Metric keys with their Chinese names.",
    "serve": "The web face: subscriptions, live archive, JSON API.",
    "digest": "Build due digests and send them (or write .eml).",
    "run": "One full cycle: crawl, extract, diff, digests.",
    "schedule": "The scheduler daemon (APScheduler).",
    "status": "Source health, runs, next jobs, deliveries, reviews.",
    "worker": "A crawl worker taking jobs from Redis.",
    "enqueue": "Queue crawls of all sources for the workers.",
    "site": "Build the static archive site and Atom feed.",
    "demo": "The whole flow on a bundled offline demo site.",
}


def register_all(group: click.Group) -> None:
    for module in MODULES:
        module.register(group)
    for name, command in group.commands.items():
        command.short_help = SHORT_HELP.get(name, command.short_help)


register_all(cli)
