"""A report flagged for review (extraction unsure of it): the table says so, and no digest shows its moves."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select

from db import models as m
from db.migrate import upgrade
from db.outbox import updates_between
from db.session import make_engine, session_scope
from monitor.digest.selection import Filters, Links, build_digest
from monitor.service.comparisons import load_table, national_picture
from tests.compare.conftest import load_fixtures

START, END = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


@pytest.fixture
def held_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The fixtures with 西河市's 2025 report pending review."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('held') / 'govmon.db'}")
    upgrade(engine)
    load_fixtures(engine)
    with session_scope(engine) as session:
        query = select(m.DocumentVersion).join(m.Document)
        version = session.scalars(query.where(m.Document.region == "西河市", m.Document.report_year == 2025)).one()
        version.review_state, version.review_reasons = "pending", ["目标段落无法识别"]
    yield engine
    engine.dispose()


def test_the_table_marks_the_held_report(held_engine: Engine) -> None:
    table = load_table(held_engine, "gdp_growth", 2025, "city")
    assert [(r.region, r.held) for r in table.rows] == [("东山市", False), ("南湖市", False), ("西河市", True)]
    assert table.to_dict()["rows"][2]["held"] is True


def test_no_national_picture_from_a_held_report(held_engine: Engine) -> None:
    with session_scope(held_engine) as session:
        updates = updates_between(session, START, END)
    blocks = national_picture(held_engine, updates)  # 2025: two sure cities are fewer than three
    assert blocks and {b.year for b in blocks} == {2024}
    context = build_digest("a@example.org", updates, Filters(), Links("https://ex.org", "https://ex.org/u"),
                           (START, END), END, blocks)  # fmt: skip
    assert context.national and {b.year for b in context.national} == {2024}
    only_2025 = [u for u in updates if u.report_year == 2025]
    assert build_digest("a@example.org", only_2025, Filters(), Links("https://ex.org", "https://ex.org/u"),
                        (START, END), END, national_picture(held_engine, only_2025)).national == ()  # fmt: skip
