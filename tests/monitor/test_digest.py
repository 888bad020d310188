"""Digest selection (pure): filters, ordering, capping, no alert without a meaningful change, cadences."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from monitor.digest import selection as d

NOW = datetime(2024, 1, 24, 9, 0, tzinfo=UTC)
WINDOW = (NOW - timedelta(days=1), NOW)
LINKS = d.Links("https://govmon.example.org/archive", "https://govmon.example.org/unsubscribe?token=1.x")


def fig(metric: str, value: float, unit: str = "%", qualifier: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "metric": metric,
        "value": value,
        "value_max": None,
        "unit": unit,
        "qualifier": qualifier,
        "sentence": f"{metric}{value}{unit}{qualifier or ''}。",
        **extra,
    }


def change(
    key: str | None,
    kind: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    sig: float,
    category: str = "target",
) -> d.StoredChangeIn:
    metric = (new or old or {}).get("metric", key or "")
    return d.StoredChangeIn(category, metric, key, kind, old, new, sig)


GDP = change("gdp_growth", "lowered", fig("经济增长", 5.5, qualifier="以上"), fig("经济增长", 5, qualifier="左右"), 0.8)
RD = change(
    "rd_intensity",
    "raised",
    fig("研发经费投入强度", 4.3, qualifier="左右"),
    fig(
        "研发经费投入强度",
        4.5,
        qualifier="左右",
        ambition={"basis": "achieved", "value": 4.4, "unit": "%", "year": 2023, "delta": 0.1, "sentence": ""},
    ),
    0.7,
)
ENV = change("env_investment", "dropped", fig("环保投入", 3, qualifier="左右"), None, 0.4)
SAME = change(
    "cpi", "unchanged", fig("居民消费价格涨幅", 3, qualifier="左右"), fig("居民消费价格涨幅", 3, qualifier="左右"), 0.2
)
AI = change(
    None,
    "emerging",
    None,
    {"theme": "具身智能", "old_count": 0, "new_count": 2, "sentences": ["培育具身智能等未来产业。"]},
    0.0,
    "priority",
)
AI = replace(AI, metric="具身智能")


def update(
    region: str = "上海市", changes: tuple[d.StoredChangeIn, ...] = (GDP, RD, ENV, SAME, AI), **kw: Any
) -> d.DocumentUpdate:
    fields: dict[str, Any] = {
        "document_id": 7,
        "version_id": 9,
        "title": "2024年上海市政府工作报告",
        "region": region,
        "doc_type": "work_report",
        "report_year": 2024,
        "url": "https://www.shanghai.gov.cn/a/t20240125_1.html",
        "published": "2024-01-25",
        "is_new_document": True,
        "changed_since_previous_version": False,
        "compared_with": "2023年上海市政府工作报告",
        "compared_year": 2023,
        "changes": changes,
    }
    fields.update(kw)
    return d.DocumentUpdate(**fields)


def build(updates: list[d.DocumentUpdate], filters: d.Filters | None = None) -> d.DigestContext:
    return d.build_digest("a@example.org", updates, filters or d.Filters(), LINKS, WINDOW, NOW)


def test_region_subscriber_gets_headline_changes_first() -> None:
    ctx = build([update()], d.Filters(regions=("上海市",)))
    (section,) = ctx.sections
    assert [c.metric_key for c in section.changes] == ["gdp_growth", "rd_intensity", "env_investment"]
    gdp = section.changes[0]
    assert (gdp.label, gdp.arrow, gdp.headline) == ("下调 ▼", "5.5%以上 → 5%左右", True)
    assert gdp.sentence == "经济增长5%左右。"
    assert section.changes[1].baseline == "2023年实际 4.4%"
    assert section.changes[2].arrow == "3%左右 → —" and section.changes[2].sentence == "环保投入3%左右。"
    assert section.unchanged == 1 and section.archive_url.endswith("/documents/7.html")
    assert [p.theme for p in section.priorities] == ["具身智能"]
    assert ctx.subject.startswith("govmon：上海市 2024年上海市政府工作报告：经济增长 5.5%以上 → 5%左右")
    assert "另有2项变化" in ctx.subject


def test_metric_subscriber_gets_that_change_alone() -> None:
    (section,) = build([update()], d.Filters(metrics=("rd_intensity",))).sections
    assert [c.metric_key for c in section.changes] == ["rd_intensity"] and section.priorities == ()


def test_theme_subscriber_gets_the_priority_and_changes_mentioning_it() -> None:
    mentions = change(None, "new", None, fig("具身智能产业规模", 500, unit="亿元"), 0.3)
    (section,) = build([update(changes=(GDP, AI, mentions))], d.Filters(themes=("具身智能",))).sections
    assert [p.theme for p in section.priorities] == ["具身智能"]
    assert [c.metric for c in section.changes] == ["具身智能产业规模"]


def test_other_regions_and_doc_types_are_filtered_out() -> None:
    assert build([update(region="北京市")], d.Filters(regions=("上海市",))).empty
    assert build([update()], d.Filters(doc_types=("plan",))).empty


def test_changed_page_without_new_figures_alerts_nobody() -> None:
    repost = update(is_new_document=False, changed_since_previous_version=False)
    assert build([repost]).empty
    real = update(is_new_document=False, changed_since_previous_version=True)
    assert not build([real]).empty


def test_new_document_without_prior_year_lists_its_headline_targets() -> None:
    first = update(
        compared_with=None,
        compared_year=None,
        changes=(),
        headline_targets=(fig("经济增长", 5, qualifier="左右", metric_key="gdp_growth"),),
    )
    (section,) = build([first]).sections
    assert [(c.label, c.arrow) for c in section.changes] == [("新增", "— → 5%左右")]
    assert "暂无上一年度" in section.status_line


def test_digest_is_capped_and_counts_the_rest() -> None:
    many = tuple(change(f"m{i}", "raised", fig(f"指标{i}", i), fig(f"指标{i}", i + 1), 0.5) for i in range(30))
    ctx = build([update(document_id=i, changes=many) for i in range(3)])
    assert ctx.shown_changes == d.MAX_CHANGES and ctx.total_changes == 90
    assert ctx.sections[0].hidden == 30 - d.MAX_CHANGES_PER_DOCUMENT


def test_sections_ordered_by_their_most_significant_change() -> None:
    minor = update(region="北京市", document_id=1, changes=(ENV,))
    ctx = build([minor, update()])
    assert [s.region for s in ctx.sections] == ["上海市", "北京市"]


@pytest.mark.parametrize(
    ("cadence", "last", "now", "expected"),
    [
        ("immediate", NOW, NOW, True),
        ("daily", None, NOW.replace(hour=7), False),
        ("daily", None, NOW.replace(hour=8), True),
        ("daily", NOW.replace(hour=8), NOW.replace(hour=20), False),
        ("daily", NOW.replace(hour=8) - timedelta(days=1), NOW.replace(hour=8, minute=5), True),
        ("weekly", datetime(2024, 1, 22, 8, 30, tzinfo=UTC), datetime(2024, 1, 28, 23, 0, tzinfo=UTC), False),
        ("weekly", datetime(2024, 1, 22, 8, 30, tzinfo=UTC), datetime(2024, 1, 29, 8, 1, tzinfo=UTC), True),
    ],
)
def test_cadence(cadence: str, last: datetime | None, now: datetime, expected: bool) -> None:
    assert d.due(cadence, last, now, hour=8) is expected


def test_content_key_ignores_render_time_but_not_content() -> None:
    a = build([update()])
    b = d.build_digest("a@example.org", [update()], d.Filters(), LINKS, WINDOW, NOW + timedelta(hours=1))
    assert d.content_key(1, WINDOW[0], a) == d.content_key(1, WINDOW[0], b)
    c = build([update(changes=(GDP,))])
    assert d.content_key(1, WINDOW[0], a) != d.content_key(1, WINDOW[0], c)
