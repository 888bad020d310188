"""飞书 custom bot: an interactive card whose text is lark_md, the body signed when the bot has a secret.

`POST https://open.feishu.cn/open-apis/bot/v2/hook/TOKEN` with
`{"msg_type": "interactive", "card": {…}}`, plus `"timestamp"` (seconds, a string) and `"sign"` when signing
is on. The request body may be at most 20 KB; each message here stays within 20,000 bytes, signature fields
included. 100 messages a minute and 5 a second per bot. Answers `{"code": 0, "msg": "success"}` (older bots
`{"StatusCode": 0}`); 11232 and 99991400 are rate limits (the latter with HTTP 429 and
`x-ogw-ratelimit-reset`), 19021 a failed signature or stale timestamp, 19022 an IP not whitelisted, 19024 a
missing keyword, 9499 a malformed request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from monitor.channels.base import Outcome, Payload, delivery_id
from monitor.channels.chat import LARK_MD, escape, marker
from monitor.channels.pages import pages
from monitor.channels.robots import Robot, Rules, compact
from monitor.channels.signing import feishu_sign

if TYPE_CHECKING:
    from monitor.digest.selection import DigestContext

MAX_BYTES = 20_000
SIGNATURE_ROOM = {"timestamp": "9999999999", "sign": "=" * 44}  # as long as the real fields
RULES = Rules("飞书", ("code", "StatusCode"), ("msg", "StatusMessage"), {11232: 60.0, 99991400: 60.0}, frozenset())


def card(ctx: DigestContext, texts: list[str], part: int, parts: int) -> dict[str, Any]:
    title = {"tag": "plain_text", "content": f"{escape(ctx.subject)}{marker(part, parts)}"}
    text = {"tag": "lark_md", "content": "\n\n".join(texts)}
    return {"config": {"wide_screen_mode": True}, "header": {"title": title, "template": "blue"},
            "elements": [{"tag": "div", "text": text}]}  # fmt: skip


def render(ctx: DigestContext, key: str) -> list[Payload]:
    """The digest as cards, each request body within 20,000 bytes once signed."""

    def fits(texts: list[str]) -> bool:
        message = {"msg_type": "interactive", "card": card(ctx, texts, 99, 99), **SIGNATURE_ROOM}
        return len(compact(message)) <= MAX_BYTES

    split = pages(ctx, LARK_MD, fits)
    n = len(split)
    return [Payload("feishu", delivery_id(key, i), i, n,
                    compact({"msg_type": "interactive", "card": card(ctx, texts, i, n)}))
            for i, texts in enumerate(split, 1)]  # fmt: skip


def signed_body(body: bytes, secret: str, timestamp: int) -> bytes:
    message = json.loads(body)
    return compact({**message, "timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp)})


@dataclass(frozen=True, repr=False)
class FeishuChannel(Robot):
    kind: ClassVar[str] = "feishu"
    rules: ClassVar[Rules] = RULES

    def render(self, context: DigestContext, *, key: str) -> list[Payload]:
        return render(context, key)

    def send(self, payload: Payload) -> Outcome:
        body = signed_body(payload.body, self.secret, int(self.clock())) if self.secret else payload.body
        return self.post(self.url, body, payload)
