"""The product's wheel holds the product: bot/ with its message catalogs, and none of the dev
tools (devkit/). Installed from it, the product's commands run and the dev tools' commands say
in one line where to run them; from a checkout installed with `pip install -e .`, they run
wherever they are started."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bot.dev_tools import WHERE

ROOT = Path(__file__).resolve().parents[1]
# One wheel per run (a build takes seconds of CPU). The group alone does not keep it so:
# pytest-xdist 3.8 marks a group by rewriting `item._nodeid`, which pytest 9 no longer reads,
# so `--dist loadgroup` spreads these tests over the workers; `wheel` shares one build.
pytestmark = pytest.mark.xdist_group("wheel")
# What a clone has that a build from it must not see: our own venv, caches, local databases.
NOT_SOURCES = shutil.ignore_patterns(
    ".git",
    ".venv",
    "venv",
    "__pycache__",
    "*.egg-info",
    "build",
    "dist",
    ".*_cache",
    "*.db",
    "*.key",
    "*.sandbox.json",
)


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def clean_env() -> dict[str, str]:
    """No Slack, vendor or database settings, and no PYTHONPATH: what a test sets, it means."""
    return {
        key: value
        for key, value in os.environ.items()
        if key != "PYTHONPATH"
        and not key.startswith(("SLACK_", "BOT_"))
        and not key.endswith(("_API_KEY", "DATABASE_URL"))
    }


def _run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This run's temporary folder, one for all its xdist workers (each has its own under it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip wheel .` of a copy of the checkout (a build writes build/ and *.egg-info where it
    runs, and other tests read the checkout meanwhile), built by the first worker that needs it
    while the others wait on the lock, then taken as it is."""
    work = _run_folder(tmp_path_factory) / "wheel"
    work.mkdir(exist_ok=True)
    with (work / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released as the file closes
        built = sorted((work / "out").glob("partner_ops-*.whl"))
        if not built:
            _build(work)
            built = sorted((work / "out").glob("partner_ops-*.whl"))
    [found] = built
    return found


def _build(work: Path) -> None:
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES, dirs_exist_ok=True)  # after a failed try
    built = run(
        ["-m", "pip", "wheel", str(source), "--no-deps", "--quiet", "-w", str(work / "out")],
        cwd=work,
        env=clean_env(),
    )
    assert built.returncode == 0, built.stderr[-3000:]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel unpacked as an installer lays it out in site-packages."""
    site = tmp_path_factory.mktemp("site-packages")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def test_the_wheel_holds_the_product_and_its_catalogs_but_no_dev_tool(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "bot/__main__.py" in names and "bot/dev_tools.py" in names
    assert {name.split("/")[0] for name in names if not name.startswith("partner_ops-")} == {"bot"}
    assert [name for name in names if "devkit" in name.split("/")] == []
    assert {
        "bot/i18n/locales/en/LC_MESSAGES/messages.po",
        "bot/i18n/locales/fr/LC_MESSAGES/messages.po",
    } <= set(names)


@pytest.fixture
def from_the_wheel(installed: Path, tmp_path: Path) -> dict[str, str]:
    """Run `python -m bot` from the unpacked wheel, in a folder that is no checkout (its
    dependencies still come from our environment)."""
    env = clean_env() | {"PYTHONPATH": str(installed)}
    where = run(["-c", "import bot; print(bot.__file__)"], cwd=tmp_path, env=env)
    assert Path(where.stdout.strip()).parent == installed / "bot", where.stderr
    return env


@pytest.mark.parametrize(
    "command",
    [
        ["console", "-c", "/partner balance"],
        ["sandbox", "--port", "0"],
        ["bench", "ack", "--tiny"],
        ["bench", "--help"],
        ["-v", "bench"],
    ],
)
def test_the_dev_tools_say_where_to_run_them(
    command: list[str], from_the_wheel: dict[str, str], tmp_path: Path
) -> None:
    done = run(["-m", "bot", *command], cwd=tmp_path, env=from_the_wheel)
    assert done.returncode == 2
    assert done.stderr == f"partner-ops: {WHERE}\n"
    assert done.stdout == ""


@pytest.mark.parametrize("command", [["--help"], ["serve", "--help"], ["db", "--help"]])
def test_the_product_commands_run_from_the_wheel(
    command: list[str], from_the_wheel: dict[str, str], tmp_path: Path
) -> None:
    done = run(["-m", "bot", *command], cwd=tmp_path, env=from_the_wheel)
    assert done.returncode == 0, done.stderr
    assert "usage: partner-ops" in done.stdout


def test_the_console_runs_from_anywhere_with_an_editable_install(tmp_path: Path) -> None:
    """The README's `.venv/bin/python -m bot console`, started outside the repository: `bot`
    comes from the editable install, which exposes no `devkit`; bot/dev_tools.py finds it."""
    env = clean_env()
    where = run(["-c", "import bot; print(bot.__file__)"], cwd=tmp_path, env=env)
    if Path(where.stdout.strip()).parent != ROOT / "bot":
        pytest.skip(f"bot is not installed from this checkout with `pip install -e .` ({ROOT})")
    bare = run(["-c", "import devkit"], cwd=tmp_path, env=env)
    assert "No module named 'devkit'" in bare.stderr  # so the console below proves the finding
    done = run(["-m", "bot", "console", "-c", "/partner balance"], cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "€10,225.119" in done.stdout
    assert "Traceback" not in done.stderr
