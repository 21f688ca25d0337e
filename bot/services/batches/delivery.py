"""The results CSV of a finished batch: at least once to each place (the card's thread, the
requester), and again nowhere it arrived.

Whoever sends them first takes a lease on sending (`results_until`, one conditional UPDATE, as
the run's lease); each place is marked as soon as Slack took the file there, and the batch
once every place is done (`results_sent_at`). A process that dies while sending leaves its
lease to pass: maintenance takes it then and sends to the places not marked yet. A file goes
twice to one place only if the process died between Slack taking it and the mark (or hung
past the lease), the one gap no lease closes; a place that refused the file (the channel
archived, the app removed) is marked too: sending again would not help.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Protocol

from sqlalchemy import or_, select, update

from bot.clock import utcnow
from bot.db.batch_models import Batch
from bot.db.session import Database
from bot.services.batches.model import BatchSnapshot, BatchStatus, RowSnapshot
from bot.services.batches.store import BatchStore

log = logging.getLogger(__name__)

THREAD, REQUESTER = "thread", "requester"
PLACES = (THREAD, REQUESTER)
_MARKS = {THREAD: "results_thread_at", REQUESTER: "results_requester_at"}


class ResultsNotDelivered(Exception):
    """Slack could not take the file somewhere for now (unreachable, its own error, rate
    limited): the lease passes and it is sent there again."""


class ResultsNotices(Protocol):
    async def finished(
        self,
        batch: BatchSnapshot,
        rows: list[RowSnapshot],
        *,
        skip: frozenset[str] = frozenset(),
        delivered: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        """Send the results to the places not in `skip`, calling `delivered(place)` after
        each; raise ResultsNotDelivered if some place is worth trying again."""
        ...


class ResultsDelivery:
    def __init__(self, database: Database, store: BatchStore, lease: timedelta) -> None:
        self._database = database
        self._store = store
        self._lease = lease

    async def deliver(self, batch_id: int, notices: ResultsNotices) -> bool:
        """Send a finished batch's results unless sent, or being sent under a live lease.
        True once they are sent everywhere."""
        if not await self._take(batch_id):
            return False
        batch = await self._store.get(batch_id)
        rows = await self._store.rows(batch_id)

        async def delivered(place: str) -> None:
            await self._mark(batch_id, _MARKS[place])

        try:
            await notices.finished(
                batch, rows, skip=await self._reached(batch_id), delivered=delivered
            )
        except ResultsNotDelivered as error:
            log.warning("batch %d: results not sent everywhere yet: %s", batch_id, error)
            return False  # the lease passes; maintenance sends them again there
        await self._mark(batch_id, "results_sent_at", release=True)
        return True

    async def owed(self) -> list[int]:
        """Finished batches whose results nobody sends: never taken (their runner had no Slack
        client), or their sender's lease passed (it died, or Slack failed it)."""
        async with self._database.session() as session:
            found = await session.scalars(
                select(Batch.id)
                .where(
                    Batch.status == BatchStatus.DONE.value,
                    Batch.results_sent_at.is_(None),
                    or_(Batch.results_until.is_(None), Batch.results_until < utcnow()),
                )
                .order_by(Batch.id)
            )
            return list(found)

    async def _take(self, batch_id: int) -> bool:
        now = utcnow()
        async with self._database.session() as session:
            result = await session.execute(
                update(Batch)
                .where(
                    Batch.id == batch_id,
                    Batch.status == BatchStatus.DONE.value,
                    Batch.results_sent_at.is_(None),
                    or_(Batch.results_until.is_(None), Batch.results_until < now),
                )
                .values(results_until=now + self._lease)
            )
            return (result.rowcount or 0) == 1

    async def _reached(self, batch_id: int) -> frozenset[str]:
        async with self._database.session() as session:
            row = await session.get(Batch, batch_id)
            assert row is not None
            return frozenset(p for p, column in _MARKS.items() if getattr(row, column) is not None)

    async def _mark(self, batch_id: int, column: str, *, release: bool = False) -> None:
        values: dict[str, object] = {column: utcnow()}
        if release:
            values["results_until"] = None
        async with self._database.session() as session:
            await session.execute(update(Batch).where(Batch.id == batch_id).values(**values))
