"""Claiming Slack deliveries so a retry, a double click or a second process acts once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.clock import utcnow
from bot.db.models import HandledSlackRequest
from bot.db.session import Database

KEEP_FOR = timedelta(days=2)
"""Slack retries within minutes; two days of keys is plenty and keeps the table small."""


class Deliveries:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def claim(self, delivery_key: str) -> bool:
        """True for the first claim of a key, False for every later one (in any process)."""
        insert = sqlite_insert if self._database.is_sqlite else pg_insert
        statement = (
            insert(HandledSlackRequest)
            .values(delivery_key=delivery_key[:255], handled_at=utcnow())
            .on_conflict_do_nothing(index_elements=["delivery_key"])
        )
        async with self._database.session() as session:
            result = await session.execute(statement)
        return (result.rowcount or 0) == 1

    async def forget_old(self) -> int:
        async with self._database.session() as session:
            result = await session.execute(
                delete(HandledSlackRequest).where(
                    HandledSlackRequest.handled_at < utcnow() - KEEP_FOR
                )
            )
        return result.rowcount or 0
