"""The modules of `shared/` import one another without a circle, and each imports alone.

Imports under `if TYPE_CHECKING:` count too: a circle a type checker follows is one a reader
follows as well (issue 13: auth → client → middleware → context → auth).
"""

import ast
import subprocess
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SHARED.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(SHARED.rglob("*.py"))}


def _imports(path: Path, known: set[str]) -> set[str]:
    """The `shared` modules a file imports, at run time or for type checking."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        found.update(name for name in names if name in known)
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle of the graph, as the list of its modules, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_shared_modules_import_each_other_without_a_circle():
    modules = _modules()
    known = set(modules)
    graph = {
        name: {m for m in _imports(path, known) if m != name and not name.startswith(m + ".")}
        for name, path in modules.items()
    }
    assert _cycle(graph) is None


def test_each_cross_cutting_module_imports_alone():
    for module in (
        "shared.headers",
        "shared.context",
        "shared.identity",
        "shared.scope",
        "shared.client",
        "shared.middleware",
    ):
        done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True)  # noqa: S603
        assert done.returncode == 0, (module, done.stderr.decode()[-2000:])
