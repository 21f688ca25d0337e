"""An expiring bot token is refreshed once, whichever paths race for it: Bolt's `authorize` on
a Slack request and the scheduled work's clients (another process, as the worker is), and a
refresh that failed does not keep the others from trying again."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from slack_sdk.oauth.installation_store import Bot

from bot.slack import stores
from bot.slack.clients import WorkspaceClients
from tests.slack.harness import MANIFEST_SCOPE, Harness
from tests.slack.test_workspaces import install_code

TEAM = "T0ROT"
USER = "UROT"
FIRST_TOKEN = "xoxe.xoxb-1-first"


async def a_minute_left(h: Harness) -> Bot:
    """Installed with Slack's 12 hours, then 11 h 59 min go by."""
    h.fake.add_oauth_code(
        "code-rot",
        team_id=TEAM,
        team_name="Rotating Co",
        bot_token=FIRST_TOKEN,
        authed_user_id=USER,
        refresh_token="xoxe-1-refresh-first",
        expires_in=12 * 3600,
        scope=MANIFEST_SCOPE,
    )
    h.fake.add_user(TEAM, USER, "rita", real_name="Rita", is_admin=True)
    await install_code(h, "code-rot")
    store = stores.installation_store(h.runtime)
    bot = await store.async_find_bot(enterprise_id=None, team_id=TEAM)
    assert bot is not None
    bot.bot_token_expires_at = int(time.time()) + 60
    await store.async_save_bot(bot)
    return bot


def refreshes(h: Harness) -> list:
    return [
        call
        for call in h.fake.calls_to("oauth.v2.access")
        if call.args.get("grant_type") == "refresh_token"
    ]


async def test_a_request_and_a_scheduled_job_refresh_an_expiring_token_once(
    multi: Harness,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await a_minute_left(multi)
    refresh = multi.fake.hold("oauth.v2.access")
    # A Slack request from the workspace: Bolt's authorize starts the refresh, held at Slack.
    request = asyncio.create_task(multi.driver.command("help", team_id=TEAM, user_id=USER))
    await refresh.held(1)
    # Meanwhile the worker's scheduled job wants a client for the same workspace.
    job = WorkspaceClients(multi.runtime, stores.installation_store(multi.runtime))
    with caplog.at_level(logging.INFO, logger="bot.slack.token_rotation"):
        wanted = asyncio.create_task(job.for_team(TEAM))

        def decided() -> bool:
            # Either it waits for the refresh under way, or it spent the refresh token too.
            waiting = any("being refreshed by another" in r.getMessage() for r in caplog.records)
            return waiting or len(refresh.waiting) > 1

        await multi.fake.wait_for(decided)
        refresh.release()
        client, delivery = await asyncio.gather(wanted, request)
    assert len(refreshes(multi)) == 1
    assert delivery.status == 200 and not delivery.late
    assert client is not None and client.token != FIRST_TOKEN
    saved = await stores.installation_store(multi.runtime).async_find_bot(
        enterprise_id=None, team_id=TEAM
    )
    assert saved is not None and saved.bot_token == client.token
    assert saved.bot_token_expires_at > time.time() + 11 * 3600
    assert (await client.auth_test())["team_id"] == TEAM


async def test_a_refresh_that_failed_leaves_the_next_caller_free_to_refresh(
    multi: Harness,
) -> None:
    await a_minute_left(multi)
    store = stores.installation_store(multi.runtime)
    multi.fake.fail("oauth.v2.access", "internal_error")  # Slack had trouble, did nothing
    with pytest.raises(Exception, match="internal_error"):
        await WorkspaceClients(multi.runtime, store).for_team(TEAM)
    # The next run (here: another process) refreshes it, rather than wait for nobody.
    client = await WorkspaceClients(multi.runtime, store).for_team(TEAM)
    assert client is not None and client.token != FIRST_TOKEN
    assert len(refreshes(multi)) == 2
    assert (await client.auth_test())["team_id"] == TEAM
