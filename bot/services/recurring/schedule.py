"""When a recurring series runs: pure rules on wall-clock times in an IANA zone.

A period is named by the local date its run falls on (`2027-03-28`): one name per period,
whatever the zone does that day. So a wall time that happens twice (autumn) is still one
period, run once, at its first occurrence; a wall time that does not exist (spring) is one
period too, run at the same distance past the gap (02:30 in Paris on the spring change runs
at 03:30 local). Times in and out are naive UTC (bot.clock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

CATCH_UP = timedelta(hours=72)
"""A missed period still runs when its time is at most this far behind; older ones are skipped."""
LOOK_BACK_DAYS = 40
"""How far before `now` missed periods are looked for (beyond a month: a monthly series)."""


class Every(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


@dataclass(frozen=True, slots=True)
class Frequency:
    every: Every
    weekday: int | None = None
    """0 = Monday … 6 = Sunday (weekly only)."""
    day: int | None = None
    """1 to 28 (monthly only): every month has it."""

    def __post_init__(self) -> None:
        if self.every is Every.WEEKLY and (self.weekday is None or not 0 <= self.weekday <= 6):
            raise ValueError("weekly needs a weekday 0-6")
        if self.every is Every.MONTHLY and (self.day is None or not 1 <= self.day <= 28):
            raise ValueError("monthly needs a day 1-28")

    @property
    def most_per_month(self) -> int:
        """The most runs one calendar month can hold."""
        return {Every.DAILY: 31, Every.WEEKLY: 5, Every.MONTHLY: 1}[self.every]

    def falls_on(self, day: date) -> bool:
        if self.every is Every.WEEKLY:
            return day.weekday() == self.weekday
        if self.every is Every.MONTHLY:
            return day.day == self.day
        return True


@dataclass(frozen=True, slots=True)
class Occurrence:
    period: str
    """The local date it falls on, ISO: the run's unique name within its series."""
    due_at: datetime
    """Naive UTC."""


@dataclass(frozen=True, slots=True)
class Schedule:
    frequency: Frequency
    at: time
    zone: str
    starts: datetime
    """Naive UTC: nothing before it is due (when the series was approved)."""
    until: date | None = None
    """The last local date a run may fall on."""

    def occurrence(self, day: date) -> Occurrence:
        return Occurrence(day.isoformat(), wall_to_utc(day, self.at, ZoneInfo(self.zone)))

    def between(self, after: datetime, upto: datetime) -> list[Occurrence]:
        """Occurrences due in (after, upto], oldest first, never before `starts`."""
        zone = ZoneInfo(self.zone)
        floor = max(after, self.starts - timedelta(microseconds=1))
        first = _local_date(floor, zone) - timedelta(days=1)
        last = _local_date(upto, zone) + timedelta(days=1)
        found = []
        day = first
        while day <= last:
            if self.frequency.falls_on(day) and (self.until is None or day <= self.until):
                occurrence = self.occurrence(day)
                if floor < occurrence.due_at <= upto:
                    found.append(occurrence)
            day += timedelta(days=1)
        return found

    def next_runs(self, now: datetime, count: int = 3) -> list[Occurrence]:
        """The next `count` occurrences after `now` (fewer when the series ends first)."""
        found: list[Occurrence] = []
        start = now
        for _ in range(40):  # at most 40 windows of 40 days: past any `until`, stop
            window = start + timedelta(days=LOOK_BACK_DAYS)
            found.extend(self.between(start, window))
            if len(found) >= count:
                break
            if self.until is not None and _local_date(window, ZoneInfo(self.zone)) > self.until:
                break
            start = window
        return found[:count]

    def ended(self, now: datetime) -> bool:
        return self.until is not None and not self.next_runs(now, 1)


@dataclass(frozen=True, slots=True)
class Due:
    """What a worker finds at `now`: the one period to run (if any) and the ones to skip."""

    run: Occurrence | None
    skipped: tuple[Occurrence, ...]


def due(schedule: Schedule, now: datetime, done: frozenset[str]) -> Due:
    """The periods due by `now` after the newest one recorded (`done`: periods with a run).
    Of those missed, only the latest runs, and only when it is at most CATCH_UP late; the
    others are skipped (and said): a month's top-ups replayed at once is not what anyone wants."""
    newest = max(done, default="")
    open_ = [
        o
        for o in schedule.between(now - timedelta(days=LOOK_BACK_DAYS), now)
        if o.period > newest  # ISO dates: a period before the newest recorded is never reopened
    ]
    if not open_:
        return Due(None, ())
    latest = open_[-1]
    if now - latest.due_at <= CATCH_UP:
        return Due(latest, tuple(open_[:-1]))
    return Due(None, tuple(open_))


def most_per_month(amount: Decimal, frequency: Frequency) -> Decimal:
    """The most a series adding `amount` a run can move in one calendar month."""
    return amount * frequency.most_per_month


def wall_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The naive UTC instant of wall time `at` on `day` in `zone`: the first one when the wall
    time happens twice (fold=0), and for a time in a spring gap the instant the same distance
    past the gap (PEP 495: fold=0 reads a missing time with the offset before the change)."""
    local = datetime.combine(day, at, tzinfo=zone)
    return local.astimezone(UTC).replace(tzinfo=None)


def _local_date(instant: datetime, zone: ZoneInfo) -> date:
    return instant.replace(tzinfo=UTC).astimezone(zone).date()
