"""企业微信 group robot: markdown messages of at most 4,096 bytes (UTF-8), no signing.

`POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY` with
`{"msgtype": "markdown", "markdown": {"content": "…"}}`; the key in the URL is the only credential. Answers
`{"errcode": 0, "errmsg": "ok"}`; 45009 is the rate limit (20 messages a minute per robot), 40058 an invalid
or too long message, 93000 an invalid key. Markdown subset: headings, bold, links, quotes and
`<font color="info|comment|warning">`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from monitor.channels.base import ChannelError, Outcome, Payload, delivery_id
from monitor.channels.chat import WECOM, escape, marker
from monitor.channels.pages import pages
from monitor.channels.robots import Robot, Rules, compact

if TYPE_CHECKING:
    from monitor.digest.selection import DigestContext

MAX_BYTES = 4096
RULES = Rules("企业微信", ("errcode",), ("errmsg",), {45009: 60.0})


def content(ctx: DigestContext, texts: list[str], part: int, parts: int) -> str:
    return "\n\n".join([f"**{escape(ctx.subject)}**{marker(part, parts)}", *texts])


def body(text: str) -> bytes:
    return compact({"msgtype": "markdown", "markdown": {"content": text}})


def render(ctx: DigestContext, key: str) -> list[Payload]:
    """The digest as markdown messages, each within 4,096 bytes."""

    def fits(texts: list[str]) -> bool:
        return len(content(ctx, texts, 99, 99).encode("utf-8")) <= MAX_BYTES

    split = pages(ctx, WECOM, fits)
    n = len(split)
    return [Payload("wecom", delivery_id(key, i), i, n, body(content(ctx, texts, i, n)))
            for i, texts in enumerate(split, 1)]  # fmt: skip


@dataclass(frozen=True, repr=False)
class WeComChannel(Robot):
    kind: ClassVar[str] = "wecom"
    rules: ClassVar[Rules] = RULES

    def __post_init__(self) -> None:
        if self.secret:
            raise ChannelError("企业微信 robots take no secret: the key in the webhook URL is the credential")

    def render(self, context: DigestContext, *, key: str) -> list[Payload]:
        return render(context, key)

    def send(self, payload: Payload) -> Outcome:
        return self.post(self.url, payload.body, payload)
