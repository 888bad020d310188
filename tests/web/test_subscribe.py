"""Sign-up with double opt-in over HTTP: the form, the confirmation mail and its link, forged and stale links,
validation with suggestions, CSRF and rate limits."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from monitor.channels.outbox import DirectoryTransport
from monitor.config import Settings
from monitor.ops.jobs import send_due_digests
from monitor.service.subscriptions import list_subscribers
from monitor.tokens import make_confirm_token
from monitor.web.state import Limits
from tests.web.conftest import AppFactory, body, csrf, link, mails, sign_up


def statuses(db: Engine) -> dict[str, str]:
    return {s.email: s.status for s in list_subscribers(db)}


def test_form_offers_what_the_catalogue_knows_by_chinese_names(client: TestClient) -> None:
    page = client.get("/subscribe")
    assert page.status_code == 200 and "govmon_csrf" in page.cookies
    assert 'value="rd_intensity"' in page.text and "研发经费投入强度" in page.text
    assert 'value="示例市"' in page.text and 'value="人工智能"' in page.text and "政府工作报告" in page.text


def test_sign_up_mails_a_confirmation_and_nothing_else(client: TestClient, db: Engine, settings: Settings,
                                                       tmp_path) -> None:  # fmt: skip
    answer = sign_up(client, "reader@example.org", regions=["示例市"], metrics=["研发经费投入强度"])
    assert answer.status_code == 200 and "请查收确认邮件" in answer.text
    assert statuses(db) == {"reader@example.org": "pending"}
    (subscriber,) = list_subscribers(db)
    assert subscriber.metrics == ("rd_intensity",) and subscriber.regions == ("示例市",)
    (mail,) = mails(settings)
    assert mail["To"] == "reader@example.org" and mail["Auto-Submitted"] == "auto-generated"
    assert "/confirm?token=" in body(mail)
    digests = send_due_digests(db, settings, DirectoryTransport(tmp_path / "digests"), force=True)
    assert digests.considered == 0 and not (tmp_path / "digests").exists()  # a pending address gets no digest


def test_confirmation_link_shows_a_button_and_only_its_post_confirms(client: TestClient, db: Engine,
                                                                     settings: Settings) -> None:  # fmt: skip
    sign_up(client, "reader@example.org")
    path = link(mails(settings)[0], "confirm")
    page = client.get(path)
    assert page.status_code == 200 and "确认订阅" in page.text and "reader@example.org" in page.text
    client.get(path)
    assert statuses(db)["reader@example.org"] == "pending"  # mail scanners open links: a GET changes nothing
    token = path.split("token=")[1]
    done = client.post("/confirm", data={"csrf_token": csrf(client, path), "token": token,
                                         "next": "https://evil.example/"})  # fmt: skip
    assert done.status_code == 303
    assert done.headers["location"].startswith("preferences?token=") and "evil" not in done.headers["location"]
    assert statuses(db)["reader@example.org"] == "active"
    preferences = client.get("/" + done.headers["location"])
    assert preferences.status_code == 200 and "订阅已确认" in preferences.text
    again = client.post("/confirm", data={"csrf_token": csrf(client, path), "token": token})
    assert again.status_code == 303 and statuses(db)["reader@example.org"] == "active"


def test_forged_malformed_and_expired_confirmation_links_get_a_400_page(client: TestClient, db: Engine,
                                                                        settings: Settings) -> None:  # fmt: skip
    sign_up(client, "reader@example.org")
    token = link(mails(settings)[0], "confirm").split("token=")[1]
    sid, issued, signature = token.split(".")
    forged = f"{sid}.{issued}.{'A' * len(signature)}"
    expired = make_confirm_token(int(sid), "reader@example.org", settings.secret_key.encode(),
                                 int((datetime.now(UTC) - timedelta(days=8)).timestamp() * 1000))  # fmt: skip
    for bad in (forged, "nonsense", f"{sid}.{issued}", "9999.1.abc", expired, "x" * 500):
        page = client.get(f"/confirm?token={bad}")
        assert page.status_code == 400, bad
        assert "链接无效" in page.text and "重新订阅" in page.text
    assert "expired" in client.get(f"/confirm?token={expired}").text
    assert statuses(db)["reader@example.org"] == "pending"


def test_a_confirmation_link_from_before_an_unsubscribe_cannot_resubscribe(make_client: AppFactory, db: Engine,
                                                                           settings: Settings) -> None:  # fmt: skip
    clock = [datetime.now(UTC)]
    client = make_client(now=lambda: clock[0])
    sign_up(client, "reader@example.org")
    path = link(mails(settings)[0], "confirm")
    done = client.post("/confirm", data={"csrf_token": csrf(client, path), "token": path.split("token=")[1]})
    manage = "/" + done.headers["location"]
    unsubscribed = client.post(manage.replace("preferences", "unsubscribe").split("&")[0],
                               data={"List-Unsubscribe": "One-Click"})  # fmt: skip
    assert unsubscribed.status_code == 200 and statuses(db)["reader@example.org"] == "unsubscribed"
    stale = client.post("/confirm", data={"csrf_token": csrf(client, "/subscribe"), "token": path.split("token=")[1]})
    assert stale.status_code == 400 and "before you unsubscribed" in stale.text
    assert statuses(db)["reader@example.org"] == "unsubscribed"


def test_unknown_filters_are_refused_with_suggestions_and_nothing_is_stored(client: TestClient, db: Engine,
                                                                            settings: Settings) -> None:  # fmt: skip
    answer = sign_up(client, "reader@example.org", regions=["示例"], themes=["AI"], metrics=["研发强度"])
    assert answer.status_code == 400
    assert "示例市" in answer.text and "人工智能" in answer.text and "研发经费投入强度" in answer.text
    assert "没有名为「示例」的地区，是否指：示例市？" in answer.text  # said in the page's language
    assert "unknown" not in answer.text and "did you mean" not in answer.text
    assert 'value="reader@example.org"' in answer.text  # what was typed is kept
    assert statuses(db) == {} and mails(settings) == []
    for bad in ("not-an-address", "a@b", "x" * 250 + "@example.org"):
        refused = sign_up(client, bad)
        assert refused.status_code == 400 and "不是可以投递的电子邮件地址" in refused.text, bad
    assert statuses(db) == {}


def test_signing_up_an_active_address_changes_nothing_and_mails_its_preferences_link(
    client: TestClient, db: Engine, settings: Settings, make_client: AppFactory
) -> None:
    sign_up(client, "reader@example.org", regions=["示例市"])
    path = link(mails(settings)[0], "confirm")
    client.post("/confirm", data={"csrf_token": csrf(client, path), "token": path.split("token=")[1]})
    later = make_client(now=lambda: datetime.now(UTC) + timedelta(minutes=5))
    answer = sign_up(later, "reader@example.org", regions=[], metrics=["cpi"])
    assert answer.status_code == 200 and "请查收确认邮件" in answer.text  # the page says the same either way
    (subscriber,) = list_subscribers(db)
    assert subscriber.status == "active" and subscriber.regions == ("示例市",) and subscriber.metrics == ()
    notice = mails(settings)[-1]
    assert "已经订阅" in body(notice) and "/preferences?token=" in body(notice)


def test_csrf_failure_is_refused(client: TestClient, make_client: AppFactory, db: Engine) -> None:
    data = {"email": "reader@example.org", "cadence": "daily", "format": "both"}
    assert client.post("/subscribe", data=data).status_code == 403  # no token
    token = csrf(client, "/subscribe")
    other = make_client()  # another browser: its own cookie
    csrf(other, "/subscribe")
    assert other.post("/subscribe", data=data | {"csrf_token": token}).status_code == 403
    assert client.post("/subscribe", data=data | {"csrf_token": token + "x"}).status_code == 403
    assert statuses(db) == {}
    assert client.post("/subscribe", data=data | {"csrf_token": token}).status_code == 200


def test_rate_limit_per_client_address(make_client: AppFactory, settings: Settings) -> None:
    client = make_client(limits=Limits(per_client=2, per_email=100))
    assert sign_up(client, "a@example.org").status_code == 200
    assert sign_up(client, "b@example.org").status_code == 200
    refused = sign_up(client, "c@example.org")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert len(mails(settings)) == 2


def test_rate_limit_per_e_mail_address(make_client: AppFactory, settings: Settings, db: Engine) -> None:
    client = make_client(limits=Limits(per_client=100, per_email=2))
    assert sign_up(client, "victim@example.org").status_code == 200
    # a second mail to the same address within minutes is refused by the database, whichever worker answers
    assert sign_up(make_client(), "victim@example.org").status_code == 429
    assert sign_up(client, "victim@example.org").status_code == 429
    # the per-process limit counts an address whatever its case
    assert sign_up(client, "VICTIM@example.org").status_code == 429
    assert len(mails(settings)) == 1


def test_an_address_in_other_case_is_the_same_subscriber(make_client: AppFactory, db: Engine) -> None:
    sign_up(make_client(), "reader@example.org")
    sign_up(make_client(now=lambda: datetime.now(UTC) + timedelta(minutes=5)), "READER@example.org")
    assert len(list_subscribers(db)) == 1


def test_subscribers_list_json_has_the_documented_shape(client: TestClient, db: Engine, capsys, settings) -> None:
    from tests.monitor.cli_helpers import run

    sign_up(client, "reader@example.org", doc_types=["work_report"])
    out = run(capsys, "--db", settings.database_url, "subscribers", "list", "--json").out
    (row,) = json.loads(out)
    documented = ["id", "email", "status", "regions", "metrics", "themes", "doc_types", "cadence", "format"]
    assert list(row) == [*documented, "channel", "destination"]  # fields are added, never renamed
    assert row["status"] == "pending" and row["doc_types"] == ["work_report"]
    assert (row["email"], row["channel"], row["destination"]) == ("reader@example.org", "email", "reader@example.org")
    assert re.fullmatch(r"\d+", str(row["id"]))
