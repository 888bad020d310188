"""A cycle's change probe with real crawls of a loopback site: an unchanged source gets a finished run without a
Scrapy crawl; a changed, unusual or due one is crawled as before and loses no document."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from crawler.sources import Source, parse_entry
from db import jobqueue
from db import models as m
from db.session import make_engine, session_scope
from monitor.config import Settings
from monitor.demo.server import Reply, SiteServer
from monitor.ops import crawls
from tests.crawler.conftest import FAST

OVERRIDES = [f"{name}={value}" for name, value in FAST.items()]
PARAGRAPH = "<p>样例市将推进政务服务“一网通办”，全年新增可网办事项{n}项，企业开办时间压缩至{n}个工作日以内。</p>"
TITLES = ["样例市2025年政务公开工作要点", "样例市2025年数字政府建设工作要点", "样例市2025年营商环境优化行动方案"]


def article(n: int) -> bytes:
    title = TITLES[n]
    return (
        f'<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{title}"><title>{title}</title>'
        f'</head><body><h1>{title}</h1><div class="info">发布日期：2025-01-1{n}</div>'
        f'<div class="TRS_Editor">{"".join(PARAGRAPH.format(n=n + 3) for _ in range(8))}</div></body></html>'
    ).encode()


def listing(count: int) -> bytes:
    items = "".join(
        f'<li><a href="./202501/t2025011{n}_{n}.html">{TITLES[n]}</a><span>2025-01-1{n}</span></li>'
        for n in range(count)
    )
    return (
        f'<html><head><meta charset="utf-8"><title>计划规划</title></head><body><ul>{items}</ul>'
        '<script>createPageHTML(1, 0, "list", "html");</script></body></html>'
    ).encode()


class Site(SiteServer):
    """One TRS-style column; list validators on or off; robots.txt and failures as a test sets them."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.robots = b"User-agent: *\nAllow: /\n"
        self.plain = True  # no ETag or Last-Modified: the probe compares body hashes
        self.fail_once: set[str] = set()

    def route(self, path: str) -> Reply | None:
        if path == "/robots.txt":
            return Reply(200, self.robots, "text/plain")
        if path in self.fail_once:
            self.fail_once.discard(path)
            return Reply(503, b"busy")
        body = self.resolve(path, "")
        return Reply(200, body) if self.plain and body is not None else None

    def since(self, mark: int) -> list[str]:
        return self.requests[mark:]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    root = tmp_path / "site"
    (root / "202501").mkdir(parents=True)
    (root / "list.html").write_bytes(listing(2))
    for n in range(3):
        (root / "202501" / f"t2025011{n}_{n}.html").write_bytes(article(n))
    with Site(root) as server:
        yield server


def source(site: Site) -> Source:
    return parse_entry({"id": "probe-trs", "region": "样例市", "cms": "trs", "doc_types": ["plan"],
                        "start_urls": [f"{site.base}/list.html"]})  # fmt: skip


def cycle(url: str, site: Site, *more: str, job: dict[str, Any] | None = None) -> crawls.CrawlOutcome:
    (outcome,) = crawls.crawl(Settings(database_url=url), [], sources=[source(site)], overrides=[*OVERRIDES, *more],
                              parallel=1, job=job)  # fmt: skip
    return outcome


def runs(url: str) -> list[m.CrawlRun]:
    engine = make_engine(url)
    with session_scope(engine) as session:
        found = list(session.scalars(select(m.CrawlRun).order_by(m.CrawlRun.id)))
        session.expunge_all()
    engine.dispose()
    return found


def documents(url: str) -> list[str]:
    engine = make_engine(url)
    with session_scope(engine) as session:
        titles = sorted(session.scalars(select(m.Document.title)))
    engine.dispose()
    return titles


def health(url: str) -> tuple[str, str | None]:
    engine = make_engine(url)
    with session_scope(engine) as session:
        row = session.get(m.Source, "probe-trs")
        assert row is not None
        found = (row.health, row.last_error)
    engine.dispose()
    return found


