"""The anomaly detector's pure rules, as tables: the spend between two readings, French public
holidays, the vendor's business hours and what an opening releases."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from bot.services.anomalies import interval_spend
from bot.services.anomalies.calendar import BusinessCalendar, Closure
from bot.services.anomalies.holidays import easter_sunday, french_holidays, is_french_holiday

D = Decimal


@pytest.mark.parametrize(
    ("previous", "current", "moved", "spend"),
    [
        ("100", "90", "0", D("10")),  # spent 10
        ("100", "100", "0", D("0")),  # nothing happened
        ("100", "90", "5", D("15")),  # the app moved 5 in, 15 were spent
        ("100", "110", "20", D("10")),  # the app moved 20 in: the rise is ours, 10 spent
        ("100", "80", "-10", D("10")),  # the app took 10 out, 10 spent
        ("100", "110", "0", None),  # a rise nobody in the app made: an outside top-up
        ("100", "100.001", "0", None),  # the smallest outside rise is still unknown
        ("100", "95", "-10", None),  # took 10 out but only 5 left: 5 came from outside
        ("0.001", "0", "0", D("0.001")),  # thousandths are money too
    ],
)
def test_spend_between_two_readings(previous, current, moved, spend) -> None:
    assert interval_spend(D(previous), D(current), D(moved)) == spend


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2019, date(2019, 4, 21)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),  # the latest possible
        (2285, date(2285, 3, 22)),  # the earliest possible
    ],
)
def test_easter_sunday(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_the_eleven_french_holidays_of_2026() -> None:
    assert french_holidays(2026) == {
        date(2026, 1, 1),
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 1),
        date(2026, 5, 8),
        date(2026, 5, 14),  # Ascension
        date(2026, 5, 25),  # Whit Monday
        date(2026, 7, 14),
        date(2026, 8, 15),
        date(2026, 11, 1),
        date(2026, 11, 11),
        date(2026, 12, 25),
    }


@pytest.mark.parametrize(
    ("day", "holiday"),
    [
        (date(2027, 3, 29), True),  # Easter Monday 2027
        (date(2027, 5, 6), True),  # Ascension 2027
        (date(2027, 5, 17), True),  # Whit Monday 2027
        (date(2026, 4, 5), False),  # Easter Sunday is a Sunday, not a holiday of its own
        (date(2026, 12, 26), False),  # Saint Stephen: Alsace-Moselle only
        (date(2026, 4, 3), False),  # Good Friday: Alsace-Moselle only
    ],
)
def test_is_french_holiday(day: date, holiday: bool) -> None:
    assert is_french_holiday(day) is holiday


NIGHT = Closure(12, 0, 0)
WEEKEND = Closure(24, 12, 0)  # Saturday 20:00 to Monday 08:00


@pytest.mark.parametrize(
    ("utc", "open_", "opening"),
    [
        ("2026-03-03T06:59:00", False, None),  # Tuesday 07:59 Paris (winter, UTC+1)
        ("2026-03-03T07:00:00", True, NIGHT),  # Tuesday 08:00: the night's queue is released
        ("2026-03-03T08:00:00", True, None),  # 09:00: an ordinary open hour
        ("2026-03-03T18:59:00", True, None),  # 19:59
        ("2026-03-03T19:00:00", False, None),  # 20:00: closed for the night
        ("2026-03-07T10:00:00", True, None),  # Saturday 11:00: open
        ("2026-03-08T11:00:00", False, None),  # Sunday noon: closed all day
        ("2026-03-09T07:00:00", True, WEEKEND),  # Monday 08:00 after the weekend
        ("2026-03-30T06:00:00", True, Closure(23, 12, 0)),  # summer time began: 23 h of night
        ("2026-04-13T06:00:00", True, WEEKEND),  # Monday 08:00 in summer time (UTC+2)
        ("2026-03-30T05:00:00", False, None),  # … and 07:00
        ("2026-04-06T08:00:00", False, None),  # Easter Monday 10:00: a holiday
        ("2026-04-07T06:00:00", True, Closure(36, 12, 12)),  # Tuesday after Easter Monday
        ("2026-05-15T06:00:00", True, Closure(24, 0, 12)),  # Friday after Ascension
        ("2026-08-15T08:00:00", False, None),  # Saturday 15 August: a holiday
        ("2026-08-17T06:00:00", True, Closure(36, 12, 12)),  # Monday after it
        ("2026-10-26T07:00:00", True, Closure(25, 12, 0)),  # back to winter time: 25 h of night
    ],
)
def test_business_hours_and_releases(utc: str, open_: bool, opening: Closure | None) -> None:
    info = BusinessCalendar("Europe/Paris").at(datetime.fromisoformat(utc).replace(tzinfo=UTC))
    assert (info.open, info.opening) == (open_, opening)


def test_an_unknown_zone_is_refused_in_words() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        BusinessCalendar("Europe/Atlantis")
