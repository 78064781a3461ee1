"""The ``oncoclaims.api`` modules import one another in one direction (app, state, runner,
execution, backend): no circle, counting the imports made only for type checking, and each
module imports on its own, before any of its siblings."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import oncoclaims.api

API = Path(oncoclaims.api.__file__).parent
MODULES = sorted(p.stem for p in API.glob("*.py") if p.stem != "__init__")


def _api_imports(module: str) -> set[str]:
    """The ``oncoclaims.api`` modules ``module`` imports anywhere in its text (type checking too)."""
    path = API / ("__init__.py" if module == "__init__" else f"{module}.py")
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # ``from oncoclaims.api import x``: the submodule x, or a name of the package's __init__
            names = ([f"{node.module}.{alias.name}" for alias in node.names]
                     if node.module == "oncoclaims.api" else [node.module])
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[:2] != ["oncoclaims", "api"]:
                continue
            if len(parts) >= 3 and parts[2] in MODULES:
                found.add(parts[2])
            elif len(parts) == 2 or parts[2] not in MODULES:
                found.add("__init__")
    found.discard(module)
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle of ``graph`` (as the path that closes it), or ``None``."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_api_import_graph_has_no_circle() -> None:
    graph = {module: _api_imports(module) for module in [*MODULES, "__init__"]}
    assert _cycle(graph) is None, f"import circle: {' -> '.join(_cycle(graph) or [])}"
    # The direction the circle was broken in: settings at the bottom, the runner below the state.
    assert graph["settings"] == set()
    assert "state" not in graph["query_runner"] | graph["worker_pool"] | graph["query_execution"]
    assert "query_runner" not in graph["query_execution"] | graph["worker_pool"]


def test_the_circle_finder_finds_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


_ALONE = """
import importlib.util, sys, types
spec = importlib.util.find_spec("oncoclaims")
package = types.ModuleType("oncoclaims.api")  # the package without its __init__, which imports all
package.__path__ = [str(__import__("pathlib").Path(spec.origin).parent / "api")]
sys.modules["oncoclaims.api"] = package
import oncoclaims.api.{module}
"""


@pytest.mark.parametrize("module", MODULES)
def test_each_api_module_imports_alone(module: str) -> None:
    """In a fresh interpreter, ``module`` first: no sibling half-imported before it."""
    env = {**os.environ, "PYTHONPATH": str(API.parent.parent)}
    done = subprocess.run([sys.executable, "-c", _ALONE.format(module=module)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
