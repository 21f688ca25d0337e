"""The product does not depend on the dev tools: nothing under bot/slack, bot/services,
bot/partner or bot/db imports devkit (the fake Slack, the sandbox, the console, the stack) —
nothing in bot/ at all, since the wheel ships bot/ without devkit/ — and `python -m bot` loads
them (bot/dev_tools.py) only for the subcommands that are dev tools.

And the Slack door holds no database: nothing under bot/slack imports bot.db (but slack_sdk's
OAuth stores), and the listeners' `Services` carry services, not the database."""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("bot/slack", "bot/services", "bot/partner", "bot/db")
DEVKIT = "devkit"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Cached: a dozen checks here walk the same files (the suite does not change them)."""
    return imports_in(
        path.read_text(encoding="utf-8"), module_name(path), is_package=path.name == "__init__.py"
    )


def imports_in(source: str, module: str, *, is_package: bool = False) -> list[tuple[int, str]]:
    """Every module `module` imports, absolute, with its line: `import x`, `from x import y`
    (also as `x.y`, since y may be a module) and relative imports resolved against the
    module's package, at any depth (inside functions and `if TYPE_CHECKING:` too)."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def is_devkit(module: str) -> bool:
    return module == DEVKIT or module.startswith(DEVKIT + ".")


def devkit_imports(folder: str) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line, module in imported_modules(path)
        if is_devkit(module)
    ]


@pytest.mark.parametrize("folder", PRODUCT)
def test_the_product_does_not_import_the_devkit(folder: str) -> None:
    assert (ROOT / folder).is_dir()
    assert devkit_imports(folder) == []


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("import devkit\n", True),
        ("import devkit.emulator\n", True),
        ("from devkit.sandbox import Sandbox\n", True),
        ("from devkit import stack\n", True),
        ("def f():\n    from devkit.console import repl\n", True),
        ("if TYPE_CHECKING:\n    from devkit.stack import Stack\n", True),
        ("import bot.slack.app\n", False),
        ("from bot.partner.models import Product\n", False),
        ("from . import devkit\n", False),  # bot.slack.devkit: a module of the product
        ("import devkitten\n", False),
        ("from . import devkit_notes\n", False),
    ],
)
def test_the_check_sees_every_kind_of_import(source: str, found: bool) -> None:
    modules = [name for _, name in imports_in(source, "bot.slack.example")]
    assert any(is_devkit(name) for name in modules) is found, modules
    # bot/slack/__init__.py is in the same package as bot/slack/example.py.
    modules = [name for _, name in imports_in(source, "bot.slack", is_package=True)]
    assert any(is_devkit(name) for name in modules) is found, modules


def test_nothing_in_the_package_imports_the_devkit() -> None:
    """bot/__main__.py names the dev tools only as strings for bot/dev_tools.py to load."""
    assert devkit_imports("bot") == []


def test_the_product_commands_load_no_dev_tool() -> None:
    """`python -m bot serve|socket|worker|db` build the same parser as `console`: building it
    must not load the fake Slack, the sandbox, the console, the stack or the benches — run in
    the root, where the dev kit could be imported."""
    probe = (
        "import sys, bot.__main__ as cli; cli.build_parser(); "
        "print(sorted(m for m in sys.modules if m == 'devkit' or m.startswith('devkit.')))"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


DATABASE = "bot.db"
DATABASE_EXEMPT = {
    # slack_sdk's installation and OAuth-state stores are SQLAlchemy stores by design: they
    # read and write the token tables themselves, sealed with the SecretBox.
    "bot/slack/stores.py": "slack_sdk's OAuth stores are tables of their own",
}


def is_database(module: str) -> bool:
    return module == DATABASE or module.startswith(DATABASE + ".")


def database_imports(folder: str) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((ROOT / folder).rglob("*.py"))
        if str(path.relative_to(ROOT)) not in DATABASE_EXEMPT
        for line, module in imported_modules(path)
        if is_database(module)
    ]


def test_slack_does_not_import_the_database() -> None:
    """Listeners reach languages, policy, audit, Home viewers and settings through services:
    the door never holds a session (bot/slack/context.py `Services`, bot/slack/parts.py)."""
    assert all((ROOT / path).is_file() for path in DATABASE_EXEMPT)
    assert database_imports("bot/slack") == []


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("from bot.db.session import Database\n", True),
        ("import bot.db\n", True),
        ("from bot import db\n", True),
        ("from ..db.crypto import SecretBox\n", True),
        ("from bot.services.errors import DatabaseUnavailable\n", False),
        ("from bot.dbx import thing\n", False),
    ],
)
def test_the_check_sees_every_database_import(source: str, found: bool) -> None:
    modules = [name for _, name in imports_in(source, "bot.slack.example")]
    assert any(is_database(name) for name in modules) is found, modules


