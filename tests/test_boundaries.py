"""The product does not depend on the dev tools: nothing under bot/slack, bot/services,
bot/partner or bot/db imports devkit (the fake Slack, the sandbox, the console, the stack) —
nothing in bot/ at all, since the wheel ships bot/ without devkit/ — and `python -m bot` loads
them (bot/dev_tools.py) only for the subcommands that are dev tools.

And the Slack door holds no database: nothing under bot/slack imports bot.db (but slack_sdk's
OAuth stores), and the listeners' `Services` carry services, not the database."""

from __future__ import annotations

import ast
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


def imported_modules(path: Path) -> list[tuple[int, str]]:
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
