"""The pure cores (extract, diff, digest) import no I/O framework: ARCHITECTURE §1 "pure cores, thin shells"."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PURE = (
    "monitor/extract",
    "monitor/compare",
    "monitor/digest",
    "monitor/format",
)
FORBIDDEN = ("scrapy", "sqlalchemy", "jinja2", "requests", "socket", "twisted", "db", "crawler", "smtplib")


def _pure_files() -> list[Path]:
    files: list[Path] = []
    for name in PURE:
        package, module = ROOT / name, ROOT / f"{name}.py"
        files += sorted(package.rglob("*.py")) if package.is_dir() else []
        files += [module] if module.is_file() else []
    return files


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under `if TYPE_CHECKING:` (annotations only, never imported at run time)."""
    nodes: list[ast.AST] = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            continue
        nodes.append(node)
        nodes.extend(_runtime_nodes(node))
    return nodes


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_there_is_something_to_check() -> None:
    assert _pure_files(), "no pure-core modules found"


@pytest.mark.parametrize("path", _pure_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_pure_module_source_imports_nothing_forbidden(path: Path) -> None:
    assert not _imported_roots(path) & set(FORBIDDEN)


def test_importing_the_pure_cores_loads_no_forbidden_module() -> None:
    modules = [name.replace("/", ".") for name in PURE if (ROOT / name).exists() or (ROOT / f"{name}.py").exists()]
    code = (
        "import importlib, json, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(json.dumps(sorted({n.split('.')[0] for n in sys.modules})))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert not set(json.loads(proc.stdout)) & set(FORBIDDEN)
