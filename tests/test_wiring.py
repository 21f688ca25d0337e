"""Only the wiring knows the process's wiring object: `bot.runtime.Runtime` is imported by the
modules that build a process (the app, the servers, the command line, the runtime itself) and by
the dev tools, which build their own stacks. Everything else takes what it needs — a Protocol in
bot/slack/parts.py, or the services Bolt's context carries (bot/slack/context.py) — so a
listener, a service or a job can be read, and tested, without the whole process."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_boundaries import ROOT, imported_modules, imports_in

RUNTIME = "bot.runtime"
WIRING = frozenset(
    {
        "bot/__main__.py",
        "bot/app.py",
        "bot/runtime.py",
        "bot/serve.py",
        "bot/slack/registration.py",
    }
)
DEV_TOOLS = "devkit"


def is_runtime(module: str) -> bool:
    return module == RUNTIME or module.startswith(RUNTIME + ".")


def is_wiring(path: Path) -> bool:
    relative = path.relative_to(ROOT).as_posix()
    return relative in WIRING or relative.startswith(DEV_TOOLS + "/")


def test_only_the_wiring_imports_the_runtime() -> None:
    importers = sorted(
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in (ROOT / "bot").rglob("*.py")
        if not is_wiring(path)
        for line, module in imported_modules(path)
        if is_runtime(module)
    )
    assert importers == []


def test_the_wiring_list_names_real_files() -> None:
    """A renamed wiring module must not leave a stale exemption behind."""
    assert [name for name in sorted(WIRING) if not (ROOT / name).is_file()] == []
    assert (ROOT / DEV_TOOLS).is_dir()


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("from bot.runtime import Runtime\n", True),
        ("import bot.runtime\n", True),
        ("from bot import runtime\n", True),
        ("from .. import runtime\n", True),  # from bot/slack/x.py: bot.runtime
        ("if TYPE_CHECKING:\n    from bot.runtime import Runtime\n", True),
        ("from bot.slack.parts import MaintenanceParts\n", False),
        ("from bot.services.requests import Requests\n", False),
        ("from . import runtime_notes\n", False),
    ],
)
def test_the_check_sees_every_kind_of_import(source: str, found: bool) -> None:
    modules = [name for _, name in imports_in(source, "bot.slack.example")]
    assert any(is_runtime(name) for name in modules) is found, modules
