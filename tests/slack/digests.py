"""Helpers for digest and alert tests: a scheduler with no pacing delay, seeded history."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, update

from bot.clock import utcnow
from bot.db.models import BalanceSnapshot, DigestSubscription
from bot.partner.models import Product
from bot.slack.clients import WorkspaceClients
from bot.slack.scheduler import ChannelPacer, Scheduler
from devkit.emulator import Message
from tests.slack.harness import Harness


def scheduler(h: Harness, worker_id: str = "test-worker") -> Scheduler:
    return Scheduler(
        h.runtime,
        WorkspaceClients(h.runtime, None),
        worker_id=worker_id,
        pacer=ChannelPacer(interval=0),
    )


async def seed_history(
    h: Harness,
    product: Product,
    balances: list[Decimal],
    subaccounts: dict[str, Decimal],
    *,
    every: timedelta = timedelta(days=1),
    end: datetime | None = None,
) -> None:
    """Snapshots ending `every` before `end` (default now), oldest first."""
    end = end or utcnow()
    rows = [
        {
            "team_id": h.team_id,
            "product": product.value,
            "source": "hourly",
            "taken_at": end - every * (len(balances) - i),
            "main_balance": balance,
            "subaccounts": {t: f"{v:f}" for t, v in subaccounts.items()},
        }
        for i, balance in enumerate(balances)
    ]
    async with h.runtime.database.session() as session:
        await session.execute(insert(BalanceSnapshot), rows)


async def make_due(h: Harness, channel_id: str, when: datetime) -> None:
    async with h.runtime.database.session() as session:
        await session.execute(
            update(DigestSubscription)
            .where(DigestSubscription.channel_id == channel_id)
            .values(next_run_at=when)
        )


def posts_in(h: Harness, channel_id: str) -> list[Message]:
    return [m for m in h.fake.messages.get(channel_id, []) if m.ephemeral_to is None]
