"""The JSON API: the same records as the CLI's --json, filters and pages, one document in full, history, sources,
the catalogue and the OpenAPI description."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from db import models as m
from db.session import session_scope
from monitor.config import Settings
from tests.monitor.cli_helpers import run
from tests.web.conftest import report, store


def cli_json(capsys: pytest.CaptureFixture[str], settings: Settings, *args: str) -> object:
    result = run(capsys, "--db", settings.database_url, *args, "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_documents_are_the_cli_records(client: TestClient, capsys: pytest.CaptureFixture[str],
                                       settings: Settings) -> None:  # fmt: skip
    answer = client.get("/api/v1/documents")
    assert answer.status_code == 200 and answer.headers["x-total-count"] == "2"
    assert answer.json() == cli_json(capsys, settings, "documents")


def test_documents_filters_and_pages(client: TestClient, db: Engine) -> None:
    store(db, report(2023, region="另一市"), report(2024, region="另一市"))
    assert [d["report_year"] for d in client.get("/api/v1/documents?region=另一市").json()] == [2024, 2023]
    assert {d["region"] for d in client.get("/api/v1/documents?year=2023").json()} == {"示例市", "另一市"}
    assert client.get("/api/v1/documents?doc_type=plan").json() == []
    first = client.get("/api/v1/documents?per_page=3")
    assert len(first.json()) == 3 and first.headers["x-total-count"] == "4"
    assert 'rel="next"' in first.headers["link"] and "page=2" in first.headers["link"]
    second = client.get("/api/v1/documents?per_page=3&page=2")
    assert (
        len(second.json()) == 1
        and 'rel="prev"' in second.headers["link"]
        and 'rel="next"' not in second.headers["link"]
    )
    everything = {d["id"] for d in first.json() + second.json()}
    assert len(everything) == 4
    for bad in ("per_page=0", "per_page=1000", "page=0", "year=abc", "doc_type=novel"):
        assert client.get(f"/api/v1/documents?{bad}").status_code == 422, bad


def test_one_document_with_figures_and_changes(client: TestClient) -> None:
    (latest, earlier) = client.get("/api/v1/documents").json()
    detail = client.get(f"/api/v1/documents/{latest['id']}").json()
    assert detail["document"] == latest and detail["compared_with"] == earlier
    target = detail["targets"][0]
    assert {"metric", "metric_key", "value", "unit", "status", "year", "sentence", "span", "raw"} <= set(target)
    gdp = next(c for c in detail["changes"] if c["metric_key"] == "gdp_growth")
    assert gdp["change"] == "lowered" and gdp["old"]["value"] == 5.5 and gdp["new"]["value"] == 5
    assert set(gdp) == {"metric", "metric_key", "change", "old", "new", "significance", "ambition"}
    assert set(detail["priority_changes"]) == {"emerging", "fading", "intensified"}
    missing = client.get("/api/v1/documents/999")
    assert missing.status_code == 404 and "999" in missing.json()["detail"]


def test_history_is_the_cli_history(client: TestClient, capsys: pytest.CaptureFixture[str],
                                    settings: Settings) -> None:  # fmt: skip
    answer = client.get("/api/v1/history", params={"region": "示例市", "metric": "rd_intensity"})
    expected = cli_json(capsys, settings, "history", "--region", "示例市", "--metric", "rd_intensity")
    assert answer.status_code == 200 and answer.json() == expected
    assert client.get("/api/v1/history", params={"region": "示例市", "metric": "nothing"}).status_code == 404


def test_sources_with_health_and_last_run(client: TestClient, db: Engine) -> None:
    with session_scope(db) as session:
        config = {"cms": "trs", "start_urls": ["https://x.example/"]}
        session.add(m.Source(id="s1", name="示例", region="示例市", level="city", health="blocked", config=config,
                             last_error="412"))  # fmt: skip
        session.flush()
        session.add(m.CrawlRun(source_id="s1", status="blocked", pages=3, new_documents=0, errors=1, stats={}))
    (source,) = client.get("/api/v1/sources").json()
    assert (source["id"], source["health"], source["cms"], source["last_error"]) == ("s1", "blocked", "trs", "412")
    assert source["last_run"]["status"] == "blocked" and source["start_urls"] == ["https://x.example/"]


def test_catalogue_and_openapi(client: TestClient) -> None:
    catalogue = client.get("/api/v1/catalogue").json()
    assert {"key": "rd_intensity", "name": "研发经费投入强度"} in catalogue["metrics"]
    assert "示例市" in catalogue["regions"] and "人工智能" in catalogue["themes"]
    spec = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/documents", "/api/v1/documents/{document_id}", "/api/v1/history", "/api/v1/sources"} <= set(
        spec["paths"]
    )
    assert not any(p.startswith(("/subscribe", "/unsubscribe", "/preferences")) for p in spec["paths"])
    assert "report_year" in spec["components"]["schemas"]["Document"]["properties"]
