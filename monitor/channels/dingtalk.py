"""钉钉 custom robot: markdown messages with a title, the URL signed when the robot has a secret ("加签").

`POST https://oapi.dingtalk.com/robot/send?access_token=TOKEN[&timestamp=MS&sign=SIGN]` with
`{"msgtype": "markdown", "markdown": {"title": "…", "text": "…"}}`. The title is what notifications and the
chat list show (at most 64 characters). The robot API documents no size limit; 5,000 characters is the limit
of the markdown field in 钉钉's message APIs, and messages here stay within 4,000 (counted as Java counts them,
UTF-16 code units). Answers `{"errcode": 0, "errmsg": "ok"}`; 130101 and 410100 are the rate limit (20
messages a minute, then ten minutes of silence), 310000 a failed security setting (signature, keyword, IP
whitelist), 300001 an unknown token. A robot with the "keyword" setting needs the word `govmon`, which every
message contains.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import urlencode, urlsplit, urlunsplit

from monitor.channels.base import Outcome, Payload, delivery_id
from monitor.channels.chat import DINGTALK, clip, escape, marker
from monitor.channels.pages import pages
from monitor.channels.robots import Robot, Rules, compact
from monitor.channels.signing import dingtalk_sign

if TYPE_CHECKING:
    from monitor.digest.selection import DigestContext

MAX_CHARS = 4000  # UTF-16 code units of the markdown text
MAX_TITLE = 64
RULES = Rules("钉钉", ("errcode",), ("errmsg",), {130101: 600.0, 410100: 600.0})


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def message(ctx: DigestContext, texts: list[str], part: int, parts: int) -> dict[str, str]:
    mark = marker(part, parts)
    subject = escape(ctx.subject)
    room = MAX_TITLE - len(mark)
    title = clip(subject, room)
    while units(title) > room:  # a character beyond the BMP counts twice, as 钉钉 (Java) counts it
        room -= 1
        title = clip(subject, room)
    title += mark  # the marker survives the cut
    text = "\n\n".join([f"#### {escape(ctx.subject)}{mark}", *texts])
    return {"title": title, "text": text}


def render(ctx: DigestContext, key: str) -> list[Payload]:
    """The digest as markdown messages, each text within 4,000 UTF-16 code units."""

    def fits(texts: list[str]) -> bool:
        return units(message(ctx, texts, 99, 99)["text"]) <= MAX_CHARS

    split = pages(ctx, DINGTALK, fits)
    n = len(split)
    return [Payload("dingtalk", delivery_id(key, i), i, n,
                    compact({"msgtype": "markdown", "markdown": message(ctx, texts, i, n)}))
            for i, texts in enumerate(split, 1)]  # fmt: skip


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The webhook URL with `timestamp` and `sign` added to its query (the token stays)."""
    parts = urlsplit(url)
    extra = urlencode({"timestamp": str(timestamp_ms), "sign": dingtalk_sign(secret, timestamp_ms)})
    return urlunsplit(parts._replace(query=f"{parts.query}&{extra}" if parts.query else extra))


@dataclass(frozen=True, repr=False)
class DingTalkChannel(Robot):
    kind: ClassVar[str] = "dingtalk"
    rules: ClassVar[Rules] = RULES

    def render(self, context: DigestContext, *, key: str) -> list[Payload]:
        return render(context, key)

    def send(self, payload: Payload) -> Outcome:
        url = signed_url(self.url, self.secret, int(self.clock() * 1000)) if self.secret else self.url
        return self.post(url, payload.body, payload)
