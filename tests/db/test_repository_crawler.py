"""Repository functions added for the crawler: known documents with validators, and crawl runs."""

from __future__ import annotations

from sqlalchemy import Engine

from db import repository as repo
from db.runs import recent_runs
from db.session import session_scope


def test_known_documents_and_crawl_run(engine: Engine) -> None:
    with session_scope(engine) as session:
        repo.sync_sources(session, [repo.SourceSpec(id="s1", region="北京市")])
        repo.store_fetched(
            session,
            repo.FetchedDocument(
                url="HTTP://Example.org/a.html", region="北京市", text="第一版", raw=b"1", source_id="s1", etag='"e1"'
            ),
        )
        repo.store_fetched(
            session,
            repo.FetchedDocument(
                url="http://example.org/a.html",
                region="北京市",
                text="第二版",
                raw=b"2",
                source_id="s1",
                etag='"e2"',
                last_modified="Wed, 01 Jan 2025 00:00:00 GMT",
            ),
        )
        run_id = repo.start_crawl_run(session, "s1")
        repo.finish_crawl_run(session, run_id, status="ok", pages=3, new_documents=1, stats={"a": 1})
    with session_scope(engine) as session:
        known = repo.known_documents(session, "s1")
        run = repo.get_crawl_run(session, run_id)
        assert run == {r.id: r for r in recent_runs(session)}[run_id]  # one record of a run, however it is read
        assert repo.known_documents(session, "other") == {}
        assert repo.get_crawl_run(session, 999) is None
    assert list(known) == ["http://example.org/a.html"]
    assert known["http://example.org/a.html"].etag == '"e2"'
    assert known["http://example.org/a.html"].last_modified == "Wed, 01 Jan 2025 00:00:00 GMT"
    assert run is not None and (run.status, run.pages, run.new_documents, run.stats) == ("ok", 3, 1, {"a": 1})
