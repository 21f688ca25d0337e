"""Automatic top-ups: when a reading finds a subaccount below its threshold, one top-up, then
none until a reading finds it at or above the threshold again. Never past the monthly maximum,
never while the subaccount is frozen or under an open spend anomaly.

The top-up is claimed by disarming the series in the transaction that inserts its run and its
approved request (`SeriesStore.claim_auto`): of any number of workers reading the same low
balance, one tops up. It then runs through the request machinery like any series' run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.partner.models import Product, Subaccount
from bot.services import audit
from bot.services.recurring.model import KIND_AUTO, RunState, SeriesState, Why
from bot.services.recurring.notices import News, Told
from bot.services.recurring.run_store import request_row
from bot.services.recurring.running import NoticesFor, Runner
from bot.services.recurring.store import SeriesStore


class AutoTopups:
    def __init__(self, store: SeriesStore, runner: Runner) -> None:
        self._store = store
        self._runner = runner

    async def on_reading(
        self,
        team_id: str,
        product: Product,
        subaccounts: Sequence[Subaccount],
        taken_at: datetime,
        notices_for: NoticesFor,
    ) -> None:
        """What a reading of `product`'s subaccounts (naive UTC `taken_at`) calls for."""
        by_token = {s.token: s for s in subaccounts}
        for series in await self._store.active(KIND_AUTO):
            if series.team_id != team_id or series.product is not product:
                continue
            assert series.below is not None and series.amount is not None
            subaccount = by_token.get(series.subaccount_token)
            if subaccount is None:
                if await self._store.move(
                    series,
                    SeriesState.ENDED,
                    "recurring_ended",
                    audit.SYSTEM,
                    values={"why": Why.DELETED.value},
                ):
                    await self._runner.tell(
                        series, News(Told.ENDED, Why.DELETED.value), notices_for
                    )
                continue
            if subaccount.balance >= series.below:
                await self._store.rearm(series)
                continue
            if not series.armed:
                continue
            blocked = await self._runner.blocked(series)
            month = taken_at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
            if blocked is None and series.monthly_max is not None:
                moved = await self._store.moved_since(series.id, month)
                if moved + series.amount > series.monthly_max:
                    blocked = Why.MONTHLY_MAX
            if blocked is not None:
                # Said once a day (anomaly, freeze) or once a month (the maximum), not each reading.
                key = f"{month:%Y-%m}" if blocked is Why.MONTHLY_MAX else f"{taken_at:%Y-%m-%d}"
                period = f"{key}:{blocked.value}"
                if await self._store.record_run(
                    series, period, taken_at, RunState.SKIPPED, note=blocked.value
                ):
                    news = News(Told.SKIPPED, blocked.value, (taken_at.date().isoformat(),))
                    await self._runner.tell(series, news, notices_for)
                continue
            period = f"{taken_at:%Y-%m-%dT%H:%M}"
            row = request_row(series, series.amount, period, taken_at)
            run = await self._store.claim_auto(series, period, taken_at, series.amount, row)
            if run is not None:
                await self._runner.follow(run, notices_for)
