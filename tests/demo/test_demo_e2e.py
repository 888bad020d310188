"""End to end: `govmon demo` serves the bundled site, crawls, extracts, diffs, delivers and builds the archive;
a second run finds nothing new. The archive index is opened in headless Chromium."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from db import models as m
from db.session import session_scope
from monitor.demo.catalog import documents
from tests.demo.conftest import DemoRuns
from tests.render.chromium import dump_dom, screenshot

pytestmark = pytest.mark.slow
REGIONS = ("全国", "上海市", "广东省", "浙江省", "示例市")


def test_first_run_prints_the_summary_and_where_to_look(demo: DemoRuns) -> None:
    out = demo.first.out
    assert "govmon demo: what the database holds" in out
    assert all(region in out for region in REGIONS)
    assert re.search(r"\b12 new documents\b", out) and "3 digest(s) written" in out
    for shown in ("site/index.html", "site/feed.atom", "mail/0001-analyst@example.org.eml", ".html"):
        assert shown in out
    assert demo.first.seconds < 90, f"the demo took {demo.first.seconds:.0f} s"


def test_every_catalogue_document_is_stored_and_no_notice(demo: DemoRuns) -> None:
    with session_scope(demo.engine) as session:
        rows = session.execute(select(m.Document.region, m.Document.title, m.Document.doc_type)).all()
    expected = {(column.region, item.title) for column, item in documents()}
    assert {(region, title) for region, title, _ in rows} == expected
    assert {region for region, _, _ in rows} == set(REGIONS)
    assert {doc_type for region, _, doc_type in rows if region == "示例市"} == {"plan", "summary"}
    assert not [title for _, title, _ in rows if re.search("招聘|公示|遴选|节假日", title)]


def _version(demo: DemoRuns, title: str) -> m.DocumentVersion:
    with session_scope(demo.engine) as session:
        version = session.scalars(select(m.DocumentVersion).join(m.Document).where(m.Document.title == title)).one()
        session.expunge(version)
    return version


def test_the_pdf_and_the_gbk_page_are_decoded(demo: DemoRuns) -> None:
    pdf = _version(demo, "2024年浙江省政府工作报告")
    assert pdf.raw.startswith(b"%PDF") and "全省生产总值增长5.5%左右" in pdf.text
    gbk = _version(demo, "2024年上海市政府工作报告")
    assert "charset" not in (gbk.content_type or "") and (gbk.encoding or "").lower() in ("gbk", "gb18030", "gb2312")
    assert "研发经费支出相当于全市生产总值的比例保持在4.4%左右" in gbk.text


def _change(demo: DemoRuns, region: str, metric_key: str) -> tuple[str, str, str]:
    with session_scope(demo.engine) as session:
        change = session.scalars(
            select(m.ChangeRow).where(m.ChangeRow.region == region, m.ChangeRow.metric_key == metric_key)
        ).one()
        return change.change, (change.old or {}).get("raw", ""), (change.new or {}).get("raw", "")


@pytest.mark.parametrize(
    ("region", "metric_key", "expected"),
    [
        ("全国", "cpi", ("lowered", "3%左右", "2%左右")),
        ("全国", "deficit_ratio", ("raised", "3%", "4%左右")),
        ("全国", "ultra_long_bonds", ("raised", "1万亿元", "1.3万亿元")),
        ("全国", "gdp_growth", ("unchanged", "5%左右", "5%左右")),
        ("上海市", "rd_intensity", ("raised", "4.4%左右", "4.5%左右")),
        ("浙江省", "gdp_growth", ("unchanged", "5.5%左右", "5.5%左右")),
        ("广东省", "cpi", ("lowered", "3%左右", "2%左右")),
    ],
)
def test_year_on_year_changes(demo: DemoRuns, region: str, metric_key: str, expected: tuple[str, str, str]) -> None:
    assert _change(demo, region, metric_key) == expected


def test_the_bureau_plan_is_compared_with_last_years_plan(demo: DemoRuns) -> None:
    with session_scope(demo.engine) as session:
        rows = session.execute(
            select(m.ChangeRow.metric_key, m.ChangeRow.change).where(
                m.ChangeRow.region == "示例市", m.ChangeRow.doc_type == "plan"
            )
        ).all()
    expected = {"new_high_tech_enterprises": "raised", "tech_contract_value": "raised", "new_key_labs": "lowered"}
    assert expected.items() <= dict(rows).items()


def test_the_energy_intensity_reduction_reads_as_a_reduction(demo: DemoRuns) -> None:
    with session_scope(demo.engine) as session:
        change = session.scalars(select(m.ChangeRow).where(m.ChangeRow.metric_key == "energy_intensity")).one()
    assert (change.change, (change.new or {}).get("kind"), (change.new or {}).get("ambition")) == (
        "raised",
        "reduction",
        "more",
    )
    _, everything = _mail(demo, "analyst@")
    assert "[上调 ▲ 加码] 单位生产总值能耗 降低：2.5%左右 → 3%左右" in everything


def test_stock_and_flow_and_amount_and_growth_stay_apart(demo: DemoRuns) -> None:
    from db.derived import history

    with session_scope(demo.engine) as session:
        figures = session.execute(
            select(m.TargetRow.metric_key, m.TargetRow.kind, m.TargetRow.value)
            .join(m.DocumentVersion)
            .join(m.Document)
            .where(m.Document.title.like("%2023年工作总结%"), m.TargetRow.status == "achieved")
        ).all()
        amounts = history(session, "示例市", "tech_contract_value", "summary", "level")
        growth = history(session, "示例市", "tech_contract_value", "summary", "growth")
    assert ("new_high_tech_enterprises", "increment", 612) in figures
    assert ("high_tech_enterprises", "level", 3100) in figures
    assert {t.unit for p in amounts for t in (p.target, p.result) if t} == {"元"}  # 突破150亿元, 突破200亿元
    assert "元" not in {t.unit for p in growth for t in (p.target, p.result) if t}


def _mail(demo: DemoRuns, who: str) -> tuple[str, str]:
    (path,) = [p for p in demo.mails_after_first if who in p.name]
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage) and path.with_suffix(".html").is_file()
    body = message.get_body(("plain",))
    assert body is not None
    return str(message["Subject"]), body.get_content()


def test_each_subscriber_gets_one_digest_filtered_to_what_they_follow(demo: DemoRuns) -> None:
    assert len(demo.mails_after_first) == 3
    _, everything = _mail(demo, "analyst@")
    assert all(region in everything for region in REGIONS)
    _, shanghai = _mail(demo, "shanghai-desk@")
    assert "上海市" in shanghai and "广东省" not in shanghai and "4.4%左右 → 4.5%左右" in shanghai
    subject, rd = _mail(demo, "rd-watch@")
    assert "研发经费投入强度" in subject and "居民消费价格" not in rd and "3.2%左右 → 3.3%左右" in rd


def test_archive_and_feed_are_built(demo: DemoRuns) -> None:
    site = demo.paths.site
    assert (site / "index.html").is_file() and (site / "feed.atom").read_text(encoding="utf-8").count("<entry>") == 12
    assert len(list((site / "documents").glob("*.html"))) == 12


def test_a_second_run_says_nothing_new_and_adds_no_rows(demo: DemoRuns) -> None:
    assert demo.second.code == 0, demo.second.err
    assert "Nothing new since the last run: 0 new documents, 0 digests" in demo.second.out
    from monitor.service.summary import counts

    assert counts(demo.engine) == demo.counts_after_first
    assert sorted(demo.paths.mail.glob("*.eml")) == demo.mails_after_first


def test_archive_index_in_chromium_shows_regions_and_changes(demo: DemoRuns) -> None:
    index = demo.paths.site / "index.html"
    dom = dump_dom(index)
    assert all(f">{region}</a>" in dom for region in REGIONS)
    text = re.sub(r"<[^>]+>", "", dom)
    for change in (
        "居民消费价格涨幅 下调 ▼ 3%左右 → 2%左右",
        "赤字率 上调 ▲ 3% → 4%左右",
        "研发经费投入强度 上调 ▲ 4.4%左右 → 4.5%左右",
    ):
        assert change in re.sub(r"\s+", " ", text)
    screenshot(index, "demo-index", width=900, height=1400)


def test_the_analyst_digest_leads_with_the_national_report_within_the_size_budget(demo: DemoRuns) -> None:
    (path,) = [p for p in demo.mails_after_first if "analyst@" in p.name]
    raw = path.read_bytes()
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    html = message.get_body(("html",))
    assert html is not None and len(html.get_content().encode("utf-8")) < 90 * 1024 and len(raw) < 150 * 1024
    subject, text = _mail(demo, "analyst@")
    assert subject.startswith("govmon · 全国：") and len(subject) < 40
    first = text.index("=" * 74)
    assert text[first:].split("\n")[1].startswith("全国 · 政府工作报告 · 2025年")
    assert text.index("最重要的变化") < first  # the summary opens the digest
    assert "与上年持平：经济增长 5%左右" in text  # the unchanged GDP target is named, not only counted
    # the 2024 reports are the baselines of the 2025 ones: listed once at the end, never as 新增 cards
    assert "[新增] 经济增长：— →" not in text and "作为2025年报告的对比基准" in text
