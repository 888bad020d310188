"""Previews record nothing: `digest --out DIR` twice writes the same digest twice and `status` shows nothing sent;
`digest --preview EMAIL` prints one subscriber's next digest; `--record` delivers through the outbox."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from monitor.cli.app import ExitCode
from tests.monitor.cli_helpers import run
from tests.monitor.test_subscribers import _import_both


@pytest.fixture
def ready(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> str:
    db = sqlite_url
    assert run(capsys, "--db", db, "init").code == 0
    _import_both(capsys, db)
    assert run(capsys, "--db", db, "subscribers", "add", "a@example.org", "--regions", "示例市").code == 0
    return db


def _parts(path: Path) -> tuple[str, str, str]:
    message = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None
    return str(message["Subject"]), text.get_content(), html.get_content()


def test_out_twice_gives_the_same_digest_and_records_nothing(
    capsys: pytest.CaptureFixture[str], ready: str, tmp_path: Path
) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    for out in (first, second):
        result = run(capsys, "--db", ready, "digest", "--out", str(out), "--force")
        assert result.code == 0 and "nothing recorded" in result.out, result.err
    (a,), (b,) = sorted(first.glob("*.eml")), sorted(second.glob("*.eml"))
    assert _parts(a) == _parts(b) and "示例市" in _parts(a)[1]
    status = run(capsys, "--db", ready, "status")
    assert status.code == 0 and "deliveries: none" in status.out
    # the window did not move: a recorded run still finds the digest, and only then is it sent
    recorded = run(capsys, "--db", ready, "digest", "--out", str(tmp_path / "sent"), "--force", "--record")
    assert recorded.code == 0 and "1 sent" in recorded.out
    assert "1 sent" in run(capsys, "--db", ready, "status").out
    assert _parts(next((tmp_path / "sent").glob("*.eml")))[1:] == _parts(a)[1:]


def test_preview_prints_one_subscribers_next_digest(
    capsys: pytest.CaptureFixture[str], ready: str, tmp_path: Path
) -> None:
    text = run(capsys, "--db", ready, "digest", "--preview", "a@example.org")
    assert text.code == 0 and "示例市 · 政府工作报告 · 2024年" in text.out and "退订：" in text.out
    html = run(capsys, "--db", ready, "digest", "--preview", "a@example.org", "--as", "html")
    assert html.out.lstrip().startswith("<!DOCTYPE html>")
    target = tmp_path / "next.eml"
    saved = run(capsys, "--db", ready, "digest", "--preview", "a@example.org", "--as", "eml", "--out", str(target))
    assert saved.code == 0 and _parts(target)[1] == text.out
    assert "deliveries: none" in run(capsys, "--db", ready, "status").out
    assert run(capsys, "--db", ready, "digest", "--preview", "a@example.org").out == text.out  # still next


def test_preview_of_an_unknown_subscriber_says_so(capsys: pytest.CaptureFixture[str], ready: str) -> None:
    result = run(capsys, "--db", ready, "digest", "--preview", "nobody@example.org")
    assert result.code == ExitCode.NOT_FOUND and "nothing to preview for nobody@example.org" in result.err


def test_record_needs_out(capsys: pytest.CaptureFixture[str], ready: str) -> None:
    result = run(capsys, "--db", ready, "digest", "--record")
    assert result.code == ExitCode.USAGE and "--record goes with --out" in result.err


def test_subscribers_sharing_a_digest_each_get_their_own_address_and_links(
    capsys: pytest.CaptureFixture[str], ready: str, tmp_path: Path
) -> None:
    assert run(capsys, "--db", ready, "subscribers", "add", "b@example.org", "--regions", "示例市").code == 0
    out = tmp_path / "mail"
    assert run(capsys, "--db", ready, "digest", "--out", str(out), "--force").code == 0
    texts = {}
    for path in sorted(out.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        body = message.get_body(("plain",))
        assert body is not None
        texts[str(message["To"])] = (body.get_content(), str(message["List-Unsubscribe"]))
    (a_text, a_header), (b_text, b_header) = texts["a@example.org"], texts["b@example.org"]
    token = re.compile(r"unsubscribe\?token=([\w.-]+)")
    a_token, b_token = token.findall(a_text), token.findall(b_text)
    assert a_token and b_token and a_token != b_token
    assert a_token[0] in a_header and b_token[0] in b_header  # the header and the body name the same link
    assert "发送给 a@example.org" in a_text and "b@example.org" not in a_text

    def strip(text: str) -> str:
        return re.sub(r"token=[\w.-]+", "", text).replace("a@example.org", "").replace("b@example.org", "")

    assert strip(a_text) == strip(b_text)  # the same digest otherwise
