"""Delivery channels beyond e-mail: a signed JSON webhook and the group robots of 企业微信, 钉钉 and 飞书.

A channel renders a digest for its medium and sends what it rendered; the outbox keeps its exactly-once rules.

    channel.render(context, *, key) -> list[Payload]   # pure: split within the medium's limit, "（2/3）" on parts
    channel.send(payload) -> Outcome                    # one attempt: sent | retry | failed | unknown
    channel.describe() -> str                           # where it delivers, credentials masked

Modules: `base` (Payload, Outcome, Channel, masking), `chat` and `pages` (digest → chat text, escaping,
splitting; pure), `signing` (the three HMAC schemes; pure), `http` (egress guard and the one HTTP request),
`webhook`, `wecom`, `dingtalk`, `feishu`, `robots` (what the robots share). Only `http` does I/O; it imports
`crawler.guard` for the egress policy and `monitor.config` for settings.

How the outbox uses a channel (`monitor.ops.jobs` queues, `monitor.channels.outbox.send_pending` sends)
-------------------------------------------------------------------------------------------------------
Queueing (where e-mail digests are built): for a subscriber whose channel is one of `KINDS`,

    sender = HttpSender.from_settings(settings)            # once per run; sender.close() at the end
    channel = make_channel(kind, url, secret, http=sender)
    key = content_key(subscriber_id, start, context)       # monitor.digest.selection: the outbox idempotency key
    for payload in channel.render(context, key=key):       # in part order, in one transaction
        outbox.enqueue(session, subscriber_id, f"{key}-{payload.part}", payload.delivery_id, payload.dumps(), window)

Store per delivery row: the idempotency key with the part number (unique), `payload.delivery_id` (in the
Message-ID column: the webhook's `X-Govmon-Delivery`), and `payload.dumps()` (the rendered body, versioned
JSON). Nothing time-dependent is stored: timestamps and signatures are made anew by each attempt.

Sending (where `send_pending` claims rows): `claim` → `Payload.loads(payload_of(...))` → `channel.send(p)`, then

- `sent` → `mark_sent`;
- `retry` → `mark_retry`, and not before `now + outcome.retry_after` when it is set (a robot's rate limit:
  `mark_retry` needs a minimum delay argument); later rows to the same URL in this run should wait too;
- `failed` → `mark_failed(reason)`;
- `unknown` → status `unknown` with the reason, never resent automatically (like a send interrupted by a crash,
  which `recover_interrupted` already marks so).

Parts go in order: a part whose earlier part is not `sent` stays pending. A channel never retries, sleeps or
raises for a failed delivery; every reason is one line with credentials masked, safe for `last_error` and logs.

Subscribers and the CLI: `--webhook URL [--secret S] | --wecom URL | --dingtalk URL [--secret S] | --feishu
URL [--secret S]` map to `make_channel(kind, url, secret, ...)`, which refuses a bad URL (scheme, private or
metadata address), an unknown kind or a secret where the medium has none with `ChannelError` (one line, masked)
— call it when the subscriber is added, not only when sending. URL and secret are credentials: store them like
the SMTP password, show `channel.describe()`. Chat messages carry no unsubscribe link (anyone in the group
could cut the group's feed); the webhook JSON has `unsubscribe_url`. A dry run can write `payload.body` to
files instead of calling `send`.

Settings: `channel_timeout`, `channel_private_origins` (loopback test receivers and intranet receivers must be
listed there as host:port; nothing else private is reachable), `user_agent`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from monitor.channels.base import Channel, ChannelError, Outcome, Payload, describe, mask_url

if TYPE_CHECKING:
    from monitor.channels.dingtalk import DingTalkChannel
    from monitor.channels.feishu import FeishuChannel
    from monitor.channels.http import HttpSender
    from monitor.channels.webhook import WebhookChannel
    from monitor.channels.wecom import WeComChannel
    from monitor.digest.selection import DigestContext

KINDS = ("webhook", "wecom", "dingtalk", "feishu")
# Each medium's module, imported when first used: the HTTP sender pulls in the egress guard (and with it
# Scrapy), which the outbox's address rules and every `govmon` command at start-up do not need.
_MODULES = {"webhook": "webhook", "wecom": "wecom", "dingtalk": "dingtalk", "feishu": "feishu"}
_LAZY = {
    "HttpSender": "http",
    "check_url": "http",
    "WebhookChannel": "webhook",
    "WeComChannel": "wecom",
    "DingTalkChannel": "dingtalk",
    "FeishuChannel": "feishu",
}
_CLASS_NAMES = {
    "webhook": "WebhookChannel",
    "wecom": "WeComChannel",
    "dingtalk": "DingTalkChannel",
    "feishu": "FeishuChannel",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"monitor.channels.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'monitor.channels' has no attribute {name!r}")


def _medium(kind: str) -> Any:
    if kind not in _MODULES:
        raise ChannelError(f"unknown channel {kind!r}; one of: {', '.join(KINDS)}")
    return importlib.import_module(f"monitor.channels.{_MODULES[kind]}")


def make_channel(kind: str, url: str, secret: str = "", *, http: HttpSender) -> Channel:
    """The channel of `kind` for `url`, after the egress guard has accepted the URL; ChannelError otherwise."""
    from monitor.channels.http import check_url

    medium = _medium(kind)
    check_url(url.strip(), http.trusted)
    made: Channel = getattr(medium, _CLASS_NAMES[kind])(url=url.strip(), http=http, secret=secret)
    return made


# (kind, url, secret) → the channel to send with; ChannelError when it cannot be set up (refused URL …)
ChannelFactory = Callable[[str, str, str], Channel]


def live_channels(http: HttpSender) -> ChannelFactory:
    """Channels that post through `http`, each built once per (kind, URL, secret)."""
    made: dict[tuple[str, str, str], Channel] = {}

    def channel(kind: str, url: str, secret: str) -> Channel:
        if (kind, url, secret) not in made:
            made[kind, url, secret] = make_channel(kind, url, secret, http=http)
        return made[kind, url, secret]

    return channel


def render(kind: str, context: DigestContext, key: str) -> list[Payload]:
    """The payloads a channel of `kind` would render (pure: no URL or sender needed to queue a digest)."""
    payloads: list[Payload] = _medium(kind).render(context, key)
    return payloads


__all__ = [
    "KINDS",
    "Channel",
    "ChannelError",
    "ChannelFactory",
    "DingTalkChannel",
    "FeishuChannel",
    "HttpSender",
    "Outcome",
    "Payload",
    "WeComChannel",
    "WebhookChannel",
    "describe",
    "live_channels",
    "make_channel",
    "mask_url",
    "render",
]
