"""Many workspaces without a database read per request: bots kept in memory, and the bound on
how long a process can use a token another process saw revoked."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from slack_sdk.oauth.installation_store import Bot, Installation
from sqlalchemy import func, select

from bot.db.base import slack_bots
from bot.db.session import Database
from bot.i18n import DEFAULT, language
from bot.partner.models import Product
from bot.runtime import Runtime
from bot.slack import stores
from bot.slack.installation_cache import CachedInstallationStore
from bot.slack.texts import install as install_text
from devkit.emulator import FakeSlack
from devkit.sandbox import DEMO_SMS_KEY, Sandbox
from tests.conftest import SecretsGuard
from tests.slack.harness import (
    BOT_TOKEN,
    CLIENT_SECRET,
    MEMBER,
    TEAM,
    Harness,
    running_app,
    settings_for,
)
from tests.slack.processes import AppProcess
from tests.statements import SelectsOf

CLIENT_ID = "1111.2222"


def installation(bot_token: str = BOT_TOKEN) -> Installation:
    return Installation(
        app_id="AAPP",
        team_id=TEAM,
        team_name="Test Co",
        bot_token=bot_token,
        bot_id="BBOT",
        bot_user_id="UBOT",
        bot_scopes="commands,chat:write",
        user_id=MEMBER,
    )


@pytest.fixture
async def multi(
    database: Database, fake_slack: FakeSlack, sandbox: Sandbox, secrets_guard: SecretsGuard
) -> AsyncIterator[Harness]:
    settings = settings_for(fake_slack, sandbox, database.url, many_workspaces=True)
    async with running_app(settings, fake_slack, sandbox) as harness:
        secrets_guard.watch(harness.secrets())
        await stores.installation_store(harness.runtime).async_save(installation())
        await harness.runtime.keys.save(TEAM, {Product.SMS: DEMO_SMS_KEY}, MEMBER)
        yield harness
        assert harness.late_acks() == []


async def test_a_burst_of_commands_reads_the_installation_once(multi: Harness) -> None:
    with SelectsOf(multi.runtime.database, "slack_bots") as reads:
        first = await asyncio.gather(*(multi.command("help") for _ in range(20)))
        second = await asyncio.gather(*(multi.command("help") for _ in range(20)))
        await asyncio.gather(*(d.wait_response() for d in first + second))
    assert reads.count == 1


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_change_by_another_process_is_seen_within_the_bound(multi: Harness) -> None:
    """`other` writes the rows as another process would; `kept` is this process's store."""
    other = stores.installation_store(multi.runtime)
    clock = Clock()
    kept = CachedInstallationStore(stores.installation_store(multi.runtime), ttl=10, clock=clock)

    async def token() -> str | None:
        bot = await kept.async_find_bot(enterprise_id=None, team_id=TEAM)
        return bot.bot_token if bot else None

    assert await token() == BOT_TOKEN
    # Rotated elsewhere: the old token until the bound, the new one from then on.
    await other.async_save(installation("xoxb-rotated-elsewhere"))
    clock.now += 9.9
    assert await token() == BOT_TOKEN
    clock.now += 0.1
    assert await token() == "xoxb-rotated-elsewhere"
    # Uninstalled elsewhere: likewise, and "not installed" is never kept.
    await other.async_delete_all(enterprise_id=None, team_id=TEAM)
    clock.now += 9.9
    assert await token() == "xoxb-rotated-elsewhere"
    clock.now += 0.1
    assert await token() is None
    await other.async_save(installation("xoxb-reinstalled"))
    assert await token() == "xoxb-reinstalled"
    # This process's own writes are seen at once.
    await kept.async_save_bot(
        Bot(
            app_id="AAPP",
            team_id=TEAM,
            bot_token="xoxb-own-rotation",
            bot_id="BBOT",
            bot_user_id="UBOT",
            installed_at=time.time() + 1,
        )
    )
    assert await token() == "xoxb-own-rotation"
    await kept.async_delete_all(enterprise_id=None, team_id=TEAM)
    assert await token() is None


