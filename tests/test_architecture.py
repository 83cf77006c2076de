"""The package's shape: no import cycle, and no wing imports a wing above it.

The wings, from the bottom: ``llmhistory._validate`` (checks), ``llmhistory.concepts`` (the ideas
the chapters teach), ``llmhistory.tiny`` (the trained model), ``llmhistory.book`` (the machinery
that makes the book). A module may import its own wing and the wings below, never above.
Every ``import`` statement counts, at module level or inside a function; doctests do not.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "llmhistory"
#: Rank of each wing: a module may import only ranks <= its own.
WINGS = {"_validate": 0, "concepts": 1, "tiny": 2, "book": 3}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, modules: set[str]) -> set[str]:
    """Return the llmhistory modules ``path`` imports (``from a import b`` counts ``a.b`` if it
    is a module, else ``a``)."""
    found = set()
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else None
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import
                anchor = (package or module_name(path)).split(".")
                base = ".".join(anchor[: len(anchor) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return {name for name in found if name in modules}


def import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(path) for path in paths}
    return {module_name(path): imported_modules(path, modules) for path in paths}


def wing(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in WINGS else None


def format_graph(graph: dict[str, set[str]]) -> str:
    return "\n".join(
        f"{name} -> {', '.join(sorted(targets))}" for name, targets in sorted(graph.items())
    )


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1 visiting, 2 done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target) :] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph()


def test_the_graph_sees_the_wings(graph):
    assert "llmhistory.tiny.weights" in graph["llmhistory.tiny.model"]
    assert "llmhistory.concepts.kv_cache" in graph["llmhistory.tiny.model"]
    assert {wing(name) for name in graph} >= set(WINGS)


def test_no_import_cycle(graph):
    cycle = find_cycle(graph)
    assert cycle is None, f"import cycle {' -> '.join(cycle)}\n{format_graph(graph)}"


def test_no_upward_import(graph):
    upward = [
        f"{source} -> {target}"
        for source, targets in graph.items()
        for target in targets
        if wing(source) and wing(target) and WINGS[wing(target)] > WINGS[wing(source)]
    ]
    assert not upward, "upward imports:\n" + "\n".join(upward) + "\n\n" + format_graph(graph)


def test_the_checks_find_a_cycle_and_an_upward_import():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    assert wing("llmhistory.concepts.kv_cache") == "concepts" and wing("llmhistory") is None
