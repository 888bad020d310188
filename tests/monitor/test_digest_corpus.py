"""Issue 6's acceptance on real reports: Shanghai 2023 and 2024 imported, two subscribers, their digests."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests import corpus
from tests.monitor.cli_helpers import run

pytestmark = pytest.mark.skipif(not corpus.available(), reason="../shared corpus is absent")


def _digests(out: Path) -> dict[str, EmailMessage]:
    found = {}
    for path in sorted(out.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        found[str(message["To"])] = message  # type: ignore[assignment]
    return found


def test_shanghai_2023_to_2024_digests(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'govmon.db'}"
    assert run(capsys, "--db", db, "init").code == 0
    for year in (2023, 2024):
        path = tmp_path / f"上海市{year}.txt"
        path.write_text(corpus.shanghai(year), encoding="utf-8")
        assert run(capsys, "--db", db, "import", str(path), "--region", "上海市", "--year", str(year)).code == 0
    run(capsys, "--db", db, "subscribers", "add", "sh@example.org", "--regions", "上海市", "--format", "text")
    run(capsys, "--db", db, "subscribers", "add", "rd@example.org", "--metrics", "rd_intensity", "--format", "text")
    out = tmp_path / "mail"
    assert run(capsys, "--db", db, "digest", "--out", str(out), "--force").code == 0
    digests = _digests(out)
    assert set(digests) == {"sh@example.org", "rd@example.org"}  # one digest each
    text = digests["sh@example.org"].get_content()
    first = text.index("上海市 · 政府工作报告 · 2024年")  # the 2024 report leads
    # the 2023 report is the baseline of the 2024 one, not news: listed once at the end, with its count
    assert "上海市 · 政府工作报告 · 2023年" not in text
    closing = text.index("另有以下文件")
    assert re.search(r"上海市 · \S*2023\S*（\d+项主要目标，作为2024年报告的对比基准）", text[closing:])
    changes = text[first:closing]
    gdp = changes.index("[下调 ▼] 经济增长：5.5%以上 → 5%左右")
    assert gdp < changes.index("[上调 ▲] 研发经费投入强度：4.3%左右 → 4.5%左右")
    assert gdp < changes.index("[下调 ▼] 一般公共预算收入 增长：5.5% → 5%")  # the measure in the label
    assert "[删去] 环保投入相当于全市生产总值的比例：3%左右 → —" in changes
    assert "“" in changes[gdp:] and "存档：" in changes  # the source sentence, and the link to the archive
    rd = digests["rd@example.org"].get_content()
    assert "4.3%左右 → 4.5%左右" in rd and "5.5%以上" not in rd and "环保投入" not in rd