def test_unchanged_source_is_recorded_without_a_crawl(sqlite_url: str, site: Site) -> None:
    first = cycle(sqlite_url, site)
    assert first.ok and first.new == 2
    mark = len(site.requests)
    second = cycle(sqlite_url, site)
    assert second.ok and (second.new, second.changed, second.status, second.health) == (0, 0, "finished", "ok")
    assert site.since(mark) == ["/robots.txt", "/list.html"]  # no article fetched, no second robots.txt
    last = runs(sqlite_url)[-1]
    assert (last.status, last.pages, last.new_documents, last.errors) == ("ok", 1, 0, 0)
    assert last.finished_at is not None and last.stats["govmon/probe/unchanged"] == 1
    assert last.stats["downloader/request_count"] == 2
    assert health(sqlite_url) == ("ok", None)
    third = cycle(sqlite_url, site)  # the probe's own run vouches for the next cycle
    assert third.ok and runs(sqlite_url)[-1].stats.get("govmon/probe/unchanged") == 1
    assert len(runs(sqlite_url)) == 3 and len(documents(sqlite_url)) == 2


def test_changed_list_is_crawled_and_its_new_document_stored(sqlite_url: str, site: Site) -> None:
    cycle(sqlite_url, site)
    site.overrides["/list.html"] = listing(3)
    mark = len(site.requests)
    changed = cycle(sqlite_url, site)
    assert changed.ok and changed.new == 1
    assert TITLES[2] in documents(sqlite_url)
    assert "/202501/t20250112_2.html" in site.since(mark)
    last = runs(sqlite_url)[-1]
    assert "govmon/probe/unchanged" not in last.stats and last.new_documents == 1
    assert last.stats["probe/request_count"] == 2  # the probe's requests are charged to the crawl's run


def test_not_modified_list_with_validators(sqlite_url: str, site: Site) -> None:
    site.plain = False  # ETag and Last-Modified on every page, 304 to a conditional GET
    cycle(sqlite_url, site)
    mark = len(site.requests)
    second = cycle(sqlite_url, site)
    assert second.ok and second.new == 0 and site.since(mark) == ["/robots.txt", "/list.html"]
    assert runs(sqlite_url)[-1].stats.get("govmon/probe/unchanged") == 1
    site.overrides["/list.html"] = listing(3)  # a new ETag: 200, crawled, the new plan stored
    third = cycle(sqlite_url, site)
    assert third.new == 1 and TITLES[2] in documents(sqlite_url)


def test_robots_disallowed_list_is_left_to_the_spider(sqlite_url: str, site: Site) -> None:
    cycle(sqlite_url, site)
    site.robots = b"User-agent: *\nDisallow: /list.html\n"
    mark = len(site.requests)
    outcome = cycle(sqlite_url, site)
    assert "/list.html" not in site.since(mark)  # neither the probe nor the spider fetched it
    assert not outcome.ok and outcome.health == "broken"  # the spider's verdict, as without the probe
    assert "govmon/probe/unchanged" not in runs(sqlite_url)[-1].stats


def test_probe_error_falls_back_to_scrapy(sqlite_url: str, site: Site) -> None:
    cycle(sqlite_url, site)
    site.fail_once.add("/list.html")  # the probe's request fails; the spider's succeeds
    site.overrides["/list.html"] = listing(3)
    outcome = cycle(sqlite_url, site)
    assert outcome.ok and outcome.new == 1 and TITLES[2] in documents(sqlite_url)


def test_due_candidate_sends_the_source_to_scrapy(sqlite_url: str, site: Site) -> None:
    """Known articles older than GOVMON_REVISIT_DAYS are re-checked by the spider: the probe does not skip them."""
    cycle(sqlite_url, site)
    mark = len(site.requests)
    outcome = cycle(sqlite_url, site, "GOVMON_REVISIT_DAYS=0")
    assert outcome.ok and "/202501/t20250110_0.html" in site.since(mark)
    assert "govmon/probe/unchanged" not in runs(sqlite_url)[-1].stats


