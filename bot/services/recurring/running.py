"""The worker's side of recurring top-ups: each period of each active series, exactly once.

One pass (`Runner.run_due`, from maintenance, on any number of processes at once):

1. runs under way: their request executed if still approved (only the winner of approved →
   executing calls the vendor), then the run settled from its request's outcome;
2. runs waiting on a low main balance whose retry is due: tried again (+1 h, +6 h, +24 h);
3. each active series: missed periods recorded as skipped, the due one started — its run and
   its already approved request inserted in one transaction, unique per (series, period);
4. the 24-hour warning when the next run will not fit in the main balance.

A retry makes a new request only after the previous one failed before any vendor call, so a
period makes at most one vendor call that could have moved money.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from bot.db.anomaly_models import AnomalyIncident
from bot.db.session import Database
from bot.partner.errors import PartnerFailure
from bot.partner.models import Product
from bot.services import audit
from bot.services.errors import NotConfigured
from bot.services.partner_access import PartnerAccess
from bot.services.recurring.live import Live
from bot.services.recurring.model import (
    FAILURES_TO_PAUSE,
    KIND_AUTO,
    KIND_SERIES,
    RETRIES,
    Run,
    RunState,
    Series,
    SeriesState,
    Why,
)
from bot.services.recurring.notices import News, RecurringNotices, Told
from bot.services.recurring.run_store import request_row
from bot.services.recurring.schedule import CATCH_UP, due
from bot.services.recurring.store import SeriesStore
from bot.services.requests import Requests, RequestSnapshot, Status

log = logging.getLogger(__name__)

NoticesFor = Callable[[str], Awaitable[RecurringNotices | None]]
WARN_AHEAD = timedelta(hours=24)


IsFrozen = Callable[[str, Product, str], Awaitable[bool]]
"""Whether a subaccount is frozen (bot.services.subaccount_controls.SubaccountControls.is_frozen):
a frozen subaccount's run is skipped and said, before any request is made."""


