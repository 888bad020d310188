"""A hostile registry: YAML alias bombs, deep nesting and recursive anchors are refused before they are built.

A 500-byte file whose aliases expand to millions of nodes is cheap for PyYAML (aliases share one object) but
not for whatever walks the entry afterwards (`dataclasses.asdict`, JSON): before the bounds it took `sources list`
and `crawl` to more than 1 GB within a minute. The commands run in subprocesses with an address-space limit and a
timeout, so a regression fails the test instead of hanging the suite or the machine.
"""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.sources import KNOWN_FIELDS, load_registry

ROOT = Path(__file__).resolve().parents[2]
MEMORY_LIMIT = 1024 * 2**20  # the commands need about 300 MB of address space
HEAD = "- id: bomb\n  region: 示例市\n  start_urls: [http://127.0.0.1:9/]\n"


def deep_bomb(levels: int = 9, width: int = 9) -> str:
    """The classic "billion laughs": each level repeats the previous one `width` times (9⁹ ≈ 387 million)."""
    lines = [f"    - &l0 [{', '.join(['lol'] * width)}]"]
    lines += [f"    - &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines)


def wide_bomb(levels: int = 4, width: int = 40) -> str:
    """Shallow and wide: within any depth limit, 40⁴ = 2.56 million nodes."""
    return deep_bomb(levels, width)


def entry_with(field: str, value: str) -> str:
    """A valid entry with `value` (indented YAML lines) under `field`, replacing that field when it is required."""
    required = {"id": "bomb", "region": "示例市", "start_urls": "[http://127.0.0.1:9/]"}
    lines = [f"{name}: {v}" for name, v in required.items() if name != field]
    return "- " + "\n  ".join(lines) + f"\n  {field}:\n{value}\n"


FIELDS = sorted(KNOWN_FIELDS)


LOAD = """
import json, sys
from crawler.sources import RegistryError, load_registry
for path in sys.argv[1:]:
    try:
        outcome = (0, f"loaded {len(load_registry(path))}")
    except RegistryError as exc:
        outcome = (4, str(exc))
    print(json.dumps([path, *outcome]), flush=True)
"""
SHAPES = {"deep": deep_bomb, "wide": wide_bomb}


def load_bounded(*paths: Path) -> dict[str, tuple[int, str]]:
    """`load_registry` of each file in one subprocess with the memory limit: {path: (4 if refused, message)}.

    A file that exhausts the memory or the time ends the subprocess: it and the files after it have no result.
    """
    result = _run([sys.executable, "-c", LOAD, *map(str, paths)], "loading the registries")
    outcomes = {path: (code, message) for path, code, message in map(json.loads, result.stdout.splitlines())}
    missing = [p.name for p in paths if str(p) not in outcomes]
    if missing:
        pytest.fail(f"loading {missing[0]} crashed the loader (exit {result.returncode}): {result.stderr[-500:]}")
    return outcomes


@pytest.fixture(scope="module")
def bombs_loaded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str]]:
    """Every field with every bomb, loaded in one subprocess."""
    directory = tmp_path_factory.mktemp("bombs")
    paths = []
    for field in FIELDS:
        for shape, bomb in SHAPES.items():
            paths.append(directory / f"{field}-{shape}.yaml")
            paths[-1].write_text(entry_with(field, bomb()), encoding="utf-8")
    return {Path(path).stem: outcome for path, outcome in load_bounded(*paths).items()}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("field", FIELDS)
def test_a_bomb_under_any_field_is_refused_naming_the_entry(
    field: str, shape: str, bombs_loaded: dict[str, tuple[int, str]]
) -> None:
    code, message = bombs_loaded[f"{field}-{shape}"]
    assert code == 4 and len(message.splitlines()) == 1, message
    expected = "source #1" if field == "id" else "source bomb"
    assert message.startswith(f"{expected}: "), message
    assert "alias" in message or "deeper than" in message, message


