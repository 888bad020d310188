"""The `govmon` command line: a thin layer over the library (db/, crawler/, monitor/).

Errors are one line on stderr saying what went wrong and what to do, with an exit code from `ExitCode`;
a traceback only with `--debug`. Commands of each area live in `monitor/commands/` and register here.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, NoReturn

import click
from rich.console import Console
from sqlalchemy import Engine

from monitor import config


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1  # an unexpected error (a bug): rerun with --debug and report it
    USAGE = 2  # bad command-line usage (click's own code)
    DATABASE = 3  # the database is unreachable, unwritable, not a database or not initialised
    CONFIG = 4  # a setting or the source registry is invalid
    INPUT = 5  # an input file is missing, empty or unreadable
    NOT_FOUND = 6  # a named document, source or subscriber does not exist
    PARTIAL = 7  # the work ran but some of it failed (e.g. a source was blocked)
    UNAVAILABLE = 8  # a service other than the database is unreachable (the Redis broker of crawl workers)


class GovmonError(Exception):
    """An error the user can act on; the message is printed as is."""

    def __init__(self, message: str, code: ExitCode = ExitCode.FAILURE) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class App:
    """What every command receives: settings, output consoles and a lazily opened database."""

    settings: config.Settings
    debug: bool = False
    out: Console = field(default_factory=lambda: Console(highlight=False, soft_wrap=True))
    err: Console = field(default_factory=lambda: Console(stderr=True, highlight=False, soft_wrap=True))
    _engine: Engine | None = None

    def connect(self) -> Engine:
        """The database engine, opened on first use; the schema is not checked."""
        if self._engine is None:
            from db.session import make_engine

            self._engine = make_engine(self.settings.database_url, create_dirs=self._is_default_db())
        return self._engine

    def engine(self) -> Engine:
        """The database engine of a database whose schema is current (else: run `govmon init`)."""
        engine = self.connect()
        _require_current_schema(engine)
        return engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _is_default_db(self) -> bool:
        return self.settings.database_url == config.Settings().database_url


def _require_current_schema(engine: Engine) -> None:
    from db.migrate import current_revision, head_revision

    current, head = current_revision(engine), head_revision()
    if current is None:
        raise GovmonError("the database is not initialised: run `govmon init` first", ExitCode.DATABASE)
    if current != head:
        raise GovmonError(
            f"the database is at schema revision {current}, govmon needs {head}: run `govmon init` to upgrade",
            ExitCode.DATABASE,
        )


pass_app = click.make_pass_decorator(App)

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


from monitor.commands import register_all  # noqa: E402  (commands import App and pass_app from here)

register_all(cli)
