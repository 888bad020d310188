"""What every channel shares: the payload it renders, the outcome of one send, and how credentials stay hidden.

Pure (no I/O): the outbox stores `Payload.dumps()` and hands `Payload.loads(...)` back to the channel's `send`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:
    from monitor.digest.selection import DigestContext

Status = Literal["sent", "retry", "failed", "unknown"]
PAYLOAD_VERSION = 1


class ChannelError(ValueError):
    """A channel cannot be set up as given (refused URL, missing or unsupported secret): a one-line reason."""


@dataclass(frozen=True)
class Payload:
    """One ready-to-send message: the exact request body, apart from what each attempt signs anew.

    `delivery_id` is stable across retries and unique per part of a delivery; the webhook sends it as
    `X-Govmon-Delivery` so that a receiver can drop a duplicate.
    """

    channel: str
    delivery_id: str
    part: int
    parts: int
    body: bytes  # UTF-8 JSON

    def dumps(self) -> bytes:
        """The form the outbox stores (versioned JSON)."""
        record = {"v": PAYLOAD_VERSION, "channel": self.channel, "delivery_id": self.delivery_id,
                  "part": self.part, "parts": self.parts, "body": self.body.decode("utf-8")}  # fmt: skip
        return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def loads(cls, data: bytes) -> Payload:
        try:
            record = json.loads(data)
            if record.get("v") != PAYLOAD_VERSION:
                raise ValueError(f"payload version {record.get('v')!r}, expected {PAYLOAD_VERSION}")
            return cls(record["channel"], record["delivery_id"], int(record["part"]), int(record["parts"]),
                       record["body"].encode("utf-8"))  # fmt: skip
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"not a stored channel payload: {exc}") from exc


@dataclass(frozen=True)
class Outcome:
    """What one send did, for the outbox to act on; a channel never retries or sleeps by itself.

    - `sent`: the receiver accepted it.
    - `retry`: nothing was delivered, or a duplicate is harmless (the webhook's receiver drops it by its delivery
      id): send again later, not before `retry_after` seconds when the receiver said so.
    - `failed`: the receiver refused it for good (bad token or URL, malformed message): do not send again.
    - `unknown`: the request left this process and no answer came back, and the receiver cannot tell a duplicate
      (the chat robots): like an interrupted SMTP send, never resend automatically; show it to the operator.
    """

    status: Status
    reason: str = ""
    retry_after: float | None = None

    @classmethod
    def sent(cls) -> Outcome:
        return cls("sent")

    @classmethod
    def retry(cls, reason: str, after: float | None = None) -> Outcome:
        return cls("retry", reason, after)

    @classmethod
    def failed(cls, reason: str) -> Outcome:
        return cls("failed", reason)

    @classmethod
    def unknown(cls, reason: str) -> Outcome:
        return cls("unknown", reason)


class Channel(Protocol):
    """A delivery medium: renders a digest for itself and sends what it rendered."""

    @property
    def kind(self) -> str: ...

    def render(self, context: DigestContext, *, key: str) -> list[Payload]:
        """Pure: the digest as one or more payloads within the medium's limits (`key`: the outbox's idempotency
        key of this delivery, from which the payloads' delivery ids derive)."""
        ...

    def send(self, payload: Payload) -> Outcome:
        """One attempt, no retry, no sleep."""
        ...

    def describe(self) -> str:
        """Where it delivers, with every credential masked: safe for logs and output."""
        ...


def delivery_id(key: str, part: int) -> str:
    """Stable per outbox row and part: the same digest part always carries the same id."""
    return f"{key[:40]}-{part}"


# --- credentials stay out of logs and messages --------------------------------------------------------------

MASK = "***"
_WORD = re.compile(r"[A-Za-z][A-Za-z_-]{0,19}|v\d{1,2}")  # `cgi-bin`, `hook`, `v2`; tokens are long or hold digits


def mask_url(url: str) -> str:
    """A channel URL with its credentials masked: user info, query values and token-like path segments.

    `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc` → `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***`
    """
    try:
        parts = urlsplit(url)
        netloc = parts.hostname or ""
        if parts.port is not None:
            netloc = f"{netloc}:{parts.port}"
    except ValueError:
        return f"{url.split(':', 1)[0]}:{MASK}" if ":" in url else MASK
    if ":" in (parts.hostname or ""):
        netloc = netloc.replace(parts.hostname or "", f"[{parts.hostname}]", 1)
    netloc = f"{MASK}@{netloc}" if "@" in parts.netloc else netloc
    path = "/".join(s if not s or _WORD.fullmatch(s) else MASK for s in parts.path.split("/"))
    query = urlencode([(k, MASK) for k, _ in parse_qsl(parts.query, keep_blank_values=True)], safe="*")
    return urlunsplit((parts.scheme, netloc, path, query, ""))


def redact(text: str, *secrets: str) -> str:
    """`text` with every secret (URL, token, signing key) replaced by ***: for reasons that quote a library."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def url_secrets(url: str) -> tuple[str, ...]:
    """The parts of a channel URL that are credentials, for `redact`."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return (url,)
    pieces = [url, parts.password or "", parts.username or ""]
    pieces += [v for _, v in parse_qsl(parts.query) if len(v) >= 4]
    pieces += [s for s in parts.path.split("/") if s and not _WORD.fullmatch(s)]
    return tuple(p for p in pieces if p)
