"""`/partner balance` in a burst reads the workspace's keys once, not once per command
(bot.services.partner_keys.PartnerKeys.kept_keys)."""

from __future__ import annotations

import asyncio

from bot.partner.models import Product
from devkit.sandbox import DEMO_SMS_KEY
from tests.slack.harness import ADMIN, Harness, reply_text
from tests.statements import SelectsOf


async def test_a_burst_of_balances_reads_the_keys_once(slack: Harness) -> None:
    await slack.runtime.keys.save(slack.team_id, {Product.SMS: DEMO_SMS_KEY}, ADMIN)
    with SelectsOf(slack.runtime.database, "workspace_partner_keys") as reads:
        deliveries = await asyncio.gather(*(slack.command("balance sms") for _ in range(20)))
        posts = await asyncio.gather(*(d.wait_response() for d in deliveries))
        more = await asyncio.gather(*(slack.ask("balance") for _ in range(20)))
    assert all("SMS" in reply_text(post) for post in posts + more)
    assert reads.count == 1
