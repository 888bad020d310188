"""The demo's source registry: one entry per catalogue column, pointing at the demo server's address."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from monitor.demo.catalog import COLUMNS

HEADER = "# Written by `govmon demo` for the demo server at {base}; rewritten on every run.\n"


def entries(base: str) -> list[dict[str, Any]]:
    return [
        {"id": c.source_id, "name": c.name, "region": c.region, "level": c.level, "cms": c.cms,
         "start_urls": [base + c.list_path]}
        for c in COLUMNS
    ]  # fmt: skip


def write_registry(base: str, path: Path) -> Path:
    """Write the registry YAML for a server at `base` (http://127.0.0.1:PORT) to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump(entries(base), allow_unicode=True, sort_keys=False)
    path.write_text(HEADER.format(base=base) + body, encoding="utf-8")
    return path


def source_ids() -> list[str]:
    return [c.source_id for c in COLUMNS]
