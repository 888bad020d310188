"""Unsubscribe tokens cannot be forged: not for another subscriber, not altered, truncated or re-signed, and
garbage is refused as invalid (never a crash). The signature is checked with `hmac.compare_digest`.

The round trip and the basic forgeries are in tests/monitor/test_subscribers.py; this adds what an attacker tries.
"""

from __future__ import annotations

import hmac
import json
from pathlib import Path
from typing import Any

import pytest

from monitor import tokens
from monitor.cli.app import ExitCode
from monitor.tokens import InvalidToken, make_token, verify_token
from tests.monitor.cli_helpers import run

SECRET = "unsubscribe-test-key"
A, B = "alice@example.org", "bob@example.org"


def refused(token: str, subscriber_id: int = 7, email: str = A, secret: bytes = SECRET.encode()) -> bool:
    try:
        verify_token(token, subscriber_id, email, secret)
    except InvalidToken:
        return True
    return False


def test_every_truncation_and_every_single_change_is_refused() -> None:
    token = make_token(7, A, SECRET.encode())
    assert not refused(token) and not refused(f"  {token}\n")  # copied from a mail with white space: fine
    head, signature = token.split(".")
    for cut in range(len(token)):
        assert refused(token[:cut]), token[:cut]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for i, char in enumerate(signature):
        other = alphabet[(alphabet.index(char) + 1) % len(alphabet)]
        assert refused(f"{head}.{signature[:i]}{other}{signature[i + 1 :]}")
    assert refused(token + "A") and refused(token + "=") and refused(f"{head}.{signature}.{signature}")


def test_a_token_is_bound_to_its_secret_subscriber_and_address() -> None:
    token = make_token(7, A, SECRET.encode())
    assert refused(token, secret=b"another-installation")
    assert refused(make_token(7, A, b"another-installation"))
    assert refused(token, subscriber_id=8)  # A's token does not name B
    assert refused(token, email=B)  # the same id now belonging to another address
    assert refused(f"8.{token.split('.')[1]}", subscriber_id=8)  # A's signature under B's id
    assert refused(make_token(7, A, b""))


@pytest.mark.parametrize(
    "garbage",
    ["", " ", ".", "7", "7.", ".abc", "x.abc", "-7.abc", "7 .abc", "².abc", "٧.abc", "7.é", "7.abc\x00", "7.\udcff"],
)
def test_empty_and_malformed_tokens_are_invalid_not_a_crash(garbage: str) -> None:
    assert refused(garbage)


def test_the_signature_is_compared_with_compare_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    """The verdict comes from hmac.compare_digest (constant time), not from `==` before or instead of it."""
    calls: list[tuple[Any, Any]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    token = make_token(7, A, SECRET.encode())
    monkeypatch.setattr(tokens.hmac, "compare_digest", spy)
    verify_token(token, 7, A, SECRET.encode())
    assert calls == [(token.split(".")[1], token.split(".")[1])]
    monkeypatch.setattr(tokens.hmac, "compare_digest", lambda a, b: False)
    with pytest.raises(InvalidToken):  # a genuine token fails when compare_digest says no: it alone decides
        verify_token(token, 7, A, SECRET.encode())


@pytest.fixture
def two_subscribers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    monkeypatch.setenv("GOVMON_SECRET_KEY", SECRET)
    monkeypatch.setenv("GOVMON_DATA_DIR", str(tmp_path))
    db = f"sqlite:///{tmp_path / 'govmon.db'}"
    assert run(capsys, "--db", db, "init").code == 0
    for email in (A, B):
        assert run(capsys, "--db", db, "subscribers", "add", email).code == 0
    return {"db": db} | {row["email"]: row["id"] for row in active(capsys, db)}


def active(capsys: pytest.CaptureFixture[str], db: str) -> list[dict[str, Any]]:
    rows = json.loads(run(capsys, "--db", db, "subscribers", "list", "--json").out)
    return [row for row in rows if row["status"] == "active"]


def test_a_token_for_one_subscriber_cannot_unsubscribe_another(
    capsys: pytest.CaptureFixture[str], two_subscribers: dict[str, Any]
) -> None:
    db, a_id, b_id = two_subscribers["db"], two_subscribers[A], two_subscribers[B]
    a_signature = make_token(a_id, A, SECRET.encode()).split(".")[1]
    for forged in (f"{b_id}.{a_signature}", make_token(b_id, A, SECRET.encode()), make_token(b_id, B, b"guess"), ""):
        result = run(capsys, "--db", db, "subscribers", "unsubscribe", forged)
        assert result.code == ExitCode.INPUT, (forged, result)
        assert "invalid" in result.err or "malformed" in result.err or "another" in result.err
    assert {row["email"] for row in active(capsys, db)} == {A, B}

    assert run(capsys, "--db", db, "subscribers", "unsubscribe", make_token(a_id, A, SECRET.encode())).code == 0
    assert {row["email"] for row in active(capsys, db)} == {B}
