"""`govmon compare` through the CLI: output forms, Chinese metric names, and one-line errors for bad input."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db.migrate import upgrade
from db.session import make_engine
from monitor.cli.app import ExitCode
from tests.compare.conftest import load_fixtures
from tests.monitor.cli_helpers import run


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('compare-cli') / 'govmon.db'}"
    engine = make_engine(url)
    upgrade(engine)
    load_fixtures(engine)
    engine.dispose()
    return url


def test_table_names_regions_changes_median_and_national(capsys: pytest.CaptureFixture[str], db: str) -> None:
    result = run(capsys, "--db", db, "compare", "--metric", "gdp_growth", "--level", "city")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    dongshan = next(line for line in lines if "东山市" in line)
    assert "5%左右" in dongshan and "下调" in dongshan and "5.5%左右" in dongshan and "−0.2" in dongshan
    assert "已有3个城市发布2025年报告（共4个）；上年已发布、今年尚未发布：北岭市" in result.out
    assert "上调 ▲ 1 · 下调 ▼ 2" in result.out
    assert "中位数 5.5%左右" in result.out and "全国 5%左右" in result.out


def test_chinese_name_json_equals_key_json(capsys: pytest.CaptureFixture[str], db: str) -> None:
    by_key = run(capsys, "--db", db, "compare", "-m", "rd_intensity", "-y", "2025", "-l", "city", "--json")
    by_name = run(capsys, "--db", db, "compare", "-m", "研发经费投入强度", "-y", "2025", "-l", "city", "--json")
    assert by_key.code == by_name.code == 0
    assert json.loads(by_key.out) == json.loads(by_name.out)
    assert [r["change"] for r in json.loads(by_key.out)["rows"]] == ["dropped", None, "raised"]


def test_csv_has_one_row_per_reporting_region(capsys: pytest.CaptureFixture[str], db: str) -> None:
    result = run(capsys, "--db", db, "compare", "-m", "grain_output", "-l", "city", "--csv")
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert [r["region"] for r in rows] == ["东山市", "南湖市", "西河市"]
    assert (rows[0]["target"], rows[0]["prior_target"], rows[0]["change"]) == ("260万吨以上", "50亿斤以上", "raised")
    assert rows[1]["target"] == "" and rows[1]["change"] == ""


def test_headline_matrix_has_arrows_median_and_national(capsys: pytest.CaptureFixture[str], db: str) -> None:
    result = run(capsys, "--db", db, "compare", "--headline", "--year", "2025", "--level", "city")
    assert result.code == 0, result.err
    assert "2025年各城市主要预期目标" in result.out
    row = next(line for line in result.out.splitlines() if "西河市" in line)
    assert "5.5%左右▲" in row and "5.5%以内≈" in row and "3.1%左右▲" in row
    national = next(line for line in result.out.splitlines() if "全国" in line)
    assert "5%左右" in national and "2%左右" in national


def test_headline_matrix_json(capsys: pytest.CaptureFixture[str], db: str) -> None:
    data = json.loads(run(capsys, "--db", db, "compare", "--headline", "-l", "city", "--json").out)
    assert data["year"] == 2025 and [r["region"] for r in data["rows"]] == ["东山市", "南湖市", "西河市"]
    keys = [m["metric_key"] for m in data["metrics"]]
    assert keys[0] == "gdp_growth" and {"cpi", "grain_output", "rd_intensity", "retail_sales"} <= set(keys)
    cell = data["rows"][0]["cells"]["grain_output"]
    assert cell["change"] == "raised" and cell["target"]["unit"] == "吨"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--metric", "gpd_growth"), ExitCode.USAGE, "did you mean gdp_growth"),
        (("--metric", "经济增涨"), ExitCode.USAGE, "did you mean"),
        (("--metric", "gdp_growth", "--headline"), ExitCode.USAGE, "either --metric KEY or --headline"),
        ((), ExitCode.USAGE, "either --metric KEY or --headline"),
        (("-m", "cpi", "--json", "--csv"), ExitCode.USAGE, "one of --json and --csv"),
        (("-m", "cpi", "--year", "2031", "-l", "city"), ExitCode.NOT_FOUND, "years stored: 2025, 2024"),
        (("-m", "cpi"), ExitCode.NOT_FOUND, "no province work_report is stored"),
    ],
)
def test_bad_input_is_one_line(capsys: pytest.CaptureFixture[str], db: str, args: tuple[str, ...], code: int,
                               message: str) -> None:  # fmt: skip
    result = run(capsys, "--db", db, "compare", *args)
    assert result.code == code
    assert message in result.err and len(result.err.strip().splitlines()) == 1


def test_uninitialised_database_is_a_database_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = run(capsys, "--db", f"sqlite:///{tmp_path / 'empty.db'}", "compare", "-m", "cpi")
    assert result.code == ExitCode.DATABASE and "govmon init" in result.err


def test_gathering_works_on_postgresql(engine: Engine) -> None:
    from monitor.service.comparisons import load_table

    load_fixtures(engine)
    table = load_table(engine, "grain_output", 2025, "city")
    assert [r.change for r in table.rows] == ["raised", None, "unchanged"]


def test_summaries_are_not_compared(capsys: pytest.CaptureFixture[str], db: str) -> None:
    """A 工作总结和工作思路 sets goals for the year after its own: comparing it by its year would mislead."""
    result = run(capsys, "--db", db, "compare", "-m", "cpi", "--doc-type", "summary")
    assert result.code == ExitCode.USAGE and "'summary' is not one of 'work_report', 'plan'" in result.err
