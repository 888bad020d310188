"""Raw storage fails: documents (raw bytes and text, in document_versions) cannot be written.

The tests run as root in CI, and permission bits do not stop root (a `chmod 0444` database file stays writable),
so two other real mechanisms are used:
- SQLite's disk fills up: the crawl runs under RLIMIT_FSIZE, so writes past that size fail with EFBIG (Python
  ignores SIGXFSZ), which SQLite reports as a disk I/O error, the same path as a full disk (ENOSPC). With a
  tiny limit nothing can be written from the start; with a larger one the WAL fills in the middle of the crawl.
- PostgreSQL refuses writes: the test's own database gets `default_transaction_read_only = on`, so reads work
  (the schema check passes) and every INSERT fails, as on a read-only replica or a database an operator made
  read-only.

In each case the crawl must end with a one-line error on stderr that says what is wrong, no traceback without
--debug, a non-zero exit code, and nothing half-stored (every document present has one whole version, raw bytes
as served); a later crawl with storage back stores everything.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.reliability.conftest import Crawl, crawl, registry_file, stored
from tests.reliability.faults import FaultServer, paragraphs

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

ARTICLES = 12
WAL_ROOM = 128 * 1024
SETTINGS = {"GOVMON_STORE_BATCH": "2", "GOVMON_STORE_INTERVAL": "0.2", "GOVMON_STORE_PATIENCE": "2"}
LIMITED = (  # sets the limit, then becomes the rest of the command
    "import os, resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, ({0}, {0}));"
    " os.execv(sys.argv[1], sys.argv[1:])"
)


def file_size_limit(limit: int) -> list[str]:
    """A command prefix running the rest of the command with RLIMIT_FSIZE = `limit` bytes."""
    return [sys.executable, "-c", LIMITED.format(limit)]


def whole_documents(db_url: str, site: FaultServer) -> int:
    """How many documents are stored, checking each has one version with the served bytes and the whole text."""
    now = stored(db_url)
    for url, texts in now.versions.items():
        number = int(url.rsplit("_", 1)[1].split(".")[0]) - 3000
        assert len(texts) == 1 and paragraphs("bulk", number)[-1] in texts[0], url
        assert now.raw[url] == [site.pages[url.removeprefix(site.base)]], url
    return len(now.versions)


def error_lines(stderr: str) -> str:
    """The error lines of a crawl's stderr, checking there is at least one and no traceback."""
    errors = [line for line in stderr.splitlines() if "error" in line.lower()]
    assert errors, stderr
    assert "Traceback" not in stderr, stderr
    return "\n".join(errors)


def integrity(db_url: str) -> str:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("PRAGMA integrity_check")).scalar())
    finally:
        engine.dispose()


def test_sqlite_disk_full_from_the_start_stops_the_crawl_with_one_line(sqlite_url: str, tmp_path: Path) -> None:
    """The disk is already full, while another process (the scheduler, a reader) has the database open."""
    reader = create_engine(sqlite_url)
    with FaultServer().generated(ARTICLES, 0.0) as site, reader.connect() as held:
        held.exec_driver_sql("SELECT count(*) FROM documents").scalar()
        registry = registry_file(tmp_path, site.registry(("bulk",)))
        failed = Crawl(sqlite_url, registry, SETTINGS, prefix=file_size_limit(1024)).finish()
    reader.dispose()
    assert stored(sqlite_url).versions == {}
    assert integrity(sqlite_url) == "ok"
    assert failed.code != 0, "a crawl that could store nothing reported success"
    message = error_lines(failed.stderr)
    assert "disk I/O error" in message and "govmon.db" in message, message


def test_sqlite_disk_filling_mid_crawl_stops_clearly_and_stores_nothing_by_halves(
    sqlite_url: str, tmp_path: Path
) -> None:
    with FaultServer().generated(ARTICLES, 0.05) as site:
        registry = registry_file(tmp_path, site.registry(("bulk",)))
        # The WAL starts empty and grows by every page each transaction touches (a batch of two of these articles
        # is some 40–60 KiB); 128 KiB holds the crawl's opening writes and a batch or two, whatever the batching,
        # so the disk fills in the middle. (256 KiB could hold all twelve when the batches came out large.)
        failed = Crawl(sqlite_url, registry, SETTINGS, prefix=file_size_limit(WAL_ROOM)).finish()
        assert integrity(sqlite_url) == "ok"
        partial = whole_documents(sqlite_url, site)
        again = crawl(sqlite_url, registry, SETTINGS)
        assert again.code == 0, again.stderr
        assert whole_documents(sqlite_url, site) == ARTICLES
    assert 0 < partial < ARTICLES  # the disk filled in the middle of the crawl
    assert failed.code != 0
    assert failed.of("fault-bulk")["status"] == "database_unavailable"
    message = error_lines(failed.stderr)
    assert "could not store" in message and "disk I/O error" in message, message


@pytest.mark.postgres
def test_a_read_only_postgresql_database_fails_with_one_clear_line(pg_own_database: str, tmp_path: Path) -> None:
    admin = create_engine(pg_own_database, isolation_level="AUTOCOMMIT")
    name = make_url(pg_own_database).database
    with FaultServer().generated(ARTICLES, 0.0) as site:
        registry = registry_file(tmp_path, site.registry(("bulk",)))
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
        try:
            failed = crawl(pg_own_database, registry, SETTINGS)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'ALTER DATABASE "{name}" RESET default_transaction_read_only'))
            admin.dispose()
        assert stored(pg_own_database).versions == {}
        again = crawl(pg_own_database, registry, SETTINGS)
        assert again.code == 0, again.stderr
        assert whole_documents(pg_own_database, site) == ARTICLES
    assert failed.code != 0, "a crawl that could store nothing reported success"
    message = error_lines(failed.stderr)
    assert "read-only" in message, message
