"""What a subscriber token allows over HTTP: the unsubscribe page and RFC 8058 one-click POST (idempotent, replayed),
the button with its CSRF token, forged and malformed tokens, and the preferences form."""

from __future__ import annotations

import hmac
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from monitor.channels.outbox import DirectoryTransport
from monitor.config import Settings
from monitor.ops.jobs import queue_due_digests, send_due_digests
from monitor.service.catalogue import load_catalogue
from monitor.service.subscriptions import Choices, add_subscriber, list_subscribers, remove_subscriber
from monitor.tokens import make_token
from tests.web.conftest import csrf

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def token(db: Engine, settings: Settings) -> str:
    row, _ = add_subscriber(db, settings, load_catalogue(db, settings), "reader@example.org",
                         Choices(regions=["示例市"], cadence="immediate"))  # fmt: skip
    return make_token(row.id, row.email, settings.secret_key.encode())


def status(db: Engine) -> str:
    (row,) = list_subscribers(db)
    return row.status


def test_get_shows_a_button_and_changes_nothing(client: TestClient, db: Engine, token: str) -> None:
    page = client.get(f"/unsubscribe?token={token}")
    assert page.status_code == 200 and "reader@example.org" in page.text and 'value="unsubscribe"' in page.text
    assert page.headers["cache-control"] == "no-store"
    assert status(db) == "active"


def test_one_click_post_unsubscribes_and_a_replay_is_harmless(client: TestClient, db: Engine, token: str) -> None:
    first = client.post(f"/unsubscribe?token={token}", data=ONE_CLICK)  # no cookie, no CSRF token: RFC 8058
    assert first.status_code == 200 and status(db) == "unsubscribed"
    replay = client.post(f"/unsubscribe?token={token}", data=ONE_CLICK)
    assert replay.status_code == 200 and status(db) == "unsubscribed"
    multipart = client.post(f"/unsubscribe?token={token}", files={"List-Unsubscribe": (None, "One-Click")})
    assert multipart.status_code == 200


def test_unsubscribing_cancels_digests_still_in_the_outbox(client: TestClient, db: Engine, settings: Settings,
                                                           token: str, tmp_path: Path) -> None:  # fmt: skip
    assert queue_due_digests(db, settings).queued == 1  # queued, not sent yet
    client.post(f"/unsubscribe?token={token}", data=ONE_CLICK)
    report = send_due_digests(db, settings, DirectoryTransport(tmp_path / "out"))
    assert report.sent == 0 and not (tmp_path / "out").exists()


def test_the_button_needs_its_csrf_token(client: TestClient, db: Engine, token: str) -> None:
    path = f"/unsubscribe?token={token}"
    assert client.post(path, data={"action": "unsubscribe"}).status_code == 403
    assert status(db) == "active"
    done = client.post(path, data={"action": "unsubscribe", "csrf_token": csrf(client, path)})
    assert done.status_code == 200 and "已退订" in done.text and status(db) == "unsubscribed"


def test_forged_and_malformed_tokens_get_a_400_page_saying_what_to_do(client: TestClient, db: Engine, token: str,
                                                                      settings: Settings) -> None:  # fmt: skip
    sid, signature = token.split(".")
    other = make_token(int(sid), "someone@example.org", settings.secret_key.encode())
    tampered = f"{sid}.{signature[:-1]}{'B' if signature.endswith('A') else 'A'}"
    for bad in (tampered, other, f"{sid}.", "abc", "", "١.abc", "1" * 300):
        one_click = client.post(f"/unsubscribe?token={bad}", data=ONE_CLICK)
        for answer in (client.get(f"/unsubscribe?token={bad}"), one_click, client.get(f"/preferences?token={bad}")):
            assert answer.status_code == 400, bad
            assert "链接无效" in answer.text and "复制完整的链接" in answer.text
    assert status(db) == "active"


def test_a_token_of_a_removed_subscriber(client: TestClient, db: Engine, token: str) -> None:
    remove_subscriber(db, "reader@example.org")
    answer = client.post(f"/unsubscribe?token={token}", data=ONE_CLICK)
    assert answer.status_code == 400 and "removed" in answer.text


def test_the_mailbox_is_offered_when_configured(make_client, token: str) -> None:
    client = make_client(unsubscribe_mailbox="unsubscribe@example.org")
    page = client.get("/unsubscribe?token=1.forged")
    assert page.status_code == 400 and "mailto:unsubscribe@example.org" in page.text


def test_signatures_are_compared_in_constant_time(client: TestClient, token: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    calls: list[tuple[str, str]] = []
    real = hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr("monitor.tokens.hmac.compare_digest", spy)
    client.get(f"/unsubscribe?token={token}")
    assert calls and calls[0][1] == token.split(".")[1]


def test_preferences_change_filters_unsubscribe_and_resubscribe(client: TestClient, db: Engine, token: str) -> None:
    path = f"/preferences?token={token}"
    page = client.get(path)
    assert page.status_code == 200 and 'value="示例市" checked' in page.text
    form = {"csrf_token": csrf(client, path), "token": token, "metrics": ["rd_intensity", "经济增长"],
            "themes": ["人工智能"], "cadence": "weekly", "format": "text", "action": "save"}  # fmt: skip
    saved = client.post("/preferences", data=form)
    assert saved.status_code == 200 and "设置已保存" in saved.text
    (row,) = list_subscribers(db)
    assert (row.regions, row.metrics, row.themes, row.cadence, row.format) == (
        (),
        ("rd_intensity", "gdp_growth"),
        ("人工智能",),
        "weekly",
        "text",
    )
    assert client.post("/preferences", data=form | {"action": "unsubscribe"}).status_code == 200
    assert status(db) == "unsubscribed"
    back = client.post("/preferences", data=form | {"action": "resubscribe"})
    assert back.status_code == 200 and status(db) == "active"


def test_preferences_refuse_unknown_values_and_a_missing_csrf_token(client: TestClient, db: Engine,
                                                                    token: str) -> None:  # fmt: skip
    path = f"/preferences?token={token}"
    form = {"csrf_token": csrf(client, path), "token": token, "regions": ["上海"], "cadence": "daily", "format": "both"}
    refused = client.post("/preferences", data=form)
    assert refused.status_code == 400 and "上海市" in refused.text  # the suggestion
    assert client.post("/preferences", data=form | {"csrf_token": "", "regions": []}).status_code == 403
    (row,) = list_subscribers(db)
    assert row.regions == ("示例市",) and row.cadence == "immediate"
