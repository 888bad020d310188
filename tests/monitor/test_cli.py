"""The command line: help, init, documents, sources list, and one-line errors with meaningful exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from db import repository as repo
from db.session import make_engine, session_scope
from monitor.cli.app import ExitCode
from tests.monitor.cli_helpers import run

ROOT = Path(__file__).resolve().parents[2]


def test_help_lists_commands_with_descriptions(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "--help")
    assert result.code == 0
    listed = result.out.split("Commands:", 1)[1].strip().splitlines()
    names = {line.split()[0] for line in listed}
    assert {
        "init",
        "documents",
        "sources",
        "extract",
        "diff",
        "import",
        "history",
        "crawl",
        "digest",
        "run",
        "schedule",
        "status",
        "subscribers",
        "site",
        "reprocess",
    } <= names
    for line in listed:
        description = line.split(None, 1)[1]
        assert len(description) > 15 and not description.endswith("..."), line


def test_python_dash_m_monitor_works() -> None:
    proc = subprocess.run([sys.executable, "-m", "monitor", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and "documents" in proc.stdout


def test_init_twice_then_documents(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    first = run(capsys, "--db", db_url, "init")
    assert first.code == 0 and "created schema" in first.out
    second = run(capsys, "--db", db_url, "init")
    assert second.code == 0 and "up to date" in second.out
    listed = run(capsys, "--db", db_url, "documents", "--json")
    assert listed.code == 0 and json.loads(listed.out) == []


def test_init_upgrades_an_older_database(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    from db.migrate import head_revision, upgrade

    engine = make_engine(db_url)
    upgrade(engine, "0002")
    engine.dispose()
    result = run(capsys, "--db", db_url, "init")
    assert head_revision() > "0002"
    assert result.code == 0 and f"upgraded from schema 0002 to schema {head_revision()}" in result.out


def test_documents_json_and_table(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    run(capsys, "--db", db_url, "init")
    engine = make_engine(db_url)
    with session_scope(engine) as s:
        for region, year in (("上海市", 2024), ("北京市", 2025)):
            item = repo.FetchedDocument(
                url=f"http://x/{year}",
                region=region,
                text=f"{region}",
                raw=b"x",
                title=f"{year}年政府工作报告",
                doc_type="work_report",
                report_year=year,
            )
            repo.store_fetched(s, item)
    engine.dispose()
    data = json.loads(run(capsys, "--db", db_url, "documents", "--json").out)
    assert [d["report_year"] for d in data] == [2025, 2024]
    assert set(data[0]) == {
        "id",
        "url",
        "title",
        "region",
        "doc_type",
        "report_year",
        "published_at",
        "source_id",
        "versions",
    }
    only = json.loads(run(capsys, "--db", db_url, "documents", "--region", "上海市", "--json").out)
    assert [d["region"] for d in only] == ["上海市"]
    table = run(capsys, "--db", db_url, "documents")
    assert "2025年政府工作报告" in table.out


def test_commands_on_uninitialised_database_say_run_init(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = run(capsys, "--db", f"sqlite:///{tmp_path / 'new.db'}", "documents")
    assert result.code == ExitCode.DATABASE
    assert "govmon init" in result.err and "Traceback" not in result.err


def test_sources_list_shows_registry_with_health(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    registry = tmp_path / "sources.yaml"
    registry.write_text("- {id: demo-sh, region: 上海市, start_urls: ['http://127.0.0.1:1/']}\n", encoding="utf-8")
    run(capsys, "--db", db_url, "init")
    result = run(capsys, "--db", db_url, "sources", "list", "--sources", str(registry), "--json")
    assert result.code == 0
    (record,) = json.loads(result.out)
    assert (record["id"], record["region"], record["health"]) == ("demo-sh", "上海市", "unknown")


def test_bad_registry_is_one_line_naming_entry_and_field(
    capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path
) -> None:
    registry = tmp_path / "sources.yaml"
    registry.write_text("- {id: broken-one, region: 上海市, start_urls: ['ftp://x']}\n", encoding="utf-8")
    run(capsys, "--db", db_url, "init")
    result = run(capsys, "--db", db_url, "sources", "list", "--sources", str(registry))
    assert result.code == ExitCode.CONFIG
    assert "broken-one" in result.err and "start_urls" in result.err
    assert len(result.err.strip().splitlines()) == 1


def _unwritable_dir(tmp_path: Path) -> Path:
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        return locked
    return Path("/proc")  # root ignores permission bits; /proc refuses new files for everyone


@pytest.mark.parametrize(
    ("make_url", "expected"),
    [
        (lambda tmp: f"sqlite:///{_unwritable_dir(tmp) / 'x.db'}", "not writable"),
        (lambda tmp: f"sqlite:///{tmp / 'no' / 'such' / 'x.db'}", "does not exist"),
        (lambda tmp: "postgresql://postgres@127.0.0.1:9/test", "cannot connect"),
        (lambda tmp: "::not-a-url", "malformed database URL"),
        (lambda tmp: "mysql://u@h/d", "unsupported database"),
    ],
)
def test_bad_db_is_one_clear_line(capsys: pytest.CaptureFixture[str], tmp_path: Path, make_url, expected) -> None:  # type: ignore[no-untyped-def]
    before = sorted(p.name for p in tmp_path.rglob("*"))
    result = run(capsys, "--db", make_url(tmp_path), "init")
    assert result.code == ExitCode.DATABASE
    assert expected in result.err and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing created


def test_file_that_is_not_a_database_is_left_untouched(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 100)
    result = run(capsys, "--db", f"sqlite:///{path}", "init")
    assert result.code == ExitCode.DATABASE and "not a SQLite database" in result.err
    assert path.read_bytes() == b"these are my notes, not a database\n" * 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_debug_shows_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "--debug", "--db", "::bad", "init")
    assert result.code == ExitCode.DATABASE and "Traceback" in result.err
