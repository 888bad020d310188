"""End to end: `govmon crawl --sources <fixture registry>` against the local fixture sites, on both databases."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from db import models as m
from db.repository import list_documents, list_sources
from db.runs import recent_runs
from db.session import session_scope
from tests.crawler.conftest import registry, run_crawl
from tests.crawler.fixture_server import FixtureServer

pytestmark = pytest.mark.slow

EXPECTED = {  # (source, title, doc_type, report_year, published_at, region)
    ("fx-trs", "2025年北京市政府工作报告", "work_report", 2025, date(2025, 1, 21), "北京市"),
    ("fx-trs", "2025年北京市政府工作报告（图文版）", "work_report", 2025, date(2025, 1, 21), "北京市"),
    ("fx-trs", "2024年北京市政府工作报告", "work_report", 2024, date(2024, 1, 22), "北京市"),
    ("fx-trs", "北京市发展改革委2024年工作总结和2025年工作思路", "summary", 2024, date(2024, 12, 30), "北京市"),
    ("fx-trs", "北京市2024年数字经济发展行动方案", "plan", 2024, date(2024, 2, 10), "北京市"),
    ("fx-trs", "北京市2024年数字经济发展行动方案（附件：重点任务清单）", "plan", 2024, date(2024, 2, 10), "北京市"),
    ("fx-jcms", "温州市科学技术局2025年工作要点", "plan", 2025, date(2025, 2, 10), "温州市"),
    ("fx-jcms", "温州市科学技术局2024年工作总结和2025年工作思路", "summary", 2024, date(2025, 1, 8), "温州市"),
    ("fx-jcms", "温州市科技兴海三年行动方案（2024—2026年）", "plan", 2024, date(2024, 6, 3), "温州市"),
    ("fx-ucap", "政府工作报告", "work_report", 2025, date(2025, 3, 12), "全国"),
    ("fx-ucap", "国务院2025年度立法工作计划", "plan", 2025, date(2025, 3, 20), "全国"),
    ("fx-gkmlpt", "2025年广东省政府工作报告", "work_report", 2025, date(2025, 1, 23), "广东省"),
    (
        "fx-gkmlpt",
        "广东省人民政府办公厅关于印发广东省推进高水平对外开放2025年行动方案的通知",
        "plan",
        2025,
        date(2025, 3, 18),
        "广东省",
    ),
    ("fx-generic", "嘉兴市2025年政府工作报告", "work_report", 2025, date(2025, 2, 14), "嘉兴市"),
    ("fx-generic", "嘉兴市2024年政府工作报告", "work_report", 2024, date(2024, 1, 30), "嘉兴市"),
    ("fx-generic", "嘉兴市2025年营商环境优化提升工作要点", "plan", 2025, date(2025, 3, 2), "嘉兴市"),
    # menus, column pages, schedules, a login and a search page around three real documents
    ("fx-menus", "示例市2025年国民经济和社会发展计划", "plan", 2025, date(2025, 2, 10), "示例市"),
    ("fx-menus", "示例市综合交通运输发展“十四五”规划", "plan", 2025, date(2025, 1, 25), "示例市"),
    ("fx-menus", "2025年示例市政府工作报告", "work_report", 2025, date(2025, 1, 16), "示例市"),
    ("fx-menus", "示例县2025年农业农村工作要点", "plan", 2025, date(2025, 2, 10), "示例市"),  # a Word 97 .doc
}
NOTICES = ("招聘", "公示", "通知公告", "报送", "征集", "统计公报", "节假日", "公务员")
LIST_PAGES = {"fx-trs": 2, "fx-jcms": 2, "fx-ucap": 1, "fx-gkmlpt": 2, "fx-generic": 2, "fx-menus": 1}
# Links that failed (404, too slow, redirect loop, too big) are tried again on every crawl: a report missing today
# may be there tomorrow. Everything stored is only re-checked once it is stale, and a page found not to be a
# document (fx-menus: a column page, a login, a search page, a mis-titled schedule) once GOVMON_NOT_DOCUMENT_DAYS
# have passed.
RETRIED = {"fx-generic": 4}
NOT_DOCUMENTS = {"fx-menus": 4}


def _documents(engine: Engine) -> set[tuple[object, ...]]:
    with session_scope(engine) as session:
        rows = list_documents(session)
    return {(r.source_id, r.title, r.doc_type, r.report_year, r.published_at, r.region) for r in rows}


def _texts(engine: Engine) -> dict[str, str]:
    with session_scope(engine) as session:
        query = select(m.Document.title, m.DocumentVersion.text).join(m.DocumentVersion)
        return {title: text for title, text in session.execute(query)}


def _version_count(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(m.DocumentVersion)) or 0)


def test_crawl_stores_exactly_the_reports_then_only_rechecks_lists(
    site: FixtureServer, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    first = run_crawl(db_url, registry(site, tmp_path))
    assert first.code == 7, first.stderr  # blocked and broken sources make the run partial
    assert _documents(engine) == EXPECTED
    _check_texts(engine)
    _check_health(engine, first)

    versions = _version_count(engine)
    second = run_crawl(db_url, registry(site, tmp_path))
    assert _version_count(engine) == versions
    for source_id, pages in LIST_PAGES.items():
        result = second.of(source_id)
        assert result["requests"]["list"] <= pages, result
        assert result["requests"].get("article", 0) == RETRIED.get(source_id, 0), result
        assert result["documents"] == {}
        with session_scope(engine) as session:
            run = {r.id: r for r in recent_runs(session, 1000)}.get(result["run_id"])
        assert run is not None and run.new_documents == 0
        assert run.stats.get("govmon/skipped/not_document", 0) == NOT_DOCUMENTS.get(source_id, 0), run.stats
        if source_id not in {**RETRIED, **NOT_DOCUMENTS}:  # Scrapy's count (redirects, retries), robots.txt aside
            fetched = run.stats["downloader/request_count"] - run.stats.get("robotstxt/request_count", 0)
            assert fetched <= pages, run.stats

    # once they are old enough, the pages that were no documents are looked at again (one may have become one)
    again = run_crawl(db_url, registry(site, tmp_path), "--source", "fx-menus", "-sGOVMON_NOT_DOCUMENT_DAYS=0")
    assert again.of("fx-menus")["requests"].get("article", 0) == NOT_DOCUMENTS["fx-menus"], again.of("fx-menus")
    assert _version_count(engine) == versions


def _check_texts(engine: Engine) -> None:
    texts = _texts(engine)
    assert "居民消费价格涨幅控制在2%左右" in texts["2025年北京市政府工作报告"]
    assert "首页" not in texts["2025年北京市政府工作报告"] and "相关链接" not in texts["2025年北京市政府工作报告"]
    assert "城镇新增就业26万人以上" in texts["2024年北京市政府工作报告"]  # the GBK page, decoded
    assert "城镇新增就业不少于26万人" in texts["2025年北京市政府工作报告（图文版）"]  # PDF
    assert "新增经营主体8万户以上" in texts["嘉兴市2025年营商环境优化提升工作要点"]  # DOCX
    assert "粮食总产量达到21万吨" in texts["示例县2025年农业农村工作要点"]  # DOC (antiword)
    assert "新增高新技术企业600家以上" in texts["嘉兴市2024年政府工作报告"]  # malformed HTML
    assert "市长信箱" not in texts["嘉兴市2025年政府工作报告"]  # the largest block, not the sidebar
    assert "技术合同成交额突破200亿元" in texts["温州市科学技术局2025年工作要点"]
    assert not any(word in title for title in texts for word in NOTICES)


def _check_health(engine: Engine, crawl: object) -> None:
    with session_scope(engine) as session:
        health = {row.id: (row.health, row.last_error or "") for row in list_sources(session)}
    assert health["fx-blocked"][0] == "blocked" and "412" in health["fx-blocked"][1]
    assert "瑞数" in health["fx-blocked"][1]
    assert health["fx-broken"][0] == "broken" and "no links" in health["fx-broken"][1]
    assert health["fx-gone"][0] == "broken" and "404" in health["fx-gone"][1]
    assert health["fx-jslist"][0] == "broken"
    assert health["fx-jslist"][1].startswith("list drawn by JavaScript: set render_js: true")
    assert all(health[s][0] == "ok" for s in LIST_PAGES)


def test_changed_article_becomes_a_new_version(
    site: FixtureServer, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    path = "/jcms/art/2025/2/10/art_1229001_501.html"
    run_crawl(db_url, registry(site, tmp_path), "--source", "fx-jcms")
    original = site.resolve(path, "")
    assert original is not None
    site.overrides[path] = original.replace("新建省级重点实验室2家".encode(), "新建省级重点实验室3家".encode())
    try:
        again = run_crawl(db_url, registry(site, tmp_path), "--source", "fx-jcms", "-sGOVMON_REVISIT_DAYS=0")
    finally:
        site.overrides.clear()
    result = again.of("fx-jcms")
    assert result["documents"] == {"changed": 1}
    assert result["requests"]["article"] == 3  # conditional GETs; the two unchanged ones answered 304
    with session_scope(engine) as session:
        rows = {r.title: r.versions for r in list_documents(session)}
    assert rows["温州市科学技术局2025年工作要点"] == 2
    assert rows["温州市科技兴海三年行动方案（2024—2026年）"] == 1


def test_entries_with_only_id_region_and_start_urls_find_the_reports(
    site: FixtureServer, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    crawl = run_crawl(db_url, registry(site, tmp_path, "registry-auto.yaml"))
    assert crawl.code == 0, crawl.stderr
    found = {(s, t, k, y, d, r) for (s, t, k, y, d, r) in _documents(engine)}
    expected = {(s.replace("fx-", "auto-"), *rest) for (s, *rest) in EXPECTED if s in ("fx-trs", "fx-jcms")}
    assert found == expected
