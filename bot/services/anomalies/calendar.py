"""The vendor's commercial calendar: it holds commercial SMS from 20:00 to 08:00, on Sundays
and on French public holidays (local time, Europe/Paris by default), and releases the queue at
the next opening. Transactional traffic flows at all hours.

The detector asks about every reading, so answers are cached per UTC hour: every offset of
Europe/Paris is a whole number of hours, so one UTC hour is one local hour (a zone with a
half-hour offset gets the local hour in force at the start of the UTC hour).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.services.anomalies.holidays import is_french_holiday

OPEN_HOUR = 8
CLOSE_HOUR = 20
HOURS_A_WEEK = 168
LONGEST_CLOSURE_HOURS = 24 * 6
"""Sunday, a bridge and holidays in a row stay far below this."""


class Closure(NamedTuple):
    """The closed stretch an opening ends, in hours by kind: nights (20:00–08:00), the day
    hours of Sundays, the day hours of public holidays (a Saturday holiday counts here)."""

    night: int
    sunday: int
    holiday: int


class HourInfo(NamedTuple):
    hour_of_week: int  # local, Monday 00:00 = 0
    hour_of_day: int  # local
    open: bool  # commercial traffic flows
    holiday: bool
    opening: Closure | None  # set on the first open hour after a closure: the release hour


def is_open(local: datetime) -> bool:
    return (
        local.weekday() != 6
        and OPEN_HOUR <= local.hour < CLOSE_HOUR
        and not is_french_holiday(local.date())
    )


class BusinessCalendar:
    """Local calendar facts per UTC hour, cached (a few KB a year of hours)."""

    def __init__(self, tz: str = "Europe/Paris") -> None:
        try:
            self.zone = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone: {tz!r}") from None
        self._cache: dict[int, HourInfo] = {}

    def hour(self, utc_hour: int) -> HourInfo:
        """`utc_hour` = seconds since the epoch // 3600."""
        info = self._cache.get(utc_hour)
        if info is None:
            info = self._cache[utc_hour] = self._compute(utc_hour)
        return info

    def at(self, moment: datetime) -> HourInfo:
        return self.hour(int(moment.timestamp()) // 3600)

    def _local(self, utc_hour: int) -> datetime:
        return datetime.fromtimestamp(utc_hour * 3600, UTC).astimezone(self.zone)

    def _compute(self, utc_hour: int) -> HourInfo:
        local = self._local(utc_hour)
        opened = is_open(local)
        opening = None
        if opened and not is_open(self._local(utc_hour - 1)):
            opening = self._closure_before(utc_hour)
        return HourInfo(
            hour_of_week=local.weekday() * 24 + local.hour,
            hour_of_day=local.hour,
            open=opened,
            holiday=is_french_holiday(local.date()),
            opening=opening,
        )

    def _closure_before(self, utc_hour: int) -> Closure:
        night = sunday = holiday = 0
        for back in range(1, LONGEST_CLOSURE_HOURS):
            local = self._local(utc_hour - back)
            if is_open(local):
                break
            if not OPEN_HOUR <= local.hour < CLOSE_HOUR:
                night += 1
            elif is_french_holiday(local.date()):
                holiday += 1
            else:
                sunday += 1
        return Closure(night, sunday, holiday)
