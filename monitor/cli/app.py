"""What every command receives (`App`: settings, consoles, the database engine) and how commands fail
(`GovmonError` with an `ExitCode`). Command modules import this module only, never `root`, so the command line
has no import cycle."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

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
