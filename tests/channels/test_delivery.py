"""Channel subscribers end to end: `subscribers add --webhook/--dingtalk …`, digests queued into the outbox as
channel payloads, sent to real loopback receivers with the outbox's exactly-once rules."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db import outbox
from db.session import session_scope
from monitor.channels import HttpSender, live_channels, render
from monitor.channels.outbox import DirectoryTransport, send_pending
from monitor.cli.app import ExitCode
from monitor.config import Settings
from monitor.digest.selection import Filters
from monitor.ops.jobs import queue_due_digests
from tests.channels.receiver import Received, dead_url, ok_json, running, webhook_signed
from tests.channels.samples import long_digest
from tests.channels.test_robots import DING_SECRET, DING_TOKEN, dingtalk_robot
from tests.monitor.cli_helpers import Result, run

TEXTS = Path(__file__).resolve().parents[1] / "fixtures" / "texts"
SECRET = "whsec-7f3a9c21e4"
T0 = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path) -> Iterator[str]:
    """A database holding two years of 示例市's report, processed (the 2024 one changes several targets)."""
    config = tmp_path / "govmon.toml"
    config.write_text(f'data_dir = "{tmp_path}"\nsmtp_host = "127.0.0.1"\nsmtp_port = 9\n', encoding="utf-8")
    assert run(capsys, "--db", db_url, "init").code == 0
    for year in (2023, 2024):
        path = str(TEXTS / f"示例市_{year}.txt")
        assert run(capsys, "--db", db_url, "import", path, "--region", "示例市", "--year", str(year)).code == 0
    yield db_url


def govmon(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path, *args: str) -> Result:
    return run(capsys, "--config", str(tmp_path / "govmon.toml"), "--db", db, *args)


def deliveries(engine: Engine) -> list[tuple[str, str | None]]:
    with session_scope(engine) as s:
        return [(d.status, d.last_error) for d in outbox.list_deliveries(s)]


def test_webhook_subscriber_gets_a_signed_digest_once(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running() as receiver:
        monkeypatch.setenv("GOVMON_CHANNEL_PRIVATE_ORIGINS", f"127.0.0.1:{receiver.port}")
        added = govmon(capsys, db, tmp_path, "subscribers", "add", "--webhook", receiver.url("/hook?key=tok-91ab77"),
                       "--secret", SECRET, "--regions", "示例市", "--cadence", "immediate")  # fmt: skip
        assert added.code == 0, added.err
        assert "webhook http://127.0.0.1:" in added.out and "(secret ***)" in added.out
        first = govmon(capsys, db, tmp_path, "digest", "--send")
        second = govmon(capsys, db, tmp_path, "digest", "--send", "--force")
    assert first.code == 0, first.err
    assert "1 queued; 1 sent" in first.out and "0 sent" in second.out
    (request,) = receiver.received
    assert webhook_signed(SECRET, request)
    body = request.json()
    assert body["schema"] == "govmon.digest.v1" and (body["part"], body["parts"]) == (1, 1)
    assert request.headers["x-govmon-delivery"] == body["delivery_id"]
    arrows = [c["arrow"] for d in body["documents"] for c in d["changes"]]
    assert "5.5%以上 → 5%左右" in arrows
    listed = json.loads(govmon(capsys, db, tmp_path, "subscribers", "list", "--json").out)
    (row,) = listed
    assert row["channel"] == "webhook" and row["email"] is None and row["regions"] == ["示例市"]
    assert row["destination"].endswith("/hook?key=*** (secret ***)")
    every_output = added.out + first.out + first.err + json.dumps(listed, ensure_ascii=False)
    assert "tok-91ab77" not in every_output and SECRET not in every_output
    token = body["unsubscribe_url"].split("token=")[1]
    stopped = govmon(capsys, db, tmp_path, "subscribers", "unsubscribe", token)
    assert stopped.code == 0 and "unsubscribed" in stopped.out


def test_dingtalk_robot_with_signed_url_end_to_end(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running(dingtalk_robot) as robot:
        monkeypatch.setenv("GOVMON_CHANNEL_PRIVATE_ORIGINS", f"127.0.0.1:{robot.port}")
        url = robot.url(f"/robot/send?access_token={DING_TOKEN}")
        added = govmon(capsys, db, tmp_path, "subscribers", "add", "--dingtalk", url, "--secret", DING_SECRET,
                       "--cadence", "immediate")  # fmt: skip
        assert added.code == 0, added.err
        sent = govmon(capsys, db, tmp_path, "digest", "--send")
        again = govmon(capsys, db, tmp_path, "digest", "--send")
    assert sent.code == 0, sent.err
    assert "1 queued; 1 sent" in sent.out and "0 sent" in again.out
    (request,) = robot.received
    assert request.query["access_token"] == DING_TOKEN and "sign" in request.query
    text = request.json()["markdown"]["text"]
    assert "5.5%以上" in text and "unsubscribe" not in text  # anyone in the group could cut the group's feed
    assert DING_TOKEN not in sent.out + sent.err and DING_SECRET not in added.out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--webhook", "http://169.254.169.254/latest/meta-data"), "link-local"),
        (("--webhook", "http://10.0.0.8:8080/hook"), "GOVMON_CHANNEL_PRIVATE_ORIGINS"),
        (("--feishu", "ftp://open.feishu.cn/hook/abc"), "only http and https"),
        (("--wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-123456", "--secret", "s"), "no secret"),
        (("a@example.org", "--webhook", "https://hooks.example.org/x"), "give one of"),
        ((), "give one of"),
        (("a@example.org", "--secret", "s"), "--secret goes with"),
    ],
)
def test_bad_channel_is_refused_at_add_time_in_one_line(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path, args: tuple[str, ...], says: str
) -> None:
    result = govmon(capsys, db, tmp_path, "subscribers", "add", *args)
    assert result.code == ExitCode.USAGE
    assert says in result.err and len(result.err.strip().splitlines()) == 1
    assert "k-123456" not in result.err
    assert json.loads(govmon(capsys, db, tmp_path, "subscribers", "list", "--json").out) == []


