"""`govmon import DIR --glob`: a folder of reports placed by name and text, what is stored skipped, what cannot
be placed or read listed with the reason; then the comparison across the imported regions works."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from monitor.cli.app import ExitCode
from tests import corpus
from tests.compare.conftest import FIXTURES
from tests.monitor.cli_helpers import run


@pytest.fixture
def db(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The comparison fixtures, a note that names no place or year, an empty file, a file of another kind."""
    reports = tmp_path / "reports"
    shutil.copytree(FIXTURES, reports)
    (reports / "notes.txt").write_text("今年的工作很多。", encoding="utf-8")
    (reports / "empty.txt").write_bytes(b"")
    (reports / "README.md").write_text("not a report", encoding="utf-8")
    return reports


def _documents(capsys: pytest.CaptureFixture[str], db: str) -> set[tuple[str, int, str]]:
    rows = json.loads(run(capsys, "--db", db, "documents", "--json").out)
    return {(d["region"], d["report_year"], d["doc_type"]) for d in rows}


def test_a_folder_is_placed_imported_and_compared(capsys: pytest.CaptureFixture[str], db: str, folder: Path) -> None:
    result = run(capsys, "--db", db, "import", str(folder), "--glob", "*.txt")
    assert result.code == ExitCode.PARTIAL and "2 of 11 files were not imported" in result.err
    assert "11 files: 9 new, 0 already stored, 2 not imported" in result.out
    assert "notes.txt: no region and no year in its name or text (give --region and --year)" in result.out
    assert "empty.txt: the file is empty" in result.out and "README.md" not in result.out
    assert "processed 9 versions" in result.out
    assert _documents(capsys, db) == {(r, y, "work_report") for r in ("东山市", "南湖市", "西河市", "全国")
                                      for y in (2024, 2025)} | {("北岭市", 2024, "work_report")}  # fmt: skip
    table = json.loads(run(capsys, "--db", db, "compare", "-m", "cpi", "-l", "city", "--json").out)
    assert [r["change"] for r in table["rows"]] == ["lowered", "lowered", "unchanged"]


def test_what_is_stored_is_skipped(capsys: pytest.CaptureFixture[str], db: str, folder: Path) -> None:
    assert run(capsys, "--db", db, "import", str(folder), "--glob", "2024*.txt").code == 0
    again = run(capsys, "--db", db, "import", str(folder), "--glob", "2024*.txt")
    assert again.code == 0 and "5 files: 0 new, 5 already stored, 0 not imported" in again.out
    assert "processed" not in again.out  # nothing new to extract


def test_options_override_what_names_say(capsys: pytest.CaptureFixture[str], db: str, folder: Path) -> None:
    result = run(capsys, "--db", db, "import", str(folder / "notes.txt"), "--region", "示例市", "--year", "2023",
                 "--doc-type", "summary", "--no-process")  # fmt: skip
    assert result.code == 0, result.err
    assert _documents(capsys, db) == {("示例市", 2023, "summary")}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        ((".",), ExitCode.INPUT, "is a directory: import its files with --glob, e.g. --glob '*.txt'"),
        (("missing", "--glob", "*.txt"), ExitCode.INPUT, "missing: no such file or directory"),
        (("notes.txt",), ExitCode.USAGE, "no region and no year in its name or text (give --region and --year)"),
        (("empty.txt", "--region", "示例市", "--year", "2024"), ExitCode.INPUT, "the file is empty"),
        ((".", "--glob", "*.txt", "--url", "https://example.org/a"), ExitCode.USAGE, "--url names one document"),
    ],
)
def test_bad_input_is_one_line_and_stores_nothing(capsys: pytest.CaptureFixture[str], db: str, folder: Path,
                                                  args: tuple[str, ...], code: int, message: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.chdir(folder)
    result = run(capsys, "--db", db, "import", *args)
    assert result.code == code and message in result.err and len(result.err.strip().splitlines()) == 1
    assert _documents(capsys, db) == set()


@pytest.mark.shared
def test_backfill_of_the_31_provincial_reports(capsys: pytest.CaptureFixture[str], db: str) -> None:
    if not corpus.available():
        pytest.skip("../shared corpus is absent")
    result = run(capsys, "--db", db, "import", str(corpus.PROVINCES_2025), "--glob", "*.txt", "--no-process")
    assert result.code == 0 and "31 files: 31 new, 0 already stored, 0 not imported" in result.out
    documents = _documents(capsys, db)
    assert len(documents) == 31 and {y for _, y, _ in documents} == {2025}
    assert {"宁夏回族自治区", "广西壮族自治区", "新疆维吾尔自治区", "内蒙古自治区", "西藏自治区"} <= {
        r for r, _, _ in documents
    }
