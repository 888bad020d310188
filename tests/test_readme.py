"""README's two commands are the ones CI runs, and every command it lists exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _two_commands() -> list[str]:
    section = README.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_readme_has_exactly_two_commands() -> None:
    commands = _two_commands()
    assert len(commands) == 2 and all("\n" not in c for c in commands)


def test_ci_runs_readme_commands_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    setup, tests = _two_commands()
    assert setup in ci.splitlines()
    assert any(line.strip().startswith(tests) for line in ci.splitlines())
    assert "set -euo pipefail" in ci
