"""HTTP faults: a crawl of misbehaving servers finishes, stores no cut text, counts and retries, then catches up.

One `govmon crawl` crawls a source per fault of `tests/reliability/faults.py` (each column: two good articles
and one faulty one); the server is then fixed and a second crawl runs. Per fault the tests check that the crawl
ended (no hang), the good articles are stored whole, the faulty one is not stored at all (no truncated text),
the CrawlRun row counts the error under a recognisable name, retries happened, and the second crawl stores the
article that failed while fetching nothing else again. Two faults leave the page whole and must not fail it:
a slow page within the timeout, and a Content-Length that cuts only a comment after `</html>`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from db.migrate import upgrade
from db.session import make_engine
from tests.crawler.conftest import CrawlOutput
from tests.reliability.conftest import SETTINGS, Crawl, Stored, registry_file, stored
from tests.reliability.faults import CITIES, FAULTS, FaultServer, paragraphs

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

RETRY_TIMES = int(SETTINGS["RETRY_TIMES"])
FAILING = {  # fault → the error counted in the CrawlRun stats as govmon/errors/<name>
    "reset": "ResponseDataLossError",
    "reset_unframed": "TruncatedBody",
    "trickle_timeout": "DownloadTimeoutError",
    "gzip_truncated": "TruncatedBody",
    "length_long": "ResponseDataLossError",
    "length_short": "TruncatedBody",
}
SUCCEEDING = ("trickle_ok", "length_short_tail")


@dataclass
class Crawls:
    site: FaultServer
    db_url: str
    first: CrawlOutput
    after_first: Stored
    hits_after_first: dict[str, int]
    second: CrawlOutput
    after_second: Stored
    seconds: tuple[float, float]

    def source(self, fault: str) -> str:
        return "fault-" + fault.replace("_", "-")


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawls]:
    """The two crawls, once for the module (SQLite: the database is not what these tests break)."""
    tmp = tmp_path_factory.mktemp("http-faults")
    db_url = f"sqlite:///{tmp / 'govmon.db'}"
    engine = make_engine(db_url)
    upgrade(engine)
    engine.dispose()
    with FaultServer(trickle_ok_seconds=0.6) as site:
        registry = registry_file(tmp, site.registry(FAULTS))
        first_crawl = Crawl(db_url, registry, {})
        first = first_crawl.finish()
        after_first, hits = stored(db_url), dict(site.hits)
        site.fixed = True
        second_crawl = Crawl(db_url, registry, {})
        second = second_crawl.finish()
        yield Crawls(site, db_url, first, after_first, hits, second, stored(db_url),
                     (first_crawl.seconds, second_crawl.seconds))  # fmt: skip


def written(stats: dict[str, int]) -> int:
    """Documents a run stored. On SQLite a batch retried after `database is locked` (the sources of one crawl
    write at once) reports a document its first attempt committed as `unchanged`: see
    test_database_outage.py::test_a_batch_broken_midway_is_stored_whole_on_retry[sqlite]."""
    return stats.get("govmon/documents/new", 0) + stats.get("govmon/documents/unchanged", 0)


def assert_whole(texts: list[str], fault: str, number: int) -> None:
    assert len(texts) == 1, f"{fault} article {number}: {len(texts)} versions"
    for paragraph in paragraphs(fault, number):
        assert paragraph in texts[0], f"{fault} article {number} lacks {paragraph!r}"


def test_the_faulty_crawl_finishes_in_bounded_time(crawls: Crawls) -> None:
    assert crawls.first.code == 0, crawls.first.stderr  # article errors do not make a source fail
    assert {r["status"] for r in crawls.first.results} == {"finished"}
    # the slowest fault is the trickle: (1 + RETRY_TIMES) download timeouts; everything else runs alongside
    assert crawls.seconds[0] < 30, crawls.seconds


@pytest.mark.parametrize("fault", FAULTS)
def test_good_articles_are_stored_whole(crawls: Crawls, fault: str) -> None:
    for number in (1, 2):
        url = next(u for u in crawls.site.articles(fault) if f"_100{number}." in u)
        assert_whole(crawls.after_first.versions.get(url, []), fault, number)


@pytest.mark.parametrize("fault", sorted(FAILING))
def test_faulty_article_is_not_stored(crawls: Crawls, fault: str) -> None:
    url = crawls.site.fault_url(fault)
    assert url not in crawls.after_first.versions, crawls.after_first.versions.get(url)
    marker = f"{CITIES[fault]}推进第3批"  # no text of the faulty article anywhere, under any URL
    assert not any(marker in t for texts in crawls.after_first.versions.values() for t in texts)


@pytest.mark.parametrize("fault", sorted(FAILING))
def test_the_error_is_counted_with_its_reason_after_retries(crawls: Crawls, fault: str) -> None:
    run = crawls.after_first.run_of(crawls.source(fault))
    stats = run.stats
    assert run.status == "ok" and run.finished_at is not None
    assert run.errors >= 1
    assert stats.get(f"govmon/errors/{FAILING[fault]}") == 1, stats
    assert stats.get("retry/count") == RETRY_TIMES and stats.get("retry/max_reached") == 1, stats
    assert crawls.hits_after_first[crawls.site.fault_url(fault).removeprefix(crawls.site.base)] == 1 + RETRY_TIMES
    assert written(stats) == 2, stats
    assert crawls.site.fault_url(fault) in crawls.first.stderr  # the log names what failed


@pytest.mark.parametrize("fault", SUCCEEDING)
def test_a_fault_that_leaves_the_page_whole_is_stored(crawls: Crawls, fault: str) -> None:
    """A slow page within the timeout; a page whose Content-Length cuts only a comment after </html> (mid-character:
    it must still be decoded as UTF-8, not as GB18030 mojibake)."""
    url = crawls.site.fault_url(fault)
    assert_whole(crawls.after_first.versions.get(url, []), fault, 3)
    stats = crawls.after_first.run_of(crawls.source(fault)).stats
    assert "retry/count" not in stats and "govmon/errors" not in stats, stats
    assert written(stats) == 3, stats


def test_a_clean_source_reports_no_errors_beside_faulty_ones(crawls: Crawls) -> None:
    """A source's CrawlRun.errors must count its own errors only, not those of other sources of the same crawl."""
    run = crawls.after_first.run_of("fault-trickle-ok")
    assert run.errors == 0, f"errors={run.errors}, log_count/ERROR={run.stats.get('log_count/ERROR')}"


@pytest.mark.parametrize("fault", sorted(FAILING))
def test_a_later_crawl_stores_the_failed_article_and_refetches_nothing_else(crawls: Crawls, fault: str) -> None:
    url = crawls.site.fault_url(fault)
    assert_whole(crawls.after_second.versions.get(url, []), fault, 3)
    for good in (1, 2):
        path = next(u for u in crawls.site.articles(fault) if f"_100{good}." in u).removeprefix(crawls.site.base)
        assert crawls.site.hits[path] == 1  # known and fresh: not fetched again
        assert len(crawls.after_second.versions[crawls.site.base + path]) == 1
    run = crawls.after_second.run_of(crawls.source(fault))
    assert run.status == "ok" and written(run.stats) == 1, run.stats
    assert "retry/count" not in run.stats


def test_second_crawl_is_clean(crawls: Crawls) -> None:
    assert crawls.second.code == 0, crawls.second.stderr
    assert sum(len(v) for v in crawls.after_second.versions.values()) == 3 * len(FAULTS)
