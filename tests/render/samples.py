"""Hand-written digest inputs: Shanghai's 2024 report against 2023, and a hostile scraped page.

The sentences are our own short renderings of the reports' figures, not quotations.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from monitor.digest.selection import DigestContext, DocumentUpdate, Filters, Links, StoredChangeIn, build_digest

SH_URL = "https://www.shanghai.gov.cn/nw12344/20240130/report2024.html"
SH_2024_GOALS = (
    "今年主要预期目标为：全市生产总值增长5%左右，地方一般公共预算收入增长5%，"
    "研发经费投入强度达到4.5%左右，城镇调查失业率控制在5%以内。"
)
BASE_URL = "https://govmon.example.org/archive"
LINKS = Links(archive_base=BASE_URL, unsubscribe_url="https://govmon.example.org/u/tok123")
WINDOW = (datetime(2024, 1, 29, 8, 0), datetime(2024, 1, 30, 8, 0))
NOW = datetime(2024, 1, 30, 8, 5)
EVIL_TITLE = "<script>alert(1)</script>2024年政府工作报告"
EVIL_URL = "javascript:alert(1)"


def target(
    metric: str,
    key: str,
    value: float,
    unit: str,
    qualifier: str | None,
    raw: str,
    phrase: str,
    sentence: str,
    year: int,
    **extra: Any,
) -> dict[str, Any]:
    data = {
        "metric": metric,
        "metric_key": key,
        "phrase": phrase,
        "value": value,
        "value_max": None,
        "unit": unit,
        "qualifier": qualifier,
        "kind": "growth",
        "status": "target",
        "year": year,
        "sentence": sentence,
        "raw": raw,
        "headline": True,
    }
    return data | extra


def change(
    kind: str, metric: str, key: str, old: dict[str, Any] | None, new: dict[str, Any] | None, significance: float
) -> StoredChangeIn:
    return StoredChangeIn("target", metric, key, kind, old, new, significance)


def shanghai_changes() -> tuple[StoredChangeIn, ...]:
    old_goals = "去年预期目标为：全市生产总值增长5.5%以上，研发经费投入强度4.3%左右，环保投入占生产总值比例3%左右。"
    gdp_new = target(
        "经济增长",
        "gdp_growth",
        5.0,
        "%",
        "左右",
        "5%左右",
        "全市生产总值增长",
        SH_2024_GOALS,
        2024,
        baseline={"basis": "achieved", "value": 5.0, "unit": "%", "year": 2023},
        ambition="less",
    )
    gdp_old = target("经济增长", "gdp_growth", 5.5, "%", "以上", "5.5%以上", "全市生产总值增长", old_goals, 2023)
    rd_actual = {"basis": "achieved", "value": 4.4, "unit": "%", "year": 2023}
    rd_new = target(
        "研发经费投入强度",
        "rd_intensity",
        4.5,
        "%",
        "左右",
        "4.5%左右",
        "研发经费投入强度达到",
        SH_2024_GOALS,
        2024,
        baseline=rd_actual,
        ambition="more",
        kind="share",
    )
    rd_old = target(
        "研发经费投入强度",
        "rd_intensity",
        4.3,
        "%",
        "左右",
        "4.3%左右",
        "研发经费投入强度",
        old_goals,
        2023,
        kind="share",
    )
    rev_new = target(
        "一般公共预算收入",
        "general_budget_revenue",
        5.0,
        "%",
        None,
        "5%",
        "地方一般公共预算收入增长",
        SH_2024_GOALS,
        2024,
    )
    rev_old = target(
        "一般公共预算收入",
        "general_budget_revenue",
        5.5,
        "%",
        None,
        "5.5%",
        "收入增长",
        "地方一般公共预算收入增长5.5%。",
        2023,
    )
    env_old = target(
        "环保投入",
        "env_investment",
        3.0,
        "%",
        "左右",
        "3%左右",
        "环保投入占生产总值比例",
        old_goals,
        2023,
        kind="share",
    )
    jobs_new = target(
        "城镇新增就业",
        "urban_new_jobs",
        550000.0,
        "人",
        "以上",
        "55万人以上",
        "城镇新增就业",
        "城镇新增就业55万人以上。",
        2024,
        kind="increment",
    )
    unemp = target(
        "城镇调查失业率",
        "surveyed_unemployment",
        5.0,
        "%",
        "以内",
        "5%以内",
        "城镇调查失业率控制在",
        SH_2024_GOALS,
        2024,
        kind="cap",
    )
    return (
        change("lowered", "经济增长", "gdp_growth", gdp_old, gdp_new, 0.75),
        change("new", "城镇新增就业", "urban_new_jobs", None, jobs_new, 0.68),
        change("lowered", "一般公共预算收入", "general_budget_revenue", rev_old, rev_new, 0.67),
        change("dropped", "环保投入", "env_investment", env_old, None, 0.4),
        change("raised", "研发经费投入强度", "rd_intensity", rd_old, rd_new, 0.38),
        change("unchanged", "城镇调查失业率", "surveyed_unemployment", unemp, unemp, 0.18),
        StoredChangeIn(
            "priority",
            "人工智能",
            None,
            "intensified",
            None,
            {"old_count": 2, "new_count": 6, "sentences": ["推动人工智能赋能千行百业。"]},
            0.0,
        ),
        StoredChangeIn(
            "priority",
            "新质生产力",
            None,
            "emerging",
            None,
            {"old_count": 0, "new_count": 3, "sentences": ["加快培育新质生产力。"]},
            0.0,
        ),
    )


def shanghai_update(**overrides: Any) -> DocumentUpdate:
    fields: dict[str, Any] = {
        "document_id": 2,
        "version_id": 2,
        "title": "2024年上海市政府工作报告",
        "region": "上海市",
        "doc_type": "work_report",
        "report_year": 2024,
        "url": SH_URL,
        "published": "2024-01-30",
        "is_new_document": True,
        "changed_since_previous_version": True,
        "compared_with": "2023年上海市政府工作报告",
        "compared_year": 2023,
        "changes": shanghai_changes(),
    }
    return DocumentUpdate(**(fields | overrides))


def shanghai_digest(filters: Filters | None = None, **overrides: Any) -> DigestContext:
    return build_digest(
        "reader@example.org", [shanghai_update(**overrides)], filters or Filters(("上海市",)), LINKS, WINDOW, NOW
    )


def evil_digest() -> DigestContext:
    """A scraped page whose title holds a script and whose link is a javascript: URL."""
    return shanghai_digest(title=EVIL_TITLE, url=EVIL_URL)


def capped_digest() -> DigestContext:
    """Two regions, with more changes than a digest shows."""
    many = tuple(
        change(
            "raised",
            f"指标{i}",
            f"metric_{i}",
            target(f"指标{i}", f"metric_{i}", i, "%", None, f"{i}%", f"指标{i}", f"指标{i}提高到{i + 1}%。", 2023),
            target(
                f"指标{i}", f"metric_{i}", i + 1, "%", None, f"{i + 1}%", f"指标{i}", f"指标{i}提高到{i + 1}%。", 2024
            ),
            0.3,
        )
        for i in range(30)
    )
    updates = [
        shanghai_update(),
        shanghai_update(
            document_id=7,
            version_id=9,
            region="示例市",
            title="2024年示例市政府工作报告",
            url="https://www.example.gov.cn/2024.html",
            changes=many,
        ),
    ]
    return build_digest("reader@example.org", updates, Filters(), LINKS, WINDOW, NOW)