def test_the_listeners_services_carry_no_database() -> None:
    from bot.slack.context import Services

    assert "database" not in {field.name for field in fields(Services)}


VENDOR = "bot.partner"
VENDOR_WORDS = ("bot.partner.models", "bot.partner.errors", "bot.partner.keys")
"""What bot/slack may take from bot/partner: its vocabulary (products, accounts, its errors,
a key's fingerprint) — never the client or the transport, which services hold."""


def vendor_imports(folder: str) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line, module in imported_modules(path)
        if (module == VENDOR or module.startswith(VENDOR + "."))
        and not any(module == word or module.startswith(word + ".") for word in VENDOR_WORDS)
    ]


def test_slack_reaches_the_vendor_only_through_services() -> None:
    assert vendor_imports("bot/slack") == []
    assert vendor_imports("bot/services") != []  # the check sees the vendor where it is used


SLACK = ROOT / "bot/slack"
SHARED_FOLDERS = {"views", "texts"}
"""Pieces every feature may use (replies, modal parts, usage and help texts, common words):
they import no feature. The top-level bot/slack modules (blocks, mentions, direct, replies…)
are shared too; the wiring among them (partner_command, registration, scheduler) imports
the features, never the other way round as a folder."""


def slack_folders() -> set[str]:
    return {path.parent.name for path in SLACK.glob("*/__init__.py")}


def folder_imports() -> dict[str, dict[str, list[str]]]:
    """bot/slack folder → the other folders it imports (module- and function-level), with
    where: {"setup": {"admin": ["bot/slack/setup/listeners.py:20"]}}."""
    folders = slack_folders()
    graph: dict[str, dict[str, list[str]]] = {folder: {} for folder in folders}
    for folder in folders:
        for path in sorted((SLACK / folder).rglob("*.py")):
            for line, module in imported_modules(path):
                parts = module.split(".")
                if parts[:2] == ["bot", "slack"] and len(parts) > 2:
                    target = parts[2]
                    if target in folders and target != folder:
                        where = f"{path.relative_to(ROOT)}:{line}"
                        places = graph[folder].setdefault(target, [])
                        if where not in places:
                            places.append(where)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


@pytest.mark.parametrize(
    ("graph", "found"),
    [
        ({"a": {"b"}, "b": set()}, []),
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
        ({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}}, [["a", "b"], ["c", "d"]]),
        ({"home": {"admin", "setup"}, "setup": {"admin"}, "admin": set()}, []),
    ],
)
def test_the_cycle_finder(graph: dict[str, set[str]], found: list[list[str]]) -> None:
    assert cycles(graph) == found


def test_no_cycle_between_slack_feature_folders() -> None:
    """A feature that needs another's piece takes it from a shared home (bot/slack/views,
    bot/slack/texts, a top-level module) or through Services (bot.slack.parts.HomeRefresh),
    so features stay removable one by one and import order never loops."""
    graph = folder_imports()
    assert {"admin", "home", "requests", "setup"} <= set(graph)  # the check sees the folders
    assert graph["home"], "the check sees imports between folders (the Home shows them all)"
    looped = cycles({folder: set(targets) for folder, targets in graph.items()})
    where = {
        f"{a} → {b}": graph[a][b] for group in looped for a in group for b in group if b in graph[a]
    }
    assert looped == [], where


def test_shared_folders_import_no_feature() -> None:
    graph = folder_imports()
    assert set(graph) >= SHARED_FOLDERS
    leaks = {
        f"{folder} → {target}": places
        for folder in SHARED_FOLDERS
        for target, places in graph[folder].items()
        if target not in SHARED_FOLDERS
    }
    assert leaks == {}


def test_no_import_cycle_between_slack_modules() -> None:
    """Finer than the folders: no module of bot/slack reaches itself again through its
    imports, function-level ones included (those hide a loop Python would refuse at import)."""
    modules = {module_name(path): path for path in SLACK.rglob("*.py")}
    graph = {
        name: {target for _, target in imported_modules(path) if target in modules} - {name}
        for name, path in modules.items()
    }
    assert graph["bot.slack.partner_command"], "the check sees imports between modules"
    assert cycles(graph) == []
