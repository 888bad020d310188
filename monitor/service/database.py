"""The database as the faces see it: open it, check and upgrade its schema, show where it is.

The faces hold an `Engine` only as an opaque handle to pass to the use cases; sessions and models stay in `db/`
and in these service modules.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from db import migrate
from db.session import DatabaseReadOnly, DatabaseUnavailable, make_engine, parse_url

__all__ = ["DatabaseReadOnly", "DatabaseUnavailable", "Schema", "open_engine", "schema", "shown_url", "upgrade"]


def open_engine(url: str, *, create_dirs: bool = False, read_only: bool = False) -> Engine:
    """An engine for `url`, checked by a first connection (DatabaseUnavailable with the reason otherwise)."""
    return make_engine(url, create_dirs=create_dirs, read_only=read_only)


@dataclass(frozen=True)
class Schema:
    current: str | None  # None: the database is not initialised
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def schema(engine: Engine) -> Schema:
    return Schema(migrate.current_revision(engine), migrate.head_revision())


def upgrade(engine: Engine) -> Schema:
    """Create the database or bring it to the newest schema (safe to repeat); the schema it was at before."""
    before, after = migrate.upgrade(engine)
    return Schema(before, after)


def shown_url(url: str) -> str:
    """The database URL with its password hidden, for output."""
    return parse_url(url).render_as_string(hide_password=True)
