"""Database-wide locks, so two schedulers (or a scheduler and `govmon run`) never run the same job at once.

PostgreSQL: a session advisory lock held on a dedicated connection. SQLite: an exclusive `flock` on a file
beside the database (a SQLite database is only ever shared by processes of one machine).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, text
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


# --- crawl locks: one per source, many held by one crawl process ---------------------------------------------


@dataclass(frozen=True)
class Holder:
    """Who holds a source's crawl lock: the process, its machine and since when (UTC)."""

    pid: int
    host: str
    since: datetime

    def __str__(self) -> str:
        return f"pid {self.pid} on {self.host} since {self.since:%Y-%m-%d %H:%M:%S} UTC"

    def label(self) -> str:
        """Compact enough for PostgreSQL's application_name (63 bytes)."""
        return f"govmon {self.pid}@{self.host[:32]} {self.since:%Y%m%dT%H%M%SZ}"

    @classmethod
    def parse(cls, label: str) -> Holder | None:
        match = _LABEL.fullmatch(label.strip())
        if match is None:
            return None
        since = datetime.strptime(match.group(3), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        return cls(int(match.group(1)), match.group(2), since)

    @classmethod
    def me(cls) -> Holder:
        return cls(os.getpid(), socket.gethostname(), datetime.now(UTC).replace(microsecond=0))


_LABEL = re.compile(r"govmon (\d+)@(\S+) (\d{8}T\d{6}Z)")
UNKNOWN = Holder(0, "an unknown host", datetime.fromtimestamp(0, UTC))
LABEL_SIZE = 96  # bytes of a lock file: the holder's label, space-padded


class CrawlLocks:
    """The crawl locks of the sources one process crawls, held together until `release()`.

    A source is crawled by at most one process at a time, whoever started it (`govmon crawl`, `govmon run`, the
    scheduler, a worker): the crawl process itself takes the lock. PostgreSQL: session advisory locks, all on one
    dedicated connection whose application_name names the holder, so a process holds any number of them with a
    single connection, and they vanish with the process. SQLite: an `flock` per source on a file beside the
    database that names the holder; the kernel drops it when the process dies, so a dead holder's lock is taken
    over by the next crawl.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine, self.me = engine, Holder.me()
        self._conn: Connection | None = None
        self._files: dict[str, int] = {}
        self._dirs: set[Path] = set()
        self._keys: list[int] = []

    def acquire(self, source_id: str) -> Holder | None:
        """Take the source's lock: None when taken, else who holds it."""
        name = f"crawl:{source_id}"
        if self.engine.dialect.name == "postgresql":
            return self._pg_acquire(_key(name))
        return self._file_acquire(name)

    def _connection(self) -> Connection:
        if self._conn is None:
            self._conn = self.engine.connect()
            self._conn.execute(text("SELECT set_config('application_name', :n, false)"), {"n": self.me.label()})
            self._conn.commit()
        return self._conn

    def _pg_acquire(self, key: int) -> Holder | None:
        conn = self._connection()
        taken = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
        conn.commit()
        if taken:
            self._keys.append(key)
            return None
        row = conn.execute(_PG_HOLDER, {"hi": (key >> 32) & 0xFFFFFFFF, "lo": key & 0xFFFFFFFF}).first()
        conn.commit()
        return (Holder.parse(row[0] or "") if row else None) or UNKNOWN

    def _file_acquire(self, name: str) -> Holder | None:
        path = _lock_path(self.engine, name)
        if path.parent not in self._dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(path.parent)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            label = os.read(fd, LABEL_SIZE).decode("utf-8", "replace")
            os.close(fd)
            return Holder.parse(label) or UNKNOWN
        os.pwrite(fd, self.me.label().encode().ljust(LABEL_SIZE), 0)  # fixed size: no truncation (it syncs)
        self._files[name] = fd
        return None

    def release(self) -> None:
        for fd in self._files.values():
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        self._files.clear()
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock_all()"))
                self._conn.commit()
                self._conn.close()
            except DBAPIError:  # the connection is gone, and the locks with its session
                self._conn.invalidate()
            self._conn = None
        self._keys.clear()

    def __enter__(self) -> CrawlLocks:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


_PG_HOLDER = text(
    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = :hi AND l.objid::bigint = :lo "
    "AND l.objsubid = 1"
)
