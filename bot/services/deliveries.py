"""Claiming Slack deliveries so a retry, a double click or a second process acts once.

A claim is a row: inserting a delivery's key is the claim, a key already there means "already
handled" — in this process or any other sharing the database. The claim must be committed
before the listener acts, or two processes could both act on one delivery; but one INSERT and
one COMMIT per request put a database write on every acknowledgement, and under a burst those
writes queue behind each other (SQLite has one writer). So claims are grouped: the claims that
arrive while a batch is being written wait, and go together in the next statement —
`INSERT … VALUES (…), (…) ON CONFLICT DO NOTHING RETURNING delivery_key` — one commit for all
of them. Every caller still gets its answer only after that commit, so the guarantee is the
one a single INSERT gave; a quiet moment costs one write, a burst of 200 costs a handful.

Claims go through a connection of their own: in the shared pool they would wait behind the
listeners' own database work (a burst's listeners hold every pooled connection), and that
wait would be on the ack path.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.clock import utcnow
from bot.db.models import HandledSlackRequest
from bot.db.session import Database

log = logging.getLogger(__name__)

KEEP_FOR = timedelta(days=2)
"""Slack retries within minutes; two days of keys is plenty and keeps the table small."""

GATHER_SECONDS = 0.002
"""How long the first claim of a quiet moment waits for company before it is written: a
burst's requests arrive within a few ms of each other, and an ack can spare 2 ms."""

MAX_BATCH = 500
"""Rows per statement: two parameters a row stays far below any driver's limit."""

KEY_LENGTH = 255


class Deliveries:
    def __init__(
        self,
        database: Database,
        *,
        gather_seconds: float = GATHER_SECONDS,
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._shared = database
        self._database = database.dedicated()
        self._gather_seconds = gather_seconds
        self._max_batch = max_batch
        self._waiting: list[tuple[str, asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.statements = 0
        """Claim statements written so far (the benchmark and tests read it)."""

    async def claim(self, delivery_key: str) -> bool:
        """True for the first claim of a key, False for every later one (in any process).

        Returns once the claim is committed."""
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((delivery_key[:KEY_LENGTH], answer))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_batches(), name="delivery-claims")
        return await answer

    async def _write_batches(self) -> None:
        # Group commit: while one batch is written, the next one gathers.
        await asyncio.sleep(self._gather_seconds)
        while self._waiting:
            batch = self._waiting[: self._max_batch]
            del self._waiting[: self._max_batch]
            try:
                won = await self._insert({key for key, _ in batch})
            except BaseException as error:  # every waiter learns it, or it would hang
                for _, answer in batch:
                    if not answer.done():
                        answer.set_exception(
                            error if isinstance(error, Exception) else RuntimeError("cancelled")
                        )
                if not isinstance(error, Exception):
                    for _, answer in self._waiting:
                        if not answer.done():
                            answer.set_exception(RuntimeError("delivery claims stopped"))
                    self._waiting.clear()
                    raise
                continue
            for key, answer in batch:
                # A key twice in one batch (a retry racing its original) wins once.
                first = key in won
                won.discard(key)
                if not answer.done():
                    answer.set_result(first)

    async def _insert(self, keys: set[str]) -> set[str]:
        insert = sqlite_insert if self._database.is_sqlite else pg_insert
        now = utcnow()
        statement = (
            insert(HandledSlackRequest)
            .values([{"delivery_key": key, "handled_at": now} for key in sorted(keys)])
            .on_conflict_do_nothing(index_elements=["delivery_key"])
            .returning(HandledSlackRequest.delivery_key)
        )
        async with self._database.session() as session:
            result = await session.execute(statement)
            inserted = set(result.scalars())
        self.statements += 1
        return inserted

    async def close(self) -> None:
        if self._database is not self._shared:
            await self._database.dispose()

    async def forget_old(self) -> int:
        async with self._shared.session() as session:
            result = await session.execute(
                delete(HandledSlackRequest).where(
                    HandledSlackRequest.handled_at < utcnow() - KEEP_FOR
                )
            )
        return result.rowcount or 0
