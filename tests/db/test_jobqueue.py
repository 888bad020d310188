"""The crawl-job ledger: one job per (source, cycle), redeliveries of a finished job are refused."""

from __future__ import annotations

from sqlalchemy import Engine

from db import jobqueue
from db.session import session_scope


def test_a_source_is_queued_once_per_cycle(engine: Engine) -> None:
    with session_scope(engine) as s:
        assert jobqueue.record_enqueued(s, "job-1", "beijing", "c1")
        assert not jobqueue.record_enqueued(s, "job-2", "beijing", "c1")  # same cycle: not queued again
        assert jobqueue.record_enqueued(s, "job-3", "beijing", "c2")
        assert jobqueue.record_enqueued(s, "job-4", "shanghai", "c1")
    with session_scope(engine) as s:
        assert sorted(j.id for j in jobqueue.list_jobs(s, cycle="c1")) == ["job-1", "job-4"]
        assert jobqueue.state_counts(s) == {"queued": 3}


def test_a_redelivered_job_runs_again_only_if_it_never_finished(engine: Engine) -> None:
    with session_scope(engine) as s:
        jobqueue.record_enqueued(s, "job-1", "beijing", "c1")
        assert jobqueue.begin(s, "job-1", "beijing", "c1", "w1@a")
    with session_scope(engine) as s:  # w1 died mid-job: the row says running; the message comes back
        assert jobqueue.begin(s, "job-1", "beijing", "c1", "w2@b")
        jobqueue.finish(s, "job-1", ok=True, new_documents=4)
    with session_scope(engine) as s:
        assert not jobqueue.begin(s, "job-1", "beijing", "c1", "w3@c")  # finished: a duplicate delivery
        (job,) = jobqueue.list_jobs(s)
    assert (job.state, job.attempts, job.worker, job.new_documents) == ("done", 2, "w2@b", 4)
    assert job.finished_at is not None


def test_a_failed_crawl_is_finished_too(engine: Engine) -> None:
    with session_scope(engine) as s:
        assert jobqueue.begin(s, "job-1", "beijing", "c1", "w1@a")  # a message the ledger had not seen yet
        jobqueue.finish(s, "job-1", ok=False, error="exit status 7: blocked (HTTP 412 瑞数)")
    with session_scope(engine) as s:
        assert not jobqueue.begin(s, "job-1", "beijing", "c1", "w1@a")
        assert jobqueue.list_jobs(s)[0].error == "exit status 7: blocked (HTTP 412 瑞数)"


def test_a_stray_message_for_a_cycle_owned_by_another_job_is_refused(engine: Engine) -> None:
    with session_scope(engine) as s:
        jobqueue.record_enqueued(s, "job-1", "beijing", "c1")
        assert not jobqueue.begin(s, "job-9", "beijing", "c1", "w1@a")
        assert [j.id for j in jobqueue.list_jobs(s)] == ["job-1"]
