"""The SQL on recurring runs: each inserted with its approved request in one transaction (unique
per series and period), then moved by conditional UPDATEs (bot.services.recurring.store)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.clock import utcnow
from bot.db.models import CreditRequest
from bot.db.recurring_models import RecurringRun, RecurringSeries
from bot.db.session import Database
from bot.services import audit
from bot.services.recurring.model import RETRIES, Run, RunState, Series
from bot.services.recurring.rows import run_of as _run
from bot.services.requests.model import Action, Status
from bot.services.requests.store import RequestStore


class RunStore:
    _database: Database
    _requests: RequestStore

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

    async def claim_auto(
        self, series: Series, period: str, due_at: datetime, amount: Decimal, request: CreditRequest
    ) -> Run | None:
        """An automatic top-up's one run until it is re-armed: disarm the series and insert the
        run with its approved request, in one transaction; None when another worker (or an
        earlier reading) disarmed it first."""
        async with self._database.session() as session:
            result = await session.execute(
                update(RecurringSeries)
                .where(RecurringSeries.id == series.id, RecurringSeries.armed.is_(True))
                .values(armed=False)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                await session.rollback()
                return None
            run = RecurringRun(
                series_id=series.id,
                period=period,
                due_at=due_at,
                state=RunState.RUNNING.value,
                amount=amount,
                attempt=len(RETRIES) + 1,  # no retries: the next low reading tops up again
                created_at=utcnow(),
                updated_at=utcnow(),
            )
            session.add(run)
            await session.flush()
            await self._add_request(session, series, request, period)
            run.request_id = request.id
            await _audit_run(session, series, run)
            await session.flush()
            return _run(run)

    async def rearm(self, series: Series) -> bool:
        async with self._database.session() as session:
            result = await session.execute(
                update(RecurringSeries)
                .where(RecurringSeries.id == series.id, RecurringSeries.armed.is_(False))
                .values(armed=True)
            )
            return result.rowcount == 1  # type: ignore[attr-defined]

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
            count = await session.scalar(
                update(RecurringSeries)
                .where(RecurringSeries.id == series_id)
                .values(failures_in_a_row=(RecurringSeries.failures_in_a_row + 1) if failed else 0)
                .returning(RecurringSeries.failures_in_a_row)
            )
            return int(count or 0)

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


def request_row(series: Series, amount: Decimal, period: str, now: datetime) -> CreditRequest:
    """The run's request, already approved: the series' approval covers it."""
    return CreditRequest(
        team_id=series.team_id,
        product=series.product.value,
        action=Action.CREDIT_ADD.value,
        status=Status.APPROVED.value,
        requester_id=series.created_by,
        subaccount_token=series.subaccount_token,
        subaccount_email=series.subaccount_email,
        amount=amount,
        reason=series.reason,
        details={"recurring": series.number, "period": period, "approvers": list(series.approvers)},
        approvals_needed=series.approvals_needed,
        auto_approved=False,
        created_at=now,
        updated_at=now,
        expires_at=now + timedelta(days=1),
        decided_by=series.approvers[-1] if series.approvers else None,
        key_id=series.key_id,
    )
