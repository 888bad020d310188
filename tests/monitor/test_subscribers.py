"""Subscribers through the CLI, signed unsubscribe tokens, and the digest command end to end over SMTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.cli.app import ExitCode
from monitor.config import Settings
from monitor.tokens import InvalidToken, load_secret, make_token, verify_token
from tests.monitor.cli_helpers import run
from tests.smtp import smtp_server

TEXTS = Path(__file__).resolve().parents[1] / "fixtures" / "texts"


@pytest.fixture
def db(capsys: pytest.CaptureFixture[str], db_url: str) -> str:
    assert run(capsys, "--db", db_url, "init").code == 0
    return db_url


def test_token_round_trip_and_forgery() -> None:
    secret = b"s3cret"
    token = make_token(7, "a@example.org", secret)
    verify_token(token, 7, "A@example.org", secret)
    tampered = token[:-1] + ("B" if token.endswith("A") else "A")
    for forged in (
        make_token(7, "a@example.org", b"other"),
        make_token(8, "a@example.org", secret),
        tampered,
        "7",
        "x.y",
        "",
    ):
        with pytest.raises(InvalidToken):
            verify_token(forged, 7, "a@example.org", secret)


def test_generated_secret_is_private_and_stable(tmp_path: Path) -> None:
    settings = Settings(data_dir=str(tmp_path))
    first = load_secret(settings)
    assert first == load_secret(settings) and len(first) == 64
    assert (tmp_path / "secret.key").stat().st_mode & 0o077 == 0


def test_subscribers_add_list_remove(capsys: pytest.CaptureFixture[str], db: str) -> None:
    added = run(
        capsys,
        "--db",
        db,
        "subscribers",
        "add",
        "a@example.org",
        "--regions",
        "上海市，广东省",
        "--metrics",
        "rd_intensity",
        "--cadence",
        "weekly",
        "--format",
        "text",
    )
    assert added.code == 0
    (row,) = json.loads(run(capsys, "--db", db, "subscribers", "list", "--json").out)
    assert (row["regions"], row["metrics"], row["cadence"], row["format"]) == (
        ["上海市", "广东省"],
        ["rd_intensity"],
        "weekly",
        "text",
    )
    assert run(capsys, "--db", db, "subscribers", "remove", "a@example.org").code == 0
    assert run(capsys, "--db", db, "subscribers", "remove", "a@example.org").code == ExitCode.NOT_FOUND
    bad = run(capsys, "--db", db, "subscribers", "add", "not-an-address")
    assert bad.code == ExitCode.USAGE and "not an e-mail address" in bad.err


def _import_both(capsys: pytest.CaptureFixture[str], db: str) -> None:
    for year in (2023, 2024):
        path = str(TEXTS / f"示例市_{year}.txt")
        assert run(capsys, "--db", db, "import", path, "--region", "示例市", "--year", str(year)).code == 0


def test_digest_end_to_end_over_smtp_once(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    _import_both(capsys, db)
    run(capsys, "--db", db, "subscribers", "add", "region@example.org", "--regions", "示例市", "--cadence", "immediate")
    run(
        capsys,
        "--db",
        db,
        "subscribers",
        "add",
        "rd@example.org",
        "--metrics",
        "rd_intensity",
        "--cadence",
        "immediate",
        "--format",
        "text",
    )
    config = tmp_path / "govmon.toml"
    with smtp_server() as (inbox, port):
        config.write_text(f'smtp_host = "127.0.0.1"\nsmtp_port = {port}\ndata_dir = "{tmp_path}"\n', encoding="utf-8")
        first = run(capsys, "--config", str(config), "--db", db, "digest", "--send")
        second = run(capsys, "--config", str(config), "--db", db, "digest", "--send")
    assert first.code == 0, first.err
    assert "2 queued; 2 sent" in first.out and "0 queued; 0 sent" in second.out
    by_rcpt = {env[1][0]: msg for env, msg in zip(inbox.envelopes, inbox.messages, strict=True)}
    region = by_rcpt["region@example.org"]
    assert "经济增长 5.5%以上 → 5%左右" in region["Subject"]
    text = region.get_body(("plain",)).get_content()
    for expected in ("5.5%以上 → 5%左右", "4.3%左右 → 4.5%左右", "环保投入", "删去"):
        assert expected in text
    rd_text = by_rcpt["rd@example.org"].get_content()
    assert "4.3%左右 → 4.5%左右" in rd_text and "5.5%以上" not in rd_text
    token = region["List-Unsubscribe"].split("token=")[1].rstrip(">")
    assert run(capsys, "--config", str(config), "--db", db, "subscribers", "unsubscribe", token).code == 0
    listed = json.loads(run(capsys, "--db", db, "subscribers", "list", "--json").out)
    assert [s["status"] for s in listed if s["email"] == "region@example.org"] == ["unsubscribed"]


def test_digest_to_eml_files(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> None:
    _import_both(capsys, db)
    run(capsys, "--db", db, "subscribers", "add", "a@example.org", "--regions", "示例市")
    out = tmp_path / "eml"
    result = run(capsys, "--db", db, "digest", "--out", str(out), "--force")
    assert result.code == 0 and len(list(out.glob("*.eml"))) == 1
    usage = run(capsys, "--db", db, "digest")
    assert usage.code == ExitCode.USAGE and "--send" in usage.err


def test_forged_unsubscribe_token_is_refused(capsys: pytest.CaptureFixture[str], db: str) -> None:
    run(capsys, "--db", db, "subscribers", "add", "a@example.org")
    result = run(capsys, "--db", db, "subscribers", "unsubscribe", "1.AAAAAAAAAAAAAAAAAAAAAAAA")
    assert result.code == ExitCode.INPUT and "not valid" in result.err
