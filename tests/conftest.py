"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL, and the shared corpus location.

PostgreSQL tests use a database created for this test run (dropped at the end), so concurrent runs never
interfere. When the server is absent they skip with the reason, unless CI is set: then they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from db.migrate import upgrade
from db.session import make_engine

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PG_ADMIN_URL = os.environ.get("GOVMON_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def shared_path(*parts: str) -> Path:
    """A path in ../shared, skipping the test when the shared data is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared corpus is only beside the project checkout)")
    return path


def _pg_unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI but unavailable: {reason}")
    pytest.skip(f"PostgreSQL unavailable at {PG_ADMIN_URL}: {reason}")


@contextmanager
def own_pg_database(prefix: str) -> Iterator[str]:
    """Create a PostgreSQL database for the caller alone, yield its URL, drop it afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # any driver error means "no server here"
        admin.dispose()
        _pg_unavailable(str(exc).splitlines()[0])
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A database of its own for this test run; yields its URL."""
    with own_pg_database("govmon_test") as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A migrated SQLite database, closed (its WAL folded into the file)."""
    url = f"sqlite:///{tmp_path / 'govmon.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def _reset_pg(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database URL, once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'govmon.db'}"
    url: str = request.getfixturevalue("pg_server")
    _reset_pg(url)
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated database engine, once per backend."""
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()
