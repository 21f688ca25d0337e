"""What an operator reads: every setting listed where they look (--help, the README's table,
.env.example), the address to listen on, and no warning on a normal start."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.__main__ import build_parser
from bot.config import Settings

ROOT = Path(__file__).resolve().parent.parent
# Read by bot.logs, not a Settings field: it decides how the settings' own errors are logged.
NOT_IN_SETTINGS = {"LOG_FORMAT"}


def setting_names() -> set[str]:
    return {name.upper() for name in Settings.model_fields}


@pytest.mark.parametrize("command", ["serve", "socket", "worker"])
def test_each_process_help_lists_every_setting(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, "--help"])
    shown = capsys.readouterr().out
    for name in setting_names():
        assert re.search(rf"^  {name} \(", shown, re.MULTILINE), f"{command} --help: {name}"


def test_the_readme_table_names_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()
    rows = [line for line in readme.splitlines() if line.startswith("| `")]
    named = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", "\n".join(rows)))
    assert setting_names() | NOT_IN_SETTINGS <= named, setting_names() - named


def test_env_example_names_every_setting_and_holds_no_secret() -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    named = {line.lstrip("# ").split("=", 1)[0] for line in lines if "=" in line}
    assert setting_names() | NOT_IN_SETTINGS <= named, setting_names() - named
    assigned = [line for line in lines if line and not line.startswith("#")]
    for line in assigned:
        name, value = line.split("=", 1)
        assert not value or ("TOKEN" not in name and "SECRET" not in name and "KEY" not in name)


def test_host_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOST", "127.0.0.1")
    assert Settings(_env_file=None).host == "127.0.0.1"  # type: ignore[call-arg]
    monkeypatch.delenv("HOST")
    assert Settings(_env_file=None).host == "0.0.0.0"  # type: ignore[call-arg]  # noqa: S104
