"""needs_review end to end: a report whose targets paragraph is garbled is flagged, its headline changes reach no
digest until an operator accepts it or a reprocess of a clean version clears it; `review` and `status` list it."""

from __future__ import annotations

import json
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from monitor.cli.app import ExitCode
from monitor.extract import extract
from tests.monitor.cli_helpers import run

REPORT_2025 = """2025年示例县政府工作报告
一、2024年工作回顾
过去一年，全县地区生产总值增长5.6%，一般公共预算收入增长4.1%，城镇新增就业1.2万人。
二、2025年主要预期目标
今年经济社会发展的主要预期目标是：全县地区生产总值增长{gdp}；一般公共预算收入增长{revenue}；城镇新增就业{jobs}；
城镇调查失业率{jobless}；居民消费价格涨幅{cpi}。
"""
CLEAN = REPORT_2025.format(gdp="6%左右", revenue="4%", jobs="1.2万人以上", jobless="5.5%以内", cpi="2%左右")
# what a page whose digits were set in a missing font gives: the figures of the targets paragraph are gone
GARBLED = REPORT_2025.format(gdp="□%左右", revenue="□％", jobs="□.□万人以上", jobless="□.□%以内", cpi="□%左右")
REPORT_2024 = """2024年示例县政府工作报告
一、2023年工作回顾
过去一年，全县地区生产总值增长5.2%。
二、2024年主要预期目标
今年经济社会发展的主要预期目标是：全县地区生产总值增长6.5%左右；一般公共预算收入增长5%；城镇新增就业1.1万人以上；
城镇调查失业率5.5%以内；居民消费价格涨幅3%左右。
"""
URL = "https://www.example.gov.cn/zfgzbg/2025.html"


def test_a_garbled_targets_paragraph_is_flagged_by_extraction() -> None:
    assert extract(CLEAN, year=2025, region="示例县").review == []
    reasons = extract(GARBLED, year=2025, region="示例县").review
    assert reasons == ["未见2025年经济增长目标"]


def test_conflicting_annual_targets_are_flagged() -> None:
    text = CLEAN + "全县地区生产总值增长7%。\n"
    assert extract(text, year=2025, region="示例县").review == ["2025年经济增长有两个目标：6%左右、7%"]


def _import(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path, text: str, year: int, url: str) -> None:
    path = tmp_path / f"{year}-{abs(hash(text))}.txt"
    path.write_text(text, encoding="utf-8")
    result = run(capsys, "--db", db, "import", str(path), "--region", "示例县", "--year", str(year), "--url", url)
    assert result.code == 0, result.err


def _section_2025(text: str) -> str:
    """The digest's section of the 2025 report (the 2024 report may have its own section)."""
    start = text.index("政府工作报告 · 2025年")
    end = text.find("政府工作报告 · 2024年", start)
    return text[start : end if end > 0 else len(text)]


def _digest(capsys: pytest.CaptureFixture[str], db: str, out: Path) -> str:
    assert run(capsys, "--db", db, "digest", "--out", str(out), "--force").code == 0
    (path,) = sorted(out.glob("*.eml"), key=lambda p: p.stat().st_mtime)[-1:]
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    path.unlink()
    return _section_2025(str(text))


def test_held_until_accepted_then_cleared_by_a_clean_version(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, tmp_path: Path
) -> None:
    db = sqlite_url
    assert run(capsys, "--db", db, "init").code == 0
    _import(capsys, db, tmp_path, REPORT_2024, 2024, "https://www.example.gov.cn/zfgzbg/2024.html")
    _import(capsys, db, tmp_path, GARBLED, 2025, URL)
    run(capsys, "--db", db, "subscribers", "add", "county@example.org", "--regions", "示例县", "--format", "text")

    listed = json.loads(run(capsys, "--db", db, "review", "--json").out)
    assert [(r["report_year"], r["state"]) for r in listed] == [(2025, "pending")]
    assert listed[0]["reasons"] == ["未见2025年经济增长目标", "上年5项主要目标中4项将显示为删去"]
    assert "documents to review: 1" in run(capsys, "--db", db, "status").out

    held = _digest(capsys, db, tmp_path / "mail")
    assert "待人工复核" in held and "] 经济增长" not in held and "[删去]" not in held

    document_id = listed[0]["document_id"]
    missing = run(capsys, "--db", db, "review", "--accept", "999")
    assert missing.code == ExitCode.INPUT and "999" in missing.err
    assert run(capsys, "--db", db, "review", "--accept", str(document_id)).code == 0
    assert json.loads(run(capsys, "--db", db, "review", "--json").out) == []
    released = _digest(capsys, db, tmp_path / "mail")
    assert "[删去] 经济增长" in released

    _import(capsys, db, tmp_path, CLEAN, 2025, URL)  # the page is republished intact: a new version, processed
    assert json.loads(run(capsys, "--db", db, "review", "--all", "--json").out) == []
    clean = _digest(capsys, db, tmp_path / "mail")
    assert "[下调 ▼] 经济增长：6.5%左右 → 6%左右" in clean and "待人工复核" not in clean


def _plan_opening(year: int, growth: str, rd: str) -> str:
    return (
        f"{year}年示例县政府工作报告\n一、过去五年工作回顾\n过去五年，全县地区生产总值年均增长6.1%。\n"
        f"二、今后五年目标和{year}年工作安排\n今后五年经济社会发展的主要目标是：全县地区生产总值年均增长{growth}，"
        f"研发经费投入强度达到{rd}。\n今年经济社会发展的主要预期目标是：全县地区生产总值增长6%左右。\n"
    )


def test_a_new_plans_goals_are_stored_against_the_last_plans(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, tmp_path: Path
) -> None:
    from sqlalchemy import select

    from db import models as m
    from db.session import make_engine, session_scope

    db = sqlite_url
    assert run(capsys, "--db", db, "init").code == 0
    _import(capsys, db, tmp_path, _plan_opening(2021, "6.5%左右", "2.2%"), 2021, "https://x.gov.cn/2021.html")
    _import(capsys, db, tmp_path, CLEAN, 2025, URL)
    _import(capsys, db, tmp_path, _plan_opening(2026, "5.5%左右", "2.8%"), 2026, "https://x.gov.cn/2026.html")
    engine = make_engine(db)
    with session_scope(engine) as session:
        years = {
            v.id: d.report_year for v, d in session.execute(select(m.DocumentVersion, m.Document).join(m.Document))
        }
        rows = [(years[c.old_version_id or 0], c.metric_key, c.change, bool((c.new or c.old or {}).get("term")))
                for c in session.scalars(select(m.Change).where(m.Change.category == "target"))]  # fmt: skip
    engine.dispose()
    assert (2021, "gdp_growth", "lowered", True) in rows and (2021, "rd_intensity", "raised", True) in rows
    assert (2025, "gdp_growth", "unchanged", False) in rows  # the year's own target against last year's
    assert not [r for r in rows if r[0] == 2025 and r[3]]  # no term goal against an annual target


def test_a_report_that_says_it_sets_no_gdp_target_is_not_missing_one() -> None:
    text = "二、2025年主要目标\n综合考虑各方面因素，今年不设定全县地区生产总值增长的具体目标，城镇新增就业1.2万人以上。"
    assert extract(text, year=2025, region="示例县", doc_type="work_report").review == []
    silent = "二、2025年主要目标\n城镇新增就业1.2万人以上。"
    assert extract(silent, year=2025, region="示例县", doc_type="work_report").review == ["未见2025年经济增长目标"]
