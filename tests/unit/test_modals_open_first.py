"""Every modal opens first: the class of "a Slack or database call before views.open" kept shut
by the code's shape, read from the source.

- Only bot/slack/modals.py calls `views_open` (through `open_loading` / `open_first`).
- A function that opens a modal (calls an opener) is marked `@opens_first`, so the listener
  wrapper leaves the membership check (users.info) until the modal is open — and so is any
  function that calls such a function (`open_setup_from_home` → `open_setup`).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SLACK = Path(__file__).resolve().parents[2] / "bot" / "slack"
OPENERS = {"open_loading", "open_first"}


def _modules() -> list[Path]:
    return sorted(SLACK.rglob("*.py"))


def _called(function: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            target = node.func
            if isinstance(target, ast.Attribute):
                names.add(target.attr)
            elif isinstance(target, ast.Name):
                names.add(target.id)
    return names


def _marked(function: ast.AsyncFunctionDef | ast.FunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "opens_first" for d in function.decorator_list)


Function = ast.AsyncFunctionDef | ast.FunctionDef


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(SLACK.parents[1]).with_suffix("").parts)


def _functions() -> dict[str, tuple[Function, set[str]]]:
    """Module-level functions under bot/slack by qualified name, with the qualified names of
    the functions each calls by name (resolved through the module's own defs and imports)."""
    found: dict[str, tuple[Function, set[str]]] = {}
    for path in _modules():
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
                calls = {
                    names[call.func.id]
                    for call in ast.walk(node)
                    if isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id in names
                }
                found[f"{module}.{node.name}"] = (node, calls)
    return found


def test_only_the_modals_module_calls_views_open() -> None:
    callers = [
        str(path.relative_to(SLACK))
        for path in _modules()
        if "views_open" in _called(ast.parse(path.read_text()))
    ]
    assert callers == ["modals.py"]


def test_every_function_that_opens_a_modal_is_marked_opens_first() -> None:
    functions = _functions()
    openers = {f"bot.slack.modals.{name}" for name in OPENERS}
    while True:  # whoever calls an opener opens a modal too
        grown = openers | {name for name, (_, calls) in functions.items() if calls & openers}
        if grown == openers:
            break
        openers = grown
    opening = {name: functions[name][0] for name in openers if name in functions}
    opening = {n: f for n, f in opening.items() if not n.startswith("bot.slack.modals.")}
    assert [name for name, f in opening.items() if not _marked(f)] == []
    # The ones this is about, so the search above cannot quietly find nothing.
    assert {
        "bot.slack.setup.listeners.open_setup",
        "bot.slack.home.listeners.open_setup_from_home",
        "bot.slack.home.listeners.open_setting_form",
        "bot.slack.requests.deciding.reject",
        "bot.slack.requests.asking.subaccount_create",
        "bot.slack.alerts.listeners.top_up",
    } <= set(opening)


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("bot.slack.setup.listeners", "open_setup"),
        ("bot.slack.requests.deciding", "reject"),
        ("bot.slack.requests.asking", "subaccount_create"),
        ("bot.slack.alerts.listeners", "top_up"),
    ],
)
def test_the_mark_is_what_the_wrapper_reads(module: str, name: str) -> None:
    import importlib

    from bot.slack.modals import marked_opens_first

    assert marked_opens_first(getattr(importlib.import_module(module), name))
