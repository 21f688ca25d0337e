"""The only SQL on recurring series and their runs.

A run is inserted with the approved request it moves money through, in one transaction; the
unique (series, period) makes the second of two workers fail its insert and do nothing. Every
later change of a run or a series is one conditional UPDATE: its row count says who won.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import utcnow
from bot.db.models import CreditRequest
from bot.db.recurring_models import RecurringRun, RecurringSeries
from bot.db.session import Database
from bot.services import audit
from bot.services.recurring.model import Run, RunState, Series, SeriesNotFound, SeriesState
from bot.services.recurring.rows import run_of as _run
from bot.services.recurring.rows import series_of as _series
from bot.services.requests.store import RequestStore

_NUMBER_TRIES = 5


class SeriesStore:
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
        async with self._database.session() as session:
            ids = (
                await session.scalars(
                    select(RecurringSeries.id)
                    .where(
                        RecurringSeries.state == SeriesState.ACTIVE.value,
                        RecurringSeries.kind == kind,
                    )
                    .order_by(RecurringSeries.id)
                )
            ).all()
        return [await self.get(series_id) for series_id in ids]

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

    # --- runs ---------------------------------------------------------------------------------

    async def periods(self, series_id: int) -> frozenset[str]:
        async with self._database.session() as session:
            return frozenset(
                (
                    await session.scalars(
                        select(RecurringRun.period).where(RecurringRun.series_id == series_id)
                    )
                ).all()
            )

    async def runs(self, state: RunState, *, due_by: datetime | None = None) -> list[Run]:
        conditions = [RecurringRun.state == state.value]
        if due_by is not None:
            conditions.append(RecurringRun.retry_at <= due_by)
        async with self._database.session() as session:
            rows = (
                await session.scalars(
                    select(RecurringRun).where(*conditions).order_by(RecurringRun.id)
                )
            ).all()
            return [_run(row) for row in rows]

    async def runs_of(self, series_id: int) -> list[Run]:
        async with self._database.session() as session:
            rows = (
                await session.scalars(
                    select(RecurringRun)
                    .where(RecurringRun.series_id == series_id)
                    .order_by(RecurringRun.due_at)
                )
            ).all()
            return [_run(row) for row in rows]

    async def record_run(
        self,
        series: Series,
        period: str,
        due_at: datetime,
        state: RunState,
        *,
        amount: Decimal | None = None,
        note: str | None = None,
        retry_at: datetime | None = None,
        request: CreditRequest | None = None,
    ) -> Run | None:
        """Insert the run of `period` (with `request`, already approved, when it moves money),
        and audit both, in one transaction. None when the period has its run already."""
        try:
            async with self._database.session() as session:
                run = RecurringRun(
                    series_id=series.id,
                    period=period,
                    due_at=due_at,
                    state=state.value,
                    amount=amount,
                    note=note,
                    retry_at=retry_at,
                    attempt=1,
                    created_at=utcnow(),
                    updated_at=utcnow(),
                )
                session.add(run)
                await session.flush()  # the unique (series, period) speaks here, before the request
                if request is not None:
                    await self._add_request(session, series, request, period)
                    run.request_id = request.id
                await _audit_run(session, series, run)
                await session.flush()
                return _run(run)
        except IntegrityError:
            return None

    async def retry_run(self, series: Series, run: Run, request: CreditRequest) -> bool:
        """The next attempt of a waiting run, with its new approved request, in one
        transaction; False when another worker took this attempt."""
        async with self._database.session() as session:
            result = await session.execute(
                update(RecurringRun)
                .where(
                    RecurringRun.id == run.id,
                    RecurringRun.state == RunState.WAITING.value,
                    RecurringRun.attempt == run.attempt,
                )
                .values(state=RunState.RUNNING.value, attempt=run.attempt + 1, updated_at=utcnow())
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                await session.rollback()
                return False
            await self._add_request(session, series, request, run.period)
            await session.execute(
                update(RecurringRun).where(RecurringRun.id == run.id).values(request_id=request.id)
            )
        return True

    async def settle_run(self, run: Run, to: RunState, **values: Any) -> bool:
        """Move a run from the state (and attempt) it was read in; False if someone did first."""
        async with self._database.session() as session:
            result = await session.execute(
                update(RecurringRun)
                .where(
                    RecurringRun.id == run.id,
                    RecurringRun.state == run.state.value,
                    RecurringRun.attempt == run.attempt,
                )
                .values(state=to.value, updated_at=utcnow(), **values)
            )
            return result.rowcount == 1  # type: ignore[attr-defined]

    async def count_failure(self, series_id: int, failed: bool) -> int:
        """Add a failed period to the series' count (or reset it): the count after."""
        async with self._database.session() as session:
            await session.execute(
                update(RecurringSeries)
                .where(RecurringSeries.id == series_id)
                .values(failures_in_a_row=(RecurringSeries.failures_in_a_row + 1) if failed else 0)
            )
            return int(
                await session.scalar(
                    select(RecurringSeries.failures_in_a_row).where(RecurringSeries.id == series_id)
                )
                or 0
            )

    async def moved_since(self, series_id: int, since: datetime) -> Decimal:
        """What the series' succeeded runs due since `since` added (an automatic top-up's month)."""
        async with self._database.session() as session:
            amounts = (
                await session.scalars(
                    select(RecurringRun.amount).where(
                        RecurringRun.series_id == series_id,
                        RecurringRun.due_at >= since,
                        RecurringRun.state.in_([RunState.SUCCEEDED.value, RunState.RUNNING.value]),
                    )
                )
            ).all()
        return sum((a for a in amounts if a is not None), Decimal(0))

    async def _add_request(
        self, session: Any, series: Series, request: CreditRequest, period: str
    ) -> None:
        request.number = await self._requests.number_in(session, series.team_id)
        session.add(request)
        await session.flush()
        await audit.record(
            session,
            series.team_id,
            "request_created",
            request.requester_id,
            request_id=request.id,
            product=request.product,
            amount=request.amount,
            recurring=series.number,
            period=period,
        )


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


async def _audit_run(session: Any, series: Series, run: RecurringRun) -> None:
    await audit.record(
        session,
        series.team_id,
        "recurring_run",
        audit.SYSTEM,
        request_id=run.request_id,
        product=series.product.value,
        amount=run.amount,
        recurring=series.number,
        period=run.period,
        state=run.state,
        note=run.note,
    )
