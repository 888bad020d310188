"""Signed unsubscribe tokens: `<subscriber id>.<HMAC-SHA256 of id and e-mail>`, unforgeable without the secret.

The secret is `secret_key` from the settings, else a random key generated once into `<data_dir>/secret.key`
(mode 0600), so a default installation is still safe.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from monitor.config import Settings

SIGNATURE_BYTES = 18


class InvalidToken(Exception):
    """The token is malformed, forged, or names no subscriber."""


def load_secret(settings: Settings) -> bytes:
    if settings.secret_key:
        return settings.secret_key.encode("utf-8")
    path = Path(settings.data_dir) / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


def _signature(subscriber_id: int, email: str, secret: bytes) -> str:
    mac = hmac.new(secret, f"unsubscribe:{subscriber_id}:{email.lower()}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:SIGNATURE_BYTES]).decode("ascii").rstrip("=")


def make_token(subscriber_id: int, email: str, secret: bytes) -> str:
    return f"{subscriber_id}.{_signature(subscriber_id, email, secret)}"


def token_subscriber_id(token: str) -> int:
    head, _, signature = token.strip().partition(".")
    if not (head.isascii() and head.isdigit()) or not signature or not signature.isascii():  # "²", "٧", "é" too
        raise InvalidToken("malformed unsubscribe token: copy the whole token from the link")
    return int(head)


def verify_token(token: str, subscriber_id: int, email: str, secret: bytes) -> None:
    """Raise InvalidToken unless `token` was signed for this subscriber (id and address)."""
    if token_subscriber_id(token) != subscriber_id:
        raise InvalidToken("this unsubscribe token is for another subscriber")
    expected = _signature(subscriber_id, email, secret)
    if not hmac.compare_digest(expected, token.strip().partition(".")[2]):
        raise InvalidToken("this unsubscribe token is not valid (forged or for another address)")
