"""Trends from balance snapshots: changes, daily series, burn rate, who needs attention, pruning.

Pure functions over snapshots already loaded from the database; nothing here does I/O. Money is
`Decimal` throughout and times are naive UTC (see `bot.clock`); a zone is used only to decide
which local calendar day a snapshot belongs to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Literal
from zoneinfo import ZoneInfo

_THOUSANDTH = Decimal("0.001")
_TENTH = Decimal("0.1")
_MICROSECONDS_PER_DAY = Decimal(86_400_000_000)
MIN_SPENDING_SPAN = timedelta(hours=12)
"""Less history than this gives a burn rate too noisy to extrapolate from."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Balances as read at one moment: the main account and each of its subaccounts."""

    taken_at: datetime
    main_balance: Decimal | None
    """None when the main account could not be read at that moment."""
    subaccounts: Mapping[str, Decimal]
    subaccount_total: Decimal | None = None
    """The subaccounts' sum when known without them: history loads totals only, and leaves
    `subaccounts` empty."""

    @property
    def total(self) -> Decimal | None:
        """Everything the account owns: transfers between main and subaccounts leave it as is."""
        if self.main_balance is None:
            return None
        if self.subaccount_total is not None:
            return self.main_balance + self.subaccount_total
        return self.main_balance + sum(self.subaccounts.values(), Decimal(0))


def at_or_before(snapshots: Iterable[Snapshot], moment: datetime) -> Snapshot | None:
    """The latest snapshot taken at or before `moment`, whatever order the input is in."""
    candidates = [s for s in snapshots if s.taken_at <= moment]
    return max(candidates, key=lambda s: s.taken_at, default=None)


def change_since(
    snapshots: Iterable[Snapshot], current: Decimal, moment: datetime
) -> Decimal | None:
    """How much the main balance moved since `moment`; None when nothing known then to compare."""
    then = at_or_before(snapshots, moment)
    if then is None or then.main_balance is None:
        return None
    return current - then.main_balance


def daily_series(
    snapshots: Iterable[Snapshot], *, end: datetime, days: int = 7, zone: str = "UTC"
) -> list[Decimal | None]:
    """Main balance at the end of each local day, oldest first, for the `days` days up to `end`.

    Days are calendar days in `zone` because that is how the people reading the digest count
    them. Each day's value is the main balance of its last snapshot with a known main balance
    taken at or before `end`; a day with none is None so a chart shows a gap, not a made-up value.
    """
    tz = ZoneInfo(zone)

    def local_day(moment: datetime) -> date:
        return moment.replace(tzinfo=UTC).astimezone(tz).date()

    last_of_day: dict[date, Snapshot] = {}
    for snapshot in snapshots:
        if snapshot.main_balance is None or snapshot.taken_at > end:
            continue
        day = local_day(snapshot.taken_at)
        known = last_of_day.get(day)
        if known is None or snapshot.taken_at >= known.taken_at:
            last_of_day[day] = snapshot

    last_day = local_day(end)
    series: list[Decimal | None] = []
    for offset in range(days - 1, -1, -1):
        found = last_of_day.get(last_day - timedelta(days=offset))
        series.append(None if found is None else found.main_balance)
    return series


SPARKS = "▁▂▃▄▅▆▇█"
_FLAT = "▄"
_GAP = " "


def sparkline(values: Sequence[Decimal | None]) -> str:
    """A one-line chart: the lowest known value is '▁', the highest '█', a missing one ' '.

    A flat series is drawn mid-height, since neither top nor bottom would be honest.
    """
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    top = len(SPARKS) - 1
    chars = []
    for value in values:
        if value is None:
            chars.append(_GAP)
        elif low == high:
            chars.append(_FLAT)
        else:
            level = ((value - low) * top / (high - low)).to_integral_value(ROUND_HALF_UP)
            chars.append(SPARKS[int(level)])
    return "".join(chars)


