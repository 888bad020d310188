"""Fixtures of the comparison tests: two years of three cities' reports (one more city without a 2025 report)
and the national reports, written for these tests with the national headline figures as published."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db.migrate import upgrade
from db.repository import FetchedDocument, store_fetched
from db.session import make_engine, session_scope
from monitor.ops.jobs import process_new_versions

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "compare"
CITIES = ("东山市", "南湖市", "西河市")  # report 2024 and 2025
AWAITING = "北岭市"  # reported 2024, not yet 2025


def fixture_documents() -> list[FetchedDocument]:
    """Every fixture file as a document: region and year from its name (全国 for the national reports)."""
    documents = []
    for path in sorted(FIXTURES.glob("*.txt")):
        year, rest = path.stem.split("年", 1)
        region = rest.removesuffix("政府工作报告") or "全国"
        text = path.read_text(encoding="utf-8")
        documents.append(FetchedDocument(url=path.resolve().as_uri(), region=region, text=text, raw=text.encode(),
                                         title=path.stem, doc_type="work_report", report_year=int(year)))  # fmt: skip
    return documents


def load_fixtures(engine: Engine) -> None:
    with session_scope(engine) as session:
        for document in fixture_documents():
            store_fetched(session, document)
    report = process_new_versions(engine)
    assert not report.errors, report.errors


@pytest.fixture(scope="module")
def compare_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A SQLite database holding the fixtures, extracted and diffed."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('compare') / 'govmon.db'}")
    upgrade(engine)
    load_fixtures(engine)
    yield engine
    engine.dispose()