def test_the_entry_helper_puts_the_bomb_under_the_field(tmp_path: Path) -> None:
    """The bombs above really sit under the field: with a harmless value in their place the entry loads."""
    path = tmp_path / "fine.yaml"
    path.write_text(entry_with("selectors", "    body: div.content"), encoding="utf-8")
    (source,) = load_registry(path)
    assert source.selectors == {"body": "div.content"} and source.id == "bomb"


def test_a_bomb_at_the_top_level_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "top.yaml"
    path.write_text(f"defaults:\n  x:\n{wide_bomb()}\nsources:\n{HEAD}", encoding="utf-8")
    entries = tmp_path / "entries.yaml"
    entries.write_text(wide_bomb().replace("    - ", "- "), encoding="utf-8")
    outcomes = load_bounded(path, entries)
    code, message = outcomes[str(path)]
    assert code == 4 and re.fullmatch(r"registry .*top.yaml: its aliases expand to \d+ nodes, .*", message), message
    code, message = outcomes[str(entries)]
    assert code == 4 and re.fullmatch(r"source #2: its aliases expand to \d+ nodes, .*", message), message


def test_recursive_and_deep_yaml_are_refused(tmp_path: Path) -> None:
    recursive = tmp_path / "recursive.yaml"
    recursive.write_text(f"{HEAD}  api: &self {{again: *self}}\n", encoding="utf-8")
    deep = tmp_path / "deep.yaml"
    deep.write_text(f"{HEAD}  selectors: {'[' * 50_000}{']' * 50_000}\n", encoding="utf-8")
    outcomes = load_bounded(recursive, deep)
    assert outcomes[str(recursive)] == (4, "source bomb: a recursive alias (an anchor used inside itself)")
    code, message = outcomes[str(deep)]
    assert code == 4 and re.fullmatch(r"registry .*deep.yaml: line 4: nested deeper than \d+ levels", message), message


def test_ordinary_aliases_still_work(tmp_path: Path) -> None:
    """Registries may share settings with anchors and merge keys; only an expansion beyond the bound is refused."""
    path = tmp_path / "shared.yaml"
    entries = "".join(
        f"- <<: *common\n  id: city-{i}\n  region: 市{i}\n  start_urls: [http://127.0.0.1:9/{i}/]\n" for i in range(300)
    )
    common = "- &common\n  id: first\n  region: 首\n  start_urls: [http://127.0.0.1:9/]\n  doc_types: [plan]\n"
    path.write_text(f"{common}  selectors: {{body: div.content}}\n{entries}", encoding="utf-8")
    sources = load_registry(path)
    assert len(sources) == 301 and sources[-1].id == "city-299" and sources[-1].doc_types == ("plan",)
    assert sources[-1].selectors == {"body": "div.content"}


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _run(command: list[str], what: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=ROOT, preexec_fn=_limit_memory)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{what} still ran after 60 s")


def _govmon(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    db = f"sqlite:///{tmp_path / 'govmon.db'}"
    return _run([sys.executable, "-m", "monitor", "--db", db, *args], f"`govmon {' '.join(args)}`")


@pytest.mark.parametrize("command", [["sources", "list"], ["crawl"]], ids=["sources-list", "crawl"])
def test_commands_refuse_a_bomb_promptly_with_bounded_memory(command: list[str], tmp_path: Path) -> None:
    assert _govmon(tmp_path, "init").returncode == 0
    registries = {
        "source bomb: ": entry_with("selectors", deep_bomb()),
        "source bomb: its aliases": entry_with("api", wide_bomb()),
        "registry ": f"defaults:\n  x:\n{wide_bomb()}\nsources:\n{HEAD}",
    }
    for expected, text in registries.items():
        path = tmp_path / "bomb.yaml"
        path.write_text(text, encoding="utf-8")
        result = _govmon(tmp_path, *command, "--sources", str(path))
        assert result.returncode == 4, result.stderr[-2000:]
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith(f"error: invalid source registry: {expected}"), line
