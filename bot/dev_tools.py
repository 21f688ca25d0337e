"""Where `python -m bot console|sandbox|bench` find the dev tools.

The dev tools (`devkit/`: the Slack emulator, the Partner sandbox, the console, the benches)
live beside the product in the repository, not in its wheel. The product never imports them;
these commands load them here, when they run, and say in one line where to run them when they
are not there (an installed wheel has no `devkit`).

`pip install -e .` exposes only `bot` (pyproject's packages.find), so `devkit` is importable only
while the repository root is on sys.path: true for `python -m bot` started in the root (Python
puts the working directory first) and for the tests (pytest and their subprocesses put the root
there), false for `.venv/bin/python -m bot console` started anywhere else, or for
`.venv/bin/partner-ops`. So when `bot` itself was loaded from a source checkout — a
`pyproject.toml` and a `devkit/` package beside it — that checkout's root goes on sys.path, and
the dev tools are those of the very checkout the product came from. Declaring `devkit` as a
package of editable installs only is not something setuptools offers, and a second package list
would put it in the wheel again.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

PACKAGE = "devkit"
WHERE = (
    "the console, the sandbox and the benches are dev tools: "
    "run them from a clone of the repository"
)


class DevToolsMissing(Exception):
    """The dev tools are not importable: `bot` runs from an installed wheel."""

    def __init__(self) -> None:
        super().__init__(WHERE)


def checkout_root(package: Path) -> Path | None:
    """The source checkout that holds the `bot` package at `package`, if it is one."""
    root = package.parent
    if (root / "pyproject.toml").is_file() and (root / PACKAGE / "__init__.py").is_file():
        return root
    return None


def load(module: str) -> ModuleType:
    """Import `module` of the dev tools (`devkit.console.repl`), or raise DevToolsMissing."""
    root = checkout_root(Path(__file__).resolve().parent)
    if root is not None and str(root) not in sys.path:
        # First: the dev tools of this checkout win over any other `devkit` on the path.
        sys.path.insert(0, str(root))
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        # Only a missing dev kit is ours to explain: in a checkout, or for a dependency the
        # dev kit lacks, the traceback is the useful answer.
        missing = error.name or ""
        if root is not None or (missing != PACKAGE and not missing.startswith(PACKAGE + ".")):
            raise
        raise DevToolsMissing from None
