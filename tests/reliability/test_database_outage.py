"""The database goes away during a crawl: PostgreSQL behind a TCP proxy that resets and refuses connections.

A crawl of a slow generated column (`bulk`) stores through the proxy; once it has stored a few documents the
proxy resets every connection and refuses new ones. Within GOVMON_STORE_PATIENCE the pipeline retries and loses
nothing; beyond it the crawl stops with a one-line error (no password, no traceback) and a later crawl stores
the rest, and the stopped run is recorded. A third test breaks the database in the middle of a batch, below the
pipeline, on both backends: the batch is one transaction, so its retry stores every document once, as new.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from crawler import pipelines
from crawler.items import DocumentItem
from crawler.storage import engine_for
from db import batches
from db.migrate import upgrade
from tests.reliability.conftest import Crawl, document_count, registry_file, stored, wait_for
from tests.reliability.faults import FaultServer, paragraphs
from tests.reliability.proxy import TcpProxy

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

ARTICLES = 30
OUTAGE = 10.0
PASSWORD = "Sup3r-s3cret-pw"  # added when the test URL has none (trust auth ignores it); never to be printed
STORE = {  # small batches, written often, so documents are stored before and after the outage
    "GOVMON_STORE_BATCH": "3",
    "GOVMON_STORE_INTERVAL": "0.3",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
}


def through(proxy: TcpProxy, url: str) -> str:
    """`url` with its host and port replaced by the proxy's, and a password (PASSWORD unless it has one)."""
    parsed = make_url(url)
    return parsed.set(host="127.0.0.1", port=proxy.port, password=password(url)).render_as_string(False)


def password(url: str) -> str:
    return make_url(url).password or PASSWORD


def proxy_for(url: str) -> TcpProxy:
    parsed = make_url(url)
    return TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)


def slow_site(delay: float = 0.25) -> FaultServer:
    return FaultServer().generated(ARTICLES, delay)


def outage_during(crawl: Crawl, proxy: TcpProxy, db_url: str, seconds: float | None) -> tuple[float, float]:
    """Break the database once the crawl has stored a few documents; restore it after `seconds` (None: when the
    crawl has ended). Returns the outage's start and end (time.monotonic())."""
    wait_for(lambda: document_count(db_url) >= 3 or crawl.proc.poll() is not None, 60, "the first documents")
    assert crawl.proc.poll() is None, "the crawl ended before the outage"
    start = time.monotonic()
    proxy.outage()
    if seconds is None:
        crawl.proc.wait(timeout=60)
    else:
        time.sleep(seconds)
    proxy.restore()
    return start, time.monotonic()


@pytest.mark.postgres
def test_ten_seconds_without_the_database_lose_nothing(pg_url: str, tmp_path: Path) -> None:
    with slow_site() as site, proxy_for(pg_url) as proxy:
        registry = registry_file(tmp_path, site.registry(("bulk",)))
        running = Crawl(through(proxy, pg_url), registry, STORE)
        start, end = outage_during(running, proxy, pg_url, OUTAGE)
        result = running.finish()
    assert result.code == 0, result.stderr
    urls = set(site.articles("bulk"))
    fetched_during = [t for t, path in site.log if start < t < end and path.startswith("/bulk/20")]
    assert fetched_during, "fetching stopped during the outage: the test did not test a running crawl"
    now = stored(pg_url)
    assert set(now.versions) == urls  # every document ...
    assert all(len(v) == 1 for v in now.versions.values())  # ... exactly once
    for url, texts in now.versions.items():
        number = int(url.rsplit("_", 1)[1].split(".")[0]) - 3000
        assert paragraphs("bulk", number)[-1] in texts[0]
    run = now.run_of("fault-bulk")
    assert run.status == "ok" and run.finished_at is not None, run.status
    assert run.stats.get("govmon/store_retries", 0) > 0, run.stats
    assert run.stats.get("govmon/documents/new") == ARTICLES and run.new_documents == ARTICLES, run.stats
    assert "govmon/documents/unstored" not in run.stats


@pytest.mark.postgres
def test_an_outage_beyond_patience_stops_the_crawl_clearly_and_the_next_crawl_catches_up(
    pg_url: str, tmp_path: Path
) -> None:
    settings = {**STORE, "GOVMON_STORE_PATIENCE": "3"}
    with slow_site() as site, proxy_for(pg_url) as proxy:
        registry = registry_file(tmp_path, site.registry(("bulk",)))
        running = Crawl(through(proxy, pg_url), registry, settings)
        start, _ = outage_during(running, proxy, pg_url, None)
        failed = running.finish()
        assert time.monotonic() - start < 30  # it gave up after about GOVMON_STORE_PATIENCE, not 120 s
        partial = stored(pg_url)
        again = Crawl(through(proxy, pg_url), registry, STORE).finish()
    assert failed.code != 0
    assert password(pg_url) not in failed.stderr + str(failed.results)
    assert "could not store" in failed.stderr and "the database stayed unavailable" in failed.stderr, failed.stderr
    assert failed.of("fault-bulk")["status"] == "database_unavailable"
    assert 3 <= len(partial.versions) < ARTICLES
    assert again.code == 0, again.stderr
    caught_up = again.of("fault-bulk")
    assert caught_up["errors"] == 0, again.stderr  # every article fetched and written: none left to chance
    assert sum(caught_up["documents"].values()) == ARTICLES, caught_up  # each one stored or found unchanged
    final = stored(pg_url)
    assert set(final.versions) == set(site.articles("bulk"))
    assert all(len(v) == 1 for v in final.versions.values())
    # one line per problem (tracebacks only with --debug), and the stopped run's end recorded, not left `running`
    assert "Traceback" not in failed.stderr, failed.stderr
    assert all(r.finished_at is not None for r in final.runs), [(r.id, r.status) for r in final.runs]


def item(number: int) -> DocumentItem:
    body = "\n".join(paragraphs("bulk", number))
    url, title = f"http://example.test/a/{number}.html", f"庚市2025年政府工作报告{number}"
    return DocumentItem(url, "庚市", body, body.encode(), title=title, doc_type="work_report")


def test_a_batch_broken_midway_is_stored_whole_on_retry(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch is one transaction: when the database fails after its documents were inserted, while their
    versions are, none is kept, and the retried batch stores both as new (not as `unchanged`)."""
    upgrade(engine_for(db_url))
    real = batches._insert_versions
    calls = {"n": 0}

    def flaky(session, writes):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("INSERT", {}, Exception("server closed the connection unexpectedly"))
        return real(session, writes)

    monkeypatch.setattr(batches, "_insert_versions", flaky)
    try:
        with pytest.raises(OperationalError):
            pipelines.store_batch(db_url, [item(1), item(2)], pipelines.log)
        with engine_for(db_url).connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM documents")).scalar() == 0, "half a batch was committed"
        assert pipelines.store_batch(db_url, [item(1), item(2)], pipelines.log) == ["new", "new"]
    finally:
        engine_for(db_url).dispose()
        engine_for.cache_clear()
