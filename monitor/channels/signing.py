"""The three signatures channels compute (pure, HMAC-SHA256 each), as the receivers document them.

- govmon webhook: `X-Govmon-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}." + raw body)>`, the
  timestamp (Unix seconds) sent as `X-Govmon-Timestamp`. Signing the timestamp with the body lets a receiver
  refuse a replayed request (say, older than five minutes) as well as a forged or altered one.
- 钉钉 custom robot, "加签": query parameters `timestamp` (Unix milliseconds) and `sign` = Base64 of
  HMAC-SHA256 with the secret as key over `f"{timestamp}\\n{secret}"`, URL-encoded in the query.
- 飞书 custom bot, "签名校验": body fields `timestamp` (Unix seconds, as a string) and `sign` = Base64 of
  HMAC-SHA256 with `f"{timestamp}\\n{secret}"` as the *key* over an empty message. Both robots refuse a timestamp
  more than an hour away from their clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify_webhook(secret: str, timestamp: str, body: bytes, signature: str, now: float, tolerance: int = 300) -> bool:
    """What a receiver of govmon's webhook does: a constant-time check of the signature and a fresh timestamp."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(webhook_signature(secret, int(timestamp), body), signature)


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The `sign` query value before URL-encoding."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def feishu_sign(secret: str, timestamp: int) -> str:
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")
