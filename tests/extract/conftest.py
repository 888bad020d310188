"""Shared helpers for the extraction tests."""

from __future__ import annotations

from pathlib import Path

import pytest

# the sibling checkout ../shared (corpus and seeds); tests that read it skip when it is absent
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


@pytest.fixture
def shared() -> Path:
    if not (SHARED / "corpus").is_dir():
        pytest.skip(f"{SHARED} is absent")
    return SHARED
