"""Engine and session factory from a URL, and the errors a bad URL turns into.

SQLite is the embedded default (a file under ./var/, WAL and foreign keys on); PostgreSQL goes through psycopg 3.
Every failure to reach or open a database becomes a `DatabaseUnavailable` whose message says what is wrong
and what to do, so the CLI can print one line instead of a traceback.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker


class DatabaseUnavailable(Exception):
    """The database URL is malformed, unreachable, unwritable or not a database."""


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def parse_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        raise DatabaseUnavailable(
            f"malformed database URL {masked(url)!r}: use sqlite:///path/to/file.db or postgresql://user@host/db"
        ) from exc
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        where = parsed.render_as_string(hide_password=True)
        raise DatabaseUnavailable(
            f"unsupported database {parsed.get_backend_name()!r} in {where!r}: govmon supports sqlite and postgresql"
        )
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() != "psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def masked(url: str) -> str:
    """A URL as typed with its password hidden, for messages (up to the last `@`: a password may hold one)."""
    return re.sub(r"(://[^:/@]*):.*@", r"\1:***@", url)


def _check_sqlite_path(url: URL) -> None:
    database = url.database
    if not database or database == ":memory:":
        return
    path = Path(database)
    if path.exists():
        if not os.access(path, os.R_OK | os.W_OK):
            raise DatabaseUnavailable(f"cannot read and write {path}: fix its permissions or choose another --db")
        return
    parent = path.parent if str(path.parent) else Path(".")
    if parent.exists() and not parent.is_dir():
        raise DatabaseUnavailable(f"{parent} is a file, not a directory: choose another --db")
    if not parent.is_dir():
        raise DatabaseUnavailable(f"directory {parent} does not exist: create it or choose another --db")
    try:  # a real write, since permission bits say nothing for root or read-only mounts
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as exc:
        raise DatabaseUnavailable(f"directory {parent} is not writable ({exc.strerror}): choose another --db") from exc


def _sqlite_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # pysqlite's own transaction handling commits at odd moments (a SAVEPOINT release commits the whole transaction
    # when it opened it), so a batch rolled back halfway would keep its first rows. It is switched off here and
    # SQLAlchemy's `begin` event below emits BEGIN: SQLAlchemy's documented recipe for pysqlite.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # IMMEDIATE: a transaction takes the write lock when it begins, waiting up to busy_timeout for it. A deferred
    # one that reads and then writes fails at once with "database is locked" if another writer committed in
    # between, whatever the busy timeout. Transactions are short, so serialising them costs little.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_begin_read(conn: Connection) -> None:
    # A reader's transaction takes no lock until it reads, and under WAL readers never wait for each other or for
    # the writer: the web face's many concurrent reads would otherwise queue behind one IMMEDIATE lock.
    conn.exec_driver_sql("BEGIN")


def _sqlite_query_only(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    dbapi_conn.execute("PRAGMA query_only=ON")


def _set_wal(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.connection.driver_connection.execute("PRAGMA journal_mode=WAL")  # type: ignore[union-attr]


def make_engine(url: str, *, create_dirs: bool = False, read_only: bool = False) -> Engine:
    """An engine for `url`, checked by a first connection; raises DatabaseUnavailable with a clear reason.

    `read_only`: an engine for reads alone (the web face's archive and API); on SQLite its transactions are deferred
    (they never wait for the write lock) and refuse writes."""
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        if create_dirs and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        _check_sqlite_path(parsed)
        engine = create_engine(parsed, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_connect)
        if read_only:
            event.listen(engine, "connect", _sqlite_query_only)
        event.listen(engine, "begin", _sqlite_begin_read if read_only else _sqlite_begin)
    else:
        engine = create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    probe(engine)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:") and not read_only:
        _set_wal(engine)
    return engine


def probe(engine: Engine) -> None:
    """Open one connection and read from it, translating driver errors into one-line reasons."""
    where = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                conn.execute(text("SELECT count(*) FROM sqlite_master"))
            else:
                conn.execute(text("SELECT 1"))
    except DatabaseError as exc:
        engine.dispose()
        raise DatabaseUnavailable(_reason(exc, where)) from exc


def _reason(exc: DatabaseError, where: str) -> str:
    message = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
    if "file is not a database" in message:
        return f"{where} is not a SQLite database: point --db at a new file or a govmon database"
    if isinstance(exc, OperationalError) and where.startswith("postgresql"):
        return f"cannot connect to {where} ({message}): is PostgreSQL running and the database created?"
    return f"cannot open {where}: {message}"


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
