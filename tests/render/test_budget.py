"""The size budget: a digest's HTML part stays under 90 KB and the whole message under 150 KB for any subscriber;
what does not fit moves, by whole documents, to the closing list with its counts."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from bs4 import BeautifulSoup

from monitor.channels.outbox import as_bytes, build_message
from monitor.compare.levels import PROVINCES
from monitor.digest.selection import DigestContext, DocumentUpdate, Filters, Links, StoredChangeIn, build_digest
from monitor.publish.render import HTML_BUDGET, MESSAGE_BUDGET, render_digest

LINKS = Links("https://govmon.example.org", "https://govmon.example.org/unsubscribe?token=1.x")
NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
METRICS = (
    *("经济增长", "一般公共预算收入", "居民消费价格涨幅", "研发经费投入强度", "城镇调查失业率", "城镇新增就业"),
    *("固定资产投资", "社会消费品零售总额", "进出口总额", "单位地区生产总值能耗", "粮食产量", "实际利用外资"),
)
FILLER = "坚持稳中求进工作总基调，完整准确全面贯彻新发展理念，加快构建新发展格局，着力推动高质量发展，"


def _figure(region: str, metric: str, value: float) -> dict[str, Any]:
    raw = f"{value:g}%左右"
    sentence = f"{FILLER}{region}{metric}{raw}，{FILLER}。"
    return {"metric": metric, "value": value, "value_max": None, "unit": "%", "qualifier": "左右", "raw": raw,
            "sentence": sentence, "kind": "level"}  # fmt: skip


def _province(n: int, region: str) -> DocumentUpdate:
    changes = tuple(
        StoredChangeIn(
            "target",
            metric,
            f"m{i}",
            "raised",
            _figure(region, metric, 2 + n / 10 + i),
            _figure(region, metric, 3 + n / 10 + i),
            0.4 + i / 100,
        )
        for i, metric in enumerate(METRICS)
    )
    themes = tuple(
        StoredChangeIn(
            "priority",
            f"主题{k}",
            None,
            "emerging",
            None,
            {"old_count": 0, "new_count": 2, "sentences": [f"{FILLER}主题{k}。"]},
            0.0,
        )
        for k in range(12)
    )
    return DocumentUpdate(
        document_id=n, version_id=n, title=f"2025年{region}政府工作报告", region=region, doc_type="work_report",
        report_year=2025, url=f"https://www.gov{n}.example.cn/2025/report.html", published="2025-02-01",
        is_new_document=True, changed_since_previous_version=False, compared_with=f"2024年{region}政府工作报告",
        compared_year=2024, changes=changes + themes, compared_id=100 + n,
    )  # fmt: skip


def _all_provinces() -> DigestContext:
    updates = [_province(n, region) for n, region in enumerate(PROVINCES, 1)]
    window = (datetime(2025, 1, 1, tzinfo=UTC), NOW)
    return build_digest("analyst@example.org", updates, Filters(), LINKS, window, NOW)


def _message(html: str | None, text: str | None, subject: str) -> bytes:
    return as_bytes(build_message(sender="govmon <digest@govmon.example.org>", to="analyst@example.org",
                                  subject=subject, text=text, html=html, message_id="<k@govmon.example.org>",
                                  unsubscribe_url=LINKS.unsubscribe_url, date=NOW))  # fmt: skip


def test_a_31_province_digest_fits_the_budget_by_whole_documents() -> None:
    ctx = _all_provinces()
    done = render_digest(ctx)
    assert done.html is not None and done.text is not None
    wire = _message(done.html, done.text, done.context.subject)
    assert len(done.html.encode("utf-8")) < HTML_BUDGET and len(wire) < MESSAGE_BUDGET
    parsed = message_from_bytes(wire, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    html = parsed.get_body(("html",))
    assert html is not None and len(html.get_content().encode("utf-8")) < HTML_BUDGET
    kept, dropped = done.context.sections, done.context.also
    assert kept and dropped and len(kept) + len(dropped) == len(PROVINCES)  # every document shown or listed
    page = BeautifulSoup(done.html, "lxml")
    assert len(page.select("td.section")) == len(kept)
    for section in page.select("td.section"):  # no heading without content
        assert section.select("table.change")
    listed = page.select_one("td.also")
    assert listed is not None and all(item.title in listed.get_text() for item in dropped)
    assert "12项变化" in listed.get_text()
    footer = page.select_one("td.more")
    assert footer is not None and f"还有 {done.context.more} 项变化" in footer.get_text()
    assert done.context.more == done.context.total_changes - done.context.shown_changes > 0
    subject = done.context.subject  # subject, summary and footer count alike (the subject, when it has room)
    assert len(subject) <= 40 and ("等" not in subject or f"等{ctx.total_changes}项变化" in subject)
    assert f"{ctx.total_changes} 项目标变化" in page.get_text()


def test_a_digest_within_the_budget_is_left_whole() -> None:
    ctx = build_digest("a@example.org", [_province(1, "上海市")], Filters(), LINKS,
                       (datetime(2025, 1, 1, tzinfo=UTC), NOW), NOW)  # fmt: skip
    done = render_digest(ctx)
    assert done.fits and done.context == ctx and not done.context.also


def test_text_only_and_html_only_digests_fit_too() -> None:
    ctx = _all_provinces()
    for html, text in ((False, True), (True, False)):
        done = render_digest(ctx, html=html, text=text)
        assert len(_message(done.html, done.text, done.context.subject)) < MESSAGE_BUDGET
        assert (done.html is None) is not html and (done.text is None) is not text
