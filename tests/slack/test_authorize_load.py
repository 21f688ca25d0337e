"""Many workspaces under load: a burst from one workspace asks Slack `auth.test` once and is
acknowledged in time; an expiring token is refreshed once however many requests race."""

from __future__ import annotations

import asyncio
import time

from bot.slack import stores
from tests.slack.harness import MANIFEST_SCOPE, Harness
from tests.slack.test_workspaces import NEW_ADMIN, NEW_TEAM, install, install_code

BURST = 60


async def test_a_burst_from_one_workspace_asks_auth_test_once(multi: Harness) -> None:
    await install(multi)
    multi.fake.slow("auth.test", 0.1)  # a slow Slack round trip
    asked_before = len(multi.fake.calls_to("auth.test"))
    deliveries = await asyncio.gather(
        *(multi.driver.command("help", team_id=NEW_TEAM, user_id=NEW_ADMIN) for _ in range(BURST))
    )
    assert [d.status for d in deliveries] == [200] * BURST
    assert not any(d.late for d in deliveries)
    # Acknowledged at the door: Bolt authorises each after, before its reply.
    await asyncio.gather(*(d.wait_response() for d in deliveries))
    # Serialised lookups with no cache took BURST × 0.1 s; now one question for all.
    assert len(multi.fake.calls_to("auth.test")) - asked_before == 1
    # and later requests do not ask again
    later = await multi.driver.command("help", team_id=NEW_TEAM, user_id=NEW_ADMIN)
    await later.wait_response()
    assert len(multi.fake.calls_to("auth.test")) - asked_before == 1


async def test_racing_requests_refresh_an_expiring_token_once(multi: Harness) -> None:
    multi.fake.add_oauth_code(
        "code-rot",
        team_id="T0ROT",
        team_name="Rotating Co",
        bot_token="xoxe.xoxb-1-first",
        authed_user_id="UROT",
        refresh_token="xoxe-1-refresh-first",
        expires_in=12 * 3600,  # Slack's 12 hours
        scope=MANIFEST_SCOPE,
    )
    multi.fake.add_user("T0ROT", "UROT", "rita", real_name="Rita", is_admin=True)
    await install_code(multi, "code-rot")
    # 11 h 59 min later: a minute left, well inside the 2 hours Bolt refreshes before.
    store = stores.installation_store(multi.runtime)
    bot = await store.async_find_bot(enterprise_id=None, team_id="T0ROT")
    assert bot is not None
    bot.bot_token_expires_at = int(time.time()) + 60
    await store.async_save_bot(bot)
    deliveries = await asyncio.gather(
        *(multi.driver.command("help", team_id="T0ROT", user_id="UROT") for _ in range(10))
    )
    assert [d.status for d in deliveries] == [200] * 10
    replies = await asyncio.gather(*(d.wait_response() for d in deliveries))
    refreshes = [
        c
        for c in multi.fake.calls_to("oauth.v2.access")
        if c.args.get("grant_type") == "refresh_token"
    ]
    assert len(refreshes) == 1
    assert all(reply.text or reply.blocks for reply in replies)
    fresh = await store.async_find_bot(enterprise_id=None, team_id="T0ROT")
    assert fresh is not None and fresh.bot_token != "xoxe.xoxb-1-first"
    assert fresh.bot_token_expires_at > time.time() + 11 * 3600