async def test_a_burst_when_the_entry_expires_reads_once(multi: Harness) -> None:
    clock = Clock()
    kept = CachedInstallationStore(stores.installation_store(multi.runtime), ttl=10, clock=clock)
    await kept.async_find_bot(enterprise_id=None, team_id=TEAM)
    clock.now += 10
    bots = await asyncio.gather(
        *(kept.async_find_bot(enterprise_id=None, team_id=TEAM) for _ in range(30))
    )
    assert {b.bot_token for b in bots if b} == {BOT_TOKEN}
    assert kept.reads == 2


BOUND = 1.0


async def test_another_process_stops_using_an_uninstalled_token_within_the_bound(
    database: Database,
    fake_slack: FakeSlack,
    sandbox: Sandbox,
    tmp_path: Path,
    secrets_guard: SecretsGuard,
) -> None:
    settings = settings_for(fake_slack, sandbox, database.url, many_workspaces=True)
    runtime = await Runtime.start(settings, migrate=False)
    try:
        await stores.installation_store(runtime).async_save(installation())
        await runtime.keys.save(TEAM, {Product.SMS: DEMO_SMS_KEY}, MEMBER)
    finally:
        await runtime.close()
    oauth = {
        "slack_client_id": CLIENT_ID,
        "slack_client_secret": CLIENT_SECRET,
        "installation_cache_seconds": str(BOUND),
    }
    told = AppProcess("web-told", database.url, fake_slack, sandbox, tmp_path, forked=True, **oauth)
    other = AppProcess(
        "web-other", database.url, fake_slack, sandbox, tmp_path, forked=True, **oauth
    )
    with language(DEFAULT):
        not_installed = str(install_text.NOT_INSTALLED)
    try:
        await asyncio.gather(told.start(), other.start())
        async with told.driver(fake_slack) as to_told, other.driver(fake_slack) as to_other:
            # The other process has the bot in memory.
            acting = await to_other.command("help", team_id=TEAM, user_id=MEMBER)
            await acting.wait_response(timeout=10)
            gone = await to_told.event({"type": "app_uninstalled"}, team_id=TEAM)
            assert gone.status == 200
            for _ in range(200):
                async with database.session() as session:
                    rows = await session.scalar(select(func.count()).select_from(slack_bots))
                if rows == 0:
                    break
                await asyncio.sleep(0.02)
            uninstalled = time.monotonic()
            assert rows == 0
            # Ask the other process until it says "not installed"; it must within the bound.
            # (The door acknowledges a command before Bolt reads it, bot.slack.door_acks: the
            # answer comes through the response_url.)
            while True:
                delivery = await to_other.command("help", team_id=TEAM, user_id=MEMBER)
                answer = await delivery.wait_response(timeout=10)
                if answer.text == not_installed:
                    break
                assert time.monotonic() - uninstalled <= BOUND + 0.5, "still acting"
                await asyncio.sleep(0.05)
            # and from then on, never acts again
            again = await to_other.command("help", team_id=TEAM, user_id=MEMBER)
            assert (await again.wait_response(timeout=10)).text == not_installed
    finally:
        told.stop()
        other.stop()


async def test_a_read_under_way_when_this_process_writes_is_not_kept(multi: Harness) -> None:
    kept = CachedInstallationStore(stores.installation_store(multi.runtime), ttl=10)
    reading = asyncio.create_task(kept.async_find_bot(enterprise_id=None, team_id=TEAM))
    await asyncio.sleep(0)  # the read has begun: it waits for the database
    kept.forget(None, TEAM)  # what every write through this store does first
    assert (await reading) is not None
    await kept.async_find_bot(enterprise_id=None, team_id=TEAM)
    assert kept.reads == 2  # what the first read found was not kept
    await kept.async_find_bot(enterprise_id=None, team_id=TEAM)
    assert kept.reads == 2  # the second was
