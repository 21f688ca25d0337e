"""Where `python -m bot` looks for the dev tools (bot/dev_tools.py): the checkout `bot` was loaded
from, only when it is one; and which failures to load them it explains in a line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import dev_tools

ROOT = Path(__file__).resolve().parents[2]


def layout(base: Path, files: tuple[str, ...]) -> Path:
    for name in files:
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_text("", encoding="utf-8")
    (base / "bot").mkdir(exist_ok=True)
    return base / "bot"


@pytest.mark.parametrize(
    ("files", "is_checkout"),
    [
        (("pyproject.toml", "devkit/__init__.py"), True),
        # site-packages of an installed wheel: bot/ and its dist-info, nothing else
        (("partner_ops-0.1.0.dist-info/RECORD",), False),
        # a distribution named devkit installed beside bot: not our checkout
        (("devkit/__init__.py",), False),
        # a checkout whose devkit/ is not a package (a stray folder of notes)
        (("pyproject.toml", "devkit/README.md"), False),
        (("pyproject.toml",), False),
    ],
)
def test_only_a_source_checkout_with_its_dev_kit_counts(
    tmp_path: Path, files: tuple[str, ...], is_checkout: bool
) -> None:
    package = layout(tmp_path, files)
    assert dev_tools.checkout_root(package) == (tmp_path if is_checkout else None)


def test_this_repository_is_a_checkout() -> None:
    assert dev_tools.checkout_root(ROOT / "bot") == ROOT


def test_a_dev_tool_loads_from_the_checkout() -> None:
    sandbox = dev_tools.load("devkit.sandbox")
    assert Path(sandbox.__file__).resolve().is_relative_to(ROOT / "devkit")


def test_a_module_missing_from_the_checkouts_dev_kit_is_a_real_error() -> None:
    """In a checkout a missing dev-kit module is a bug to show, not "run it from a clone"."""
    with pytest.raises(ModuleNotFoundError) as raised:
        dev_tools.load("devkit.no_such_tool")
    assert raised.value.name == "devkit.no_such_tool"
