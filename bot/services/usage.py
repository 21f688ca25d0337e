"""A month's usage statement, from the spend ledger's readings: pure rules, no database.

For each subaccount the month runs from its opening reading (the last one at or before the
month's start in the chosen zone, else its first one inside the month) to its closing reading
(the last one at or before the month's end, or now for the current month). Each interval
between two readings is attributed to the month it ends in:

    spend = previous balance − current balance + credit the app moved in meanwhile

(bot.services.anomalies.spend). An interval whose balance rose beyond what the app moved is an
outside top-up: its rise is listed as outside credit and the interval counted as unknown (what
was spent in it is hidden by the top-up), never as negative spend. A failed reading has no
row, so its interval merges into the next. Hence, per line and exactly:

    closing = opening + app_added − app_removed + outside_topups − spent
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from bot.services.anomalies.spend import interval_spend

CENT = Decimal("0.01")
HEADER = (
    "subaccount",
    "product",
    "opening_balance",
    "app_added",
    "app_removed",
    "outside_topups",
    "spent",
    "closing_balance",
    "unknown_intervals",
)
TOTAL = "TOTAL"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
"""What makes a spreadsheet read a cell as a formula (OWASP CSV injection): finance opens these
files in Excel, and a subaccount's name is chosen by the reseller's client."""


class FutureMonth(ValueError):
    """A month that has not started yet in the asker's zone."""


class MonthNoLongerKept(ValueError):
    """A month whose opening readings the ledger no longer keeps: its statement would count
    only its end, looking whole. Carries the period (args[0])."""


OPENING_HOUR = timedelta(hours=1)
"""A month opens at the ledger's hourly reading just before it: that hour must still be kept."""


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar month in a zone, as naive UTC bounds (start, end]: a reading exactly at
    midnight closes the month that ends and opens the next, so each interval between readings
    is in exactly one month. `to_date` when the month is not over and `end` is now."""

    month: date  # its first day
    zone: str
    start: datetime
    end: datetime
    to_date: bool


@dataclass(frozen=True, slots=True)
class Point:
    """One successful reading of one subaccount (naive UTC)."""

    at: datetime
    balance: Decimal


@dataclass(frozen=True, slots=True)
class Move:
    """Credit the app moved into a subaccount (negative: taken out), when its call was made."""

    at: datetime
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Line:
    subaccount: str
    product: str
    opening: Decimal
    app_added: Decimal
    app_removed: Decimal
    outside_topups: Decimal
    spent: Decimal
    closing: Decimal
    unknown_intervals: int

    def row(self) -> list[str]:
        amounts = (
            self.opening,
            self.app_added,
            self.app_removed,
            self.outside_topups,
            self.spent,
            self.closing,
        )
        return [
            spreadsheet_safe(self.subaccount),
            self.product,
            *(f"{cents(a):f}" for a in amounts),
            str(self.unknown_intervals),
        ]


def spreadsheet_safe(text: str) -> str:
    """`text` as a spreadsheet shows it and never runs it: one starting like a formula gets a
    leading `'`, which Excel and LibreOffice take as "this is text" and do not display."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def month_period(month: date | None, zone: str, now: datetime) -> Period:
    """The month (its first day; None: the current one in `zone`) as UTC bounds. `now` is
    naive UTC. A month not yet begun raises FutureMonth."""
    tz = ZoneInfo(zone)
    local_now = now.replace(tzinfo=UTC).astimezone(tz)
    first = month or date(local_now.year, local_now.month, 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)

    def utc(day: date) -> datetime:
        local = datetime(day.year, day.month, day.day, tzinfo=tz)
        return local.astimezone(UTC).replace(tzinfo=None)

    start, end = utc(first), utc(following)
    if start > now:
        raise FutureMonth(first.isoformat())
    if end > now:
        return Period(first, zone, start, now, to_date=True)
    return Period(first, zone, start, end, to_date=False)


