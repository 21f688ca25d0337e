"""What an alert card says beside the detector's verdict, from the ledger's last 24 h of
readings: the spend of the last hour, since when it runs high, when the balance empties at
this rate, and a sparkline of the day. Pure: readings in, figures out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import NamedTuple

from bot.services.anomalies.spend import interval_spend

BARS = "▁▂▃▄▅▆▇█"
HOURS = 24
CENT = Decimal("0.01")


class Point(NamedTuple):
    time: datetime
    balance: Decimal
    moved: Decimal  # credit the app moved in since the previous point


@dataclass(frozen=True, slots=True)
class AlertFacts:
    last_hour: Decimal  # EUR spent over the last hour of readings (known intervals only)
    rate: Decimal  # EUR an hour at the last hour's pace
    since: datetime  # when the spend began to run above the usual (or the floor)
    empty_in: timedelta | None  # None when nothing is being spent
    hourly: tuple[Decimal, ...]  # the last 24 h, one EUR figure an hour, oldest first

    @property
    def sparkline(self) -> str:
        return sparkline(self.hourly)


def sparkline(values: Sequence[Decimal]) -> str:
    top = max(values, default=Decimal(0))
    if top <= 0:
        return BARS[0] * len(values)
    last = len(BARS) - 1
    return "".join(BARS[int(value / top * last)] for value in values)


def alert_facts(
    points: Sequence[Point], now: datetime, high: Decimal, fallback_since: datetime
) -> AlertFacts:
    """`points` in time order, the last one `now`'s; `high`: EUR an hour above which the
    spend counts as running high (the usual for the hour, or the floor in the cold start).
    `fallback_since` when no interval ran high (a slow leak): the start of the alert's window."""
    intervals: list[tuple[datetime, datetime, Decimal | None]] = [
        (a.time, b.time, interval_spend(a.balance, b.balance, b.moved)) for a, b in pairwise(points)
    ]
    hour_ago = now - timedelta(hours=1)
    spent, covered = Decimal(0), Decimal(0)
    hourly = [Decimal(0)] * HOURS
    for start, end, spend in intervals:
        if spend is None:
            continue  # an outside top-up hides that interval's spend
        if end > hour_ago:
            spent += spend
            covered += Decimal((end - start).total_seconds()) / 3600
        back = int((now - end).total_seconds() // 3600)
        if 0 <= back < HOURS:
            hourly[HOURS - 1 - back] += spend
    rate = spent / covered if covered > 0 else Decimal(0)
    since = fallback_since
    for start, end, spend in reversed(intervals):
        hours = Decimal((end - start).total_seconds()) / 3600
        if spend is None or hours <= 0 or spend / hours <= high or end <= now - timedelta(HOURS):
            break
        since = start
    balance = points[-1].balance if points else Decimal(0)
    empty_in = timedelta(hours=float(balance / rate)) if rate > 0 else None
    return AlertFacts(
        last_hour=spent.quantize(CENT),
        rate=rate.quantize(CENT),
        since=since,
        empty_in=empty_in,
        hourly=tuple(value.quantize(CENT) for value in hourly),
    )