def spending_per_day(
    snapshots: Iterable[Snapshot], *, now: datetime, window: timedelta = timedelta(days=7)
) -> Decimal | None:
    """Average credit consumed per day over the last `window`, 3 decimals (ROUND_HALF_UP).

    Built on the account total so transfers between main and subaccounts cancel out; only
    decreases between consecutive snapshots count, so a top-up bought from the vendor does not
    hide the spending around it. The average is over the span the snapshots actually cover
    (not the whole window), so a young account is not made to look thrifty. None with fewer
    than two usable snapshots or less than 12 hours between the first and the last.
    """
    start = now - window
    totals = sorted(
        [
            (s.taken_at, total)
            for s in snapshots
            if start <= s.taken_at <= now and (total := s.total) is not None
        ],
        key=lambda pair: pair[0],
    )
    if len(totals) < 2:
        return None
    span = totals[-1][0] - totals[0][0]
    if span < MIN_SPENDING_SPAN:
        return None
    spent = Decimal(0)
    for (_, before), (_, after) in pairwise(totals):
        if before > after:
            spent += before - after
    micros = Decimal(span // timedelta(microseconds=1))
    return (spent * _MICROSECONDS_PER_DAY / micros).quantize(_THOUSANDTH, rounding=ROUND_HALF_UP)


def days_left(balance: Decimal, per_day: Decimal | None) -> Decimal | None:
    """Days until `balance` runs out at `per_day`, rounded down to 1 decimal (never optimistic).

    None without a positive burn rate: nothing spent means no estimate, not "forever". A
    balance already at or below zero gives 0.0.
    """
    if per_day is None or per_day <= 0:
        return None
    if balance <= 0:
        return Decimal("0.0")
    return (balance / per_day).quantize(_TENTH, rounding=ROUND_FLOOR)


@dataclass(frozen=True, slots=True)
class Attention:
    """A subaccount the digest should point out, and why."""

    token: str
    balance: Decimal
    reason: Literal["below_threshold", "big_spender"]
    threshold: Decimal | None = None
    """The threshold it is below (for below_threshold)."""
    spent: Decimal | None = None
    """How much its balance went down since yesterday (for big_spender)."""


def needing_attention(
    current: Mapping[str, Decimal],
    *,
    yesterday: Snapshot | None,
    thresholds: Mapping[str, Decimal],
    default_threshold: Decimal | None,
    spenders: int = 5,
) -> list[Attention]:
    """Subaccounts to point out: below their threshold first, then the biggest spenders.

    Below-threshold ones come lowest balance first (the most urgent top-up); each uses its own
    threshold, else `default_threshold`, else none. Then at most `spenders` subaccounts whose
    balance went down since `yesterday`, largest decrease first, leaving out any already listed
    and any not present yesterday (nothing to compare with). Ties are ordered by token so the
    digest reads the same every time.
    """
    below: list[Attention] = []
    for token, balance in current.items():
        threshold = thresholds.get(token, default_threshold)
        if threshold is not None and balance < threshold:
            below.append(Attention(token, balance, "below_threshold", threshold=threshold))
    below.sort(key=lambda a: (a.balance, a.token))

    listed = {a.token for a in below}
    big: list[Attention] = []
    if yesterday is not None and spenders > 0:
        for token, balance in current.items():
            before = yesterday.subaccounts.get(token)
            if token in listed or before is None or before - balance <= 0:
                continue
            big.append(Attention(token, balance, "big_spender", spent=before - balance))
        big.sort(key=lambda a: (-(a.spent or 0), a.token))
    return below + big[: max(spenders, 0)]


def thin(
    snapshots: Sequence[tuple[int, datetime]],
    *,
    now: datetime,
    hourly_for: timedelta = timedelta(days=7),
) -> list[int]:
    """Ids of snapshots to delete so the table stays bounded, oldest first.

    Within `hourly_for` of `now` the first snapshot of each UTC hour is kept; older ones keep
    only the first of each UTC day, which is all a weekly trend or a daily series needs. The
    newest snapshot is always kept, since "change since" and the next digest compare with it.
    Thinning what was kept again, at the same `now`, deletes nothing.
    """
    if not snapshots:
        return []
    ordered = sorted(snapshots, key=lambda s: (s[1], s[0]))
    newest_id = ordered[-1][0]
    cutoff = now - hourly_for
    seen: set[tuple[str, datetime]] = set()
    doomed: list[int] = []
    for snapshot_id, taken_at in ordered:
        if taken_at >= cutoff:
            bucket = ("hour", taken_at.replace(minute=0, second=0, microsecond=0))
        else:
            bucket = ("day", taken_at.replace(hour=0, minute=0, second=0, microsecond=0))
        if bucket in seen:
            if snapshot_id != newest_id:
                doomed.append(snapshot_id)
        else:
            seen.add(bucket)
    return doomed
