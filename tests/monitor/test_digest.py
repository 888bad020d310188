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
    assert section.steady == "居民消费价格涨幅 3%左右" and section.unchanged == 0  # a headline target kept
    assert section.archive_url.endswith("/documents/7.html")
    assert [p.theme for p in section.priorities] == ["具身智能"]
    assert ctx.subject == "govmon · 上海：经济增长 5.5%以上→5%左右 等3项变化"
    assert ctx.total_changes == 3 and ctx.summary is not None and "3 项目标变化" in ctx.summary.counts


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
    assert section.changes == () and [(g.metric, g.figure) for g in section.goals] == [("经济增长", "5%左右")]
    assert "无上一年度文件可对比" in section.status_line


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


def test_content_key_is_the_hash_of_subscriber_window_and_content_however_often_it_is_asked() -> None:
    import hashlib

    def spelled_out(subscriber_id: int, ctx: d.DigestContext) -> str:  # the key as earlier versions computed it
        said = (ctx.sections, ctx.national) if ctx.national else ctx.sections
        return hashlib.sha256(repr((subscriber_id, WINDOW[0].isoformat(), said)).encode("utf-8")).hexdigest()

    a = build([update()])
    copy = d.personal(a, "b@example.org", LINKS)  # another subscriber's copy shares the sections
    rebuilt = build([update()])  # equal content, other objects
    block = d.NationalBlock(2024, "province", "经济增长", "gdp_growth", "12个省份中9个下调", "lowered", "", "", ())
    with_national = replace(a, national=(block,))
    for subscriber_id, ctx in [(1, a), (2, copy), (1, a), (3, rebuilt), (4, with_national), (4, with_national)]:
        assert d.content_key(subscriber_id, WINDOW[0], ctx) == spelled_out(subscriber_id, ctx)


# --- editorial order, baselines, the cap -----------------------------------------------------------------------

DEFICIT = change("deficit_ratio", "raised", fig("赤字率", 3), fig("赤字率", 4, qualifier="左右"), 0.6)
CPI_DOWN = change(
    "cpi", "lowered", fig("居民消费价格涨幅", 3, qualifier="左右"), fig("居民消费价格涨幅", 2, qualifier="左右"), 0.7
)


def test_the_nation_leads_then_provinces_then_cities_and_bureaus() -> None:
    bureau = update(region="示例市", document_id=3, doc_type="plan", title="示例市科学技术局2024年工作要点",
                    changes=(GDP,))  # fmt: skip
    city = update(region="示例市", document_id=4, title="2024年示例市政府工作报告", changes=(ENV,))
    province = update(region="上海市", document_id=2, changes=(GDP, RD))
    nation = update(region="全国", document_id=1, title="2024年政府工作报告", changes=(DEFICIT,))
    ctx = build([bureau, city, province, nation])
    assert [s.document_id for s in ctx.sections] == [1, 2, 4, 3]  # the bureau's bigger change does not jump ahead
    assert ctx.subject == "govmon · 全国：赤字率 3%→4%左右 等5项变化" and len(ctx.subject) < 40
    assert ctx.summary is not None and ctx.summary.top[0] == "全国 赤字率 3%→4%左右"
    assert ctx.preheader.startswith("全国 赤字率 3%→4%左右；")


def test_within_a_tier_the_weightiest_change_leads() -> None:
    minor = update(region="北京市", document_id=1, changes=(ENV,))
    ctx = build([minor, update()])
    assert [s.region for s in ctx.sections] == ["上海市", "北京市"]
    assert [c.metric_key for c in ctx.sections[0].changes][:2] == ["gdp_growth", "rd_intensity"]


def test_the_subject_stays_under_40_characters() -> None:
    long = change("m", "raised", fig("某项名称特别特别特别特别长的指标名称再长一些", 3),
                  fig("某项名称特别特别特别特别长的指标名称再长一些", 4), 0.9)  # fmt: skip
    ctx = build([update(changes=(long, GDP))])
    assert len(ctx.subject) <= 40 and ctx.subject.startswith("govmon · 上海：")


