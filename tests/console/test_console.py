"""The console: the real app in-process against the emulator and the sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.console.session import ConsoleSession
from bot.partner.sandbox import DEMO_SMS_KEY
from tests.conftest import SecretsGuard

ROOT = Path(__file__).resolve().parents[2]


def test_one_shot_prints_the_balance_from_the_sandbox(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "DATABASE_URL"))}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "console", "-c", "/partner balance"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "10,225.119 EUR" in done.stdout
    assert "Mail Partner" in done.stdout and "Voice Partner" in done.stdout
    assert "Traceback" not in done.stderr
    # It said it made a local encryption key, and kept it beside its own database.
    assert "generated a local encryption key" in done.stderr
    assert {p.name for p in tmp_path.iterdir()} >= {"partner_ops.key", "partner_ops_console.db"}


@pytest.fixture
async def console(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secrets_guard: SecretsGuard
) -> AsyncIterator[ConsoleSession]:
    monkeypatch.chdir(tmp_path)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'console.db'}",
        sms_partner_api_key=None,
        mail_partner_api_key=None,
        voice_partner_api_key=None,
    )
    session = await ConsoleSession.start(settings)
    assert session.sandbox is not None
    secrets_guard.watch(session.sandbox.secrets())
    try:
        yield session
    finally:
        await session.close()


async def test_buttons_people_and_forms(console: ConsoleSession) -> None:
    banner = console.banner()
    assert "alice" in banner and "sandbox" in banner

    first = await console.run_line("/partner subaccounts")
    assert "Page 1 of 3" in first and "[1] Next ▶" in first
    second = await console.run_line("click 1")
    assert "Page 2 of 3" in second and "replaces the message above" in second
    assert "There is no button 99" in await console.run_line("click 99")

    assert "You are now bob" in await console.run_line("as bob")
    assert console.prompt() == "bob> "
    assert "Only workspace admins" in await console.run_line("/partner setup")

    await console.run_line("as alice")
    form = await console.run_line("/partner setup")
    assert "submit key_sms.api_key=…" in form
    assert "has no field x.y" in await console.run_line("submit x.y=z")
    refused = await console.run_line("submit key_sms.api_key=not-the-key-000000")
    assert "Nothing was saved" in refused and "not valid" in refused
    saved = await console.run_line(f"submit key_sms.api_key={DEMO_SMS_KEY}")
    assert "Keys saved" in saved and "…2e7b" in saved
    assert "No form is open" in await console.run_line("submit x.y=z")
    assert "Type a slash command" in await console.run_line("hello")


async def test_a_full_approval_in_the_console(console: ConsoleSession) -> None:
    await console.run_line("as bob")
    asked = await console.run_line("/partner credit add acme-ops@acme.example 25 demo")
    assert "sent to #approvals" in asked
    assert "posted in #approvals" in asked and "Approve" in asked
    approve = next(n for n, c in console._clickables.items() if c.button.label == "Approve")
    refused = await console.run_line(f"click {approve}")
    assert "You asked for request #1, so another approver must decide it" in refused
    await console.run_line("as alice")
    done = await console.run_line(f"click {approve}")
    assert "message updated in #approvals" in done and "Done" in done
    assert "direct message from Partner Ops to bob" in done and "Your request #1" in done


async def test_a_full_digest_in_the_console(console: ConsoleSession) -> None:
    shown = await console.run_line("/partner digest now")
    assert "posted in #general" in shown and "Balance digest" in shown
    for expected in ("10,225.119 EUR", "Mail Partner", "Voice Partner", "attached CSV", "📎"):
        assert expected in shown, expected
