"""When a balance digest runs: wall-clock schedules and lateness (the subscribe command's words
are read by bot.slack.digests.parsing).

Everything here is pure (no I/O, no clock): callers pass `now`. Like the database, every
`datetime` taken or returned is naive UTC unless a docstring says otherwise; local time exists
only inside this module, to honour what the subscriber asked for ("09:00 in Paris" stays 09:00
in Paris across daylight-saving changes, so its UTC moment moves).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ALL_DAYS: frozenset[int] = frozenset(range(7))
"""0=Monday … 6=Sunday, as `date.weekday()` counts."""
PRODUCTS = ("sms", "mail", "voice")
"""The values of `bot.partner.models.Product`, in the order digests list them."""

ON_TIME = timedelta(minutes=10)
"""A run taken this long after its moment still reads as on time: the scheduler ticks, the
process restarts, Slack is slow; nobody needs to be told about a few minutes."""

_DAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _require_naive(value: datetime) -> None:
    # An aware datetime here is a bug upstream; comparing it with naive UTC would raise later,
    # far from the cause, or worse be converted with the wrong meaning.
    if value.tzinfo is not None:
        raise ValueError(f"expected a naive UTC datetime, got {value!r}")


@dataclass(frozen=True, slots=True)
class DigestSchedule:
    """A local wall-clock time in an IANA zone on some weekdays (weekdays are local days).

    Each selected local day has exactly one run, computed as follows:
    - normally, the moment the zone's clocks read `at`;
    - in a repeated hour (clocks go back), the first time they read `at` (fold=0): once, never
      twice;
    - in a skipped hour (clocks go forward past `at`), the moment the clocks jump, which is the
      first valid local time after the gap (02:30 in Europe/Paris on its spring-forward Sunday
      runs at 03:00 local). The day is never skipped: the digest is late, not lost.
    """

    at: time
    zone: str
    weekdays: frozenset[int]

    def __post_init__(self) -> None:
        if self.at.tzinfo is not None or self.at.second or self.at.microsecond:
            raise ValueError(f"`at` must be a naive time with minute precision, got {self.at!r}")
        if not self.weekdays or not self.weekdays <= ALL_DAYS:
            raise ValueError(f"weekdays must be a non-empty subset of 0..6, got {self.weekdays!r}")
        # A set passed by mistake would make the schedule unhashable; freeze it.
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        _ = self.tz  # fail now on an unknown zone, not at the first run

    @property
    def tz(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.zone)  # ZoneInfo caches instances by key: this is cheap
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {self.zone!r}") from error

    def run_on(self, day: date) -> datetime:
        """The (naive UTC) moment of the run on local date `day`, whatever its weekday."""
        tz = self.tz
        wall = datetime.combine(day, self.at, tzinfo=tz)
        first = wall.astimezone(UTC)  # fold=0: the earlier reading of a repeated time
        other = wall.replace(fold=1).astimezone(UTC)
        if other >= first:  # an ordinary time, or a repeated one (other is the second reading)
            return first.replace(tzinfo=None)
        # A skipped time: fold=0 read it with the offset before the jump, fold=1 with the offset
        # after, so the jump lies in (other, first]. Find it to the second (offsets are whole
        # seconds); at most ~17 steps as gaps are shorter than a day.
        before = other.astimezone(tz).utcoffset()
        low, high = int(other.timestamp()), int(first.timestamp())
        while high - low > 1:
            middle = (low + high) // 2
            if datetime.fromtimestamp(middle, tz).utcoffset() == before:
                low = middle
            else:
                high = middle
        return datetime.fromtimestamp(high, UTC).replace(tzinfo=None)

    def _runs_around(self, moment: datetime) -> list[datetime]:
        """Runs on the selected local days within eight days either side of `moment`'s local
        date: wide enough that any weekday set has a run on each side of `moment`, even when
        a zone moves its clocks across midnight. At most 17 cheap conversions."""
        _require_naive(moment)
        local_day = moment.replace(tzinfo=UTC).astimezone(self.tz).date()
        days = (local_day + timedelta(days=offset) for offset in range(-8, 9))
        return sorted(self.run_on(day) for day in days if day.weekday() in self.weekdays)

    def next_run(self, after: datetime) -> datetime:
        """The first run strictly after `after`: a run taken at its exact moment then asks for
        the next one, never for itself again."""
        return min(run for run in self._runs_around(after) if run > after)

    def previous_run(self, before: datetime) -> datetime:
        """The last run at or before `before`: the one a scheduler waking at `before` owes."""
        return max(run for run in self._runs_around(before) if run <= before)

    def describe(self) -> str:
        """How the bot repeats the schedule back, e.g. "08:30 America/New_York, Mon–Fri"."""
        return f"{self.at:%H:%M} {self.zone}, {describe_days(self.weekdays)}"


def describe_days(weekdays: frozenset[int]) -> str:
    """ "every day", or runs of three days or more as ranges: "Mon–Fri", "Mon, Wed, Fri"."""
    if weekdays == ALL_DAYS:
        return "every day"
    parts: list[str] = []
    days = sorted(weekdays)
    start = 0
    for index, day in enumerate(days):
        if index + 1 < len(days) and days[index + 1] == day + 1:
            continue  # the run goes on
        run = days[start : index + 1]
        if len(run) >= 3:
            parts.append(f"{_DAY_ABBR[run[0]]}–{_DAY_ABBR[run[-1]]}")
        else:
            parts.extend(_DAY_ABBR[d] for d in run)
        start = index + 1
    return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class SubscriptionSpec:
    schedule: DigestSchedule
    products: tuple[str, ...] | None
    """In `PRODUCTS` order; None means every product the workspace has a key for, including
    ones configured after subscribing."""


# ---- running -----------------------------------------------------------------------------------


def lateness(
    scheduled: datetime, now: datetime, *, grace: timedelta = timedelta(hours=6)
) -> Literal["on_time", "late", "too_late"]:
    """How a run due at `scheduled`, taken at `now`, should be treated.

    Within `ON_TIME` (10 minutes, bounds included) it is simply on time. Up to `grace` (bound
    included) it is still worth posting, saying it is late: balances an hour old still answer
    "do we need to top up today?". Beyond, a morning digest arriving in the evening misleads
    more than it helps, so it is dropped (and logged by the caller). A `now` before `scheduled`
    counts as on time.
    """
    _require_naive(scheduled)
    _require_naive(now)
    delay = now - scheduled
    if delay <= ON_TIME:
        return "on_time"
    if delay <= grace:
        return "late"
    return "too_late"


def covers_since(schedule: DigestSchedule, run_at: datetime) -> datetime:
    """The last scheduled run strictly before `run_at`: the "since last digest" baseline.

    It follows the schedule, not the calendar, so with mon-fri Monday's digest compares with
    Friday's run and the weekend's changes show up instead of vanishing between two
    24-hour windows.
    """
    return schedule.previous_run(run_at - timedelta(microseconds=1))