def test_failed_article_is_fetched_again_next_cycle(sqlite_url: str, site: Site) -> None:
    """A crawl with an error leaves no record for the probe; the next cycle's spider fetches what failed."""
    site.overrides["/202501/t20250111_1.html"] = b"<html><body><p>cut short"  # truncated: an error after retries
    first = cycle(sqlite_url, site)
    assert first.new == 1 and "govmon/probe" not in runs(sqlite_url)[-1].stats
    del site.overrides["/202501/t20250111_1.html"]
    second = cycle(sqlite_url, site)
    assert second.new == 1 and len(documents(sqlite_url)) == 2


def test_registry_change_sends_the_source_to_scrapy(
    sqlite_url: str, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    cycle(sqlite_url, site)
    entry = source(site).entry() | {"doc_types": ["plan", "work_report"]}
    monkeypatch.setattr(crawls, "_entries", lambda *_: [parse_entry(entry)])
    (outcome,) = crawls.crawl(Settings(database_url=sqlite_url), ["probe-trs"], overrides=OVERRIDES, parallel=1)
    assert outcome.ok and "govmon/probe/unchanged" not in runs(sqlite_url)[-1].stats


def test_probe_can_be_switched_off(sqlite_url: str, site: Site) -> None:
    cycle(sqlite_url, site)
    outcome = cycle(sqlite_url, site, "GOVMON_PROBE=False")
    assert outcome.ok and "govmon/probe/unchanged" not in runs(sqlite_url)[-1].stats


def test_job_ledger_is_kept_for_a_probed_source(sqlite_url: str, site: Site) -> None:
    cycle(sqlite_url, site)
    row = jobqueue.row_id("job-1", "probe-trs")
    job = {"cycle": "c1", "worker": "w1", "rows": {"probe-trs": row}}
    outcome = cycle(sqlite_url, site, job=job)
    assert outcome.ok and outcome.status == "finished"
    engine = make_engine(sqlite_url)
    with session_scope(engine) as session:
        (ledger,) = jobqueue.list_jobs(session, "c1")
    assert (ledger.state, ledger.attempts, ledger.new_documents) == ("done", 1, 0)
    count = len(runs(sqlite_url))
    again = cycle(sqlite_url, site, job=job)  # the same message delivered again: no second crawl of the source
    assert again.status == "duplicate" and len(runs(sqlite_url)) == count
    engine.dispose()


def test_source_locked_elsewhere_is_not_probed(sqlite_url: str, site: Site) -> None:
    from db.locks import CrawlLocks

    cycle(sqlite_url, site)
    engine = make_engine(sqlite_url)
    with CrawlLocks(engine) as locks:
        assert locks.acquire("probe-trs") is None  # another crawl holds the source
        mark = len(site.requests)
        outcome = cycle(sqlite_url, site)
    engine.dispose()
    assert outcome.status == "skipped" and "another crawl" in (outcome.error or "")
    assert site.since(mark) == []


def age_versions(url: str, days: int) -> None:
    engine = make_engine(url)
    with session_scope(engine) as session:
        session.execute(update(m.DocumentVersion).values(fetched_at=m.utcnow() - timedelta(days=days)))
    engine.dispose()


@pytest.mark.parametrize("plain", [True, False], ids=["same-text", "not-modified"])
def test_a_stored_article_found_current_is_not_fetched_again_until_its_revisit_age_passes(
    sqlite_url: str, site: Site, plain: bool
) -> None:
    """A re-check that finds the stored version current (the same text, or a 304) restarts the article's revisit
    age: it is not fetched again at every cycle once its version is older than GOVMON_REVISIT_DAYS."""
    site.plain = plain
    assert cycle(sqlite_url, site).new == 2
    articles = ["/202501/t20250110_0.html", "/202501/t20250111_1.html"]
    age_versions(sqlite_url, 30)
    mark = len(site.requests)
    second = cycle(sqlite_url, site)
    assert second.ok and second.new == second.changed == 0
    assert sorted(p for p in site.since(mark) if p.startswith("/202501/")) == articles  # due: re-checked
    mark = len(site.requests)
    third = cycle(sqlite_url, site)
    assert third.ok and not [p for p in site.since(mark) if p.startswith("/202501/")]  # confirmed a moment ago
    assert site.since(mark) == ["/robots.txt", "/list.html"]  # and the change probe could vouch for the source
