"""Which module-level function under bot/slack calls which, read from the source: what the tests
of the door's shape (every listener checks the member, every modal opens first) walk."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

SLACK = Path(__file__).resolve().parents[2] / "bot" / "slack"

Function = ast.AsyncFunctionDef | ast.FunctionDef


def modules() -> list[Path]:
    return sorted(SLACK.rglob("*.py"))


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(SLACK.parents[1]).with_suffix("").parts)


@cache
def calls() -> dict[str, frozenset[str]]:
    """Module-level functions under bot/slack by qualified name → the qualified names of the
    functions each calls by name (resolved through the module's own defs and imports)."""
    found: dict[str, frozenset[str]] = {}
    for path in modules():
        module = _module_name(path)
        tree = ast.parse(path.read_text())
        names: dict[str, str] = {}
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, Function):
                names[node.name] = f"{module}.{node.name}"
        for node in tree.body:
            if isinstance(node, Function):
                found[f"{module}.{node.name}"] = frozenset(
                    names[call.func.id]
                    for call in ast.walk(node)
                    if isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id in names
                )
    return found


def reaches(function: str, target: str) -> bool:
    """Whether `function` calls `target`, itself or through the functions it calls."""
    graph, seen, todo = calls(), set(), [function]
    while todo:
        name = todo.pop()
        if name == target:
            return True
        if name not in seen:
            seen.add(name)
            todo.extend(graph.get(name, ()))
    return False


def qualified(function: object) -> str:
    return f"{function.__module__}.{function.__qualname__}"  # type: ignore[attr-defined]
