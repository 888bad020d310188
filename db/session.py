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
from sqlalchemy.exc import ArgumentError, DatabaseError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker


class DatabaseUnavailable(Exception):
    """The database URL is malformed, unreachable, unwritable or not a database."""


class DatabaseReadOnly(DatabaseUnavailable):
    """A command tried to write to a database this process may only read."""


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


def _check_sqlite_path(url: URL) -> bool:
    """Refuse a path SQLite cannot use, with the reason; True when the database exists but may only be read."""
    database = url.database
    if not database or database == ":memory:" or url.query.get("uri"):
        return False
    path = Path(database)
    if path.exists():
        if not os.access(path, os.R_OK):
            raise DatabaseUnavailable(f"cannot read {path}: fix its permissions or choose another --db")
        # SQLite writes beside the file too (-wal, -shm, -journal): a read-only directory makes it read-only
        return not (os.access(path, os.W_OK) and _writable_directory(path.parent))
    parent = path.parent if str(path.parent) else Path(".")
    if parent.exists() and not parent.is_dir():
        raise DatabaseUnavailable(f"{parent} is a file, not a directory: choose another --db")
    if not parent.is_dir():
        raise DatabaseUnavailable(f"directory {parent} does not exist: create it or choose another --db")
    if not _writable_directory(parent):
        raise DatabaseUnavailable(f"directory {parent} is not writable: choose another --db")
    return False


def _writable_directory(directory: Path) -> bool:
    try:  # a real write, since permission bits say nothing for root, immutable files or read-only mounts
        with tempfile.TemporaryFile(dir=directory):
            return True
    except OSError:
        return False


def _read_only_urls(url: URL) -> list[URL]:
    """SQLite URIs that open a file for reading only: `mode=ro` shares the WAL with writers; `immutable=1` is
    for a file nobody can write (a read-only mount or directory, where even the WAL index cannot be created)."""
    uri = f"file:{Path(str(url.database)).resolve()}"
    return [url.set(database=uri, query={"mode": "ro", "uri": "true"}),
            url.set(database=uri, query={"immutable": "1", "uri": "true"})]  # fmt: skip


def described(engine: Engine) -> str:
    """The database as messages name it: its file, or its URL without the password."""
    if engine.dialect.name == "sqlite" and engine.url.database:
        return engine.url.database.removeprefix("file:")
    return engine.url.render_as_string(hide_password=True)


def is_read_only(engine: Engine) -> bool:
    """True for a SQLite database opened for reading only (see `make_engine`)."""
    return engine.dialect.name == "sqlite" and bool({"mode", "immutable"} & set(engine.url.query))


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

    A SQLite file this process cannot write is opened read-only: read-only commands work, and a write fails
    with DatabaseReadOnly. `read_only`: an engine for reads alone (the web face's archive and API); on SQLite its
    transactions are deferred (they never wait for the write lock) and refuse writes.
    """
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 5})
        probe(engine)
        return engine
    if create_dirs and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    if _check_sqlite_path(parsed):
        return _read_only_engine(parsed)
    engine = _sqlite_engine(parsed, reader=read_only)
    probe(engine)
    if parsed.database not in (None, "", ":memory:") and not read_only:
        _set_wal(engine)
    return engine


def _sqlite_engine(url: URL, reader: bool = False) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 30})
    event.listen(engine, "connect", _sqlite_connect)
    if reader:
        event.listen(engine, "connect", _sqlite_query_only)
    event.listen(engine, "begin", _sqlite_begin_read if reader else _sqlite_begin)
    return engine


def _read_only_engine(url: URL) -> Engine:
    first, fallback = _read_only_urls(url)
    try:
        engine = _sqlite_engine(first)
        probe(engine)
    except DatabaseUnavailable:
        engine = _sqlite_engine(fallback)
        probe(engine)
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
    """A session that commits on success and rolls back on any error (a refused write: DatabaseReadOnly)."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except DBAPIError as exc:
        session.rollback()
        refused = _write_refused(exc)
        if refused is None:
            raise
        raise DatabaseReadOnly(
            f"{described(engine)} {refused}: this command writes to it, so run it with write access "
            "(read-only commands such as `documents`, `status` and `sources list` work)"
        ) from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _write_refused(exc: DBAPIError) -> str | None:
    """Why the database refused a write, when that is what happened (else None)."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if "readonly database" in str(exc.orig) or sqlstate == "25006":  # SQLite; PostgreSQL read-only transaction
        return "is read-only"
    if sqlstate == "42501":
        return "does not let this user write"
    return None
