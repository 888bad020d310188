"""The comparison in `govmon serve`: the archive's compare pages rendered live (the static site's pages), and
`/api/v1/compare` answering with the CLI's `compare --json`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from db.migrate import upgrade
from db.session import make_engine
from monitor.config import Settings
from monitor.publish.site import build_site
from monitor.web import create_app
from monitor.web.state import Limits
from tests.compare.conftest import load_fixtures
from tests.monitor.cli_helpers import run

BASE = "http://testserver"


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    found = f"sqlite:///{tmp_path_factory.mktemp('compare-web') / 'govmon.db'}"
    engine = make_engine(found)
    upgrade(engine)
    load_fixtures(engine)
    engine.dispose()
    return found


@pytest.fixture
def client(url: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=url, data_dir=str(tmp_path), base_url=BASE, secret_key="compare-web")
    app = create_app(settings, limits=Limits(100, 100), page_ttl=0.0)
    with TestClient(app, base_url=BASE, follow_redirects=False) as test_client:
        yield test_client


def test_live_compare_pages_are_the_static_ones(client: TestClient, url: str, tmp_path: Path) -> None:
    engine = make_engine(url)
    written = build_site(engine, tmp_path / "site", BASE)
    engine.dispose()
    compared = [p for p in written if p.relative_to(tmp_path / "site").parts[0] == "compare"]
    assert len(compared) > 10
    for path in compared:
        relative = path.relative_to(tmp_path / "site").as_posix()
        live = client.get("/" + quote(relative))
        assert live.status_code == 200, relative
        static = path.read_text(encoding="utf-8")
        if relative.endswith(".csv"):
            assert live.headers["content-type"] == "text/csv; charset=utf-8" and live.text == static
        else:  # live pages also link to the sign-up form
            assert "邮件订阅" in live.text and "邮件订阅" not in static
            assert live.text.replace('<a href="../../subscribe">邮件订阅</a>', "").replace(
                '<a href="../subscribe">邮件订阅</a>', "") == static  # fmt: skip


def test_any_catalogue_metric_answers_live_and_unknown_pages_are_404(client: TestClient) -> None:
    assert client.get("/compare/gdp_growth/2025.html").status_code == 200
    assert client.get("/compare/2025.html").status_code == 200
    for path in ("/compare/no_such_metric/2025.html", "/compare/gdp_growth/1999.html", "/compare/2025.csv",
                 "/compare/tech_contract_value/2025.html", "/compare/gdp_growth/2025.pdf"):  # fmt: skip
        assert client.get(path).status_code == 404, path


def test_api_answers_what_the_cli_prints(client: TestClient, url: str, capsys: pytest.CaptureFixture[str]) -> None:
    cli = run(capsys, "--db", url, "compare", "--metric", "gdp_growth", "--year", "2025", "--level", "city", "--json")
    by_key = client.get("/api/v1/compare", params={"metric": "gdp_growth", "year": 2025, "level": "city"})
    by_name = client.get("/api/v1/compare", params={"metric": "经济增长", "level": "city"})
    assert by_key.status_code == by_name.status_code == 200
    assert by_key.json() == by_name.json() == json.loads(cli.out)
    matrix = client.get("/api/v1/compare", params={"year": 2025, "level": "city"})
    cli_matrix = run(capsys, "--db", url, "compare", "--headline", "--year", "2025", "--level", "city", "--json")
    assert matrix.json() == json.loads(cli_matrix.out)
    again = client.get("/api/v1/compare", params={"metric": "gdp_growth", "year": 2025, "level": "city"},
                       headers={"If-None-Match": by_key.headers["etag"]})  # fmt: skip
    assert again.status_code == 304


def test_api_bad_metric_is_400_and_nothing_stored_is_404(client: TestClient) -> None:
    bad = client.get("/api/v1/compare", params={"metric": "gpd_growth"})
    assert bad.status_code == 400 and "did you mean gdp_growth" in bad.json()["detail"]
    none = client.get("/api/v1/compare", params={"metric": "cpi", "year": 2031, "level": "city"})
    assert none.status_code == 404 and "no work_report of 2031" in none.json()["detail"]
    assert client.get("/api/v1/compare", params={"metric": "cpi"}).status_code == 404  # no province reported
    assert client.get("/api/v1/compare", params={"metric": "cpi", "level": "county"}).status_code == 422
