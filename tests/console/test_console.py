"""The console: the real app in-process against the emulator and the sandbox."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.config import Settings
from bot.partner.models import Product
from bot.slack.clients import WorkspaceClients
from bot.slack.scheduler import Scheduler
from devkit.console.repl import run_console
from devkit.console.session import TEAM, ConsoleSession, parse_form_fields
from devkit.sandbox import DEMO_SMS_KEY, DEMO_VOICE_KEY

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
    assert "€10,225.119" in done.stdout
    assert "Mail Partner" in done.stdout and "Voice Partner" in done.stdout
    assert "Traceback" not in done.stderr
    # It said it made a local encryption key, and kept it beside its own database.
    assert "generated a local encryption key" in done.stderr
    assert {p.name for p in tmp_path.iterdir()} >= {"partner_ops.key", "partner_ops_console.db"}


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
    approve = next(n for n, c in console.screen.clickables.items() if c.button.label == "Approve")
    refused = await console.run_line(f"click {approve}")
    assert "You asked for request #1, so another approver must decide it" in refused
    await console.run_line("as alice")
    done = await console.run_line(f"click {approve}")
    assert "message updated in #approvals" in done and "Done" in done
    assert "direct message from Partner Ops to bob" in done and "Your request #1" in done


async def test_a_full_digest_in_the_console(console: ConsoleSession) -> None:
    shown = await console.run_line("/partner digest now")
    assert "posted in #general" in shown and "Balance digest" in shown
    for expected in ("€10,225.119", "Mail Partner", "Voice Partner", "attached CSV", "📎"):
        assert expected in shown, expected


async def test_an_alert_posted_between_commands_is_shown_and_its_buttons_work(
    console: ConsoleSession,
) -> None:
    await console.run_line("/partner alert channel")
    await console.run_line("/partner alert main 20000 100")  # already below: alerted at once
    await console.run_line("/partner alert main 9000 100")
    assert console.sandbox is not None
    console.sandbox.accounts[DEMO_SMS_KEY].balance = Decimal(8000)
    # The scheduler's alert check, as the background job runs it between two commands.
    scheduler = Scheduler(console.runtime, WorkspaceClients(console.runtime, None))
    reading = await console.runtime.snapshots.read(TEAM, Product.SMS, "hourly")
    await scheduler.check_alerts(TEAM, Product.SMS, reading)

    shown = await console.run_line("")
    assert "posted in #general" in shown and "€9,000.00" in shown
    snooze = next(n for n, c in console.screen.clickables.items() if "Snooze" in c.button.label)
    assert "are snoozed until" in await console.run_line(f"click {snooze}")
    # Shown once: the next output does not repeat it.
    assert "€9,000.00" not in await console.run_line("/partner help")


def test_form_values_may_hold_spaces() -> None:
    assert parse_form_fields("reason.reason=top-up for May key.k=a b") == {
        ("reason", "reason"): "top-up for May",
        ("key", "k"): "a b",
    }
    assert parse_form_fields('a.b="quoted value"') == {("a", "b"): "quoted value"}
    assert parse_form_fields("a.b=") == {("a", "b"): ""}
    assert parse_form_fields("no field here") is None
    assert parse_form_fields("text before a.b=c") is None


async def test_a_reject_reason_with_spaces_is_kept_whole(console: ConsoleSession) -> None:
    await console.run_line("as bob")
    await console.run_line("/partner credit add acme-ops@acme.example 25 demo")
    await console.run_line("as alice")
    reject = next(n for n, c in console.screen.clickables.items() if c.button.label == "Reject")
    form = await console.run_line(f"click {reject}")
    field = re.search(r"submit (\S+)=…", form)
    assert field is not None, form
    done = await console.run_line(f"submit {field.group(1)}=wrong subaccount, ask again")
    assert "wrong subaccount, ask again" in done


@dataclass
class OneShot:
    returncode: int
    stdout: str
    stderr: str


def one_shot(
    cwd: Path, line: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> OneShot:
    """`python -m bot console -c LINE` in `cwd`, in this process: the same `run_console` the
    CLI calls (test_one_shot_prints_the_balance_from_the_sandbox runs the real CLI once)."""
    monkeypatch.chdir(cwd)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=None,
        sms_partner_api_key=None,
        mail_partner_api_key=None,
        voice_partner_api_key=None,
    )
    capsys.readouterr()
    code = asyncio.run(run_console(settings, one_shot=line))
    out = capsys.readouterr()
    return OneShot(code, out.out, out.err)


def test_one_shot_exits_non_zero_when_the_command_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def _one_shot(cwd: Path, line: str) -> OneShot:
        return one_shot(cwd, line, capsys, monkeypatch)

    refused = _one_shot(tmp_path, "/partner credit add nobody-at-all@nowhere.example 5")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "No subaccount matches" in refused.stdout
    unknown = _one_shot(tmp_path, "/partner frobnicate")
    assert unknown.returncode == 1 and "I don't know" in unknown.stdout
    not_a_command = _one_shot(tmp_path, "hello")
    assert not_a_command.returncode == 1


def test_the_sandbox_survives_a_restart_with_its_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def _one_shot(cwd: Path, line: str) -> OneShot:
        return one_shot(cwd, line, capsys, monkeypatch)

    moved = _one_shot(tmp_path, "/partner credit add acme-ops@acme.example 1 kept")
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert (tmp_path / "partner_ops_console.sandbox.json").exists()
    before = _one_shot(tmp_path, "/partner subaccount acme-ops@acme.example")
    assert "restored" in before.stderr
    again = _one_shot(tmp_path, "/partner requests")
    assert again.returncode == 0 and "#1" in again.stdout
    # Without its sandbox file the database would refer to accounts that are gone: both
    # start afresh, and the console says so.
    (tmp_path / "partner_ops_console.sandbox.json").unlink()
    fresh = _one_shot(tmp_path, "/partner requests")
    assert "started afresh" in fresh.stderr
    assert "#1" not in fresh.stdout


async def test_the_console_migrates_a_new_database_of_any_kind(new_database_url: str) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=new_database_url,
        bot_encryption_key=Fernet.generate_key().decode(),  # required on PostgreSQL
        sms_partner_api_key=None,
        mail_partner_api_key=None,
        voice_partner_api_key=None,
    )
    session = await ConsoleSession.start(settings)
    try:
        assert "€10,225.119" in await session.run_line("/partner balance")
    finally:
        await session.close()


async def test_home_shows_the_dashboard_and_decides_from_it(console: ConsoleSession) -> None:
    await console.run_line("as bob")
    await console.run_line("/partner credit add acme-ops@acme.example 25 demo")
    bobs = await console.run_line("home")
    assert "App Home" in bobs and "My requests" in bobs and "#1" in bobs
    assert "Cancel request" in bobs and "Waiting for me" not in bobs

    await console.run_line("as alice")
    home = await console.run_line("home")
    assert "App Home" in home and "Balances" in home and "Waiting for me" in home
    approve = next(
        n
        for n, c in console.screen.clickables.items()
        if c.button.label == "Approve" and c.view_id is not None
    )
    done = await console.run_line(f"click {approve}")
    assert "message updated in #approvals" in done and "Done" in done
    assert "Nothing waits for your decision" in done  # the Home, published again


async def test_home_in_french_for_a_french_speaking_person(console: ConsoleSession) -> None:
    await console.run_line("as dominique")  # Slack locale fr-FR
    await console.run_line("/partner credit add acme-ops@acme.example 12 démo")
    home = await console.run_line("home")
    assert "Soldes" in home and "Mes demandes" in home and "n°\u00a01" in home
    assert "Annuler la demande" in home and "Balances" not in home
    assert "10\u202f225,119\u00a0€" in home  # the vendor's three decimals, the French way
    # The same Home in English for an English-speaking person.
    await console.run_line("as bob")
    assert "Balances" in await console.run_line("home")


async def test_a_round_on_demand_and_each_alerts_own_snooze(console: ConsoleSession) -> None:
    """`round` runs the scheduler's alert check now; with an SMS and a Voice alert posted in
    one round, Snooze on the SMS alert snoozes and redraws the SMS alert, not the Voice one."""
    sandbox = console.sandbox
    assert sandbox is not None
    assert "Alert round done" in await console.run_line("round")  # no threshold: nothing
    await console.run_line("/partner alert channel")
    await console.run_line("/partner alert main 1")
    await console.run_line("/partner voice alert main 1")
    sandbox.accounts[DEMO_SMS_KEY].balance = Decimal("0.5")
    sandbox.accounts[DEMO_VOICE_KEY].balance = Decimal("0.25")
    shown = await console.run_line("round")
    assert "2 alert(s) fired" in shown
    assert "SMS Partner" in shown and "Voice Partner" in shown
    snoozes = {
        json.loads(c.button.value or "{}")["p"]: n
        for n, c in console.screen.clickables.items()
        if c.button.action_id == "alert_snooze"
    }
    assert set(snoozes) == {"sms", "voice"}
    snoozed = await console.run_line(f"click {snoozes['sms']}")
    assert "snoozed until" in snoozed
    assert "SMS Partner" in snoozed and "Voice Partner" not in snoozed
    messages = [
        m
        for m in console.fake.messages["C0CONSOLE"]
        if "main account is down" in m.text + str(m.blocks)
    ]
    sms = next(m for m in messages if "SMS Partner" in str(m.blocks))
    voice = next(m for m in messages if "Voice Partner" in str(m.blocks))
    assert "snoozed until" in str(sms.blocks) and "snoozed until" not in str(voice.blocks)
    assert "Alert round done" in await console.run_line("round")  # already alerted: no repeat


UNRESOLVABLE = """
import socket, time
_real = socket.getaddrinfo
def getaddrinfo(host, *args, **kwargs):
    # A vendor name no resolver answers for, as with an unreachable DNS: each lookup waits
    # for the resolver's timeout, then fails.
    if isinstance(host, str) and host.endswith("vendor.unreachable.test"):
        time.sleep(RESOLVER_TIMEOUT)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    return _real(host, *args, **kwargs)