def stated_until(period: Period, kept: timedelta) -> datetime:
    """Until when (naive UTC) the ledger, keeping `kept` of hourly readings, still holds the
    reading that opens `period`: the month can be stated whole until then, not after."""
    return period.start - OPENING_HOUR + kept


def ensure_kept(period: Period, now: datetime, kept: timedelta) -> None:
    if now > stated_until(period, kept):
        raise MonthNoLongerKept(period)


class LineBuilder:
    """One subaccount's line, fed its readings in time order one at a time: a month of a
    large workspace is read without holding every reading of every subaccount."""

    def __init__(self, subaccount: str, product: str, period: Period, moves: Iterable[Move]):
        self._subaccount, self._product, self._period = subaccount, product, period
        self._moves = sorted(moves, key=lambda m: m.at)
        self._next_move = 0
        self._opening: Point | None = None
        self._last: Point | None = None
        self._inside = False
        self._added = self._removed = self._outside = self._spent = Decimal(0)
        self._unknown = 0
        self._last_fed_at: datetime | None = None

    def feed(self, point: Point) -> None:
        if point.at > self._period.end or (self._last and point.at <= self._last.at):
            return  # after the period, or not after the last reading (fed twice)
        if point.at <= self._period.start:
            self._moves_until(point.at)  # moves before the month are not the month's
            self._opening = self._last = point  # the latest reading before the month so far
            return
        self._inside = True
        previous, self._last = self._last, point
        moved_in = self._moves_until(point.at)
        if previous is None:
            self._opening = point  # no reading before the month: it opens at its first
            return
        moved = sum(moved_in, Decimal(0))
        self._added += sum((a for a in moved_in if a > 0), Decimal(0))
        self._removed -= sum((a for a in moved_in if a < 0), Decimal(0))
        spend = interval_spend(previous.balance, point.balance, moved)
        if spend is None:
            self._outside += point.balance - previous.balance - moved
            self._unknown += 1
        else:
            self._spent += spend

    def _moves_until(self, at: datetime) -> list[Decimal]:
        """The moves after the previous reading, up to `at`; those before the chain's first
        reading belong to no interval of the month."""
        since = self._last_fed_at
        taken = []
        while self._next_move < len(self._moves) and self._moves[self._next_move].at <= at:
            move = self._moves[self._next_move]
            if since is not None and move.at > since:
                taken.append(move.amount)
            self._next_move += 1
        self._last_fed_at = at
        return taken

    def line(self) -> Line | None:
        """None when no reading of the subaccount falls inside the period."""
        if not self._inside or self._opening is None or self._last is None:
            return None
        return Line(
            subaccount=self._subaccount,
            product=self._product,
            opening=self._opening.balance,
            app_added=self._added,
            app_removed=self._removed,
            outside_topups=self._outside,
            spent=self._spent,
            closing=self._last.balance,
            unknown_intervals=self._unknown,
        )


def statement_line(
    subaccount: str,
    product: str,
    points: Iterable[Point],
    moves: Iterable[Move],
    period: Period,
) -> Line | None:
    """The subaccount's line for `period`, from its readings in time order and the app's
    moves; None when no reading of it falls in the period."""
    builder = LineBuilder(subaccount, product, period, moves)
    for point in points:
        builder.feed(point)
    return builder.line()


def statement_csv(lines: Sequence[Line]) -> str:
    """The lines by product and subaccount, then a totals row of the amounts as shown (each
    to the cent), so the columns add up on the page. Opening and closing are summed too: the
    credit the subaccounts held together."""
    ordered = sorted(lines, key=lambda line: (line.product, line.subaccount.lower()))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    totals = [Decimal(0)] * 6
    unknown = 0
    for line in ordered:
        row = line.row()
        writer.writerow(row)
        totals = [t + Decimal(v) for t, v in zip(totals, row[2:8], strict=True)]
        unknown += line.unknown_intervals
    writer.writerow([TOTAL, "", *(f"{t:f}" for t in totals), str(unknown)])
    return out.getvalue()
