"""Delivery claims: grouped into few statements under a burst, still exactly one winner per
key, committed before the claimant hears it won (another process sees it at once)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select, text

from bot.db.models import HandledSlackRequest
from bot.db.session import Database
from bot.services.deliveries import Deliveries


async def test_a_burst_of_claims_is_written_in_a_few_statements(database: Database) -> None:
    deliveries = Deliveries(database)
    results = await asyncio.gather(*(deliveries.claim(f"command:T:{n}") for n in range(200)))
    await deliveries.close()
    assert results == [True] * 200
    assert deliveries.statements <= 5, deliveries.statements
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(HandledSlackRequest)) == 200


async def test_one_key_claimed_many_times_at_once_wins_once(database: Database) -> None:
    deliveries = Deliveries(database)
    results = await asyncio.gather(*(deliveries.claim("command:T:same") for _ in range(20)))
    assert results.count(True) == 1
    assert results.count(False) == 19
    # and later, alone, it stays taken
    assert await deliveries.claim("command:T:same") is False
    await deliveries.close()


async def test_claims_do_not_wait_for_a_pooled_connection(database: Database) -> None:
    """Listeners holding every pooled connection do not hold up the claims (the acks)."""
    deliveries = Deliveries(database)
    held = []
    try:
        pool = database.engine.pool
        for _ in range(pool.size() + pool._max_overflow):  # type: ignore[attr-defined]
            held.append(await database.engine.connect())
        won = await asyncio.wait_for(deliveries.claim("command:T:busy"), 5)
        assert won is True
    finally:
        for connection in held:
            await connection.close()
        await deliveries.close()


async def test_a_won_claim_is_committed_for_another_process(database: Database) -> None:
    here = Deliveries(database)
    other_process = Database(database.url)
    try:
        elsewhere = Deliveries(other_process)
        assert await here.claim("event:T:Ev1") is True
        # No waiting: the claim was committed before `claim` returned.
        assert await elsewhere.claim("event:T:Ev1") is False
        mixed = await asyncio.gather(
            here.claim("event:T:Ev2"), elsewhere.claim("event:T:Ev2"), here.claim("event:T:Ev3")
        )
        assert sorted(mixed[:2]) == [False, True]
        assert mixed[2] is True
    finally:
        await here.close()
        await elsewhere.close()
        await other_process.dispose()


async def test_a_failed_write_reaches_every_claimant(tmp_path: Path) -> None:
    unmigrated = Database(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")  # no table at all
    try:
        deliveries = Deliveries(unmigrated)
        results = await asyncio.gather(
            deliveries.claim("a"), deliveries.claim("b"), return_exceptions=True
        )
        assert len(results) == 2
        assert all(isinstance(result, Exception) for result in results)
        # and the next claim is tried afresh, not stuck behind the failure
        with_table = await asyncio.gather(deliveries.claim("c"), return_exceptions=True)
        assert isinstance(with_table[0], Exception)
        await deliveries.close()
    finally:
        await unmigrated.dispose()


async def test_sqlite_files_use_wal_without_a_sync_per_commit(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'pragmas.db'}")
    memory = Database("sqlite+aiosqlite:///:memory:")
    try:
        async with database.engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            # 1 = NORMAL (the default, FULL, is 2)
            assert (await connection.execute(text("PRAGMA synchronous"))).scalar() == 1
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        async with memory.engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "memory"
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    finally:
        await database.dispose()
        await memory.dispose()
