"""When a recurring series runs (bot.services.recurring.schedule): wall times in IANA zones,
DST changes run once, missed periods (only the latest within 72 h), the month's most."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest

from bot.services.recurring.schedule import (
    Every,
    Frequency,
    Schedule,
    due,
    most_per_month,
)

DAILY = Frequency(Every.DAILY)
START = datetime(2026, 1, 1)


def schedule(at: str, zone: str, frequency: Frequency = DAILY, **kw: object) -> Schedule:
    hour, minute = map(int, at.split(":"))
    return Schedule(frequency, time(hour, minute), zone, START, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("at", "zone", "day", "utc"),
    [
        ("09:00", "UTC", date(2027, 3, 28), datetime(2027, 3, 28, 9, 0)),
        ("09:00", "Europe/Paris", date(2027, 1, 15), datetime(2027, 1, 15, 8, 0)),
        ("09:00", "Europe/Paris", date(2027, 7, 15), datetime(2027, 7, 15, 7, 0)),
        # Paris springs forward 2027-03-28 02:00 → 03:00: 02:30 does not exist, runs at 03:30
        ("02:30", "Europe/Paris", date(2027, 3, 28), datetime(2027, 3, 28, 1, 30)),
        # Paris falls back 2027-10-31 03:00 → 02:00: 02:30 happens twice, runs at the first
        ("02:30", "Europe/Paris", date(2027, 10, 31), datetime(2027, 10, 31, 0, 30)),
        # New York: 2027-03-14 02:00 → 03:00, 2027-11-07 02:00 → 01:00
        ("02:15", "America/New_York", date(2027, 3, 14), datetime(2027, 3, 14, 7, 15)),
        ("01:30", "America/New_York", date(2027, 11, 7), datetime(2027, 11, 7, 5, 30)),
        ("06:30", "America/New_York", date(2027, 6, 1), datetime(2027, 6, 1, 10, 30)),
    ],
)
def test_wall_time_in_zone(at: str, zone: str, day: date, utc: datetime) -> None:
    occurrence = schedule(at, zone).occurrence(day)
    assert (occurrence.period, occurrence.due_at) == (day.isoformat(), utc)


@pytest.mark.parametrize(
    ("at", "zone", "change_day"),
    [
        ("02:30", "Europe/Paris", date(2027, 3, 28)),
        ("02:30", "Europe/Paris", date(2027, 10, 31)),
        ("02:00", "Europe/Paris", date(2027, 10, 31)),
        ("02:15", "America/New_York", date(2027, 3, 14)),
        ("01:30", "America/New_York", date(2027, 11, 7)),
    ],
)
def test_a_dst_change_day_runs_once(at: str, zone: str, change_day: date) -> None:
    after = datetime.combine(change_day, time(12)) - timedelta(days=2)
    found = schedule(at, zone).between(after, after + timedelta(days=4))
    periods = [o.period for o in found]
    assert periods.count(change_day.isoformat()) == 1
    assert len(periods) == len(set(periods)) == 4
    assert [o.due_at for o in found] == sorted(o.due_at for o in found)


@pytest.mark.parametrize(
    ("frequency", "now", "expected"),
    [
        (DAILY, datetime(2027, 2, 27, 12), ["2027-02-28", "2027-03-01", "2027-03-02"]),
        # weekly on Monday (0): 2027-03-01 is a Monday
        (
            Frequency(Every.WEEKLY, weekday=0),
            datetime(2027, 2, 27),
            ["2027-03-01", "2027-03-08", "2027-03-15"],
        ),
        (
            Frequency(Every.MONTHLY, day=28),
            datetime(2027, 1, 30),
            ["2027-02-28", "2027-03-28", "2027-04-28"],
        ),
        (
            Frequency(Every.MONTHLY, day=1),
            datetime(2027, 12, 1, 9, 0),
            ["2028-01-01", "2028-02-01", "2028-03-01"],
        ),
    ],
)
def test_next_three_runs(frequency: Frequency, now: datetime, expected: list[str]) -> None:
    assert [o.period for o in schedule("09:00", "UTC", frequency).next_runs(now)] == expected


def test_until_ends_the_series() -> None:
    ending = schedule("09:00", "UTC", until=date(2027, 3, 2))
    assert [o.period for o in ending.next_runs(datetime(2027, 2, 28, 10))] == [
        "2027-03-01",
        "2027-03-02",
    ]
    assert not ending.ended(datetime(2027, 3, 2, 8))
    assert ending.ended(datetime(2027, 3, 2, 10))


def test_nothing_runs_before_the_series_starts() -> None:
    started = Schedule(DAILY, time(9), "UTC", datetime(2027, 3, 5, 10))
    assert due(started, datetime(2027, 3, 5, 12), frozenset()).run is None
    assert due(started, datetime(2027, 3, 6, 9), frozenset()).run.period == "2027-03-06"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("now", "done", "runs", "skipped"),
    [
        (datetime(2027, 3, 10, 8, 59), {"2027-03-09"}, None, []),
        (datetime(2027, 3, 10, 9, 0), {"2027-03-09"}, "2027-03-10", []),
        (datetime(2027, 3, 10, 9, 0), {"2027-03-09", "2027-03-10"}, None, []),
        # a 5-day outage: only the latest runs, the older ones are skipped
        (
            datetime(2027, 3, 10, 10),
            {"2027-03-04"},
            "2027-03-10",
            ["2027-03-05", "2027-03-06", "2027-03-07", "2027-03-08", "2027-03-09"],
        ),
    ],
)
def test_missed_periods(
    now: datetime, done: set[str], runs: str | None, skipped: list[str]
) -> None:
    found = due(schedule("09:00", "UTC"), now, frozenset(done))
    assert (found.run.period if found.run else None) == runs
    assert [o.period for o in found.skipped] == skipped


@pytest.mark.parametrize(
    ("now", "runs"),
    [
        (datetime(2027, 3, 4, 9, 0), "2027-03-01"),  # exactly 72 h late: still runs
        (datetime(2027, 3, 4, 9, 1), None),  # a minute more: skipped, and said
    ],
)
def test_the_latest_runs_up_to_72_hours_late(now: datetime, runs: str | None) -> None:
    weekly = schedule("09:00", "UTC", Frequency(Every.WEEKLY, weekday=0))
    found = due(weekly, now, frozenset({"2027-02-22"}))
    assert (found.run.period if found.run else None) == runs
    assert [o.period for o in found.skipped] == ([] if runs else ["2027-03-01"])


@pytest.mark.parametrize(
    ("frequency", "most"),
    [
        (DAILY, Decimal("217")),
        (Frequency(Every.WEEKLY, weekday=3), Decimal("35")),
        (Frequency(Every.MONTHLY, day=28), Decimal("7")),
    ],
)
def test_most_one_month_can_move(frequency: Frequency, most: Decimal) -> None:
    assert most_per_month(Decimal(7), frequency) == most


@pytest.mark.parametrize(
    ("every", "kw"),
    [
        (Every.WEEKLY, {}),
        (Every.WEEKLY, {"weekday": 7}),
        (Every.MONTHLY, {"day": 29}),
        (Every.MONTHLY, {"day": 0}),
    ],
)
def test_impossible_frequencies_are_refused(every: Every, kw: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        Frequency(every, **kw)
