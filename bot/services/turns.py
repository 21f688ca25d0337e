"""Turns shared by every process: at most one use of a key per interval, across all of them.

Slack asks for at most one message a second per channel. A pacer in each process keeps that
only while one process posts; with web processes and workers multiplied, two of them posting
to one channel in the same second would each think it was alone. So the turn is taken in
the database: one statement reserves the key's next free turn — `now`, or the last turn plus
the interval when that is later — and returns it; the caller sleeps until it. Two processes
asking in the same instant get turns one interval apart, whichever commits first going first.

Turns are reserved, not waited for in a queue: a caller that reserved a turn and then did not
post leaves a gap, never a block. Times are seconds since the epoch (wall clock, which
processes share, unlike each one's monotonic clock), so the arithmetic is one expression on
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from sqlalchemy import case
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.db.models import Turn
from bot.db.session import Database

KEY_LENGTH = 255


class Turns:
    def __init__(
        self,
        database: Database,
        *,
        interval: float = 1.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._database = database
        self._interval = interval
        self._clock = clock
        self._sleep = sleep

    async def wait(self, key: str) -> None:
        """Return when it is `key`'s turn: at least `interval` after the turn before it, taken
        by this process or any other."""
        turn = await self.reserve(key)
        delay = turn - self._clock()
        if delay > 0:
            await self._sleep(delay)

    async def reserve(self, key: str) -> float:
        now = self._clock()
        insert = sqlite_insert if self._database.is_sqlite else pg_insert
        after_last = Turn.turn_at + self._interval
        statement = (
            insert(Turn)
            .values(key=key[:KEY_LENGTH], turn_at=now)
            .on_conflict_do_update(
                index_elements=["key"],
                set_={"turn_at": case((after_last > now, after_last), else_=now)},
            )
            .returning(Turn.turn_at)
        )
        async with self._database.session() as session:
            return float((await session.execute(statement)).scalar_one())
