"""What a digest costs the database, counted in sessions: a round of digests builds twenty at
once on one event loop, and each session is a connection out of the pool, a BEGIN and a
COMMIT (on SQLite each a round trip to aiosqlite's thread). The digest reads everything it
needs in one session beside the vendor, and records its reading in another."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from bot.db.session import Database
from bot.partner.models import Product
from bot.runtime import Runtime
from bot.services.alerts import Level, Scope
from bot.services.digests import RECORDS_READ_AT_ONCE
from devkit.sandbox import Sandbox
from tests.database import listening
from tests.services.request_world import ADMIN, TEAM, pending_request


async def test_a_digest_reads_in_one_session_and_records_in_another(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    request = await pending_request(runtime, sandbox)
    main = await (await runtime.partner.client(TEAM, Product.SMS)).me(fresh=True)
    await runtime.alerts.set_threshold(
        TEAM, Product.SMS, Scope.MAIN, main.balance + Decimal(100), ADMIN
    )
    await runtime.partner.keys.kept_keys(TEAM)  # the keys a round reads first, kept

    taken: list[object] = []  # every connection taken out of the pool (a session takes one)
    with listening(runtime.database, "checkout", lambda *args: taken.append(args[0])):
        digest = await runtime.digests.build(TEAM, [Product.SMS], zone="UTC", since=None)

    # What each read gave is in the digest: the pending request, the alert settings.
    assert [p.number for p in digest.pending] == [request.number]
    (part,) = digest.products
    assert part.main_alert == (Level.WARN, main.balance + Decimal(100))
    # The alert settings, the pending requests (each with its approvers), the week of
    # history and the reading of a day ago in one session; the new reading in the other.
    # One session each made it 6.
    assert len(taken) == 2


async def test_a_round_of_digests_reads_its_records_a_few_at_a_time(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    teams = [f"T0ROUND{n}" for n in range(8)]
    for team in teams:
        account = sandbox.add_account(Product.SMS, subaccounts=3)
        await runtime.keys.save(team, {Product.SMS: account.api_key}, ADMIN)
        await runtime.partner.keys.kept_keys(team)  # the keys a round reads first, kept

    out = most = 0  # connections out of the pool now, and the most at once

    def taken(*args: object) -> None:
        nonlocal out, most
        out += 1
        most = max(most, out)

    def returned(*args: object) -> None:
        nonlocal out
        out -= 1

    with (
        listening(runtime.database, "checkout", taken),
        listening(runtime.database, "checkin", returned),
    ):
        digests = await asyncio.gather(
            *(runtime.digests.build(team, [Product.SMS], zone="UTC", since=None) for team in teams)
        )

    assert [len(d.products[0].subaccounts) for d in digests] == [3] * len(teams)
    # The records' reads a few at a time, and the readings' one insert under way: never a
    # connection for each digest (nine at once before, more than SQLite's pool keeps).
    assert len(teams) - 1 > RECORDS_READ_AT_ONCE
    assert most <= RECORDS_READ_AT_ONCE + 1


async def test_a_joined_read_uses_the_callers_session_and_leaves_its_transaction_open(
    database: Database,
) -> None:
    async with database.session() as session:
        async with database.joined(session) as joined:
            assert joined is session
        assert session.in_transaction()
    async with database.joined(None) as own:
        assert own.in_transaction()
