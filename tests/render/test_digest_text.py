"""The plain-text digest against golden files.

To accept a deliberate change of the output, regenerate the files and review the diff before committing:

    GOVMON_UPDATE_GOLDEN=1 .venv/bin/pytest tests/render/test_digest_text.py
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from monitor.digest.selection import DigestContext, Filters
from monitor.publish.render import display_width, render_digest_text, wrap
from tests.render import samples

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("GOVMON_UPDATE_GOLDEN") == "1"

CASES: dict[str, Callable[[], DigestContext]] = {
    "shanghai": samples.shanghai_digest,
    "rd_only": lambda: samples.shanghai_digest(Filters(("上海市",), metrics=("rd_intensity",))),
    "capped": samples.capped_digest,
    "empty": lambda: samples.shanghai_digest(Filters(("北京市",))),
    "hostile": samples.evil_digest,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_text_digest_matches_golden_file(name: str) -> None:
    text = render_digest_text(CASES[name]())
    path = GOLDEN / f"{name}.txt"
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} missing: run with GOVMON_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_text_lines_fit_78_columns_except_long_urls(name: str) -> None:
    for line in render_digest_text(CASES[name]()).splitlines():
        assert display_width(line) <= 78 or "://" in line, line


def test_text_digest_leads_with_the_gdp_change_and_shows_each_with_its_sentence() -> None:
    text = render_digest_text(samples.shanghai_digest())
    changes = text.split("==========", 1)[1]
    assert changes.index("经济增长：5.5%以上 → 5%左右") < changes.index("研发经费投入强度：4.3%左右 → 4.5%左右")
    for line in ("[下调 ▼] 经济增长", "[上调 ▲] 研发经费投入强度", "[删去] 环保投入", "“…全市生产总值增长5%左右…”"):
        assert line in text
    assert f"原文：{samples.SH_URL}" in text
    assert "退订：https://govmon.example.org/u/tok123" in text


def test_metric_subscriber_gets_the_rd_change_alone() -> None:
    text = render_digest_text(samples.shanghai_digest(Filters(("上海市",), metrics=("rd_intensity",))))
    assert "研发经费投入强度：4.3%左右 → 4.5%左右" in text
    assert "经济增长" not in text and "环保投入" not in text


def test_capped_digest_says_how_many_more_are_in_the_archive() -> None:
    ctx = samples.capped_digest()
    assert ctx.more > 0
    assert f"还有 {ctx.more} 项变化未在邮件中列出。" in render_digest_text(ctx)


@pytest.mark.parametrize(
    ("text", "width"),
    [("全市生产总值增长5%左右，地方一般公共预算收入增长5%，城镇调查失业率5%以内。" * 3, 40), ("word " * 40, 30)],
)
def test_wrap_counts_cjk_as_two_columns_and_never_starts_a_line_with_a_comma(text: str, width: int) -> None:
    lines = wrap(text, width, indent="  ").splitlines()
    assert len(lines) > 1
    assert all(display_width(line) <= width and not line.strip().startswith("，") for line in lines)
    assert "".join(line.strip() for line in lines).replace(" ", "") == text.replace(" ", "")
