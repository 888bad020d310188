"""/healthz and /metrics (parsed with the Prometheus client's own parser)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, create_engine

from db import models as m
from db.session import session_scope


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}  # fmt: skip


def test_healthz_reports_the_database_and_the_age_of_the_last_crawl(client: TestClient, db: Engine) -> None:
    fresh = client.get("/healthz").json()
    assert fresh["status"] == "ok" and fresh["last_successful_crawl"] is None
    with session_scope(db) as session:
        session.add(m.Source(id="s1", region="示例市", config={}))
        session.flush()
        finished = datetime.now(UTC) - timedelta(hours=2)
        session.add(m.CrawlRun(source_id="s1", status="ok", finished_at=finished, stats={}))
        session.add(m.CrawlRun(source_id="s1", status="broken", finished_at=datetime.now(UTC), stats={}))
    found = client.get("/healthz").json()
    assert 7000 < found["last_successful_crawl_age_seconds"] < 7400


def test_healthz_is_503_when_the_database_is_unreachable(client: TestClient) -> None:
    client.app.state.web.reader = create_engine("postgresql+psycopg://nobody@127.0.0.1:9/none",  # type: ignore[attr-defined]
                                                connect_args={"connect_timeout": 1})  # fmt: skip
    answer = client.get("/healthz")
    assert answer.status_code == 503 and answer.json()["status"] == "unavailable"


def test_metrics_in_prometheus_text_format(client: TestClient, db: Engine) -> None:
    with session_scope(db) as session:
        session.add(m.Source(id="s1", region="示例市", config={}, health="ok"))
        session.flush()
        session.add_all([m.CrawlRun(source_id="s1", status=s, stats={}) for s in ("ok", "ok", "blocked")])
    answer = client.get("/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    found = samples(answer.text)
    assert found[("govmon_documents", ())] == 2
    assert found[("govmon_crawl_runs", (("status", "ok"),))] == 2
    assert found[("govmon_crawl_runs", (("status", "blocked"),))] == 1
    assert found[("govmon_sources", (("health", "ok"),))] == 1
    assert found[("govmon_figures", (("status", "target"),))] > 0
    assert ("govmon_changes", ()) in found
    assert found[("govmon_documents_needing_review", ())] == 0


def test_metrics_count_the_documents_held_for_review(client: TestClient, db: Engine) -> None:
    from db.reviews import accept_review, save_review

    with session_scope(db) as session:
        versions = session.query(m.DocumentVersion).order_by(m.DocumentVersion.id).all()
        assert len(versions) >= 2
        for v in versions[:2]:
            save_review(session, v.id, ["no GDP growth target for the report's own year"])
    assert samples(client.get("/metrics").text)[("govmon_documents_needing_review", ())] == 2
    with session_scope(db) as session:
        accept_review(session, versions[0].document_id)
    assert samples(client.get("/metrics").text)[("govmon_documents_needing_review", ())] == 1
