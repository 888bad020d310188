"""Migrations: idempotent upgrades, upgrades that keep rows, and no drift between models and migrations."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect, select

from db import models as m
from db.migrate import current_revision, head_revision, upgrade
from db.session import make_engine


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), m.Base.metadata)
    assert diff == []


def test_upgrade_is_idempotent(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    before, after = upgrade(engine)
    assert before == after == head_revision()


def test_fresh_database_gets_every_table(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(m.Base.metadata.tables) <= tables


def test_upgrade_from_first_revision_keeps_rows(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine, "0001")
    assert "targets" not in inspect(engine).get_table_names()
    with engine.begin() as conn:
        conn.execute(
            insert(m.Source).values(id="s1", name="n", region="上海市", level="province", config={}, health="ok")
        )
        conn.execute(
            insert(m.Document).values(
                id=1,
                url="http://x/a",
                source_id="s1",
                title="报告",
                region="上海市",
                doc_type="work_report",
                first_seen_at=m.utcnow(),
            )
        )
    before, after = upgrade(engine)
    assert (before, after) == ("0001", head_revision())
    with engine.connect() as conn:
        assert conn.execute(select(m.Document.title)).scalar_one() == "报告"
        assert conn.execute(select(m.Source.health)).scalar_one() == "ok"
    assert "targets" in inspect(engine).get_table_names()
    engine.dispose()
