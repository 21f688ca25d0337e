"""`GroupedInserts`: rows inserted at once go in together; a caller that gives up before its
row has gone in takes it back; a row the database refuses fails its own caller only. On both
databases: the rows are the balance readings a round of digests records."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from bot.db.grouped_inserts import GroupedInserts
from bot.db.models import BalanceSnapshot
from bot.db.session import Database
from tests.database import listening, statements_sent


def reading(team_id: Any) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "product": "sms",
        "taken_at": datetime(2026, 12, 7, 6, 0),
        "source": "digest",
        "main_balance": None,
        "subaccounts": {},
        "subaccount_total": None,
        "error": None,
    }


async def recorded(database: Database) -> list[str]:
    async with database.session() as session:
        return sorted(await session.scalars(select(BalanceSnapshot.team_id)))


@asynccontextmanager
async def table_held(database: Database) -> AsyncIterator[None]:
    """Another connection holds the table against writers until the block ends: an insert
    begun meanwhile waits in the database (SQLite's lock, a PostgreSQL table lock)."""
    holder = Database(database.url)
    try:
        async with holder.engine.connect() as connection:
            if holder.is_sqlite:
                await connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                await connection.begin()
                await connection.execute(text("LOCK TABLE balance_snapshots IN EXCLUSIVE MODE"))
            yield
            await connection.rollback()
    finally:
        await holder.dispose()


async def test_rows_inserted_at_once_go_in_one_statement(database: Database) -> None:
    grouped = GroupedInserts(database, BalanceSnapshot)
    with statements_sent(database) as statements:
        await asyncio.gather(*(grouped.insert(reading(f"T{n:02d}")) for n in range(20)))

    assert await recorded(database) == [f"T{n:02d}" for n in range(20)]
    assert len([s for s in statements if s.startswith("INSERT")]) == 1


async def test_rows_that_come_during_an_insert_go_in_the_next_one(database: Database) -> None:
    grouped = GroupedInserts(database, BalanceSnapshot)
    inserting = asyncio.Event()
    inserts: list[str] = []

    def started(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("INSERT"):
            inserts.append(statement)
            inserting.set()

    with listening(database, "before_cursor_execute", started):
        async with table_held(database):
            first = asyncio.create_task(grouped.insert(reading("TFIRST")))
            await inserting.wait()  # its insert waits in the database
            later = [asyncio.create_task(grouped.insert(reading(f"TLATER{n}"))) for n in range(3)]
            gone = asyncio.create_task(grouped.insert(reading("TGONE")))
            await asyncio.sleep(0)  # each has put its row in the queue
            gone.cancel()
        await asyncio.gather(first, *later)
        with pytest.raises(asyncio.CancelledError):
            await gone

    # The caller that gave up before its row went in took it back.
    assert await recorded(database) == ["TFIRST", "TLATER0", "TLATER1", "TLATER2"]
    # The first insert alone, the three that came while it waited in the next one.
    assert len(inserts) == 2


async def test_a_refused_row_fails_its_own_caller_only(database: Database) -> None:
    grouped = GroupedInserts(database, BalanceSnapshot)
    outcomes = await asyncio.gather(
        grouped.insert(reading(None)),  # team_id is NOT NULL: the insert of both is refused
        grouped.insert(reading("TSAME")),
        return_exceptions=True,
    )
    assert isinstance(outcomes[0], IntegrityError)
    assert outcomes[1] is None  # tried again alone
    await grouped.insert(reading("TAFTER"))
    assert await recorded(database) == ["TAFTER", "TSAME"]


async def test_a_caller_stopped_during_its_insert_stops_once_the_insert_is_over(
    database: Database,
) -> None:
    """What stops a caller (a process shutting down) may close the database next: the insert
    its row is in must not still be under way, for nobody, when it has stopped."""
    grouped = GroupedInserts(database, BalanceSnapshot)
    inserting = asyncio.Event()
    order: list[str] = []

    def started(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("INSERT"):
            inserting.set()

    def committed(_conn: Any) -> None:
        order.append("committed")

    with (
        listening(database, "before_cursor_execute", started),
        listening(database, "commit", committed),
    ):
        async with table_held(database):
            caller = asyncio.create_task(grouped.insert(reading("TSTOPPED")))
            caller.add_done_callback(lambda _: order.append("caller stopped"))
            await inserting.wait()  # its insert waits in the database
            caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller

    assert order == ["committed", "caller stopped"]
    assert await recorded(database) == ["TSTOPPED"]
