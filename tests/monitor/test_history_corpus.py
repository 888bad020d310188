"""Shanghai 2020–2025 imported through the CLI: the R&D-intensity target path comes out of `govmon history`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import corpus
from tests.monitor.cli_helpers import run

pytestmark = pytest.mark.skipif(not corpus.available(), reason="../shared corpus is absent")


def test_shanghai_rd_intensity_path(capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path) -> None:
    assert run(capsys, "--db", db_url, "init").code == 0
    for year in range(2020, 2026):
        path = tmp_path / f"上海市{year}.txt"
        path.write_text(corpus.shanghai(year), encoding="utf-8")
        assert run(capsys, "--db", db_url, "import", str(path), "--region", "上海市", "--year", str(year)).code == 0
    result = run(capsys, "--db", db_url, "history", "--region", "上海市", "--metric", "rd_intensity", "--json")
    path = [(p["year"], p["target"]["value"]) for p in json.loads(result.out)]
    assert path == [(2020, 4.0), (2021, 4.1), (2022, 4.2), (2023, 4.3), (2024, 4.5), (2025, 4.5)]
