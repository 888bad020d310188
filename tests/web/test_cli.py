"""The CLI checks what it is told (regions, metrics by key or Chinese name, themes, document types) and echoes
what it stored; `govmon metrics`; the list headers of digests; `govmon serve` as a real server."""

from __future__ import annotations

import email
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from monitor.channels.outbox import DirectoryTransport
from monitor.cli.app import ExitCode
from monitor.config import Settings
from monitor.ops.jobs import send_due_digests
from tests.monitor.cli_helpers import run
from tests.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]


def test_add_validates_filters_and_echoes_them(capsys: pytest.CaptureFixture[str], settings: Settings) -> None:
    db = settings.database_url
    added = run(capsys, "--db", db, "subscribers", "add", "a@example.org", "--regions", "示例市,上海市", "--metrics",
                "研发经费投入强度,gdp_growth", "--themes", "人工智能", "--doc-types", "政府工作报告")  # fmt: skip
    assert added.code == 0, added.err
    assert (
        "regions:    示例市, 上海市" in added.out
        and "metrics:    rd_intensity (研发经费投入强度), gdp_growth (经济增长)" in added.out
    )
    assert "themes:     人工智能" in added.out and "doc types:  work_report" in added.out
    (row,) = json.loads(run(capsys, "--db", db, "subscribers", "list", "--json").out)
    assert row["metrics"] == ["rd_intensity", "gdp_growth"] and row["status"] == "active"


@pytest.mark.parametrize(("option", "value", "hint"), [
    ("--regions", "上海", "did you mean 上海市"),
    ("--metrics", "研发强度", "rd_intensity"),
    ("--themes", "AI", "人工智能"),
    ("--doc-types", "report", "work_report"),
])  # fmt: skip
def test_unknown_filters_are_refused_with_suggestions(capsys: pytest.CaptureFixture[str], settings: Settings,
                                                      option: str, value: str, hint: str) -> None:  # fmt: skip
    result = run(capsys, "--db", settings.database_url, "subscribers", "add", "a@example.org", option, value)
    assert result.code == ExitCode.USAGE and "unknown" in result.err and hint in result.err
    assert json.loads(run(capsys, "--db", settings.database_url, "subscribers", "list", "--json").out) == []


def test_metrics_command_lists_keys_with_chinese_names(capsys: pytest.CaptureFixture[str]) -> None:
    listed = run(capsys, "metrics")
    assert any(line.split() == ["rd_intensity", "研发经费投入强度"] for line in listed.out.splitlines())
    as_json = json.loads(run(capsys, "metrics", "--json").out)
    assert {"key": "gdp_growth", "name": "经济增长"} in as_json


def test_digests_carry_list_id_auto_submitted_and_mailto(capsys: pytest.CaptureFixture[str], settings: Settings,
                                                         tmp_path: Path) -> None:  # fmt: skip
    run(capsys, "--db", settings.database_url, "subscribers", "add", "a@example.org", "--cadence", "immediate")
    configured = settings.replace(unsubscribe_mailbox="unsubscribe@example.org", base_url="https://govmon.example.org")
    transport = DirectoryTransport(tmp_path / "out")
    from sqlalchemy import create_engine

    engine = create_engine(settings.database_url)
    assert send_due_digests(engine, configured, transport).sent == 1
    engine.dispose()
    message = email.message_from_bytes(transport.written[0].read_bytes())
    header = " ".join(str(message["List-Unsubscribe"]).split())
    assert header.startswith("<https://govmon.example.org/unsubscribe?token=")
    assert "<mailto:unsubscribe@example.org?subject=unsubscribe%20" in header
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"] == "govmon digests <digest.govmon.example.org>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert "https://govmon.example.org/preferences?token=" in message.get_payload()[0].get_payload(decode=True).decode()  # type: ignore[index,union-attr]


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()


def _serve(settings: Settings, *flags: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "GOVMON_SECRET_KEY": "k", "GOVMON_DATA_DIR": settings.data_dir}
    command = [sys.executable, "-m", "monitor", "--db", settings.database_url, "serve", "--port", str(port), *flags]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            _get(base + "/healthz")
            return proc, base
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise AssertionError(proc.stderr.read().decode() if proc.stderr else "govmon serve did not start")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM: the server finishes and `govmon serve` exits 0."""
    proc.terminate()
    try:
        assert proc.wait(30) == 0
    finally:
        if proc.stderr:
            proc.stderr.close()


@pytest.mark.slow
def test_serve_trusts_forwarded_headers_only_with_proxy_headers(settings: Settings) -> None:
    plain, base = _serve(settings)
    try:
        status, headers, body = _get(base + "/index.html", {"X-Forwarded-Proto": "https"})
        assert status == 200 and "示例市".encode() in body and "strict-transport-security" not in headers
    finally:
        _stop(plain)
    proxied, base = _serve(settings, "--proxy-headers", "--workers", "2")
    try:
        _, headers, _ = _get(base + "/index.html", {"X-Forwarded-Proto": "https"})
        assert headers["strict-transport-security"].startswith("max-age=")
    finally:
        _stop(proxied)


def test_serve_refuses_an_uninitialised_database(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    result = run(capsys, "--db", f"sqlite:///{tmp_path / 'empty.db'}", "serve")
    assert result.code == ExitCode.DATABASE and "govmon init" in result.err
