"""Import → extract → diff → history through the CLI, on SQLite and PostgreSQL, with hand-written reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db import models as m
from db.session import make_engine, session_scope
from monitor.cli.app import ExitCode
from tests.monitor.cli_helpers import run

TEXTS = Path(__file__).resolve().parents[1] / "fixtures" / "texts"
R2023, R2024 = str(TEXTS / "示例市_2023.txt"), str(TEXTS / "示例市_2024.txt")


@pytest.fixture
def db(capsys: pytest.CaptureFixture[str], db_url: str) -> str:
    assert run(capsys, "--db", db_url, "init").code == 0
    return db_url


def _import(capsys: pytest.CaptureFixture[str], db: str, path: str, year: int) -> str:
    result = run(capsys, "--db", db, "import", path, "--region", "示例市", "--year", str(year))
    assert result.code == 0, result.err
    return result.out


def _count(db: str, model: type[m.Base]) -> int:
    engine = make_engine(db)
    with session_scope(engine) as s:
        n = s.scalar(select(func.count()).select_from(model)) or 0
    engine.dispose()
    return n


def _changes(db: str) -> dict[str, str]:
    engine = make_engine(db)
    with session_scope(engine) as s:
        rows = {c.metric_key or c.metric: c.change for c in s.scalars(select(m.Change))}
    engine.dispose()
    return rows


def test_import_extracts_and_diffs_with_prior_year(capsys: pytest.CaptureFixture[str], db: str) -> None:
    _import(capsys, db, R2023, 2023)
    assert _count(db, m.Change) == 0  # nothing to compare with yet
    out = _import(capsys, db, R2024, 2024)
    assert "new" in out and "processed 1 versions" in out
    changes = _changes(db)
    assert changes["gdp_growth"] == "lowered"
    assert changes["rd_intensity"] == "raised"
    assert changes["general_budget_revenue"] == "lowered"
    assert changes["env_investment"] == "dropped"
    assert changes["cpi"] == "unchanged"
    assert changes["具身智能"] == "emerging" and changes["氢能"] == "fading"
    docs = json.loads(run(capsys, "--db", db, "documents", "--json").out)
    assert [(d["report_year"], d["title"]) for d in docs] == [
        (2024, "2024年示例市政府工作报告"),
        (2023, "2023年示例市政府工作报告"),
    ]


def test_importing_twice_adds_nothing(capsys: pytest.CaptureFixture[str], db: str) -> None:
    _import(capsys, db, R2023, 2023)
    before = (_count(db, m.Document), _count(db, m.DocumentVersion), _count(db, m.Target))
    assert "unchanged" in _import(capsys, db, R2023, 2023)
    assert (_count(db, m.Document), _count(db, m.DocumentVersion), _count(db, m.Target)) == before


def test_reprocess_yields_the_same_rows(capsys: pytest.CaptureFixture[str], db: str) -> None:
    _import(capsys, db, R2023, 2023)
    _import(capsys, db, R2024, 2024)
    before = (_count(db, m.Target), _count(db, m.Priority), _changes(db), _count(db, m.Change))
    assert run(capsys, "--db", db, "reprocess", "--all").code == 0
    assert (_count(db, m.Target), _count(db, m.Priority), _changes(db), _count(db, m.Change)) == before


def test_backfilled_earlier_year_rediffs_the_later_one(capsys: pytest.CaptureFixture[str], db: str) -> None:
    _import(capsys, db, R2024, 2024)
    assert _count(db, m.Change) == 0
    _import(capsys, db, R2023, 2023)
    assert _changes(db)["gdp_growth"] == "lowered"


def test_history(capsys: pytest.CaptureFixture[str], db: str) -> None:
    _import(capsys, db, R2023, 2023)
    _import(capsys, db, R2024, 2024)
    result = run(capsys, "--db", db, "history", "--region", "示例市", "--metric", "rd_intensity", "--json")
    points = json.loads(result.out)
    assert [(p["year"], p["target"]["value"]) for p in points] == [(2023, 4.3), (2024, 4.5)]
    assert points[1]["result"]["value"] == 4.4 and points[1]["result"]["year"] == 2023
    table = run(capsys, "--db", db, "history", "--region", "示例市", "--metric", "rd_intensity")
    assert "4.5%左右" in table.out and "█" in table.out
    missing = run(capsys, "--db", db, "history", "--region", "火星市", "--metric", "rd_intensity")
    assert missing.code == ExitCode.NOT_FOUND and "govmon documents" in missing.err


def test_import_of_unreadable_file_stores_nothing(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = run(capsys, "--db", db, "import", str(empty), "--region", "示例市", "--year", "2024")
    assert result.code == ExitCode.INPUT and "empty" in result.err
    assert _count(db, m.Document) == 0
