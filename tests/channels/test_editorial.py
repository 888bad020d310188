"""Chat and webhook messages carry what the e-mail digest carries, within each platform's limit.

One synthetic digest covers all 31 provinces and the national report: identical CPI moves in a dozen provinces
(one grouped line), a GDP move and two more changes with long sentences each, five provinces with no prior year
(本年主要目标), more changes than the cap allows (a closing list of documents left out), and a few figures with
four-byte characters near the cuts. The sentences are our own; the figures are invented.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from monitor.channels import dingtalk, feishu, webhook, wecom
from monitor.channels.base import Payload
from monitor.channels.chat import DINGTALK, LARK_MD, WECOM, Dialect
from monitor.channels.pages import pages
from monitor.digest.selection import DigestContext, DocumentUpdate, Filters, Links, StoredChangeIn, build_digest
from monitor.vocabulary import PROVINCES
from tests.channels.samples import dingtalk_text, feishu_text, wecom_text

LINKS = Links(archive_base="https://govmon.example.org/archive", unsubscribe_url="https://govmon.example.org/u/t9")
WINDOW = (datetime(2025, 3, 1, 8, 0), datetime(2025, 3, 2, 8, 0))
NOW = datetime(2025, 3, 2, 8, 5)
KEY = "a1b2" * 16
LONG = "坚持稳中求进，统筹发展和安全，扎实推进高质量发展，加快建设现代化产业体系，更好统筹质的有效提升和量的合理增长，"
RARE = "𠀋𡈽"  # four bytes each in UTF-8, a surrogate pair in UTF-16: a cut must never split one
NO_PRIOR = frozenset(PROVINCES[-5:])
CPI_MOVERS = frozenset(PROVINCES[:12])


def fig(value: float, qualifier: str | None, sentence: str, unit: str = "%", **extra: Any) -> dict[str, Any]:
    raw = f"{value:g}{unit}{qualifier or ''}"
    return {"value": value, "value_max": None, "unit": unit, "qualifier": qualifier, "kind": "growth",
            "status": "target", "sentence": sentence, "raw": raw, "headline": True, **extra}  # fmt: skip


def moved(key: str, metric: str, kind: str, old: dict[str, Any], new: dict[str, Any], weight: float) -> StoredChangeIn:
    return StoredChangeIn("target", metric, key, kind, old, new, weight)


def province(n: int, region: str) -> DocumentUpdate:
    said = f"{LONG * 2}{region}{RARE}"
    last = 5.5 + n / 100
    changes = [
        moved("gdp_growth", "经济增长", "lowered", fig(last, "以上", f"{said}经济增长{last:g}%以上。"),
              fig(5, "左右", f"{said}经济增长5%左右。"), 0.95),
        moved(f"industry_{n}", f"{RARE}工业增加值{n}", "raised", fig(6, "左右", f"{said}工业增加值增长6%左右。"),
              fig(7, "左右", f"{said}工业增加值增长7%左右。"), 0.4),
        moved(f"retail_{n}", "社会消费品零售总额", "raised", fig(5, None, f"{said}社会消费品零售总额增长5%。"),
              fig(6, None, f"{said}社会消费品零售总额增长6%。"), 0.35),
    ]  # fmt: skip
    if region in CPI_MOVERS:
        changes.append(moved("cpi", "居民消费价格涨幅", "lowered", fig(3, "左右", f"{said}居民消费价格涨幅3%左右。"),
                             fig(2, "左右", f"{said}居民消费价格涨幅2%左右。"), 0.9))  # fmt: skip
    fields: dict[str, Any] = {
        "document_id": 100 + n, "version_id": 100 + n, "title": f"2025年{region}政府工作报告", "region": region,
        "doc_type": "work_report", "report_year": 2025, "url": f"https://www.gov{n}.example.cn/2025/report.html",
        "published": "2025-03-01", "is_new_document": True, "changed_since_previous_version": True,
        "compared_with": f"2024年{region}政府工作报告", "compared_year": 2024, "changes": tuple(changes),
    }  # fmt: skip
    if region in NO_PRIOR:
        goals = (fig(5, "左右", "经济增长5%左右。", metric="经济增长", metric_key="gdp_growth"),
                 fig(2, "左右", "居民消费价格涨幅2%左右。", metric="居民消费价格涨幅", metric_key="cpi"),
                 fig(5.5, "左右", "城镇调查失业率5.5%左右。", metric="城镇调查失业率",
                     metric_key="surveyed_unemployment", kind="share"))  # fmt: skip
        fields |= {"compared_with": None, "compared_year": None, "changes": (), "headline_targets": goals}
    return DocumentUpdate(**fields)


def nation() -> DocumentUpdate:
    said = "今年财政赤字率拟按4%左右安排，比上年提高1个百分点。"
    deficit = moved("deficit_ratio", "赤字率", "raised", fig(3, None, "赤字率拟按3%安排。", kind="share"),
                    fig(4, "左右", said, kind="share"), 0.95)  # fmt: skip
    return DocumentUpdate(1, 1, "2025年国务院政府工作报告", "全国", "work_report", 2025,
                          "https://www.gov.example.cn/2025/zfgzbg.html", "2025-03-01", True, True,
                          "2024年国务院政府工作报告", 2024, (deficit,))  # fmt: skip


def provinces_digest() -> DigestContext:
    updates = [nation(), *(province(n, region) for n, region in enumerate(PROVINCES, 1))]
    return build_digest("group", updates, Filters(), LINKS, WINDOW, NOW)


def baseline_digest() -> DigestContext:
    return build_digest("group", [province(31, PROVINCES[-1])], Filters(), LINKS, WINDOW, NOW)


# --- each platform: how to read its text back, and its documented limit ---


def wecom_within(p: Payload) -> bool:
    return len(wecom_text(p).encode("utf-8")) <= 4096  # markdown content, UTF-8 bytes


def dingtalk_within(p: Payload) -> bool:
    message = json.loads(p.body)["markdown"]
    text = message["text"]
    units = len(text.encode("utf-16-le")) // 2
    title = len(message["title"].encode("utf-16-le")) // 2
    return units <= 4000 and len(text.encode("utf-8")) <= 20_000 and title <= 64


def feishu_within(p: Payload) -> bool:
    return len(feishu.signed_body(p.body, "S" * 40, 1_767_225_600)) <= 20_000  # the signed request body


@dataclass(frozen=True)
class Platform:
    name: str
    render: Callable[[DigestContext, str], list[Payload]]
    text: Callable[[Payload], str]
    within: Callable[[Payload], bool]


PLATFORMS = [
    Platform("wecom", wecom.render, wecom_text, wecom_within),
    Platform("dingtalk", dingtalk.render, dingtalk_text, dingtalk_within),
    Platform("feishu", feishu.render, feishu_text, feishu_within),
]
each_platform = pytest.mark.parametrize("p", PLATFORMS, ids=lambda p: p.name)


def test_the_synthetic_digest_is_what_the_tests_need() -> None:
    ctx = provinces_digest()
    assert ctx.summary is not None and len(ctx.summary.top) == 3
    assert [g.metric_key for g in ctx.groups] == ["cpi"] and len(ctx.groups[0].regions) == len(CPI_MOVERS)
    assert ctx.also and ctx.more > 0  # the cap is hit
    assert ctx.sections[0].region == "全国"


@each_platform
def test_31_provinces_fit_the_platform_limit(p: Platform) -> None:
    payloads = p.render(provinces_digest(), KEY)
    assert 1 <= len(payloads) <= 5
    assert all(p.within(payload) for payload in payloads)
    assert [(x.part, x.parts) for x in payloads] == [(i, len(payloads)) for i in range(1, len(payloads) + 1)]


@each_platform
def test_the_summary_opens_the_first_message(p: Platform) -> None:
    ctx = provinces_digest()
    assert ctx.summary is not None
    first = p.text(p.render(ctx, KEY)[0])
    assert ctx.summary.counts in first and "最重要的变化" in first
    assert all(top in first for top in ctx.summary.top)
    assert "全国 赤字率 3%→4%左右" in first.split("最重要的变化")[1]  # the nation's move leads
    assert "▲ 上调 ▼ 下调" in first  # the legend of the marks
    assert first.index(ctx.summary.counts) < first.index("最重要的变化")


@each_platform
def test_identical_moves_are_one_line(p: Platform) -> None:
    ctx = provinces_digest()
    body = "\n".join(p.text(x) for x in p.render(ctx, KEY))
    lines = [line for line in body.split("\n") if "居民消费价格涨幅" in line and "3%左右 → 2%左右" in line]
    assert len(lines) == 1, lines
    assert f"（{len(CPI_MOVERS)}地）" in lines[0] and PROVINCES[0] in lines[0]


@each_platform
def test_left_out_is_said_with_a_link_to_the_archive(p: Platform) -> None:
    ctx = provinces_digest()
    body = "\n".join(p.text(x) for x in p.render(ctx, KEY))
    assert "](https://govmon.example.org/archive)" in body
    shown_documents = re.findall(r"\]\(https://govmon\.example\.org/archive/documents/(\d+)\.html\)", body)
    counted = re.search(r"另有 (\d+) 份文件", body)
    if counted:  # the one-message summary: every document listed or counted
        assert len(set(shown_documents)) + int(counted.group(1)) >= len(ctx.sections) + len(ctx.also)
    else:  # the whole digest: the closing list names each document left out, with its archive page
        assert "另有以下文件（未在消息中展开）" in body
        assert all(a.archive_url in body for a in ctx.also)
        assert f"还有 {ctx.more} 项变化未在消息中列出" in body


@each_platform
def test_a_document_without_a_prior_year_is_a_goals_line_not_a_list_of_new(p: Platform) -> None:
    ctx = baseline_digest()
    [payload] = p.render(ctx, KEY)
    body = p.text(payload)
    assert "**本年主要目标**：经济增长 5%左右；居民消费价格涨幅 2%左右；城镇调查失业率 5.5%左右" in body
    assert "新增" not in body and "— →" not in body


@pytest.mark.parametrize("p", PLATFORMS, ids=lambda p: p.name)
def test_cuts_are_whole_lines_and_whole_characters(p: Platform) -> None:
    ctx = provinces_digest()
    figures = {f"{c.old} → {c.new}" for s in ctx.sections for c in s.changes}
    figures |= {f"{g.old} → {g.new}" for g in ctx.groups}
    for payload in p.render(ctx, KEY):
        payload.body.decode("utf-8")  # strict: a split character would fail here
        text = p.text(payload)
        assert "\ufffd" not in text and not re.search("[\ud800-\udfff]", text)
        assert RARE in text or "𠀋" not in text  # the pair of rare characters is never halved
        for line in (x.rstrip() for x in text.split("\n")):
            if "→" in line and "**【" in line:  # a figure line: its arrow is whole
                arrow = re.search(r"：(\S+ → \S+?)(?:（|$)", line)
                assert arrow and arrow.group(1) in figures, line
        assert not text.rstrip().endswith(("[", "](", "**", "（"))


# --- the generic webhook: the same content as data ---


def webhook_data(ctx: DigestContext) -> list[dict[str, Any]]:
    return [json.loads(x.body) for x in webhook.render(ctx, KEY)]


@pytest.mark.parametrize(
    ("field", "check"),
    [
        ("schema", lambda v, ctx: v == "govmon.digest.v1"),
        ("summary", lambda v, ctx: v["counts"] == ctx.summary.counts and v["top"] == list(ctx.summary.top)),
        ("legend", lambda v, ctx: "▲" in v and "▼" in v),
        ("groups", lambda v, ctx: [(g["metric_key"], g["old"], g["new"], len(g["regions"])) for g in v]
         == [("cpi", "3%左右", "2%左右", len(CPI_MOVERS))]),
        ("also", lambda v, ctx: [a["archive_url"] for a in v] == [a.archive_url for a in ctx.also] and v),
        ("also_changes", lambda v, ctx: v == ctx.also_changes),
        ("more", lambda v, ctx: v == ctx.more > 0),
        ("total_changes", lambda v, ctx: v == ctx.total_changes),
    ],
    ids=lambda x: x if isinstance(x, str) else "",
)  # fmt: skip
def test_webhook_carries_the_summary_and_groups_as_data(field: str, check: Callable[[Any, Any], bool]) -> None:
    ctx = provinces_digest()
    parts = webhook_data(ctx)
    assert all(check(part[field], ctx) for part in parts), field


def test_webhook_keeps_its_documented_fields_and_adds_the_new_ones() -> None:
    ctx = provinces_digest()
    [data] = webhook_data(ctx)
    assert set(data) >= {"schema", "delivery_id", "part", "parts", "subject", "window", "generated_at", "follows",
                         "archive_url", "unsubscribe_url", "total_changes", "shown_changes", "more",
                         "documents"}  # fmt: skip
    document = data["documents"][0]
    assert set(document) >= {"document_id", "title", "region", "doc_type", "doc_type_label", "report_year",
                             "published", "url", "archive_url", "status", "unchanged", "hidden", "changes",
                             "priorities", "goals", "steady", "in_groups", "in_national", "notes",
                             "tier"}  # fmt: skip
    change = document["changes"][0]
    assert set(change) >= {"metric", "metric_key", "change", "label", "old", "new", "arrow", "baseline", "headline",
                           "significance", "excerpt", "sentence", "old_sentence"}  # fmt: skip
    assert (document["region"], change["metric_key"], change["arrow"]) == ("全国", "deficit_ratio", "3% → 4%左右")
    grouped = [d for d in data["documents"] if d["region"] in CPI_MOVERS]
    assert grouped and all(d["in_groups"] == 1 and "cpi" not in [c["metric_key"] for c in d["changes"]]
                           for d in grouped)  # fmt: skip


def test_webhook_baseline_document_carries_its_goals_table() -> None:
    [data] = webhook_data(baseline_digest())
    [document] = data["documents"]
    assert document["changes"] == []
    assert [(g["metric"], g["figure"]) for g in document["goals"]] == [
        ("经济增长", "5%左右"), ("居民消费价格涨幅", "2%左右"), ("城镇调查失业率", "5.5%左右")]  # fmt: skip


def test_webhook_split_repeats_the_summary_in_every_part(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhook, "MAX_BYTES", 48_000)
    ctx = provinces_digest()
    parts = webhook_data(ctx)
    assert len(parts) > 1 and all(len(json.dumps(x, ensure_ascii=False).encode()) <= 48_000 for x in parts)
    assert all(x["summary"]["counts"] == ctx.summary.counts and x["groups"] for x in parts)  # type: ignore[union-attr]
    assert [d["document_id"] for x in parts for d in x["documents"]] == [s.document_id for s in ctx.sections]


def pictured_digest() -> DigestContext:
    """The 31 provinces with the national picture of their GDP targets (as the comparison tables would give it)."""
    from monitor.digest.national import MoveGroup, NationalBlock

    regions = tuple(r for r in PROVINCES if r not in NO_PRIOR)
    move = MoveGroup("lowered", "下调 ▼", "5.5%以上", "5%左右", regions)
    block = NationalBlock(2025, "province", "经济增长", "gdp_growth", f"{len(regions)}个省份下调经济增长目标",
                          "lowered", f"{len(regions)}个省份下调经济增长目标，中位数5%左右",
                          "已有31个省份发布2025年报告（共31个）", (move,), frozenset(PROVINCES))  # fmt: skip
    updates = [nation(), *(province(n, region) for n, region in enumerate(PROVINCES, 1))]
    return build_digest("group", updates, Filters(), LINKS, WINDOW, NOW, national=[block])


@each_platform
def test_the_national_picture_precedes_the_provinces(p: Platform) -> None:
    ctx = pictured_digest()
    assert ctx.national
    payloads = p.render(ctx, KEY)
    assert all(p.within(x) for x in payloads)
    body = "\n".join(p.text(x) for x in payloads)
    assert "全国概览" in body and ctx.national[0].headline in body
    assert body.index("全国概览") < body.index("2025年北京市政府工作报告")
    assert sum("5.5%以上 → 5%左右" in line for line in body.split("\n")) == 1  # one line for all the regions


def test_webhook_carries_the_national_picture() -> None:
    [data] = webhook_data(pictured_digest())
    [block] = data["national"]
    assert block["metric_key"] == "gdp_growth" and block["moves"][0]["old"] == "5.5%以上"
    assert len(block["moves"][0]["regions"]) == 26


@pytest.mark.parametrize(("dialect", "limit"), [(WECOM, 4096), (DINGTALK, 4000), (LARK_MD, 6000)],
                         ids=["wecom", "dingtalk", "feishu"])  # fmt: skip
def test_the_one_message_summary_opens_with_the_summary_and_groups(dialect: Dialect, limit: int) -> None:
    """When the digest would take more than the messages a group tolerates, one message goes instead."""
    ctx = provinces_digest()
    assert ctx.summary is not None

    def fits(texts: list[str]) -> bool:
        return len("\n\n".join(texts).encode("utf-8")) <= limit

    [texts] = pages(ctx, dialect, fits, max_parts=1)
    text = "\n\n".join(texts)
    assert fits(texts) and "仅列摘要" in text
    assert ctx.summary.counts in text and all(top in text for top in ctx.summary.top)
    assert text.index(ctx.summary.counts) < text.index("3%左右 → 2%左右（12地）")
    listed = set(re.findall(r"/documents/(\d+)\.html", text))
    rest = re.search(r"另有 (\d+) 份文件", text)
    assert len(listed) + (int(rest.group(1)) if rest else 0) == len(ctx.sections) + len(ctx.also)
    assert rest or limit > 4096  # the smaller limits cut the list and count the rest
    assert "[查看存档](https://govmon.example.org/archive)" in texts[-1]


def test_dingtalk_title_counts_rare_characters_twice() -> None:
    """钉钉 counts UTF-16 code units: a title of four-byte characters is cut to 64 units, whole characters."""
    from dataclasses import replace

    ctx = replace(baseline_digest(), subject=RARE * 40)
    [payload] = dingtalk.render(ctx, KEY)
    title = json.loads(payload.body)["markdown"]["title"]
    assert len(title.encode("utf-16-le")) // 2 <= 64 and title.endswith("…")
    assert title.rstrip("…") == RARE * (len(title.rstrip("…")) // 2)  # no half of a pair


def test_the_one_message_summary_keeps_the_national_picture_lead() -> None:
    ctx = pictured_digest()

    def fits(texts: list[str]) -> bool:
        return len("\n\n".join(texts).encode("utf-8")) <= 4096

    [texts] = pages(ctx, WECOM, fits, max_parts=1)
    text = "\n\n".join(texts)
    assert "全国概览" in text and ctx.national[0].headline in text
    assert text.index("全国概览") < text.index("多地相同调整") < text.index("2025年北京市政府工作报告")


def test_a_list_continued_in_the_next_message_says_so_once() -> None:
    payloads = wecom.render(provinces_digest(), KEY)
    bodies = [wecom_text(p) for p in payloads]
    continued = [line for body in bodies[1:] for line in body.split("\n") if line.endswith("（续）")]
    assert "### 另有以下文件（续）" in continued and all(line.count("（") == 1 for line in continued)
