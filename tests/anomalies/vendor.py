"""A tiny deterministic vendor for the detector's tests: steady rates, the commercial queue held
outside business hours and released at the opening, exactly as the calendar says."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.services.anomalies import Alert, AnomalyDetector, Reading
from bot.services.anomalies.calendar import CLOSE_HOUR, OPEN_HOUR, BusinessCalendar

STEP = timedelta(minutes=15)
BUSINESS = Decimal(40)  # EUR an hour, commercial, while open
TRANSACTIONAL = Decimal(2)  # EUR an hour, at all hours
HELD_NIGHT = Decimal(1)  # EUR of commercial demand per closed night hour, held
HELD_SUNDAY = Decimal(2)  # per Sunday day hour
HELD_HOLIDAY = Decimal(40)  # per holiday day hour: a whole business day comes at the opening

Extra = Callable[[datetime], Decimal]
"""EUR an hour added on top of the usual traffic at a time (UTC): an incident, a campaign."""


def no_extra(_: datetime) -> Decimal:
    return Decimal(0)


class Vendor:
    def __init__(
        self,
        subaccount: str = "acme-sms",
        balance: Decimal = Decimal(10**6),
        transactional: Decimal = TRANSACTIONAL,
    ) -> None:
        self.subaccount = subaccount
        self.transactional = transactional
        self.balance = balance
        self.queue = Decimal(0)
        self.calendar = BusinessCalendar()

    def spend(self, start: datetime, extra: Extra) -> Decimal:
        """What the 15 minutes from `start` (UTC) cost."""
        info = self.calendar.at(start)
        quarter = Decimal("0.25")
        spent = self.transactional * quarter + extra(start) * quarter
        if info.open:
            spent += BUSINESS * quarter
            if info.opening is not None and start.minute == 0:
                spent, self.queue = spent + self.queue, Decimal(0)
        elif OPEN_HOUR <= info.hour_of_day < CLOSE_HOUR:
            self.queue += (HELD_HOLIDAY if info.holiday else HELD_SUNDAY) * quarter
        else:
            self.queue += HELD_NIGHT * quarter
        return spent

    def readings(
        self,
        start: datetime,
        hours: float,
        extra: Extra = no_extra,
        fail: Callable[[datetime], bool] = lambda _: False,
        topups: dict[datetime, Decimal] | None = None,
    ) -> Iterator[Reading]:
        """A reading at the end of every 15 minutes from `start`, 5 s late; `fail` drops one,
        `topups` adds credit nobody in the app moved just before a reading."""
        at = start
        for _ in range(round(hours * 4)):
            self.balance -= self.spend(at, extra)
            at += STEP
            self.balance += (topups or {}).get(at, Decimal(0))
            if not fail(at):
                yield Reading(self.subaccount, at + timedelta(seconds=5), self.balance)


def run(detector: AnomalyDetector, readings: Iterator[Reading]) -> list[Alert]:
    return [alert for reading in readings for alert in detector.observe(reading)]


def paris(text: str) -> datetime:
    """'2026-03-02 08:00' in Paris, as an aware UTC datetime."""
    from zoneinfo import ZoneInfo

    local = datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Europe/Paris"))
    return local.astimezone(UTC)


def during(start: datetime, hours: float, rate: Decimal) -> Extra:
    end = start + timedelta(hours=hours)
    return lambda at: rate if start <= at < end else Decimal(0)
