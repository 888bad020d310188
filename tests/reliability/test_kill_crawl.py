"""SIGKILL of `govmon crawl` while the store pipeline holds fetched documents in memory, then a new crawl.

`tests/ops/test_kill_resume.py` kills `govmon run` (crawl, extraction and digests) once documents are stored.
This is the crawl-level variant for the batching StorePipeline: batches of 4 are written as they fill, so when
the kill comes four documents are committed, three wait in memory for their batch and one article is still
being fetched. Nothing committed may be lost or half-written, and the next crawl must store the held document and the
unfetched one, each exactly once.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from tests.reliability.conftest import Crawl, crawl, document_count, registry_file, stored, wait_for
from tests.reliability.faults import FaultServer, paragraphs

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

ARTICLES = 8
HELD = {"GOVMON_STORE_BATCH": "4", "GOVMON_STORE_INTERVAL": "600", "DOWNLOAD_TIMEOUT": "120",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "2"}  # fmt: skip


def test_sigkill_with_a_batch_in_memory_loses_nothing(db_url: str, tmp_path: Path) -> None:
    from db.migrate import upgrade
    from db.session import make_engine

    engine = make_engine(db_url)
    upgrade(engine)
    engine.dispose()
    with FaultServer().generated(ARTICLES, 0.0) as site:
        stalled = f"/bulk/202501/t20250121_{3000 + ARTICLES}.html"
        site.stalls[stalled] = 60.0
        registry = registry_file(tmp_path, site.registry(("bulk",)))
        running = Crawl(db_url, registry, HELD)
        others = [p for p in site.titles if p.startswith("/bulk/") and p != stalled]
        wait_for(lambda: all(site.hits[p] for p in others) and site.hits[stalled] == 1, 60, "all but one fetched")
        wait_for(lambda: document_count(db_url) >= 4, 30, "the first batch stored")
        time.sleep(0.5)  # the next three documents reach the pipeline and wait for their batch
        assert running.proc.poll() is None
        os.killpg(running.proc.pid, signal.SIGKILL)
        running.finish()
        killed = stored(db_url)
        site.stalls.clear()
        again = crawl(db_url, registry)
    assert len(killed.versions) == 4  # the held batch was not written, not even in part
    assert killed.runs[-1].finished_at is None  # a killed crawl cannot record its end (the job layer does)
    assert again.code == 0, again.stderr
    final = stored(db_url)
    assert set(final.versions) == {site.base + p for p in site.titles if p.startswith("/bulk/")}
    for url, texts in final.versions.items():
        number = int(url.rsplit("_", 1)[1].split(".")[0]) - 3000
        assert len(texts) == 1 and paragraphs("bulk", number)[-1] in texts[0], url  # once each, whole
    run = final.runs[-1]
    assert run.status == "ok" and run.new_documents == ARTICLES - 4, run.stats
