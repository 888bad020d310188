"""A start URL nobody answers: `govmon crawl` says so in one line on stderr, naming the source, what happened and
where, with no retry chatter and no traceback (the library loggers' errors stay below the default level)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from tests.crawler.conftest import FAST, ROOT


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_start_url_is_one_line_on_stderr(sqlite_url: str, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/zwgk/list.html"
    registry = tmp_path / "registry.yaml"
    registry.write_text(f"- id: gone\n  region: 北京市\n  start_urls: ['{url}']\n", encoding="utf-8")
    command = [sys.executable, "-m", "monitor", "--db", sqlite_url, "crawl", "--sources", str(registry),
               *(f"-s{k}={v}" for k, v in FAST.items())]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 7, done.stderr
    assert len(lines) == 1, done.stderr
    assert "gone" in lines[0] and "refused" in lines[0] and url in lines[0], lines[0]
    assert "Traceback" not in done.stderr and "Gave up retrying" not in done.stderr