def test_identical_moves_of_several_regions_are_shown_once() -> None:
    ctx = build([update(region="上海市", document_id=1, changes=(CPI_DOWN, RD)),
                 update(region="浙江省", document_id=2, changes=(CPI_DOWN, GDP))])  # fmt: skip
    (group,) = ctx.groups
    assert (group.metric, group.old, group.new, group.regions) == ("居民消费价格涨幅", "3%左右", "2%左右",
                                                                   ("上海市", "浙江省"))  # fmt: skip
    assert all("cpi" not in [c.metric_key for c in s.changes] and s.in_groups == 1 for s in ctx.sections)
    assert all("多地相同调整" in s.notes for s in ctx.sections)
    assert ctx.total_changes == 4 and ctx.shown_changes == 4 and ctx.more == 0


def _first(region: str = "上海市", published: str = "2024-01-23", **kw: Any) -> d.DocumentUpdate:
    goals = (
        fig("经济增长", 5, qualifier="左右", metric_key="gdp_growth"),
        fig("研发经费投入强度", 4.4, metric_key="rd_intensity"),
    )
    return update(region=region, compared_with=None, compared_year=None, changes=(), headline_targets=goals,
                  published=published, **kw)  # fmt: skip


def test_a_document_without_prior_year_shows_its_goals_once_and_is_not_news_when_old() -> None:
    (fresh,) = build([_first(published=f"{WINDOW[0]:%Y-%m-%d}")]).sections
    assert fresh.status_line.startswith("新发布") and fresh.changes == ()
    assert [(g.metric, g.figure) for g in fresh.goals] == [("经济增长", "5%左右"), ("研发经费投入强度", "4.4%")]
    (old,) = build([_first(published="2022-02-01")]).sections
    assert old.status_line.startswith("首次收录") and "新发布" not in old.status_line


def test_last_years_document_is_the_baseline_of_this_years_not_news() -> None:
    prior = _first(document_id=1, title="2023年上海市政府工作报告", report_year=2023, published="2023-01-20")
    ctx = build([prior, update(document_id=2)])
    assert [s.document_id for s in ctx.sections] == [2]
    (item,) = ctx.also
    assert item.title == "2023年上海市政府工作报告" and item.note == "2项主要目标，作为2024年报告的对比基准"


def test_the_cap_moves_whole_documents_to_the_closing_list() -> None:
    def many(n: int) -> tuple[d.StoredChangeIn, ...]:  # different figures in each region: nothing to group
        return tuple(change(f"m{i}", "raised", fig(f"指标{i}", n), fig(f"指标{i}", n + i + 1), 0.5) for i in range(12))

    regions = ("北京市", "天津市", "河北省", "山西省", "辽宁省")
    ctx = build([update(region=r, document_id=n, changes=many(n)) for n, r in enumerate(regions)])
    assert not ctx.groups
    assert sum(len(s.changes) for s in ctx.sections) == ctx.shown_changes == d.MAX_CHANGES
    assert all(s.changes for s in ctx.sections)  # never a heading without content
    assert len(ctx.sections) == 4 and ctx.sections[-1].hidden == 12 - (d.MAX_CHANGES - 36)
    (left,) = ctx.also
    assert left.note == "12项变化" and ctx.more == 12 + ctx.sections[-1].hidden


def test_a_document_with_nothing_to_show_is_listed_not_given_an_empty_heading() -> None:
    empty = _first(region="示例市", document_id=5, published="2024-01-23")
    ctx = build([replace(empty, headline_targets=()), update()])
    assert [s.region for s in ctx.sections] == ["上海市"]
    assert [(a.region, a.note) for a in ctx.also] == [("示例市", "未提取到主要目标")]


def test_filters_are_shown_in_chinese() -> None:
    ctx = build([update()], d.Filters(regions=("上海市",), doc_types=("work_report",), metrics=("rd_intensity",)))
    assert ctx.follows == "上海市 · 政府工作报告 · 研发经费投入强度"


def test_the_nations_output_is_gross_domestic_product() -> None:
    gdp = change("gdp", "raised", fig("地区生产总值", 1.2e14, unit="元"), fig("地区生产总值", 1.3e14, unit="元"), 0.5)
    (nation,) = build([update(region="全国", changes=(gdp,))]).sections
    (shanghai,) = build([update(changes=(gdp,))]).sections
    assert (nation.changes[0].metric, shanghai.changes[0].metric) == ("国内生产总值", "地区生产总值")
