"""Digests at scale: subaccount pages read side by side within the per-key limit, and history
read as totals with only the one reading the digest compares subaccounts against."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from bot.clock import utcnow
from bot.db.models import AlertThreshold, BalanceSnapshot
from bot.partner.models import Product
from devkit.sandbox import DEMO_SMS_KEY, Fault, FaultKind
from tests.slack.harness import Harness


async def test_a_digest_of_a_thousand_subaccounts_reads_pages_side_by_side(
    slack: Harness,
) -> None:
    demo = slack.sandbox.account(DEMO_SMS_KEY)
    demo.subaccounts.extend(slack.sandbox.add_account(Product.SMS, subaccounts=955).subaccounts)
    slack.sandbox.inject(
        Fault(FaultKind.LATENCY, endpoint="/subaccount/list", times=None, delay=0.02)
    )
    digest = await slack.runtime.digests.build(slack.team_id, [Product.SMS], zone="UTC", since=None)
    [part] = digest.products
    assert len(part.subaccounts) == 1000
    pages = sorted(int(c.params["page"]) for c in slack.sandbox.calls(endpoint="/subaccount/list"))
    assert pages == list(range(1, 51))
    limit = slack.runtime.settings.partner_concurrency_per_key
    assert limit > 1
    assert slack.sandbox.max_concurrency(DEMO_SMS_KEY) == limit  # side by side, never more


async def test_history_is_totals_and_one_reading_keeps_its_subaccounts(slack: Harness) -> None:
    snapshots = slack.runtime.snapshots
    demo = slack.sandbox.account(DEMO_SMS_KEY)
    first = await snapshots.read(slack.team_id, Product.SMS, "hourly")
    demo.subaccounts[0].balance += Decimal("2.5")
    demo.balance -= Decimal("2.5")
    second = await snapshots.read(slack.team_id, Product.SMS, "hourly")

    since = utcnow() - timedelta(days=8)
    history = await snapshots.history(slack.team_id, Product.SMS, since)
    assert [s.taken_at for s in history] == [first.taken_at, second.taken_at]
    assert all(s.subaccounts == {} for s in history)  # nothing decoded per subaccount
    assert [s.total for s in history] == [first.snapshot.total, second.snapshot.total]
    assert history[0].total == demo.total()

    compared = await snapshots.at_or_before(slack.team_id, Product.SMS, first.taken_at, since=since)
    assert compared is not None and compared.taken_at == first.taken_at
    assert compared.subaccounts == first.snapshot.subaccounts
    assert len(compared.subaccounts) == 45


async def test_history_sums_rows_from_before_totals_a_batch_at_a_time(slack: Harness) -> None:
    from sqlalchemy import insert

    from bot.db.models import BalanceSnapshot
    from bot.services.snapshots import LEGACY_BATCH

    now = utcnow()
    rows = 2 * LEGACY_BATCH + 3  # more than one batch, and a partial last one
    async with slack.runtime.database.session() as session:
        for hour in range(rows, 0, -1):
            await session.execute(
                insert(BalanceSnapshot).values(
                    team_id=slack.team_id,
                    product=Product.SMS.value,
                    taken_at=now - timedelta(hours=hour),
                    source="hourly",
                    main_balance=Decimal(100),
                    subaccounts={"a": f"{hour}.5", "b": "1.25"},  # no subaccount_total
                )
            )
    history = await slack.runtime.snapshots.history(
        slack.team_id, Product.SMS, now - timedelta(days=8)
    )
    assert [s.subaccount_total for s in history] == [
        Decimal(hour) + Decimal("1.75") for hour in range(rows, 0, -1)
    ]


async def test_a_digest_whose_database_side_fails_stops_its_vendor_side(slack: Harness) -> None:
    # The alert settings cannot be read (a row no product of ours names): the digest fails,
    # and its reading, held at the vendor meanwhile, is not left asking and recording alone.
    async with slack.runtime.database.session() as session:
        session.add(
            AlertThreshold(
                team_id=slack.team_id, product="fax", scope="main", warn=Decimal(1), set_by="U1"
            )
        )
    release = asyncio.Event()
    slack.sandbox.inject(Fault(FaultKind.LATENCY, method="GET", times=None, until=release))
    try:
        with pytest.raises(ValueError, match="fax"):
            await slack.runtime.digests.build(slack.team_id, [Product.SMS], zone="UTC", since=None)
        readings = [
            task
            for task in asyncio.all_tasks()
            if not task.done() and "Snapshots.read" in task.get_coro().__qualname__
        ]
        assert readings == []
    finally:
        release.set()
    async with slack.runtime.database.session() as session:
        assert await session.scalar(select(func.count()).select_from(BalanceSnapshot)) == 0