socket.getaddrinfo = getaddrinfo
"""


def _console_with_an_unreachable_vendor(
    tmp_path: Path, *args: str, timeout: float, resolver_timeout: float = 5
) -> subprocess.CompletedProcess[str]:
    """The CLI with Partner keys in the environment for a vendor whose name never resolves,
    each lookup failing after `resolver_timeout` seconds."""
    (tmp_path / "net").mkdir()
    (tmp_path / "net" / "sitecustomize.py").write_text(
        f"RESOLVER_TIMEOUT = {resolver_timeout!r}\n{UNRESOLVABLE}"
    )
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_API_KEY", "DATABASE_URL"))}
    env["PYTHONPATH"] = f"{tmp_path / 'net'}{os.pathsep}{ROOT}"
    for product in Product:
        env[f"{product.value.upper()}_PARTNER_API_KEY"] = f"real-{product.value}-key-0000"
        env[f"{product.value.upper()}_PARTNER_URL"] = "https://api.vendor.unreachable.test"
    return subprocess.run(  # noqa: S603 - our own CLI, with the test's arguments
        [sys.executable, "-m", "bot", "console", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,  # a hang fails the test instead of holding it
        check=False,
    )


def test_one_shot_ends_promptly_with_an_unreachable_vendor_in_the_environment(
    tmp_path: Path,
) -> None:
    """`-c hello` once ran for 622 s: the scheduler's first round was reading an unreachable
    vendor, and the process waited for that round's tasks after printing its answer."""
    done = _console_with_an_unreachable_vendor(tmp_path, "-c", "hello", timeout=45)
    assert done.returncode == 1 and "Type a slash command" in done.stdout


def test_one_shot_gives_up_at_its_deadline_and_says_what_it_was_doing(tmp_path: Path) -> None:
    # A resolver that never answers: the process gives up at its deadline and exits then, not
    # after the lookup (the CLI's watchdog would end it at deadline + 15 s, saying so).
    done = _console_with_an_unreachable_vendor(
        tmp_path, "-c", "/partner balance", "--deadline", "3", timeout=60, resolver_timeout=600
    )
    assert done.returncode == 1
    assert "gave up after 3 s while waiting for the app's answer" in done.stderr
    assert "still not finished" not in done.stderr
    assert "Traceback" not in done.stderr and "real-sms-key" not in done.stderr + done.stdout
