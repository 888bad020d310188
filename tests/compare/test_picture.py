"""The digest's national picture: one block per headline metric when a digest covers reports of one year from
three or more regions; identical moves grouped there instead of repeated region by region."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db.migrate import upgrade
from db.session import make_engine
from monitor.compare.picture import national_blocks
from monitor.digest.national import NationalBlock, select_blocks, subject_block
from monitor.service.comparisons import load_table
from tests.compare.conftest import CITIES, load_fixtures
from tests.monitor.cli_helpers import run


def _block(engine: Engine, key: str, window: tuple[str, ...] = CITIES) -> NationalBlock:
    (block,) = national_blocks([load_table(engine, key, 2025, "city")], window)
    return block


def test_block_says_how_many_moved_the_median_national_and_who_has_reported(compare_engine: Engine) -> None:
    block = _block(compare_engine, "gdp_growth")
    assert block.headline == "3个城市中2个下调经济增长目标，另有1个上调（中位数5.5%左右；全国5%左右）"
    assert block.lead == "3个城市中2个下调经济增长目标"
    assert block.reported == "已有3个城市发布2025年报告（共4个）；上年已发布、今年尚未发布：北岭市"


def test_no_national_target_is_left_unsaid(compare_engine: Engine) -> None:
    block = _block(compare_engine, "retail_sales")
    assert block.headline == "3个城市中1个调整了社会消费品零售总额目标的表述（中位数6%以上）"


def test_subject_leads_with_the_first_metric_that_moved(compare_engine: Engine) -> None:
    unemployment, cpi = _block(compare_engine, "surveyed_unemployment"), _block(compare_engine, "cpi")
    assert (unemployment.top_change, cpi.top_change) == ("unchanged", "lowered")
    assert subject_block([unemployment, cpi]) is cpi and subject_block([unemployment]) is unemployment


def test_identical_moves_are_one_line(compare_engine: Engine) -> None:
    moves = [(m.label, m.old, m.new, m.regions) for m in _block(compare_engine, "cpi").moves]
    assert moves == [("下调 ▼", "3%左右", "2%左右", ("东山市", "南湖市")), ("持平", "3%左右", "3%左右", ("西河市",))]


def test_a_digest_of_fewer_than_three_regions_gets_no_picture(compare_engine: Engine) -> None:
    block = _block(compare_engine, "cpi")
    two = [("东山市", 2025, "work_report"), ("南湖市", 2025, "work_report")]
    assert select_blocks([block], two, None) == ()
    three = [*two, ("西河市", 2025, "work_report")]
    assert [b.metric_key for b in select_blocks([block], three, None)] == ["cpi"]
    assert select_blocks([block], three, frozenset({"gdp_growth"})) == ()  # follows other metrics only
    assert select_blocks([block], [(r, 2024, "work_report") for r in CITIES], None) == ()  # another year
    earlier = national_blocks([load_table(compare_engine, "cpi", 2024, "city")], CITIES)
    both = [*three, *((r, 2024, "work_report") for r in CITIES)]
    assert [b.year for b in select_blocks([*earlier, block], both, None)] == [2025]  # a backfill shows in the later


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    url = f"sqlite:///{tmp_path / 'govmon.db'}"
    engine = make_engine(url)
    upgrade(engine)
    load_fixtures(engine)
    engine.dispose()
    for args in (("all@example.org",), ("dongshan@example.org", "--regions", "东山市"),
                 ("cpi@example.org", "--metrics", "cpi")):  # fmt: skip
        assert run(capsys, "--db", url, "subscribers", "add", *args, "--format", "text").code == 0
    return url


def _digests(capsys: pytest.CaptureFixture[str], db: str, out: Path) -> dict[str, EmailMessage]:
    assert run(capsys, "--db", db, "digest", "--out", str(out), "--force").code == 0
    messages = [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(out.glob("*.eml"))]
    return {str(m["To"]): m for m in messages}  # type: ignore[misc]


def test_digest_opens_with_the_national_picture(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    digests = _digests(capsys, db, tmp_path / "mail")
    everything = digests["all@example.org"]
    assert str(everything["Subject"]).startswith("govmon：2025年 3个城市中2个下调经济增长目标")
    text = everything.get_content()
    picture = text[text.index("全国概览") : text.index("东山市 · 政府工作报告 · 2025年")]
    assert "3个城市中2个下调经济增长目标，另有1个上调（中位数5.5%左右；全国5%左右）" in " ".join(picture.split())
    assert "[下调 ▼] 3%左右 → 2%左右：东山市、南湖市" in picture and "（2024年）" not in picture
    cities = [part for part in text.split("=" * 74) if part.strip().startswith(CITIES)]
    moves = re.compile(r"\[(?:上调|下调|持平|表述调整|新增|删去)")
    latest = [part for part in cities if "2025年" in part.split("\n")[1]]
    assert len(latest) == 3 and not any(moves.search(part) for part in latest)  # no move repeated per region
    dongshan = next(part for part in cities if "东山市 · 政府工作报告 · 2025年" in part)
    assert "另有 6 项主要目标见上方全国概览" in dongshan and "[新提出] 低空经济" in dongshan
    earlier = next(part for part in cities if "东山市 · 政府工作报告 · 2024年" in part)  # its own year's targets
    assert "全国概览" not in earlier and "[新增] 经济增长：— → 5.5%左右" in earlier
    assert "全国概览" not in digests["dongshan@example.org"].get_content()  # one city: no national picture
    cpi_only = digests["cpi@example.org"].get_content()
    assert "居民消费价格涨幅（2025年）" in cpi_only and "经济增长（2025年）" not in cpi_only


def test_html_digest_shows_the_picture_first(compare_engine: Engine) -> None:
    from datetime import UTC, datetime

    from bs4 import BeautifulSoup

    from db.outbox import updates_between
    from db.session import session_scope
    from monitor.digest.selection import Filters, Links, build_digest
    from monitor.publish.render import render_digest_html
    from monitor.service.comparisons import national_picture

    start, end = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
    with session_scope(compare_engine) as session:
        updates = updates_between(session, start, end)
    context = build_digest("a@example.org", updates, Filters(), Links("https://ex.org", "https://ex.org/u"),
                           (start, end), end, national_picture(compare_engine, updates))  # fmt: skip
    html = BeautifulSoup(render_digest_html(context), "lxml")
    cells = html.select("td.national, td.section")
    assert cells[0].get("class") == ["national"]
    block = html.select_one("td.national .block-cpi")
    assert block is not None
    assert " ".join(block.get_text(" ").split()) == (
        "3个城市中2个下调居民消费价格涨幅目标，另有1个持平（中位数2%左右；全国2%左右） "
        "已有3个城市发布2025年报告（共4个）；上年已发布、今年尚未发布：北岭市 "
        "下调 ▼ 3%左右 → 2%左右 ：东山市、南湖市 持平 3%左右 → 3%左右 ：西河市"
    )
