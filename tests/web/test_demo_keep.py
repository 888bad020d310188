"""`govmon demo --keep` serves the demo database through `govmon serve`: every link in the demo's digests works —
archive pages, preferences, the unsubscribe page and its one-click POST."""

from __future__ import annotations

import email
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.smtp import free_port

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _status(url: str, data: bytes | None = None) -> int:
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return int(answer.status)


def test_every_link_of_the_demo_digests_works(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "GOVMON_BASE_URL": base, "COLUMNS": "160"}
    command = [sys.executable, "-m", "monitor", "demo", "--dir", str(tmp_path / "demo"), "--keep"]
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                assert _status(base + "/healthz") == 200
                break
            except OSError:
                assert proc.poll() is None, "the demo stopped before serving"
                time.sleep(0.5)
        mail = next((tmp_path / "demo" / "mail").glob("0001-*.eml"))
        message = email.message_from_bytes(mail.read_bytes())
        html = next(p for p in message.walk() if p.get_content_type() == "text/html").get_payload(decode=True)
        links = set(re.findall(rf'href="({re.escape(base)}[^"]*)"', html.decode("utf-8")))  # type: ignore[union-attr]
        assert any("/documents/" in u for u in links) and any("/preferences?token=" in u for u in links)
        for url in sorted(links):
            assert _status(url.replace("&amp;", "&")) == 200, url
        unsubscribe = str(message["List-Unsubscribe"]).strip().strip("<>")
        assert unsubscribe.startswith(base + "/unsubscribe?token=")
        assert _status(unsubscribe, b"List-Unsubscribe=One-Click") == 200
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert "stopped" in out
