"""The signed webhook end to end against a real HTTP receiver on loopback."""

from __future__ import annotations

import logging
import time
from urllib.parse import urlsplit

import httpx
import pytest

from monitor.channels import make_channel, webhook
from monitor.channels.base import Payload
from monitor.channels.http import HttpSender, parse_origins
from monitor.channels.webhook import WebhookChannel, signed_headers
from tests.channels.receiver import Received, Respond, dead_url, ok_json, running, webhook_signed
from tests.render.samples import shanghai_digest

SECRET = "whsec-Tr0ub4dor-3"
TOKEN = "tok9f8e7d6c5b4a3210"  # a credential in the URL's path
KEY = "a1b2" * 16


def verifying(secret: str = SECRET) -> Respond:
    """A receiver that answers 204 to a correctly signed, fresh request and 401 to anything else."""

    def respond(request: Received) -> tuple[int, dict[str, str], bytes]:
        return (204, {}, b"") if webhook_signed(secret, request) else (401, {}, b"bad signature")

    return respond


def one_payload() -> Payload:
    [payload] = webhook.render(shanghai_digest(), KEY)
    return payload


def test_the_receiver_verifies_the_signature_and_gets_the_delivery_id() -> None:
    with running(verifying()) as receiver:
        channel = make_channel("webhook", receiver.url(f"/hooks/{TOKEN}"), SECRET, http=receiver.sender())
        [payload] = channel.render(shanghai_digest(), key=KEY)
        outcome = channel.send(payload)
    assert outcome.status == "sent", outcome.reason
    [request] = receiver.received
    assert request.body == payload.body and request.path == f"/hooks/{TOKEN}"
    assert request.headers["x-govmon-delivery"] == payload.delivery_id
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.headers["user-agent"] == "govmon-test"
    assert request.json()["documents"][0]["changes"][0]["arrow"] == "5.5%以上 → 5%左右"


def test_a_tampered_body_a_wrong_secret_or_a_stale_timestamp_is_refused() -> None:
    with running(verifying()) as receiver:
        channel = make_channel("webhook", receiver.url(), SECRET, http=receiver.sender())
        [payload] = channel.render(shanghai_digest(), key=KEY)
        headers = signed_headers(payload, SECRET, int(time.time()))
        tampered = payload.body.replace("5%左右".encode(), "6%左右".encode())
        assert httpx.post(receiver.url(), content=tampered, headers=headers).status_code == 401
        assert httpx.post(receiver.url(), content=payload.body, headers=headers).status_code == 204
        wrong = make_channel("webhook", receiver.url(), "not-the-secret", http=receiver.sender())
        stale = WebhookChannel(receiver.url(), receiver.sender(), SECRET, clock=lambda: time.time() - 3600)
        outcomes = [wrong.send(payload), stale.send(payload)]
    assert [o.status for o in outcomes] == ["failed", "failed"]
    assert all("HTTP 401" in o.reason for o in outcomes)


def test_a_retry_is_signed_anew_with_the_same_delivery_id_and_body() -> None:
    answers = iter([(503, {}, b"busy"), (204, {}, b"")])
    with running(lambda _: next(answers)) as receiver:
        channel = make_channel("webhook", receiver.url(), SECRET, http=receiver.sender())
        [payload] = channel.render(shanghai_digest(), key=KEY)
        first, second = channel.send(payload), channel.send(payload)
    assert (first.status, second.status) == ("retry", "sent")
    one, two = receiver.received
    assert one.headers["x-govmon-delivery"] == two.headers["x-govmon-delivery"] == payload.delivery_id
    assert one.body == two.body and all(webhook_signed(SECRET, r) for r in receiver.received)


def test_a_dead_receiver_is_retry_with_nothing_sent() -> None:
    url = dead_url()
    sender = HttpSender(3.0, "govmon-test", parse_origins(urlsplit(url).netloc))
    outcome = make_channel("webhook", url, SECRET, http=sender).send(one_payload())
    assert outcome.status == "retry" and "cannot connect to the receiver" in outcome.reason


@pytest.mark.parametrize(
    ("status", "headers", "expected", "after"),
    [
        (200, {}, "sent", None),
        (202, {}, "sent", None),
        (500, {}, "retry", None),
        (502, {}, "retry", None),
        (503, {"Retry-After": "120"}, "retry", 120.0),
        (429, {"Retry-After": "30"}, "retry", 30.0),
        (408, {}, "retry", None),
        (400, {}, "failed", None),
        (401, {}, "failed", None),
        (404, {}, "failed", None),
        (410, {}, "failed", None),
        (302, {"Location": "/elsewhere"}, "failed", None),
    ],
)
def test_status_codes_map_to_outcomes(status: int, headers: dict[str, str], expected: str, after: float | None) -> None:
    with running(lambda _: (status, headers, b"the receiver's reason")) as receiver:
        outcome = make_channel("webhook", receiver.url(), http=receiver.sender()).send(one_payload())
    assert (outcome.status, outcome.retry_after) == (expected, after)
    assert len(receiver.received) == 1  # one attempt, no redirect followed, no retry inside the channel
    if expected != "sent":
        assert f"HTTP {status}" in outcome.reason


def test_retry_after_as_an_http_date() -> None:
    when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 300))
    with running(lambda _: (429, {"Retry-After": when}, b"")) as receiver:
        outcome = make_channel("webhook", receiver.url(), http=receiver.sender()).send(one_payload())
    assert outcome.status == "retry" and outcome.retry_after is not None and 290 <= outcome.retry_after <= 301


def test_no_answer_in_time_is_retry_because_the_receiver_drops_duplicates() -> None:
    def slow(_: Received) -> tuple[int, dict[str, str], bytes]:
        time.sleep(1.5)
        return 204, {}, b""

    with running(slow) as receiver:
        outcome = make_channel("webhook", receiver.url(), SECRET, http=receiver.sender(timeout=0.5)).send(one_payload())
        assert len(receiver.received) == 1  # it did reach the receiver
    assert outcome.status == "retry" and "no answer from the receiver" in outcome.reason


def test_credentials_stay_out_of_logs_reasons_and_descriptions(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with running(lambda r: ok_json({"error": f"unknown hook {r.path}"}, status=404)) as receiver:
        url = receiver.url(f"/hooks/{TOKEN}")
        channel = make_channel("webhook", url, SECRET, http=receiver.sender())
        outcome = channel.send(one_payload())
    assert outcome.status == "failed" and "unknown hook" in outcome.reason
    assert any(r.name == "httpx" for r in caplog.records)  # httpx did log the request …
    shown = [outcome.reason, channel.describe(), repr(channel), *(r.getMessage() for r in caplog.records)]
    for text in shown:  # … without the token or the secret
        assert TOKEN not in text and SECRET not in text, text
    assert channel.describe() == f"webhook http://127.0.0.1:{receiver.port}/hooks/*** (secret ***)"
