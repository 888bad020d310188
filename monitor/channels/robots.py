"""What the three group robots (企业微信, 钉钉, 飞书) share: an endpoint with its secret, and reading their answers.

The robots answer HTTP 200 even when they refuse a message; the verdict is a code in the JSON body. A rate
limit is `retry` (after the wait each robot imposes), "system busy" is `retry`, every other non-zero code (bad
key or token, failed signature, keyword or IP whitelist not met, malformed or oversized message) is `failed`
with the robot's own message. A robot cannot tell a duplicate, so a request left without an answer, or with a
gateway timeout (HTTP 504), is `unknown`, never resent blindly; other 5xx are `retry`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from monitor.channels.base import Outcome, Payload, describe, redact, url_secrets
from monitor.channels.http import HttpSender, NoReply, Reply, http_outcome, retry_after, transport_outcome


@dataclass(frozen=True)
class Rules:
    """How one robot says yes, "too fast" and "busy" in its JSON answer."""

    name: str
    code_keys: tuple[str, ...]
    message_keys: tuple[str, ...]
    rate_limited: Mapping[int, float]  # code → seconds the robot makes us wait
    busy: frozenset[int] = frozenset({-1})


def robot_outcome(reply: Reply, rules: Rules, secrets: tuple[str, ...]) -> Outcome:
    code, message = _answer(reply, rules)
    message = redact(message, *secrets)[:200]
    if code is not None and code in rules.rate_limited:  # 飞书 may say so with HTTP 429 or 400 too
        wait = retry_after(reply.headers) or rules.rate_limited[code]
        return Outcome.retry(f"{rules.name} robot rate limit ({code}: {message})", wait)
    if reply.status == 504:  # the gateway gave up waiting: the robot may have posted it
        return Outcome.unknown(f"{rules.name} robot's gateway timed out (HTTP 504): it may or may not have been posted")
    by_status = http_outcome(reply, secrets)
    if by_status is not None:
        return by_status
    if code is None:
        return Outcome.failed(f"answered HTTP {reply.status} without a {rules.name} robot's result: check the URL")
    if code == 0:
        return Outcome.sent()
    if code in rules.busy:
        return Outcome.retry(f"{rules.name} robot busy ({code}: {message})")
    return Outcome.failed(f"{rules.name} robot refused the message ({code}: {message})")


def _answer(reply: Reply, rules: Rules) -> tuple[int | None, str]:
    try:
        data = json.loads(reply.body)
    except ValueError:
        return None, ""
    if not isinstance(data, dict):
        return None, ""
    raw = next((data[k] for k in rules.code_keys if k in data), None)
    message = next((str(data[k]) for k in rules.message_keys if k in data), "")
    try:
        return (int(raw) if raw is not None and not isinstance(raw, bool) else None), message
    except (TypeError, ValueError):
        return None, message


@dataclass(frozen=True, repr=False)
class Robot:
    """A robot's webhook URL and optional signing secret (both credentials), and the sender to post with."""

    kind: ClassVar[str]
    rules: ClassVar[Rules]

    url: str
    http: HttpSender
    secret: str = ""
    clock: Callable[[], float] = field(default=time.time)

    def describe(self) -> str:
        return describe(self.kind, self.url, self.secret)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe()})"

    def secrets(self) -> tuple[str, ...]:
        return (*url_secrets(self.url), self.secret)

    def post(self, url: str, body: bytes, payload: Payload) -> Outcome:
        if payload.channel != self.kind:
            return Outcome.failed(f"a {payload.channel} payload cannot go to a {self.kind} robot")
        answer = self.http.post(url, body, {})
        if isinstance(answer, NoReply):
            return transport_outcome(answer, duplicates_harmless=False)
        return robot_outcome(answer, self.rules, self.secrets())


def compact(data: object) -> bytes:
    """JSON as sent: UTF-8 (a CJK character is 3 bytes, not a 6-byte escape), no spaces."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
