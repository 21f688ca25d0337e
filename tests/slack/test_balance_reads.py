"""`/partner balance` in a burst reads the workspace's keys once, not once per command
(bot.services.partner_keys.PartnerKeys.kept_keys)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event

from bot.partner.models import Product
from devkit.sandbox import DEMO_SMS_KEY
from tests.slack.harness import ADMIN, Harness, reply_text


class KeyReads:
    """SELECTs of the keys table, as the database sees them."""

    def __init__(self, harness: Harness) -> None:
        self.count = 0
        self._engine = harness.runtime.database.engine.sync_engine

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if (
            statement.lstrip().upper().startswith("SELECT")
            and "workspace_partner_keys" in statement
        ):
            self.count += 1

    def __enter__(self) -> KeyReads:
        event.listen(self._engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_: object) -> None:
        event.remove(self._engine, "before_cursor_execute", self._seen)


async def test_a_burst_of_balances_reads_the_keys_once(slack: Harness) -> None:
    await slack.runtime.keys.save(slack.team_id, {Product.SMS: DEMO_SMS_KEY}, ADMIN)
    with KeyReads(slack) as reads:
        deliveries = await asyncio.gather(*(slack.command("balance sms") for _ in range(20)))
        posts = await asyncio.gather(*(d.wait_response() for d in deliveries))
        more = await asyncio.gather(*(slack.ask("balance") for _ in range(20)))
    assert all("SMS" in reply_text(post) for post in posts + more)
    assert reads.count == 1
