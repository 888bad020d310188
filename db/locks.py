"""Database-wide locks, so two schedulers (or a scheduler and `govmon run`) never run the same job at once.

PostgreSQL: a session advisory lock held on a dedicated connection. SQLite: an exclusive `flock` on a file
beside the database (a SQLite database is only ever shared by processes of one machine).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError


def _key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(f"govmon:{name}".encode()).digest()[:8], "big", signed=True)


@contextmanager
def db_lock(engine: Engine, name: str) -> Iterator[bool]:
    """Try to take the named lock without waiting; yields whether it was taken, releases it on exit."""
    if engine.dialect.name == "postgresql":
        with _pg_lock(engine, name) as taken:
            yield taken
    else:
        with _file_lock(_lock_path(engine, name)) as taken:
            yield taken


@contextmanager
def _pg_lock(engine: Engine, name: str) -> Iterator[bool]:
    with engine.connect() as conn:
        taken = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _key(name)}).scalar())
        conn.commit()
        try:
            yield taken
        finally:
            if taken:
                try:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _key(name)})
                    conn.commit()
                except DBAPIError:  # the connection is gone, and the lock with its session
                    conn.invalidate()


def _lock_path(engine: Engine, name: str) -> Path:
    database = engine.url.database or ""
    base = Path(database) if database and database != ":memory:" else Path("var") / "memory.db"
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
    return base.with_name(f"{base.name}.{safe}.lock")


@contextmanager
def _file_lock(path: Path) -> Iterator[bool]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