class Runner:
    def __init__(
        self,
        database: Database,
        store: SeriesStore,
        requests: Requests,
        partner: PartnerAccess,
        frozen: IsFrozen,
    ) -> None:
        self._database = database
        self._store = store
        self._requests = requests
        self._partner = partner
        self._frozen = frozen
        self._looked: set[tuple[int, str]] = set()
        """(series, period) whose 24-hour warning this process has looked into."""

    async def run_due(self, now: datetime, notices_for: NoticesFor) -> None:
        live = Live(self._partner)
        await self.follow_running(notices_for)
        for run in await self._store.runs(RunState.WAITING, due_by=now):
            await self._guarded(self._retry(run, now, live, notices_for), run.series_id)
        active = await self._store.active(KIND_SERIES)
        periods = await self._store.periods_of([s.id for s in active])
        for series in active:
            due_now = self._series_due(series, now, periods[series.id], live, notices_for)
            await self._guarded(due_now, series.id)

    async def _guarded(self, step: Awaitable[None], series_id: int) -> None:
        # One workspace's vendor trouble must not stop the others' runs; the next pass retries.
        try:
            await step
        except (PartnerFailure, NotConfigured) as problem:
            log.warning("recurring series %d: %s", series_id, type(problem).__name__)

    # --- 1. runs under way ----------------------------------------------------------------

    async def follow_running(self, notices_for: NoticesFor) -> None:
        for run in await self._store.runs(RunState.RUNNING):
            await self.follow(run, notices_for)

    async def follow(self, run: Run, notices_for: NoticesFor, series: Series | None = None) -> None:
        """Carry out the run's request if still approved, then settle the run. `series`: the
        run's series as this pass read it, when the pass has just started the run."""
        assert run.request_id is not None
        # Read here, not taken from the insert: another worker may have carried it out since.
        request = await self._requests.get(run.request_id)
        if request.status is Status.APPROVED:
            request = await self._requests.carry_out(request)
        if series is None:
            series = await self._store.get(run.series_id)
        await self._settle(series, run, request, notices_for)

    async def _settle(
        self, series: Series, run: Run, request: RequestSnapshot, notices_for: NoticesFor
    ) -> None:
        status = request.status
        if status is Status.SUCCEEDED:
            if await self._store.settle_run(run, RunState.SUCCEEDED):
                await self._requests.store.claim_telling(request.id, status)
                await self._store.count_failure(series.id, failed=False)
            return
        if status is Status.FAILED and request.executing_since is None:
            # Refused before any vendor call (the balances, the vendor unreachable): nothing
            # moved, so the period may try again with a new request.
            await self._requests.store.claim_telling(request.id, status)
            await self._wait_or_fail(series, run, run.attempt, notices_for)
            return
        if request.proven_unmoved:
            # Cut short during the vendor call (a process killed, an answer that never came),
            # and the balances showed nothing moved once the vendor had had time to finish:
            # the period is still owed, and a new request cannot move it twice.
            await self._requests.store.claim_telling(request.id, status)
            await self._again(series, run, notices_for)
            return
        if status in (Status.FAILED, Status.CANCELLED):
            why = Why.VENDOR if status is Status.FAILED else Why.KEY_CHANGED
            if await self._store.settle_run(run, RunState.FAILED, note=why.value):
                await self._requests.store.claim_telling(request.id, status)
                await self._failed(series, run, why, notices_for)
        # executing / unknown: the request machinery reconciles it; a later pass settles it

    async def _wait_or_fail(
        self,
        series: Series,
        run: Run,
        attempt: int,
        notices_for: NoticesFor,
        *,
        amount: Decimal | None = None,
    ) -> None:
        """Attempt number `attempt` of the run could not be paid: wait for the next retry, or,
        after the last, fail the period and tell the owner."""
        why = Why.MAIN_TOO_LOW
        if attempt <= len(RETRIES):
            retry_at = run.due_at + timedelta(hours=RETRIES[attempt - 1])
            await self._store.settle_run(
                run, RunState.WAITING, note=why.value, retry_at=retry_at, attempt=attempt
            )
            return
        if await self._store.settle_run(run, RunState.FAILED, note=why.value, attempt=attempt):
            await self._failed(series, run, why, notices_for, amount=amount)

    async def _again(self, series: Series, run: Run, notices_for: NoticesFor) -> None:
        """A run cut short with nothing moved: due again at once (step 2 of the next pass tries
        it), as many times as a low main balance is retried; after that the period fails. An
        automatic top-up's run has no retries (its attempt starts past them): it fails, and the
        next low reading tops up again."""
        why = Why.INTERRUPTED
        if run.attempt <= len(RETRIES):
            await self._store.settle_run(
                run, RunState.WAITING, note=why.value, retry_at=run.due_at, attempt=run.attempt
            )
            return
        if await self._store.settle_run(run, RunState.FAILED, note=why.value):
            await self._failed(series, run, why, notices_for)

    async def _failed(
        self,
        series: Series,
        run: Run,
        why: Why,
        notices_for: NoticesFor,
        *,
        amount: Decimal | None = None,
    ) -> None:
        await self.tell(
            series, News(Told.FAILED, why.value, (run.period,), amount or run.amount), notices_for
        )
        if series.kind == KIND_AUTO:
            # Disarmed by the run that failed: the next reading below the threshold tries again
            # (until three failures in a row pause it).
            await self._store.rearm(series)
        if await self._store.count_failure(series.id, failed=True) >= FAILURES_TO_PAUSE:
            current = await self._store.get(series.id)
            if current.state is SeriesState.ACTIVE and await self._store.move(
                current,
                SeriesState.PAUSED,
                "recurring_paused",
                audit.SYSTEM,
                values={"why": Why.FAILURES.value},
            ):
                await self.tell(current, News(Told.PAUSED, Why.FAILURES.value), notices_for)

    # --- 2. retries -------------------------------------------------------------------------

    async def _retry(self, run: Run, now: datetime, live: Live, notices_for: NoticesFor) -> None:
        series = await self._store.get(run.series_id)
        if series.state is not SeriesState.ACTIVE:
            await self._store.settle_run(run, RunState.SKIPPED, note=series.state.value)
            return

        def skip(why: Why) -> Awaitable[object]:
            return self._store.settle_run(run, RunState.SKIPPED, note=why.value)

        # A retry is skipped for what skips a due run (`_what_to_add`: a freeze, an open
        # anomaly), and once 72 hours late, as a due period is: a low balance's retries end
        # at +24 h, but a run cut short waits for the next pass, which an outage may hold back.
        if now - run.due_at > CATCH_UP:
            if await skip(Why.MISSED):
                news = News(Told.SKIPPED, Why.MISSED.value, (run.period,))
                await self.tell(series, news, notices_for)
            return
        amount, main = await self._what_to_add(series, run.period, live, notices_for, skip=skip)
        if amount is None:
            return
        if amount <= 0:
            await self._store.settle_run(run, RunState.SKIPPED, note=Why.FULL.value)
        elif amount > main:
            await self._wait_or_fail(series, run, run.attempt + 1, notices_for, amount=amount)
        elif await self._store.retry_run(series, run, request_row(series, amount, run.period, now)):
            await self.follow_running(notices_for)

    # --- 3. the due period ---------------------------------------------------------------------

    async def _series_due(
        self,
        series: Series,
        now: datetime,
        periods: frozenset[str],
        live: Live,
        notices_for: NoticesFor,
    ) -> None:
        schedule = series.schedule()
        found = due(schedule, now, periods)
        missed = [
            o.period
            for o in found.skipped
            if await self._store.record_run(
                series, o.period, o.due_at, RunState.SKIPPED, note=Why.MISSED.value
            )
        ]
        if missed:
            await self.tell(
                series, News(Told.SKIPPED, Why.MISSED.value, tuple(missed)), notices_for
            )
        if found.run is None:
            if schedule.ended(now) and await self._store.move(
                series, SeriesState.ENDED, "recurring_ended", audit.SYSTEM
            ):
                await self.tell(series, News(Told.ENDED), notices_for)
            else:
                await self._warn(series, now, live, notices_for)
            return
        occurrence = found.run
        amount, main = await self._what_to_add(
            series,
            occurrence.period,
            live,
            notices_for,
            skip=lambda why: self._store.record_run(
                series, occurrence.period, occurrence.due_at, RunState.SKIPPED, note=why.value
            ),
        )
        if amount is None:
            return
        if amount <= 0:
            await self._store.record_run(
                series, occurrence.period, occurrence.due_at, RunState.SKIPPED, note=Why.FULL.value
            )
        elif amount > main:
            await self._store.record_run(
                series,
                occurrence.period,
                occurrence.due_at,
                RunState.WAITING,
                amount=amount,
                note=Why.MAIN_TOO_LOW.value,
                retry_at=occurrence.due_at + timedelta(hours=RETRIES[0]),
            )
        else:
            started = await self._store.record_run(
                series,
                occurrence.period,
                occurrence.due_at,
                RunState.RUNNING,
                amount=amount,
                request=request_row(series, amount, occurrence.period, now),
            )
            if started is not None:  # None: another worker has this period
                await self.follow(started, notices_for, series)

    async def _what_to_add(
        self,
        series: Series,
        period: str,
        live: Live,
        notices_for: NoticesFor,
        *,
        skip: Callable[[Why], Awaitable[object]],
    ) -> tuple[Decimal | None, Decimal]:
        """What this period adds and the main balance; None when the period was settled here
        (skipped for an anomaly or a freeze, or the series ended with its subaccount). `skip`
        records the period skipped (the due run inserted, or the waiting one settled), truthy
        when this call did."""
        main, subaccounts, _key = await live.of(series.team_id, series.product)
        subaccount = subaccounts.get(series.subaccount_token)
        if subaccount is None:
            if await self._store.move(
                series,
                SeriesState.ENDED,
                "recurring_ended",
                audit.SYSTEM,
                values={"why": Why.DELETED.value},
            ):
                await self.tell(series, News(Told.ENDED, Why.DELETED.value), notices_for)
            return None, main
        why = await self.blocked(series)
        if why is not None:
            if await skip(why):
                await self.tell(series, News(Told.SKIPPED, why.value, (period,)), notices_for)
            return None, main
        if series.level is not None:
            return series.level - subaccount.balance, main
        assert series.amount is not None
        return series.amount, main

    async def blocked(self, series: Series) -> Why | None:
        """Why no automation may top the subaccount up now (a freeze, an open anomaly)."""
        if await self._frozen(series.team_id, series.product, series.subaccount_token):
            return Why.FROZEN
        if await self._open_anomaly(series):
            return Why.ANOMALY
        return None

    async def _open_anomaly(self, series: Series) -> bool:
        """An open spend anomaly nobody has judged harmless (bot.services.anomalies)."""
        async with self._database.session() as session:
            return (
                await session.scalar(
                    select(AnomalyIncident.id)
                    .where(
                        AnomalyIncident.team_id == series.team_id,
                        AnomalyIncident.product == series.product.value,
                        AnomalyIncident.subaccount == series.subaccount_token,
                        AnomalyIncident.closed_at.is_(None),
                        AnomalyIncident.feedback.is_(None),
                    )
                    .limit(1)
                )
                is not None
            )

    # --- 4. the warning ------------------------------------------------------------------------

    async def _warn(
        self, series: Series, now: datetime, live: Live, notices_for: NoticesFor
    ) -> None:
        upcoming = series.schedule().next_runs(now, 1)
        if not upcoming or upcoming[0].due_at - now > WARN_AHEAD:
            return
        looked = (series.id, upcoming[0].period)
        if looked in self._looked:  # one balance read a period per process, not one a pass
            return
        self._looked.add(looked)
        main, subaccounts, _key = await live.of(series.team_id, series.product)
        subaccount = subaccounts.get(series.subaccount_token)
        if subaccount is None:
            return
        need = series.amount if series.amount is not None else (series.per_run - subaccount.balance)
        if need > main and await self._store.take_warning(series, upcoming[0].period):
            await self.tell(
                series, News(Told.LOW_MAIN, None, (upcoming[0].period,), need, main), notices_for
            )

    async def tell(self, series: Series, news: News, notices_for: NoticesFor) -> None:
        notices = await notices_for(series.team_id)
        if notices is None:
            log.warning("recurring series %d: %s not told", series.id, news.told)
            return
        try:
            await notices.told(series, news)
        except Exception as error:  # told or not, the run stands: never undone by a DM
            log.warning("recurring series %d: telling failed: %s", series.id, type(error).__name__)
