"""Repository round trips on SQLite and PostgreSQL: plain dataclasses in and out."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine, func, select

from db import models as m
from db import repository as repo
from db.session import session_scope


def _item(**overrides: object) -> repo.FetchedDocument:
    fields: dict[str, object] = {
        "url": "HTTP://WWW.Example.GOV.cn:80/zfgzbg/t20250120_1.html#top",
        "region": "上海市",
        "text": "今年主要预期目标是：全市生产总值增长5%左右。",
        "raw": "<p>今年主要预期目标是：全市生产总值增长5%左右。</p>".encode(),
        "title": "2025年上海市政府工作报告",
        "doc_type": "work_report",
        "report_year": 2025,
        "published_at": date(2025, 1, 20),
        "etag": '"abc"',
    }
    fields.update(overrides)
    return repo.FetchedDocument(**fields)  # type: ignore[arg-type]


def _versions(engine: Engine) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(m.DocumentVersion)) or 0


def test_store_and_list_round_trip(engine: Engine) -> None:
    with session_scope(engine) as s:
        outcome = repo.store_fetched(s, _item())
    assert outcome.status == "new" and outcome.version_id is not None
    with session_scope(engine) as s:
        (row,) = repo.list_documents(s)
    assert row.url == "http://www.example.gov.cn/zfgzbg/t20250120_1.html"
    assert row.to_json() == {
        "id": outcome.document_id,
        "url": row.url,
        "title": "2025年上海市政府工作报告",
        "region": "上海市",
        "doc_type": "work_report",
        "report_year": 2025,
        "published_at": "2025-01-20",
        "source_id": None,
        "versions": 1,
    }


def test_same_text_differently_spaced_is_unchanged(engine: Engine) -> None:
    with session_scope(engine) as s:
        repo.store_fetched(s, _item())
        again = repo.store_fetched(s, _item(text="今年主要预期目标是：全市生产总值增长５%左右。\u3000\n"))
    assert again.status == "unchanged" and again.version_id is None
    assert _versions(engine) == 1


def test_changed_text_becomes_a_new_version(engine: Engine) -> None:
    with session_scope(engine) as s:
        first = repo.store_fetched(s, _item())
        second = repo.store_fetched(s, _item(text="今年主要预期目标是：全市生产总值增长5.5%左右。"))
    assert second.status == "changed" and second.document_id == first.document_id
    with session_scope(engine) as s:
        (row,) = repo.list_documents(s)
    assert row.versions == 2


def test_republished_at_another_url_is_a_duplicate(engine: Engine) -> None:
    with session_scope(engine) as s:
        first = repo.store_fetched(s, _item())
        dup = repo.store_fetched(s, _item(url="https://mirror.example.gov.cn/a/b.html"))
    assert dup == repo.StoreOutcome("duplicate", first.document_id, None)
    assert _versions(engine) == 1


def test_list_documents_filters_by_region_newest_first(engine: Engine) -> None:
    with session_scope(engine) as s:
        for year, region in ((2023, "上海市"), (2025, "上海市"), (2024, "北京市")):
            repo.store_fetched(
                s, _item(url=f"http://x/{year}", report_year=year, region=region, text=f"{region}{year}")
            )
    with session_scope(engine) as s:
        assert [r.report_year for r in repo.list_documents(s)] == [2025, 2024, 2023]
        assert [r.report_year for r in repo.list_documents(s, "上海市")] == [2025, 2023]


def test_sources_health_and_crawl_runs(engine: Engine) -> None:
    spec = repo.SourceSpec(id="sh", region="上海市", name="上海", level="province", config={"cms": "trs"})
    with session_scope(engine) as s:
        assert repo.sync_sources(s, [spec]) == 1
        run = repo.start_crawl_run(s, "sh")
        repo.store_fetched(s, _item(source_id="sh"))
        repo.finish_crawl_run(s, run, status="blocked", pages=3, errors=1, stats={"http_412": 1})
        repo.set_source_health(s, "sh", "blocked", "HTTP 412 瑞数 challenge")
    with session_scope(engine) as s:
        (row,) = repo.list_sources(s)
        crawl = s.get(m.CrawlRun, run)
        assert crawl is not None and crawl.stats == {"http_412": 1} and crawl.finished_at is not None
    assert (row.health, row.last_error, row.documents) == ("blocked", "HTTP 412 瑞数 challenge", 1)
    with session_scope(engine) as s:
        repo.sync_sources(s, [spec])  # re-sync keeps health
        assert repo.list_sources(s)[0].health == "blocked"
        with pytest.raises(ValueError, match="health must be one of"):
            repo.set_source_health(s, "sh", "sick")


def test_bad_doc_type_is_refused(engine: Engine) -> None:
    with session_scope(engine) as s, pytest.raises(ValueError, match="doc_type"):
        repo.store_fetched(s, _item(doc_type="memo"))
    assert _versions(engine) == 0


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://WWW.GOV.CN:443/a?b=1#c", "https://www.gov.cn/a?b=1"),
        ("http://www.gov.cn", "http://www.gov.cn/"),
        ("http://x.gov.cn:8080/p", "http://x.gov.cn:8080/p"),
    ],
)
def test_normalise_url(url: str, expected: str) -> None:
    assert repo.normalise_url(url) == expected
