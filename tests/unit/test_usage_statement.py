"""The usage statement's rules (bot.services.usage): the month's bounds in a zone, each
interval's spend, outside top-ups apart, the app's moves apart, failed readings merged."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from bot.services.usage import (
    FutureMonth,
    Line,
    MonthNoLongerKept,
    Move,
    Point,
    ensure_kept,
    month_period,
    spreadsheet_safe,
    statement_csv,
    statement_line,
)

NOW = datetime(2026, 12, 6, 5, 0)  # naive UTC


def d(value: str) -> Decimal:
    return Decimal(value)


@pytest.mark.parametrize(
    ("month", "zone", "start", "end", "to_date"),
    [
        # Paris is UTC+1 in winter: its November starts at 23:00 UTC on 31 October.
        (
            date(2026, 11, 1),
            "Europe/Paris",
            datetime(2026, 10, 31, 23),
            datetime(2026, 11, 30, 23),
            False,
        ),
        (date(2026, 11, 1), "UTC", datetime(2026, 11, 1), datetime(2026, 12, 1), False),
        # Summer time: April in Paris starts at 22:00 UTC.
        (
            date(2026, 4, 1),
            "Europe/Paris",
            datetime(2026, 3, 31, 22),
            datetime(2026, 4, 30, 22),
            False,
        ),
        # December runs into January of the next year.
        (date(2025, 12, 1), "UTC", datetime(2025, 12, 1), datetime(2026, 1, 1), False),
        # The current month ends now: "to date".
        (None, "Europe/Paris", datetime(2026, 11, 30, 23), NOW, True),
        (date(2026, 12, 1), "UTC", datetime(2026, 12, 1), NOW, True),
        # New York (UTC−5) starts December at 05:00 UTC.
        (None, "America/New_York", datetime(2026, 12, 1, 5), NOW, True),
    ],
)
def test_month_bounds(
    month: date | None, zone: str, start: datetime, end: datetime, to_date: bool
) -> None:
    period = month_period(month, zone, NOW)
    assert (period.start, period.end, period.to_date) == (start, end, to_date)


@pytest.mark.parametrize(
    ("month", "zone", "now"),
    [
        (date(2027, 1, 1), "UTC", NOW),
        # 31 December 23:30 UTC: already January in Paris, not yet in UTC.
        (date(2027, 1, 1), "UTC", datetime(2026, 12, 31, 23, 30)),
    ],
)
def test_a_month_not_begun_is_refused(month: date, zone: str, now: datetime) -> None:
    with pytest.raises(FutureMonth):
        month_period(month, zone, now)


def test_the_current_month_depends_on_the_zone() -> None:
    late = datetime(2026, 12, 31, 23, 30)
    assert month_period(None, "Europe/Paris", late).month == date(2027, 1, 1)
    assert month_period(None, "UTC", late).month == date(2026, 12, 1)
    assert month_period(date(2027, 1, 1), "Europe/Paris", late).to_date


NOV_UTC = month_period(date(2026, 11, 1), "UTC", NOW)
NOV_PARIS = month_period(date(2026, 11, 1), "Europe/Paris", NOW)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute)


# (case, readings [(time, balance)], moves [(time, amount)], period,
#  (opening, added, removed, outside, spent, closing, unknown))
CASES = [
    (
        "steady spend",
        [(at(1, 0), "100"), (at(10, 0), "80"), (at(30, 23), "50")],
        [],
        NOV_UTC,
        ("100", "0", "0", "0", "50", "50", 0),
    ),
    (
        "an outside top-up inside the month: its rise apart, its interval unknown",
        [(at(1, 0), "100"), (at(5, 0), "90"), (at(6, 0), "290"), (at(7, 0), "280")],
        [],
        NOV_UTC,
        ("100", "0", "0", "200", "20", "280", 1),
    ),
    (
        "a move between readings is the app's, not spend",
        [(at(1, 0), "100"), (at(5, 0), "140"), (at(9, 0), "125")],
        [(at(3, 0), "50"), (at(8, 0), "-10")],
        NOV_UTC,
        ("100", "50", "10", "0", "15", "125", 0),
    ),
    (
        "a failed reading merges into the next: same spend as without the gap",
        [(at(1, 0), "100"), (at(20, 0), "60")],
        [(at(10, 0), "30")],
        NOV_UTC,
        ("100", "30", "0", "0", "70", "60", 0),
    ),
    (
        "a rise smaller than the app's add hides nothing: spend known",
        [(at(1, 0), "100"), (at(2, 0), "120")],
        [(at(1, 0, 30), "50")],
        NOV_UTC,
        ("100", "50", "0", "0", "30", "120", 0),
    ),
    (
        "the opening is the last reading before the month; earlier moves are not the month's",
        [(at(30, 12, month=10), "500"), (at(31, 23, month=10), "200"), (at(2, 0), "150")],
        [(at(31, 12, month=10), "-250")],
        NOV_UTC,
        ("200", "0", "0", "0", "50", "150", 0),
    ),
    (
        "readings after the month are the next month's",
        [(at(1, 0), "100"), (at(30, 23), "90"), (at(1, 1, month=12), "10")],
        [(at(1, 0, month=12), "5")],
        NOV_UTC,
        ("100", "0", "0", "0", "10", "90", 0),
    ),
    (
        # 31 Oct 23:30 UTC is already November in Paris, still October in UTC.
        "Paris: a reading at 23:30 UTC on 31 October is November's",
        [(at(31, 22, month=10), "100"), (at(31, 23, 30, month=10), "70"), (at(2, 0), "60")],
        [],
        NOV_PARIS,
        ("100", "0", "0", "0", "40", "60", 0),
    ),
    (
        "UTC: the same readings, the 23:30 one opens the month",
        [(at(31, 22, month=10), "100"), (at(31, 23, 30, month=10), "70"), (at(2, 0), "60")],
        [],
        NOV_UTC,
        ("70", "0", "0", "0", "10", "60", 0),
    ),
    (
        "a reading given twice, or out of order, counts once",
        [(at(1, 0), "100"), (at(5, 0), "90"), (at(5, 0), "90"), (at(4, 0), "95"), (at(6, 0), "80")],
        [],
        NOV_UTC,
        ("100", "0", "0", "0", "20", "80", 0),
    ),
    (
        "no reading before the month: it opens at its first",
        [(at(15, 0), "40"), (at(16, 0), "30.555")],
        [],
        NOV_UTC,
        ("40", "0", "0", "0", "9.445", "30.555", 0),
    ),
]


@pytest.mark.parametrize(
    ("readings", "moves", "period", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_statement_line(
    readings: list[tuple[datetime, str]],
    moves: list[tuple[datetime, str]],
    period: object,
    expected: tuple[str, str, str, str, str, str, int],
) -> None:
    line = statement_line(
        "client@example.com",
        "sms",
        [Point(when, d(balance)) for when, balance in readings],
        [Move(when, d(amount)) for when, amount in moves],
        period,  # type: ignore[arg-type]
    )
    assert line is not None
    got = (
        line.opening,
        line.app_added,
        line.app_removed,
        line.outside_topups,
        line.spent,
        line.closing,
        line.unknown_intervals,
    )
    assert got == (*(d(v) for v in expected[:6]), expected[6])
    # The line always balances, to the thousandth.
    assert line.closing == (
        line.opening + line.app_added - line.app_removed + line.outside_topups - line.spent
    )


def test_a_subaccount_with_no_reading_in_the_month_has_no_line() -> None:
    before = [Point(at(20, 0, month=10), d("5")), Point(at(31, 0, month=10), d("4"))]
    assert statement_line("a@example.com", "sms", before, [], NOV_UTC) is None
    assert statement_line("a@example.com", "sms", [], [], NOV_UTC) is None


def test_the_csv_rounds_to_the_cent_and_totals_what_it_shows() -> None:
    lines = [
        Line("b@example.com", "sms", d("10"), d("0"), d("0"), d("0"), d("1.005"), d("8.995"), 0),
        Line(
            "a,quoted@example.com", "sms", d("5"), d("2"), d("1"), d("3"), d("0.004"), d("8.996"), 2
        ),
    ]
    rows = list(csv.reader(io.StringIO(statement_csv(lines))))
    assert rows[0][:3] == ["subaccount", "product", "opening_balance"]
    assert [r[0] for r in rows[1:]] == ["a,quoted@example.com", "b@example.com", "TOTAL"]
    assert rows[2][2:] == ["10.00", "0.00", "0.00", "0.00", "1.01", "9.00", "0"]
    assert rows[1][6] == "0.00"
    assert rows[3][2:] == ["15.00", "2.00", "1.00", "3.00", "1.01", "18.00", "2"]


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("client01@example.com", "client01@example.com"),
        ('=HYPERLINK("http://x")@example.com', '\'=HYPERLINK("http://x")@example.com'),
        ("+33612345678", "'+33612345678"),
        ("-2+3@example.com", "'-2+3@example.com"),
        ("@SUM(A1)@example.com", "'@SUM(A1)@example.com"),
        ("\t=1@example.com", "'\t=1@example.com"),
        ("\r=1@example.com", "'\r=1@example.com"),
        ("a=b@example.com", "a=b@example.com"),  # only the first character makes a formula
        ("", ""),
    ],
)
def test_a_name_a_spreadsheet_would_run_is_kept_as_text(name: str, shown: str) -> None:
    assert spreadsheet_safe(name) == shown


def test_the_csv_never_starts_a_cell_with_a_formula() -> None:
    lines = [Line("=cmd|' /C calc'!A0", "sms", d("1"), d("0"), d("0"), d("0"), d("1"), d("0"), 0)]
    [_, row, _] = list(csv.reader(io.StringIO(statement_csv(lines))))
    assert row[0] == "'=cmd|' /C calc'!A0"


KEPT = timedelta(days=36)


@pytest.mark.parametrize(
    ("month", "zone", "now", "whole"),
    [
        # November in Paris opens at 31 Oct 23:00 UTC; its opening hour (22:00) is kept 36 days.
        (date(2026, 11, 1), "Europe/Paris", datetime(2026, 12, 5, 23, 59), True),
        (date(2026, 11, 1), "Europe/Paris", datetime(2026, 12, 6, 22, 0), True),
        (date(2026, 11, 1), "Europe/Paris", datetime(2026, 12, 6, 22, 1), False),
        (date(2026, 11, 1), "UTC", datetime(2026, 12, 6, 22, 59), True),
        (date(2026, 11, 1), "UTC", datetime(2026, 12, 6, 23, 1), False),
        # a 31-day month: still whole on the 5th of the next
        (date(2026, 12, 1), "Europe/Paris", datetime(2027, 1, 5, 22, 0), True),
        (date(2026, 10, 1), "Europe/Paris", datetime(2026, 12, 6, 5, 0), False),
        (date(2020, 1, 1), "UTC", datetime(2026, 12, 6, 5, 0), False),
        (None, "Pacific/Kiritimati", datetime(2026, 12, 6, 5, 0), True),  # the current month
    ],
)
def test_a_month_is_stated_only_while_its_opening_reading_is_kept(
    month: date | None, zone: str, now: datetime, whole: bool
) -> None:
    period = month_period(month, zone, now)
    if whole:
        ensure_kept(period, now, KEPT)
    else:
        with pytest.raises(MonthNoLongerKept):
            ensure_kept(period, now, KEPT)


@pytest.mark.parametrize(
    ("zone", "boundary"),
    [
        ("UTC", datetime(2026, 11, 1, 0, 0)),
        ("Europe/Paris", datetime(2026, 10, 31, 23, 0)),  # midnight in Paris, after DST ended
        ("America/New_York", datetime(2026, 11, 1, 4, 0)),
    ],
)
@pytest.mark.parametrize("offset_minutes", [-15, 0, 15])
def test_consecutive_months_add_up_whatever_the_reading_times(
    zone: str, boundary: datetime, offset_minutes: int
) -> None:
    """Every interval is in exactly one month, a reading exactly at midnight included: what
    October and November state adds up to the whole spend, and November opens where October
    closes."""
    step = timedelta(minutes=15)
    first = boundary + timedelta(minutes=offset_minutes) - 4 * step
    readings = [Point(first + i * step, d(100) - i * d("2.5")) for i in range(9)]
    moves = [Move(boundary, d("10"))] if offset_minutes == 0 else []
    if moves:  # the move lands with the reading at midnight: it is counted in its interval
        readings = [Point(p.at, p.balance + (10 if p.at >= boundary else 0)) for p in readings]
    october = statement_line(
        "c", "sms", readings, moves, month_period(date(2026, 10, 1), zone, NOW)
    )
    november = statement_line(
        "c", "sms", readings, moves, month_period(date(2026, 11, 1), zone, NOW)
    )
    assert october is not None and november is not None
    assert october.closing == november.opening
    assert october.spent + november.spent == d(100) - readings[-1].balance + sum(
        (m.amount for m in moves), d(0)
    )
    assert october.app_added + november.app_added == sum((m.amount for m in moves), d(0))
