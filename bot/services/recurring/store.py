"""The only SQL on recurring series and their runs.

A run is inserted with the approved request it moves money through, in one transaction; the
unique (series, period) makes the second of two workers fail its insert and do nothing. Every
later change of a run or a series is one conditional UPDATE: its row count says who won.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import utcnow
from bot.db.recurring_models import RecurringRun, RecurringSeries
from bot.db.session import Database
from bot.services import audit
from bot.services.recurring.model import (
    Series,
    SeriesNotFound,
    SeriesState,
)
from bot.services.recurring.rows import run_of as _run
from bot.services.recurring.rows import series_of as _series
from bot.services.recurring.run_store import RunStore
from bot.services.requests.store import RequestStore

_NUMBER_TRIES = 5


class SeriesStore(RunStore):
    """Series (here) and their runs (bot.services.recurring.run_store)."""

    def __init__(self, database: Database, requests: RequestStore) -> None:
        self._database = database
        self._requests = requests

    # --- series -------------------------------------------------------------------------------

    async def insert(self, row: RecurringSeries) -> Series:
        """Number it in its workspace (the next free number; a clash with a concurrent insert
        is retried) and audit it, in one transaction."""
        for attempt in range(_NUMBER_TRIES):
            try:
                async with self._database.session() as session:
                    highest = await session.scalar(
                        select(func.max(RecurringSeries.number)).where(
                            RecurringSeries.team_id == row.team_id
                        )
                    )
                    fresh = _copy(row)
                    fresh.number = (highest or 0) + 1
                    session.add(fresh)
                    await session.flush()
                    await _audit(session, fresh, "recurring_proposed", fresh.created_by)
                    series_id = fresh.id
                return await self.get(series_id)
            except IntegrityError:
                if attempt == _NUMBER_TRIES - 1:
                    raise
        raise AssertionError  # pragma: no cover

    async def get(self, series_id: int) -> Series:
        async with self._database.session() as session:
            row = await session.get(RecurringSeries, series_id, populate_existing=True)
            if row is None:
                raise SeriesNotFound(0)
            last = await session.scalar(
                select(RecurringRun)
                .where(RecurringRun.series_id == series_id)
                .order_by(RecurringRun.due_at.desc(), RecurringRun.id.desc())
                .limit(1)
            )
            return _series(row, _run(last) if last is not None else None)

    async def by_number(self, team_id: str, number: int) -> Series:
        async with self._database.session() as session:
            series_id = await session.scalar(
                select(RecurringSeries.id).where(
                    RecurringSeries.team_id == team_id, RecurringSeries.number == number
                )
            )
        if series_id is None:
            raise SeriesNotFound(number)
        return await self.get(series_id)

    async def of_team(self, team_id: str, *, live_only: bool = False) -> list[Series]:
        states = [SeriesState.PENDING, SeriesState.ACTIVE, SeriesState.PAUSED]
        conditions = [RecurringSeries.team_id == team_id]
        if live_only:
            conditions.append(RecurringSeries.state.in_([s.value for s in states]))
        async with self._database.session() as session:
            ids = (
                await session.scalars(
                    select(RecurringSeries.id).where(*conditions).order_by(RecurringSeries.number)
                )
            ).all()
        return [await self.get(series_id) for series_id in ids]

    async def active(self, kind: str) -> list[Series]:
        """Active series of `kind`, read in one query (the worker reads them every pass)."""
        async with self._database.session() as session:
            rows = (
                await session.scalars(
                    select(RecurringSeries)
                    .where(
                        RecurringSeries.state == SeriesState.ACTIVE.value,
                        RecurringSeries.kind == kind,
                    )
                    .order_by(RecurringSeries.id)
                )
            ).all()
            return [_series(row, None) for row in rows]

    async def periods_of(self, series_ids: list[int]) -> dict[int, frozenset[str]]:
        """The periods recorded for each series, in one query."""
        found: dict[int, set[str]] = {series_id: set() for series_id in series_ids}
        async with self._database.session() as session:
            rows = await session.execute(
                select(RecurringRun.series_id, RecurringRun.period).where(
                    RecurringRun.series_id.in_(series_ids)
                )
            )
            for series_id, period in rows:
                found[series_id].add(period)
        return {series_id: frozenset(periods) for series_id, periods in found.items()}

    async def move(
        self,
        series: Series,
        to: SeriesState,
        event: str,
        actor_id: str,
        *,
        values: dict[str, Any] | None = None,
        **details: Any,
    ) -> bool:
        """Move the series from the state it was read in (and unchanged since: `updated_at`)
        to `to`, audited, in one transaction. False when someone changed it first."""
        return await self.update(
            series, event, actor_id, {**(values or {}), "state": to.value}, **details
        )

    async def update(
        self, series: Series, event: str, actor_id: str, values: dict[str, Any], **details: Any
    ) -> bool:
        async with self._database.session() as session:
            row = await session.get(RecurringSeries, series.id)
            assert row is not None
            seen = row.updated_at
            if row.state != series.state.value:
                return False
            result = await session.execute(
                update(RecurringSeries)
                .where(RecurringSeries.id == series.id, RecurringSeries.updated_at == seen)
                .values(**values, updated_at=max(utcnow(), seen + _TICK))
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                await session.rollback()
                return False
            await _audit(session, row, event, actor_id, **details)
        return True

    async def claim_card(self, series_id: int) -> bool:
        """Take the posting of the series' card: True for the one caller that took it."""
        async with self._database.session() as session:
            result = await session.execute(
                update(RecurringSeries)
                .where(RecurringSeries.id == series_id, RecurringSeries.card_claimed_at.is_(None))
                .values(card_claimed_at=utcnow())
            )
            return result.rowcount == 1  # type: ignore[attr-defined]

    async def cards_owed(self, created_before: datetime) -> list[Series]:
        """Pending series whose card nobody took to post (the asker's process died first)."""
        async with self._database.session() as session:
            ids = (
                await session.scalars(
                    select(RecurringSeries.id).where(
                        RecurringSeries.state == SeriesState.PENDING.value,
                        RecurringSeries.card_claimed_at.is_(None),
                        RecurringSeries.created_at <= created_before,
                    )
                )
            ).all()
        return [await self.get(series_id) for series_id in ids]

    async def set_card(self, series_id: int, channel_id: str, ts: str) -> None:
        async with self._database.session() as session:
            await session.execute(
                update(RecurringSeries)
                .where(RecurringSeries.id == series_id)
                .values(card_channel_id=channel_id, card_ts=ts)
            )

    async def take_warning(self, series: Series, period: str) -> bool:
        """Take the low-balance warning of `period` (one warner, once)."""
        async with self._database.session() as session:
            result = await session.execute(
                update(RecurringSeries)
                .where(
                    RecurringSeries.id == series.id,
                    func.coalesce(RecurringSeries.warned_period, "") != period,
                )
                .values(warned_period=period)
            )
            return result.rowcount == 1  # type: ignore[attr-defined]


_TICK = timedelta(microseconds=1)
"""So a change always changes `updated_at`, which the next conditional UPDATE checks."""


def _copy(row: RecurringSeries) -> RecurringSeries:
    columns = RecurringSeries.__table__.columns.keys()
    return RecurringSeries(**{c: getattr(row, c) for c in columns if c not in ("id", "number")})


async def _audit(
    session: Any, row: RecurringSeries, event: str, actor_id: str, **details: Any
) -> None:
    await audit.record(
        session,
        row.team_id,
        event,
        actor_id,
        product=row.product,
        amount=row.amount if row.amount is not None else row.level,
        recurring=row.number,
        subaccount=row.subaccount_email or row.subaccount_token,
        **details,
    )