def test_same_channel_url_updates_one_subscriber(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "https://hooks.example.org/govmon/abcdef0123"
    first = govmon(capsys, db, tmp_path, "subscribers", "add", "--webhook", url, "--regions", "示例市")
    second = govmon(capsys, db, tmp_path, "subscribers", "add", "--webhook", url, "--cadence", "weekly")
    assert first.out.startswith("subscribed") and second.out.startswith("updated")
    (row,) = json.loads(govmon(capsys, db, tmp_path, "subscribers", "list", "--json").out)
    assert (row["cadence"], row["regions"]) == ("weekly", [])
    assert "abcdef0123" not in row["destination"] + first.out + second.out
    removed = govmon(capsys, db, tmp_path, "subscribers", "remove", f"#{row['id']}")
    assert removed.code == 0 and "webhook" in removed.out


# --- the outbox's rules, with time given --------------------------------------------------------------------


def _webhook_subscriber(engine: Engine, url: str, secret: str = SECRET) -> int:
    with session_scope(engine) as s:
        row, _ = outbox.upsert_channel(s, "webhook", url, secret, Filters(), "immediate", "both")
    return row.id


def _settings(tmp_path: Path, port: int) -> Settings:
    return Settings(data_dir=str(tmp_path), channel_private_origins=f"127.0.0.1:{port}")


def _send(engine: Engine, settings: Settings, when: datetime) -> tuple[int, int, int]:
    with HttpSender.from_settings(settings) as http:
        report = send_pending(engine, DirectoryTransport(Path(settings.data_dir) / "mail"), "x@t", lambda: when,
                              channels=live_channels(http))  # fmt: skip
    return report.sent, report.retried, report.failed


def test_dead_receiver_is_retried_with_backoff_then_delivered_once(db: str, tmp_path: Path) -> None:
    from db.session import make_engine

    engine = make_engine(db)
    url = dead_url()
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    settings = _settings(tmp_path, port)
    _webhook_subscriber(engine, url)
    assert queue_due_digests(engine, settings, T0, force=True).queued == 1
    assert _send(engine, settings, T0) == (0, 1, 0)
    ((status, error),) = deliveries(engine)
    assert status == "pending" and "cannot connect" in (error or "")
    with running(port=port) as receiver:
        assert _send(engine, settings, T0 + timedelta(seconds=30)) == (0, 0, 0)  # backing off: not yet
        assert receiver.received == []
        assert _send(engine, settings, T0 + timedelta(minutes=5)) == (1, 0, 0)
        assert _send(engine, settings, T0 + timedelta(hours=5)) == (0, 0, 0)
        assert queue_due_digests(engine, settings, T0 + timedelta(hours=5), force=True).queued == 0
        assert _send(engine, settings, T0 + timedelta(hours=6)) == (0, 0, 0)
    (request,) = receiver.received
    assert webhook_signed(SECRET, request)
    assert deliveries(engine) == [("sent", None)]
    engine.dispose()


def test_refusing_receiver_fails_the_delivery_with_its_reason(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    from db.session import make_engine

    engine = make_engine(db)
    with running(lambda _: ok_json({"error": "unknown hook"}, status=404)) as receiver:
        settings = _settings(tmp_path, receiver.port)
        _webhook_subscriber(engine, receiver.url("/hook/tok-3c9d2e"))
        queue_due_digests(engine, settings, T0, force=True)
        assert _send(engine, settings, T0) == (0, 0, 1)
        assert _send(engine, settings, T0 + timedelta(days=1)) == (0, 0, 0)
    assert len(receiver.received) == 1
    ((status, error),) = deliveries(engine)
    assert status == "failed" and "HTTP 404" in (error or "") and "unknown hook" in (error or "")
    if db.startswith("sqlite"):  # `status` on PostgreSQL leaves a connection open (the scheduler's job store)
        shown = run(capsys, "--db", db, "status")
        line = next(li for li in shown.out.splitlines() if "failed #" in li)
        assert "webhook http://127.0.0.1:" in line and "(secret ***)" in line and "tok-3c9d2e" not in shown.out
    engine.dispose()


def test_a_part_whose_earlier_part_failed_fails_too(db: str, tmp_path: Path) -> None:
    from db.session import make_engine

    engine = make_engine(db)
    with running(lambda _: ok_json({"errcode": 93000, "errmsg": "invalid webhook url"})) as robot:
        settings = _settings(tmp_path, robot.port)
        with session_scope(engine) as s:
            row, _ = outbox.upsert_channel(s, "wecom", robot.url("/send?key=k"), "", Filters(), "daily", "both")
            payloads = render("wecom", long_digest(8, 2, 2), "key3")
            for p in payloads:
                outbox.enqueue(s, row.id, f"key3-{p.part}", p.delivery_id, p.dumps(), (T0, T0))
        assert _send(engine, settings, T0) == (0, 0, len(payloads))
    assert len(robot.received) == 1  # only part 1 was posted
    (first, *rest) = deliveries(engine)
    assert first[0] == "failed" and "93000" in (first[1] or "")
    assert rest and all(s == "failed" and "part before it was not delivered" in (e or "") for s, e in rest)
    engine.dispose()


def test_parts_go_in_order_and_a_later_part_waits_for_the_earlier(db: str, tmp_path: Path) -> None:
    from db.session import make_engine

    engine = make_engine(db)
    answers = iter([ok_json({"errcode": -1, "errmsg": "system busy"})])

    def busy_once(request: Received) -> tuple[int, dict[str, str], bytes]:
        return next(answers, ok_json({"errcode": 0, "errmsg": "ok"}))

    with running(busy_once) as robot:
        settings = _settings(tmp_path, robot.port)
        with session_scope(engine) as s:
            row, _ = outbox.upsert_channel(s, "wecom", robot.url("/send?key=k"), "", Filters(), "daily", "both")
            payloads = render("wecom", long_digest(8, 2, 2), "key1")
            assert len(payloads) >= 2
            for p in payloads:
                assert outbox.enqueue(s, row.id, f"key1-{p.part}", p.delivery_id, p.dumps(), (T0, T0))
        assert _send(engine, settings, T0) == (0, 1, 0)  # part 1: busy; the others wait untried
        assert len(robot.received) == 1
        assert [s for s, _ in deliveries(engine)] == ["pending"] * len(payloads)
        assert _send(engine, settings, T0 + timedelta(hours=1))[0] == len(payloads)
    parts = [r.json()["markdown"]["content"] for r in robot.received[1:]]
    assert [f"（{i}/{len(payloads)}）" in text for i, text in enumerate(parts, 1)] == [True] * len(payloads)
    engine.dispose()


def test_dry_run_writes_channel_payloads_to_files(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    url = "https://hooks.example.org/govmon/abcdef0123"
    assert govmon(capsys, db, tmp_path, "subscribers", "add", "--webhook", url).code == 0
    out = tmp_path / "preview"
    result = govmon(capsys, db, tmp_path, "digest", "--out", str(out), "--force")
    assert result.code == 0, result.err
    (written,) = out.glob("*.json")
    assert json.loads(written.read_bytes())["schema"] == "govmon.digest.v1"
    assert "abcdef0123" not in result.out
    written.unlink()  # a preview records nothing: the next one writes the same message again
    again = govmon(capsys, db, tmp_path, "digest", "--out", str(out), "--force")
    assert again.code == 0 and [p.name for p in out.glob("*.json")] == [written.name]


def test_a_robot_left_without_an_answer_is_unknown_and_never_resent(db: str, tmp_path: Path) -> None:
    from db.session import make_engine

    engine = make_engine(db)
    with running(lambda _: None) as robot:  # reads the request, closes the connection without a word
        settings = _settings(tmp_path, robot.port)
        with session_scope(engine) as s:
            row, _ = outbox.upsert_channel(s, "wecom", robot.url("/send?key=k"), "", Filters(), "daily", "both")
            (payload,) = render("wecom", long_digest(1, 1, 1), "key2")
            outbox.enqueue(s, row.id, "key2-1", payload.delivery_id, payload.dumps(), (T0, T0))
        assert _send(engine, settings, T0) == (0, 0, 0)
        assert _send(engine, settings, T0 + timedelta(days=2)) == (0, 0, 0)
    assert len(robot.received) == 1
    ((status, error),) = deliveries(engine)
    assert status == "unknown" and "may or may not have been posted" in (error or "")
    engine.dispose()


def test_a_receiver_asking_to_wait_is_not_tried_before_it_said(db: str, tmp_path: Path) -> None:
    from db.session import make_engine

    engine = make_engine(db)
    answers = iter([ok_json({"error": "slow down"}, status=429, headers={"Retry-After": "7200"})])
    with running(lambda _: next(answers, ok_json({}))) as receiver:
        settings = _settings(tmp_path, receiver.port)
        subscriber = _webhook_subscriber(engine, receiver.url("/hook"))
        with session_scope(engine) as s:
            for key in ("a", "b"):  # two digests to the same receiver: the second waits with the first
                (payload,) = render("webhook", long_digest(1, 1, 1), key)
                outbox.enqueue(s, subscriber, f"{key}-1", payload.delivery_id, payload.dumps(), (T0, T0))
        assert _send(engine, settings, T0) == (0, 1, 0)
        assert len(receiver.received) == 1  # the second row was not tried after the 429
        assert _send(engine, settings, T0 + timedelta(minutes=30)) == (1, 0, 0)  # only the untried row is due
        assert _send(engine, settings, T0 + timedelta(hours=1, minutes=59))[0] == 0
        assert _send(engine, settings, T0 + timedelta(hours=2, minutes=1)) == (1, 0, 0)
    assert [s for s, _ in deliveries(engine)] == ["sent", "sent"]
    engine.dispose()


def test_a_malformed_private_origins_setting_holds_channels_back_not_mail(db: str, tmp_path: Path) -> None:
    from db.session import make_engine
    from monitor.ops.jobs import send_due_digests

    engine = make_engine(db)
    settings = Settings(data_dir=str(tmp_path), channel_private_origins="127.0.0.1")  # no port
    _webhook_subscriber(engine, "https://hooks.example.org/govmon/abcdef0123")
    with session_scope(engine) as s:
        outbox.upsert_subscriber(s, "reader@example.org", Filters(), "immediate", "text")
    report = send_due_digests(engine, settings, DirectoryTransport(tmp_path / "mail"), T0, force=True)
    assert report.queued == 2 and report.sent == 1  # the mail
    assert any("channel digests wait" in e and "not host:port" in e for e in report.errors)
    assert sorted(s for s, _ in deliveries(engine)) == ["pending", "sent"]
    engine.dispose()
