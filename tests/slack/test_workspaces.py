"""Many workspaces: OAuth install, per-workspace keys, uninstall forgets everything."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.config import SlackMode
from bot.db.base import slack_bots, slack_installations
from bot.db.crypto import EncryptionKeyError
from bot.db.models import WorkspacePartnerKey
from bot.db.session import Database
from bot.partner.models import Product
from bot.runtime import Runtime
from bot.slack.digests.parsing import parse_subscription
from devkit.emulator import FakeSlack
from devkit.sandbox import DEMO_SMS_KEY, Sandbox
from tests.conftest import SecretsGuard
from tests.slack.harness import (
    MANIFEST_SCOPE,
    Harness,
    eventually,
    reply_text,
    running_app,
    settings_for,
)

NEW_TEAM = "T0NEW"
NEW_ADMIN = "UNEWADMIN"
NEW_BOT_TOKEN = "xoxb-new-team-token-77aa11"


@pytest.fixture
async def multi(
    database: Database, fake_slack: FakeSlack, sandbox: Sandbox, secrets_guard: SecretsGuard
) -> AsyncIterator[Harness]:
    secrets_guard.watch([NEW_BOT_TOKEN])
    settings = settings_for(fake_slack, sandbox, database.url, many_workspaces=True)
    async with running_app(settings, fake_slack, sandbox) as harness:
        secrets_guard.watch(harness.secrets())
        yield harness
        assert NEW_BOT_TOKEN not in harness.outbound()
        assert harness.block_kit_violations() == []
        assert harness.late_acks() == []


async def install(slack: Harness) -> None:
    """Go through /slack/install and /slack/oauth_redirect as a browser would."""
    slack.fake.add_oauth_code(
        "code-123",
        team_id=NEW_TEAM,
        team_name="New Co",
        bot_token=NEW_BOT_TOKEN,
        authed_user_id=NEW_ADMIN,
        scope=MANIFEST_SCOPE,
    )
    slack.fake.add_user(NEW_TEAM, NEW_ADMIN, "nina", real_name="Nina", is_admin=True)
    slack.fake.add_channel(NEW_TEAM, "C0NEWGEN", "general")
    await install_code(slack, "code-123")
    [exchange] = slack.fake.calls_to("oauth.v2.access")
    assert exchange.error is None


async def count(database: Database, table) -> int:
    async with database.session() as session:
        return await session.scalar(select(func.count()).select_from(table))


async def test_many_workspaces_refuse_to_start_without_an_encryption_key(
    fake_slack: FakeSlack, sandbox: Sandbox, database: Database, tmp_path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = settings_for(
        fake_slack, sandbox, database.url, many_workspaces=True, bot_encryption_key=None
    )
    with pytest.raises(
        EncryptionKeyError, match="BOT_ENCRYPTION_KEY is required with many workspaces"
    ):
        await Runtime.start(settings, migrate=False)
    assert not list(tmp_path.glob("*.key"))  # and no key file was made up


async def test_install_then_each_workspace_has_its_own_keys(multi: Harness) -> None:
    assert multi.runtime.mode is SlackMode.MANY_WORKSPACES
    await install(multi)
    assert await count(multi.runtime.database, slack_bots) == 1

    text = reply_text(
        await multi.ask("balance", user=NEW_ADMIN, team_id=NEW_TEAM, channel_id="C0NEWGEN")
    )
    assert "No Partner API key is set up" in text

    await multi.runtime.keys.save(NEW_TEAM, {Product.SMS: DEMO_SMS_KEY}, NEW_ADMIN)
    text = reply_text(
        await multi.ask("balance", user=NEW_ADMIN, team_id=NEW_TEAM, channel_id="C0NEWGEN")
    )
    assert "€10,225.119" in text
    # The bot answered with the token it was installed with, not another workspace's.
    assert any(c.token == NEW_BOT_TOKEN for c in multi.fake.calls)


@pytest.mark.parametrize("event_type", ["app_uninstalled", "tokens_revoked"])
async def test_uninstall_deletes_tokens_and_partner_keys(multi: Harness, event_type: str) -> None:
    await install(multi)
    await multi.runtime.keys.save(NEW_TEAM, {Product.SMS: DEMO_SMS_KEY}, NEW_ADMIN)
    await multi.runtime.digests.subscribe(
        NEW_TEAM, "C0NEWGEN", parse_subscription([], default_zone="UTC"), NEW_ADMIN
    )
    event = {"type": event_type}
    if event_type == "tokens_revoked":
        event["tokens"] = {"oauth": [], "bot": ["UBOT"]}
    delivery = await multi.driver.event(event, team_id=NEW_TEAM)
    assert delivery.status == 200
    database = multi.runtime.database
    await eventually(lambda: count(database, WorkspacePartnerKey.__table__), 0)
    assert await count(database, slack_bots) == 0
    assert await count(database, slack_installations) == 0
    assert await multi.runtime.digests.subscriptions(NEW_TEAM) == []


async def test_scheduled_jobs_rotate_an_expiring_token_once(multi: Harness) -> None:
    import asyncio

    from bot.slack import stores
    from bot.slack.clients import WorkspaceClients

    multi.fake.add_oauth_code(
        "code-rot",
        team_id="T0ROT",
        team_name="Rotating Co",
        bot_token="xoxe.xoxb-1-first",
        authed_user_id="UROT",
        refresh_token="xoxe-1-refresh-first",
        expires_in=12 * 3600,  # Slack's 12 hours, for the first token and every rotated one
        scope=MANIFEST_SCOPE,
    )
    multi.fake.add_user("T0ROT", "UROT", "rita", real_name="Rita", is_admin=True)
    store = stores.installation_store(multi.runtime)
    # Installed through the OAuth flow's own exchange, as /slack/oauth_redirect does; then
    # 11 h 59 min go by: a minute left. (A token installed with a minute left would be
    # rotated into another one-minute token, which any later caller rightly rotates again.)
    await install_code(multi, "code-rot")
    installed = await store.async_find_bot(enterprise_id=None, team_id="T0ROT")
    assert installed is not None
    installed.bot_token_expires_at = int(time.time()) + 60
    await store.async_save_bot(installed)
    clients = [WorkspaceClients(multi.runtime, store) for _ in range(3)]  # as three processes
    fresh = await asyncio.gather(*(c.for_team("T0ROT") for c in clients))
    refreshes = [
        c
        for c in multi.fake.calls_to("oauth.v2.access")
        if c.args.get("grant_type") == "refresh_token"
    ]
    assert len(refreshes) == 1
    tokens = {client.token for client in fresh}
    assert len(tokens) == 1 and tokens != {"xoxe.xoxb-1-first"}
    bot = await store.async_find_bot(enterprise_id=None, team_id="T0ROT")
    assert bot is not None and bot.bot_token in tokens
    assert (await fresh[0].auth_test())["team_id"] == "T0ROT"


async def install_code(slack: Harness, code: str) -> None:
    """Go through /slack/install and /slack/oauth_redirect as a browser would."""
    async with aiohttp.ClientSession() as browser:
        async with browser.get(f"{slack.root_url}/slack/install", allow_redirects=False) as page:
            body = await page.text()
            location = page.headers.get("Location", "") + body
            cookie = "; ".join(f"{k}={m.value}" for k, m in page.cookies.items())
        state = re.search(r"state=([\w-]+)", location).group(1)
        async with browser.get(
            f"{slack.root_url}/slack/oauth_redirect",
            params={"code": code, "state": state},
            allow_redirects=False,
            headers={"Cookie": cookie},
        ) as done:
            assert done.status in (200, 302), await done.text()
