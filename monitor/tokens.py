"""Signed tokens, unforgeable without the secret, each for one purpose (a token of one kind never passes as another):

- the subscriber token `<id>.<HMAC of id and e-mail>` in every digest: it unsubscribes and opens the preferences;
- the confirmation token `<id>.<issued>.<HMAC of id, e-mail and issue time>` of a sign-up mail, valid for a week
  and only if issued after the subscriber's last unsubscribe (an old link cannot re-subscribe them);
- the CSRF token of a web form: the HMAC of the browser's random cookie.

Signatures are compared in constant time (`hmac.compare_digest`).

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


def sign(secret: bytes, purpose: str, *parts: object) -> str:
    """URL-safe HMAC-SHA256 of `purpose` and `parts`, truncated to SIGNATURE_BYTES."""
    message = ":".join([purpose, *(str(p) for p in parts)]).encode("utf-8")
    mac = hmac.new(secret, message, hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:SIGNATURE_BYTES]).decode("ascii").rstrip("=")


def _signature(subscriber_id: int, email: str, secret: bytes) -> str:
    return sign(secret, "unsubscribe", subscriber_id, email.lower())


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


# --- confirmation of a sign-up -------------------------------------------------------------------------------

CONFIRM_MAX_AGE = 7 * 24 * 3600  # seconds a confirmation link stays valid


def make_confirm_token(subscriber_id: int, email: str, secret: bytes, issued: int) -> str:
    """`issued` is a Unix time in milliseconds (fine enough to tell it from an unsubscribe in the same second)."""
    return f"{subscriber_id}.{issued}.{sign(secret, 'confirm', subscriber_id, email.lower(), issued)}"


def confirm_token_parts(token: str) -> tuple[int, int]:
    """(subscriber id, issue time) of a well-formed confirmation token; InvalidToken otherwise."""
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts[:2]) or not parts[2].isascii():
        raise InvalidToken("malformed confirmation link: copy the whole link from the mail")
    head, issued, _ = parts
    return int(head), int(issued)


def verify_confirm_token(token: str, subscriber_id: int, email: str, secret: bytes, now: float) -> int:
    """The token's issue time (ms), if it was signed for this subscriber and has not expired; else InvalidToken.
    `now` is a Unix time in seconds."""
    head, issued = confirm_token_parts(token)
    expected = sign(secret, "confirm", subscriber_id, email.lower(), issued)
    if head != subscriber_id or not hmac.compare_digest(expected, token.strip().split(".")[2]):
        raise InvalidToken("this confirmation link is not valid (forged or for another address)")
    if not issued / 1000 - 300 <= now <= issued / 1000 + CONFIRM_MAX_AGE:
        raise InvalidToken("this confirmation link has expired: sign up again to get a new one")
    return issued


# --- CSRF tokens of web forms --------------------------------------------------------------------------------


def csrf_token(nonce: str, secret: bytes) -> str:
    """The form token for a browser whose CSRF cookie holds `nonce`."""
    return sign(secret, "csrf", nonce)


def csrf_valid(nonce: str | None, token: str | None, secret: bytes) -> bool:
    if not nonce or not token or len(nonce) > 128 or len(token) > 128:
        return False
    return hmac.compare_digest(csrf_token(nonce, secret), token)
