"""Headless Chromium for rendering tests: dump the DOM of a page, or take a screenshot of it.

Debian's `chromium` package (`apt-get install -y chromium fonts-noto-cjk`; the fonts make Chinese readable in
screenshots). Without it the tests skip with the reason, unless CI is set: then they fail, so CI cannot pass
without actually rendering.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"  # gitignored; CI uploads it
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)


def chromium() -> str:
    """The chromium executable, else skip (fail in CI) with how to install it."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    reason = "headless Chromium is absent: apt-get install -y chromium fonts-noto-cjk"
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


def _run(page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="govmon-chromium-") as profile:
        command = [chromium(), *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)


def dump_dom(page: Path) -> str:
    """The DOM after Chromium has parsed and laid out the page, serialised as HTML."""
    return _run(page, "--dump-dom").stdout


def screenshot(page: Path, name: str, width: int = 640, height: int = 1000) -> Path:
    """A PNG of the page at this window size, saved as tests/artifacts/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"{name}.png"
    target.unlink(missing_ok=True)
    _run(page, f"--screenshot={target}", f"--window-size={width},{height}")
    assert target.stat().st_size > 0
    return target
