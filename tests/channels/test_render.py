"""Rendering for each medium, without a network: limits, splitting, summaries, escaping, the stored form."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from monitor.channels import dingtalk, feishu, webhook, wecom
from monitor.channels.base import Payload, mask_url
from monitor.channels.chat import WECOM
from monitor.channels.pages import pages
from monitor.digest.selection import DigestContext
from tests.channels.samples import INJECTIONS, dingtalk_text, feishu_text, hostile_digest, long_digest, wecom_text
from tests.render.samples import capped_digest, shanghai_digest

KEY = "5f0c" * 16


def wecom_ok(p: Payload) -> bool:
    return len(wecom_text(p).encode("utf-8")) <= 4096


def dingtalk_ok(p: Payload) -> bool:
    message = json.loads(p.body)["markdown"]
    return len(message["text"].encode("utf-16-le")) // 2 <= 4000 and len(message["title"]) <= 64


def feishu_ok(p: Payload) -> bool:
    return len(feishu.signed_body(p.body, "S" * 40, int(time.time()))) <= 20_000


@dataclass(frozen=True)
class Medium:
    name: str
    render: Callable[[DigestContext, str], list[Payload]]
    text: Callable[[Payload], str]
    ok: Callable[[Payload], bool]  # within the medium's documented limit
    splits: tuple[int, int, int]  # a long_digest that needs two to five messages here


MEDIA = [
    Medium("wecom", wecom.render, wecom_text, wecom_ok, (8, 2, 2)),
    Medium("dingtalk", dingtalk.render, dingtalk_text, dingtalk_ok, (12, 2, 4)),
    Medium("feishu", feishu.render, feishu_text, feishu_ok, (30, 1, 4)),
]
each_medium = pytest.mark.parametrize("m", MEDIA, ids=lambda m: m.name)


def figure_lines(ctx: DigestContext) -> list[str]:
    return [f"**【{c.label}】{c.metric}**：{c.arrow}" for s in ctx.sections for c in s.changes]


@each_medium
def test_a_short_digest_is_one_message_without_a_part_marker(m: Medium) -> None:
    ctx = shanghai_digest()
    [payload] = m.render(ctx, KEY)
    body = m.text(payload)
    assert m.ok(payload) and payload.channel == m.name and (payload.part, payload.parts) == (1, 1)
    assert "（1/1）" not in body
    assert all(line in body for line in figure_lines(ctx))
    assert "2024年上海市政府工作报告" in body and "[原文](https://www.shanghai.gov.cn/" in body
    assert "5.5%以上 → 5%左右" in body and "[查看存档](https://govmon.example.org/archive)" in body


@each_medium
def test_a_long_digest_is_split_within_the_limit_and_no_figure_is_cut(m: Medium) -> None:
    ctx = long_digest(*m.splits)
    payloads = m.render(ctx, KEY)
    n = len(payloads)
    assert 1 < n <= 5
    assert all(m.ok(p) for p in payloads)
    bodies = [m.text(p) for p in payloads]
    assert [(p.part, p.parts) for p in payloads] == [(i, n) for i in range(1, n + 1)]
    assert all(f"（{i}/{n}）" in body for i, body in enumerate(bodies, 1))
    for line in figure_lines(ctx):  # every figure whole, in exactly one message, with its source link
        assert sum(body.count(line) for body in bodies) == 1, line
    assert any("（续）" in body for body in bodies[1:])  # a document split between messages says so
    assert "[查看存档](https://govmon.example.org/archive)" in bodies[-1]


@each_medium
def test_a_digest_needing_too_many_messages_becomes_one_summary(m: Medium) -> None:
    ctx = long_digest(40, 1, 30)
    [payload] = m.render(ctx, KEY)
    body = m.text(payload)
    assert m.ok(payload)
    assert "仅列摘要" in body and "本期 40 份文件（新发布 40 份），40 项目标变化。" in body
    assert "[查看存档](https://govmon.example.org/archive)" in body
    assert "示例1市" in body and "**指标1-0** 4%左右 → 5%左右" in body  # the leading figure of the first document
    assert re.search(r"另有 \d+ 份文件，见存档", body) or "示例40市" in body


def test_the_summary_lists_as_many_documents_as_fit_and_counts_the_rest() -> None:
    ctx = long_digest(12, 1, 1)

    def fits(texts: list[str]) -> bool:
        return len("\n\n".join(texts).encode("utf-8")) <= 900

    [summary] = pages(ctx, WECOM, fits, max_parts=1)
    text = "\n\n".join(summary)
    listed = re.findall(r"^· 示例(\d+)市 ", text, re.MULTILINE)
    rest = re.search(r"另有 (\d+) 份文件", text)
    assert listed and rest and len(listed) + int(rest.group(1)) == 12
    assert len(text.encode("utf-8")) <= 900
    assert summary[-1].startswith("[查看存档](https://govmon.example.org/archive) · 生成于")  # the footer closes it


def test_a_block_too_long_even_alone_is_sent_in_its_short_form() -> None:
    ctx = long_digest(1, 1, 80)  # one sentence of ~4,000 characters
    [payload] = wecom.render(ctx, KEY)
    body = wecom_text(payload)
    assert wecom_ok(payload)
    assert figure_lines(ctx)[0] in body and "…" in body


@each_medium
def test_hostile_scraped_strings_cannot_change_the_message(m: Medium) -> None:
    payloads = m.render(hostile_digest(), KEY)
    body = "\n".join(m.text(p) for p in payloads)
    for injection in INJECTIONS:
        assert injection not in body, injection
    assert "](https://evil" not in body and "<at" not in body and "\u202e" not in body
    assert "\n# 假标题" not in body and "\n> 假引用" not in body and "\n### 假" not in body
    assert "＊＊粗体＊＊" in body and "［点我］" in body and "＜font color=" in body  # shown, as text
    assert "https://www.example.gov.cn/a%29b[c]%3Cd%3E.html" in body  # the link cannot be closed early
    assert "javascript:" not in body  # no link from a non-web URL; the title stays as text
    assert "**【上调 ▲】" in body  # our own markup survives


def test_stored_payload_round_trips_and_garbage_is_refused() -> None:
    [payload] = wecom.render(shanghai_digest(), KEY)
    assert Payload.loads(payload.dumps()) == payload
    with pytest.raises(ValueError, match="not a stored channel payload"):
        Payload.loads(b"From: someone\r\n\r\nan e-mail")
    with pytest.raises(ValueError, match="payload version"):
        Payload.loads(json.dumps({"v": 99}).encode())


def test_delivery_ids_are_stable_per_part_and_distinct_between_parts() -> None:
    ctx = long_digest(8, 2, 2)
    first, again = wecom.render(ctx, KEY), wecom.render(ctx, KEY)
    ids = [p.delivery_id for p in first]
    assert ids == [p.delivery_id for p in again] and len(set(ids)) == len(ids)
    assert [p.delivery_id for p in wecom.render(ctx, "another" * 8)] != ids


def test_dingtalk_title_keeps_the_part_marker_within_64_characters() -> None:
    payloads = dingtalk.render(long_digest(12, 2, 3), KEY)
    titles = [json.loads(p.body)["markdown"]["title"] for p in payloads]
    assert all(len(t) <= 64 and t.endswith(f"（{i}/{len(titles)}）") for i, t in enumerate(titles, 1))


def test_empty_digest_says_there_is_nothing_new() -> None:
    ctx = shanghai_digest(region="北京市")  # the subscriber follows 上海市
    assert ctx.empty
    [payload] = wecom.render(ctx, KEY)
    assert "没有新的目标变化" in wecom_text(payload)


def test_webhook_body_has_the_documented_schema_and_raw_strings() -> None:
    ctx = capped_digest()
    [payload] = webhook.render(ctx, KEY)
    data = json.loads(payload.body)
    assert data["schema"] == "govmon.digest.v1" and data["delivery_id"] == payload.delivery_id
    assert (data["part"], data["parts"], data["more"]) == (1, 1, ctx.more)
    doc = data["documents"][0]
    assert doc["title"] == "2024年上海市政府工作报告" and doc["url"].startswith("https://www.shanghai.gov.cn/")
    gdp = doc["changes"][0]
    assert (gdp["change"], gdp["old"], gdp["new"]) == ("lowered", "5.5%以上", "5%左右")
    assert gdp["arrow"] == "5.5%以上 → 5%左右"
    assert set(gdp) >= {"metric", "metric_key", "label", "baseline", "headline", "excerpt", "sentence"}
    evil = json.loads(webhook.render(hostile_digest(), KEY)[0].body)
    assert any(d["title"].startswith("报告**粗体**") for d in evil["documents"])  # data: the receiver escapes


def test_webhook_splits_between_documents_when_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhook, "MAX_BYTES", 14_000)
    ctx = long_digest(8, 2, 2)
    payloads = webhook.render(ctx, KEY)
    assert len(payloads) > 1 and all(len(p.body) <= 14_000 for p in payloads)
    documents = [d["document_id"] for p in payloads for d in json.loads(p.body)["documents"]]
    assert documents == [s.document_id for s in ctx.sections]


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx",
         "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***"),
        ("https://oapi.dingtalk.com/robot/send?access_token=abc123def",
         "https://oapi.dingtalk.com/robot/send?access_token=***"),
        ("https://open.feishu.cn/open-apis/bot/v2/hook/5e3d587e-d78e-4a07", "https://open.feishu.cn/open-apis/bot/v2/hook/***"),
        ("https://user:pw@hooks.example.org:8443/t/AbCdEf0123456789", "https://***@hooks.example.org:8443/t/***"),
        ("not a url at all", "***"),
    ],
)  # fmt: skip
def test_mask_url_hides_every_credential(url: str, masked: str) -> None:
    assert mask_url(url) == masked
