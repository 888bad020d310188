"""企业微信, 钉钉 and 飞书 robots end to end against loopback receivers that behave as the vendors document."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from monitor.channels import ChannelError, make_channel
from monitor.channels.base import Channel, Payload
from monitor.channels.http import HttpSender, parse_origins
from tests.channels.receiver import (
    Answer,
    Received,
    dead_url,
    dingtalk_signed,
    feishu_signed,
    ok_json,
    running,
)
from tests.channels.samples import long_digest
from tests.render.samples import shanghai_digest

KEY = "c3d4" * 16
WECOM_KEY = "693a91f6-7aoc-4bc4-97a0-0ec2sifa5aaa"
DING_TOKEN = "566cc69da782ec1234abcd"
DING_SECRET = "SEC240d7bb4c0bafc62aa"
FEISHU_TOKEN = "5e3d587e-d78e-4a07-bd07-265f269f86fd"
FEISHU_SECRET = "nIMtb7r3N9pkXyXdtAbx6e"


def wecom_robot(request: Received) -> Answer:
    if request.query.get("key") != WECOM_KEY:
        return ok_json({"errcode": 93000, "errmsg": "invalid webhook url"})
    content = request.json()["markdown"]["content"]
    if len(content.encode("utf-8")) > 4096:
        return ok_json({"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"})
    return ok_json({"errcode": 0, "errmsg": "ok"})


def dingtalk_robot(request: Received) -> Answer:
    if request.query.get("access_token") != DING_TOKEN:
        return ok_json({"errcode": 300001, "errmsg": "token is not exist"})
    if not dingtalk_signed(DING_SECRET, request):
        return ok_json({"errcode": 310000, "errmsg": "sign not match"})
    text = request.json()["markdown"]["text"]
    if len(text.encode("utf-16-le")) // 2 > 5000 or "govmon" not in text:
        return ok_json({"errcode": 460101, "errmsg": "message too long or keywords not in content"})
    return ok_json({"errcode": 0, "errmsg": "ok"})


def feishu_robot(request: Received) -> Answer:
    if len(request.body) > 20 * 1024:
        return ok_json({"code": 9499, "msg": "Bad Request", "data": {}}, status=400)
    if not request.path.endswith(FEISHU_TOKEN):
        return ok_json({"code": 19001, "msg": "param invalid: incoming webhook access token invalid", "data": {}})
    if not feishu_signed(FEISHU_SECRET, request):
        return ok_json({"code": 19021, "msg": "sign match fail or timestamp is not within one hour", "data": {}})
    return ok_json({"code": 0, "msg": "success", "data": {}})


@dataclass(frozen=True)
class Robot:
    kind: str
    respond: Callable[[Received], Answer]
    path: str
    secret: str

    def channel(self, port: int, secret: str | None = None, path: str | None = None) -> Channel:
        url = f"http://127.0.0.1:{port}{path or self.path}"
        sender = HttpSender(3.0, "govmon-test", parse_origins(f"127.0.0.1:{port}"))
        return make_channel(self.kind, url, self.secret if secret is None else secret, http=sender)


ROBOTS = [
    Robot("wecom", wecom_robot, f"/cgi-bin/webhook/send?key={WECOM_KEY}", ""),
    Robot("dingtalk", dingtalk_robot, f"/robot/send?access_token={DING_TOKEN}", DING_SECRET),
    Robot("feishu", feishu_robot, f"/open-apis/bot/v2/hook/{FEISHU_TOKEN}", FEISHU_SECRET),
]
each_robot = pytest.mark.parametrize("robot", ROBOTS, ids=lambda r: r.kind)
SPLITS = {"wecom": (8, 2, 2), "dingtalk": (12, 2, 4), "feishu": (30, 1, 3)}


@each_robot
def test_a_long_digest_arrives_signed_in_order_within_the_limit(robot: Robot) -> None:
    with running(robot.respond) as receiver:
        channel = robot.channel(receiver.port)
        payloads = channel.render(long_digest(*SPLITS[robot.kind]), key=KEY)
        outcomes = [channel.send(p) for p in payloads]
    assert len(payloads) > 1
    assert [o.status for o in outcomes] == ["sent"] * len(payloads), [o.reason for o in outcomes]
    assert len(receiver.received) == len(payloads)
    for part, request in enumerate(receiver.received, 1):
        assert f"（{part}/{len(payloads)}）" in request.body.decode("utf-8")


@pytest.mark.parametrize("robot", ROBOTS[1:], ids=lambda r: r.kind)
def test_a_wrong_secret_fails_the_robots_signature_check(robot: Robot) -> None:
    with running(robot.respond) as receiver:
        outcome = robot.channel(receiver.port, secret="SECwrong").send(_payload(robot))
    assert outcome.status == "failed" and ("310000" in outcome.reason or "19021" in outcome.reason)
    assert "SECwrong" not in outcome.reason


@each_robot
def test_a_wrong_token_fails_with_the_robots_own_message(robot: Robot) -> None:
    wrong = robot.path.replace(robot.path[-8:], "00000000")
    with running(robot.respond) as receiver:
        outcome = robot.channel(receiver.port, path=wrong).send(_payload(robot))
    assert outcome.status == "failed"
    assert any(code in outcome.reason for code in ("93000", "300001", "19001")), outcome.reason


@pytest.mark.parametrize(
    ("kind", "answer", "status", "after"),
    [
        ("wecom", ok_json({"errcode": 45009, "errmsg": "api freq out of limit"}), "retry", 60.0),
        ("wecom", ok_json({"errcode": -1, "errmsg": "system busy"}), "retry", None),
        ("wecom", ok_json({"errcode": 40058, "errmsg": "invalid Request Parameter"}), "failed", None),
        ("wecom", ok_json({"errcode": 93000, "errmsg": "invalid webhook url"}), "failed", None),
        ("dingtalk", ok_json({"errcode": 130101, "errmsg": "send too fast"}), "retry", 600.0),
        ("dingtalk", ok_json({"errcode": 410100, "errmsg": "too many requests"}), "retry", 600.0),
        ("dingtalk", ok_json({"errcode": "0", "errmsg": "ok"}), "sent", None),
        ("dingtalk", ok_json({"errcode": 310000, "errmsg": "keywords not in content"}), "failed", None),
        ("feishu", ok_json({"code": 11232, "msg": "frequency limited"}), "retry", 60.0),
        ("feishu", ok_json({"code": 99991400, "msg": "request trigger frequency limit"}, 429,
                           {"x-ogw-ratelimit-reset": "52"}), "retry", 52.0),
        ("feishu", ok_json({"code": 99991400, "msg": "request trigger frequency limit"}, 400), "retry", 60.0),
        ("feishu", ok_json({"StatusCode": 0, "StatusMessage": "success"}), "sent", None),
        ("feishu", ok_json({"code": 9499, "msg": "Bad Request"}, 400), "failed", None),
        ("feishu", ok_json({"code": 19024, "msg": "Key Words Not Found"}), "failed", None),
        ("feishu", (502, {}, b"<html>bad gateway</html>"), "retry", None),
        ("dingtalk", (503, {"Retry-After": "90"}, b"unavailable"), "retry", 90.0),
        ("wecom", (504, {}, b"<html>gateway timeout</html>"), "unknown", None),
        ("wecom", (200, {"Content-Type": "text/html"}, b"<html>a login page</html>"), "failed", None),
        ("dingtalk", ok_json(["not", "an", "object"]), "failed", None),
    ],
)  # fmt: skip
def test_a_robots_answer_decides_the_outcome(kind: str, answer: Answer, status: str, after: float | None) -> None:
    robot = next(r for r in ROBOTS if r.kind == kind)
    with running(lambda _: answer) as receiver:
        outcome = robot.channel(receiver.port).send(_payload(robot))
    assert (outcome.status, outcome.retry_after) == (status, after), outcome.reason
    assert len(receiver.received) == 1


@each_robot
def test_a_dead_robot_is_retry_and_a_lost_answer_is_unknown(robot: Robot) -> None:
    url = dead_url()
    sender = HttpSender(3.0, "govmon-test", parse_origins(urlsplit(url).netloc))
    dead = make_channel(robot.kind, url + "?key=x", robot.secret, http=sender).send(_payload(robot))
    assert dead.status == "retry" and "cannot connect" in dead.reason
    with running(lambda _: None) as receiver:  # reads the message, then hangs up without answering
        lost = robot.channel(receiver.port).send(_payload(robot))
    assert len(receiver.received) == 1
    assert lost.status == "unknown" and "not sent again" in lost.reason


def test_wecom_takes_no_secret_and_payloads_stay_with_their_channel() -> None:
    with pytest.raises(ChannelError, match="take no secret"):
        make_channel("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "s", http=_sender())
    feishu = make_channel("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/t", http=_sender())
    outcome = feishu.send(_payload(ROBOTS[0]))
    assert outcome.status == "failed" and "wecom payload" in outcome.reason


def echo_request(request: Received) -> Answer:
    """A refusal that quotes the request's path and query back, credentials included."""
    quoted = request.path + json.dumps(request.query)
    return ok_json({"errcode": 40001, "code": 40001, "errmsg": quoted, "msg": quoted})


@each_robot
def test_robot_credentials_stay_out_of_logs_and_reasons(robot: Robot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with running(echo_request) as receiver:
        channel = robot.channel(receiver.port)
        outcome = channel.send(_payload(robot))
    assert outcome.status == "failed" and "40001" in outcome.reason and "***" in outcome.reason
    every = (WECOM_KEY, DING_TOKEN, DING_SECRET, FEISHU_TOKEN, FEISHU_SECRET)
    secrets = [s for s in every if s in robot.path + robot.secret]
    shown = [outcome.reason, channel.describe(), repr(channel), *(r.getMessage() for r in caplog.records)]
    assert secrets and any(r.name == "httpx" for r in caplog.records)
    for text in shown:
        for secret in secrets:
            assert secret not in text, text


def _payload(robot: Robot) -> Payload:
    [payload] = make_channel(robot.kind, "https://robot.example.org/x", http=_sender()).render(
        shanghai_digest(), key=KEY
    )
    return payload


def _sender() -> HttpSender:
    return HttpSender(3.0, "govmon-test")
