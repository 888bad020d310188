"""The layering the README's Architecture section draws, checked on the source:

- the pure cores (extract, compare, digest, format) import no I/O framework, so they stay testable on plain values;
- no import cycle among the modules of crawler/, db/ and monitor/ (what a module imports when it is loaded);
- the faces (CLI, web, demo) reach the database only through the library (`monitor/service`, `monitor/ops`):
  no session, no ORM model, nothing of db/ in them.
"""

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


# --- no import cycle -----------------------------------------------------------------------------------------

PACKAGES = ("crawler", "db", "monitor")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def _load_time_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports that run when the module is loaded: at top level, or in a top-level `if`/`try` other than
    `if TYPE_CHECKING:`; imports inside functions run later and cannot make a loading cycle."""
    found: list[ast.Import | ast.ImportFrom] = []
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            continue
        if isinstance(node, (ast.If, ast.Try)):
            found += [n for n in ast.walk(node) if isinstance(n, (ast.Import, ast.ImportFrom))]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
    return found


def _targets(node: ast.Import | ast.ImportFrom, package: str, modules: dict[str, Path]) -> set[str]:
    """The project modules an import statement loads (`from a import b` loads `a.b` when that is a module)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in modules}
    base = node.module or ""
    if node.level:
        parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
        base = ".".join([*parts, *([node.module] if node.module else [])])
    found = set()
    for alias in node.names:
        if f"{base}.{alias.name}" in modules:
            found.add(f"{base}.{alias.name}")
        elif base in modules:
            found.add(base)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[name] = {t for node in _load_time_imports(tree) for t in _targets(node, package, modules)} - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = {"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}, "a.w": {"a.x"}}
    assert cycles(graph) == [["a.x", "a.y", "a.z"]]
    assert cycles({"a.x": {"a.y"}, "a.y": set()}) == []


def test_the_import_graph_sees_package_and_relative_imports() -> None:
    graph = import_graph()
    assert "monitor.channels.base" in graph["monitor.channels"]  # `from monitor.channels.base import …`
    assert "db.models" in graph["db.outbox"]  # `from db import models as m`
    assert len(graph) > 100


def test_no_import_cycle_among_crawler_db_and_monitor() -> None:
    assert cycles(import_graph()) == []


# --- the faces reach the database only through the library --------------------------------------------------

FACES = ("monitor/cli", "monitor/web", "monitor/demo")
ALLOWED_FROM_SQLALCHEMY = {"Engine"}  # an opaque handle the faces pass to the library


def _face_files() -> list[Path]:
    return [p for face in FACES for p in sorted((ROOT / face).rglob("*.py"))]


def database_reaches(source: str) -> list[str]:
    """What in `source` reaches the database: any import of db/ or of SQLAlchemy beyond `Engine` (anywhere in
    the file: a lazy import inside a function counts), and any use of a name for sessions or ORM models."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in ("db", "sqlalchemy")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            root = node.module.split(".")[0]
            names = {a.name for a in node.names}
            if root == "db" or (
                root == "sqlalchemy" and (node.module != "sqlalchemy" or names - ALLOWED_FROM_SQLALCHEMY)
            ):
                found.append(f"{node.module}: {', '.join(sorted(names))}")
        elif isinstance(node, ast.Name) and node.id in ("session_scope", "Session", "sessionmaker"):
            found.append(node.id)
    return found


def test_the_face_check_sees_lazy_imports_and_sessions() -> None:
    lazy = "def f(app):\n    from db.session import session_scope\n    with session_scope(app.engine()) as s: ..."
    assert database_reaches(lazy) == ["db.session: session_scope", "session_scope"]
    assert database_reaches("from db import models as m") == ["db: models"]
    assert database_reaches("from sqlalchemy.orm import Session") == ["sqlalchemy.orm: Session"]
    assert database_reaches("from sqlalchemy import Engine, select") == ["sqlalchemy: Engine, select"]
    assert database_reaches("from sqlalchemy import Engine\nfrom monitor.service.reads import history") == []


def test_there_are_faces_to_check() -> None:
    assert len(_face_files()) > 20


@pytest.mark.parametrize("path", _face_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_face_reaches_the_database_only_through_the_library(path: Path) -> None:
    assert database_reaches(path.read_text(encoding="utf-8")) == []


# --- one vocabulary ------------------------------------------------------------------------------------------

VOCABULARY = ROOT / "monitor" / "vocabulary"


def _project_files() -> list[Path]:
    return [p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))]


def _strings(node: ast.AST) -> list[str]:
    items = node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else []
    return [e.value for e in items if isinstance(e, ast.Constant) and isinstance(e.value, str)]


def redeclared_words(source: str) -> list[str]:
    """Literals in `source` that declare what the vocabulary holds: a list of provinces (five or more names), or
    a table of change kinds or document types to plain Chinese words."""
    from monitor.vocabulary import CHANGE_KINDS, DOC_TYPES, PROVINCES

    found = []
    for node in ast.walk(ast.parse(source)):
        provinces = [s for s in _strings(node) if s in PROVINCES]
        if len(provinces) >= 5:
            found.append(f"line {node.lineno}: {len(provinces)} provinces")
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            words = [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
            plain = words and all("{" not in w and any("\u4e00" <= ch <= "\u9fff" for ch in w) for w in words)
            if plain and (len(keys & set(CHANGE_KINDS)) >= 3 or len(keys & set(DOC_TYPES)) >= 3):
                found.append(f"line {node.lineno}: words for {', '.join(sorted(keys))}")
    return found


def test_the_vocabulary_check_sees_a_second_declaration() -> None:
    assert redeclared_words('LABELS = {"raised": "上调", "reworded": "措辞变化", "dropped": "取消"}') != []
    assert redeclared_words('P = ("北京市", "天津市", "河北省", "山西省", "上海市", "江苏省")') != []
    assert redeclared_words('T = {"work_report": "政府工作报告", "plan": "规划", "other": "文件"}') != []
    assert redeclared_words('LEADS = {"raised": "{k}个上调", "lowered": "{k}个下调", "new": "{k}个新设"}') == []


@pytest.mark.parametrize("path", sorted(VOCABULARY.rglob("*.py")), ids=lambda p: p.name)
def test_the_vocabulary_imports_nothing_of_the_project_but_itself(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module and n.level == 0]
    modules += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert [m for m in modules if m.split(".")[0] in PACKAGES and not m.startswith("monitor.vocabulary")] == []


@pytest.mark.parametrize(
    "path", [p for p in _project_files() if VOCABULARY not in p.parents], ids=lambda p: str(p.relative_to(ROOT))
)
def test_words_of_the_vocabulary_are_declared_only_there(path: Path) -> None:
    assert redeclared_words(path.read_text(encoding="utf-8")) == []


def _all_imports(path: Path) -> set[str]:
    """Every module `path` imports, lazily or not (TYPE_CHECKING ones aside)."""
    names: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "crawler").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_crawler_takes_only_the_vocabulary_from_monitor(path: Path) -> None:
    taken = {n for n in _all_imports(path) if n.split(".")[0] == "monitor"}
    assert {n for n in taken if n != "monitor.vocabulary" and not n.startswith("monitor.vocabulary.")} == set()


def _pure_module(name: str) -> bool:
    return any(name == p.replace("/", ".") or name.startswith(p.replace("/", ".") + ".") for p in PURE)


# what db/ may take from monitor/: the vocabulary, the records of the pure cores it stores and reads back, and the
# address rules (pure: no I/O) that decide a subscriber's identity; never settings, services or delivery
DB_MAY_IMPORT = {"monitor", "monitor.vocabulary", "monitor.channels.addresses"}


@pytest.mark.parametrize("path", sorted((ROOT / "db").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_db_takes_from_monitor_only_the_vocabulary_and_pure_records(path: Path) -> None:
    taken = {n for n in _all_imports(path) if n.split(".")[0] == "monitor"}
    assert {n for n in taken if n not in DB_MAY_IMPORT and not _pure_module(n)} == set()
