"""`govmon extract` and `govmon diff` on files: formats, encodings, the JSON contracts, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.cli.app import ExitCode
from tests.monitor.cli_helpers import run

TEXTS = Path(__file__).resolve().parents[1] / "fixtures" / "texts"
R2023, R2024 = str(TEXTS / "示例市_2023.txt"), str(TEXTS / "示例市_2024.txt")
TARGET_FIELDS = {
    "metric",
    "metric_key",
    "phrase",
    "value",
    "value_max",
    "unit",
    "qualifier",
    "kind",
    "status",
    "year",
    "sentence",
    "span",
    "raw",
    "term",
    "confidence",
}


def _extract_json(capsys: pytest.CaptureFixture[str], path: str, *extra: str) -> dict:  # type: ignore[type-arg]
    result = run(capsys, "extract", path, "--json", *extra)
    assert result.code == 0, result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


def test_extract_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    data = _extract_json(capsys, R2024)
    assert set(data) == {"document", "targets", "priorities", "needs_review"} and data["needs_review"] == []
    assert data["document"]["region"] == "示例市" and data["document"]["year"] == 2024
    rd = next(t for t in data["targets"] if t["metric_key"] == "rd_intensity" and t["status"] == "target")
    assert set(rd) >= TARGET_FIELDS
    assert (rd["value"], rd["unit"], rd["qualifier"], rd["year"], rd["raw"]) == (4.5, "%", "左右", 2024, "4.5%左右")
    assert rd["sentence"] in TEXTS.joinpath("示例市_2024.txt").read_text(encoding="utf-8")
    assert all(set(p) == {"theme", "weight", "count"} for p in data["priorities"])


def test_extract_reads_gbk_and_html(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    text = TEXTS.joinpath("示例市_2024.txt").read_text(encoding="utf-8")
    gbk = tmp_path / "report.txt"
    gbk.write_bytes(text.encode("gbk"))
    html = tmp_path / "report.html"
    paragraphs = "".join(f"<p>{line}</p>" for line in text.splitlines() if line)
    html.write_bytes(f"<html><head><meta charset='gb2312'></head><body>{paragraphs}</body></html>".encode("gbk"))
    expected = {(t["metric_key"], t["value"]) for t in _extract_json(capsys, R2024)["targets"]}
    for path in (gbk, html):
        assert {(t["metric_key"], t["value"]) for t in _extract_json(capsys, str(path))["targets"]} == expected


def test_extract_reads_pdf(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "report.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.setFont("STSong-Light", 11)
    for i, line in enumerate(("2024年主要预期目标", "今年主要预期目标是：全市地区生产总值增长5%左右。")):
        pdf.drawString(40, 800 - 20 * i, line)
    pdf.save()
    data = _extract_json(capsys, str(path), "--region", "示例市", "--year", "2024")
    assert any(t["metric_key"] == "gdp_growth" and t["value"] == 5 for t in data["targets"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (bytes(range(256)) * 64, "not a text, HTML or PDF document"),
        (b"%PDF-1.4\n garbage that is no pdf", "unreadable pdf"),
    ],
    ids=["empty", "binary", "broken-pdf"],
)
def test_extract_bad_input_is_one_clear_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    result = run(capsys, "extract", str(path))
    assert result.code == ExitCode.INPUT and message in result.err
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1


def test_extract_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "extract", "/no/such/report.txt")
    assert result.code == ExitCode.INPUT and "no such file" in result.err


def test_extract_huge_file_is_refused_clearly(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    line = "全市地区生产总值增长5%左右，城镇调查失业率5%以内。\n".encode()
    with path.open("wb") as f:
        f.write(line * (50 * 2**20 // len(line) + 1))
    result = run(capsys, "extract", str(path))
    assert result.code == ExitCode.INPUT and "--max-mb" in result.err


def test_extract_text_without_figures_gives_empty_result(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "poem.txt"
    path.write_text("床前明月光，疑是地上霜。举头望明月，低头思故乡。\n", encoding="utf-8")
    assert _extract_json(capsys, str(path))["targets"] == []


def test_diff_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "diff", R2023, R2024, "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    by_key = {c["metric_key"]: c for c in data["changes"]}
    assert by_key["gdp_growth"]["change"] == "lowered"
    assert by_key["gdp_growth"]["old"]["qualifier"] == "以上" and by_key["gdp_growth"]["new"]["qualifier"] == "左右"
    assert by_key["rd_intensity"]["change"] == "raised"
    assert by_key["env_investment"]["change"] == "dropped" and by_key["env_investment"]["new"] is None
    assert data["changes"][0]["metric_key"] == "gdp_growth"  # headline first
    assert {p["theme"] for p in data["priorities"]["emerging"]} >= {"低空经济", "具身智能"}


def test_diff_table(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "diff", R2023, R2024)
    assert result.code == 0 and "5.5%以上" in result.out and "5%左右" in result.out and "emerging" in result.out


def test_diff_unrelated_or_empty_documents(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    poem = tmp_path / "poem.txt"
    poem.write_text("床前明月光，疑是地上霜。\n", encoding="utf-8")
    result = run(capsys, "diff", str(poem), R2024)
    assert result.code == ExitCode.INPUT and "no targets or priorities" in result.err


def test_diff_different_regions_notes_it(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "diff", R2023, R2024, "--old-region", "甲市", "--new-region", "乙市")
    assert result.code == 0 and "different regions" in result.err
