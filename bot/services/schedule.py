"""When a balance digest runs: wall-clock schedules, the subscribe command's words, lateness.

Everything here is pure (no I/O, no clock): callers pass `now`. Like the database, every
`datetime` taken or returned is naive UTC unless a docstring says otherwise; local time exists
only inside this module, to honour what the subscriber asked for ("09:00 in Paris" stays 09:00
in Paris across daylight-saving changes, so its UTC moment moves).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.i18n import N_, _

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


class SpecError(ValueError):
    """The subscribe command's words cannot be understood. `str(error)` is a message fit to show
    the user (one or two sentences, says what to type), worded when shown, in the current
    language (the schedule is parsed before anything else knows the reader); `word` is the
    culprit if one."""

    def __init__(self, message: str, culprit: str | None = None, **fields: str) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields
        self.word = culprit

    def __str__(self) -> str:
        return _(self.message).format(**self.fields)


# ---- parsing ---------------------------------------------------------------------------------

_DAY_NAMES: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("mon", "monday", "lun", "lundi"),
            ("tue", "tues", "tuesday", "mar", "mardi"),
            ("wed", "wednesday", "mer", "mercredi"),
            ("thu", "thur", "thurs", "thursday", "jeu", "jeudi"),
            ("fri", "friday", "ven", "vendredi"),
            ("sat", "saturday", "sam", "samedi"),
            ("sun", "sunday", "dim", "dimanche"),
        )
    )
    for name in names
}

_DAY_SETS: dict[str, frozenset[int]] = {
    "daily": ALL_DAYS,
    "everyday": ALL_DAYS,
    "every-day": ALL_DAYS,
    "weekdays": frozenset(range(5)),
    "weekday": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
    "weekend": frozenset({5, 6}),
    # What a French reader types (docs/glossary.md).
    "quotidien": ALL_DAYS,
    "tous-les-jours": ALL_DAYS,
    "semaine": frozenset(range(5)),
    "week-end": frozenset({5, 6}),
}

_TIME_24 = re.compile(r"(\d{1,2})(?:[:h](\d{2})|h)")
_TIME_12 = re.compile(r"(\d{1,2})(?::(\d{2}))?(am|pm)")

_KEYWORDS = (*_DAY_NAMES, *_DAY_SETS, *PRODUCTS, "all")


@cache
def _zones() -> dict[str, str]:
    """Lower-cased IANA name → canonical name. `localtime` is the host's own setting, not a
    place, so it is left out."""
    names = available_timezones() - {"localtime"}
    return {name.lower(): name for name in names | {"UTC"}}


def _parse_time(word: str) -> time | None:
    """ "9:00", "09:00", "9h", "9h30", "21:15", "9am", "9:30pm"; None if impossible."""
    if match := _TIME_24.fullmatch(word):
        hour, minute = int(match[1]), int(match[2] or 0)
    elif match := _TIME_12.fullmatch(word):
        hour, minute = int(match[1]), int(match[2] or 0)
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match[3] == "pm" else 0)
    else:
        return None
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _parse_days(word: str) -> frozenset[int] | None:
    """A day list such as "mon,wed,fri", "tue-thu", "weekdays", "lun-ven"; None if the word is
    not one. Ranges wrap around the week ("fri-mon" is Fri, Sat, Sun, Mon)."""
    days: set[int] = set()
    for item in word.replace("–", "-").split(","):
        if not item:
            continue  # "mon,wed," is forgiven
        if item in _DAY_SETS:
            days |= _DAY_SETS[item]
        elif item in _DAY_NAMES:
            days.add(_DAY_NAMES[item])
        elif (bounds := item.split("-")) and len(bounds) == 2 and set(bounds) <= _DAY_NAMES.keys():
            start, end = _DAY_NAMES[bounds[0]], _DAY_NAMES[bounds[1]]
            days.update((start + step) % 7 for step in range((end - start) % 7 + 1))
        else:
            return None
    return frozenset(days)


def _parse_products(word: str) -> set[str] | None:
    """ "sms", "mail,voice", "all"; None if the word is not a product list."""
    items = {item for item in word.split(",") if item}
    if not items or not items <= {*PRODUCTS, "all"}:
        return None
    return items


def _unknown_word(word: str) -> SpecError:
    lowered = word.lower()
    if "/" in word:
        close = difflib.get_close_matches(lowered, _zones(), n=1)
        if close:
            return SpecError(
                N_(
                    "I don't know the time zone “{word}” (did you mean {zone}?). Type an "
                    "Area/City name such as Europe/Paris or America/New_York, or UTC."
                ),
                word,
                word=word,
                zone=_zones()[close[0]],
            )
        return SpecError(
            N_(
                "I don't know the time zone “{word}”. Type an Area/City name such as "
                "Europe/Paris or America/New_York, or UTC."
            ),
            word,
            word=word,
        )
    cities = sorted(name for key, name in _zones().items() if key.rsplit("/", 1)[-1] == lowered)
    if cities:
        return SpecError(
            N_(
                "I don't understand “{word}” (for a time zone, type {zone}). Type something "
                "like `/partner digest subscribe 09:00 Europe/Paris mon-fri sms` (every part is "
                "optional)."
            ),
            word,
            word=word,
            zone=cities[0],
        )
    if close := difflib.get_close_matches(lowered, _KEYWORDS, n=1):
        return SpecError(
            N_(
                "I don't understand “{word}” (did you mean “{close}”?). Type something like "
                "`/partner digest subscribe 09:00 Europe/Paris mon-fri sms` (every part is "
                "optional)."
            ),
            word,
            word=word,
            close=close[0],
        )
    return SpecError(
        N_(
            "I don't understand “{word}”. Type something like `/partner digest subscribe 09:00 "
            "Europe/Paris mon-fri sms` (every part is optional)."
        ),
        word,
        word=word,
    )


def parse_subscription(words: list[str], *, default_zone: str) -> SubscriptionSpec:
    """The arguments of `/partner digest subscribe [HH:MM] [Area/City] [days] [products]`.

    Any order, each optional; defaults are 09:00, `default_zone` (the subscriber's Slack time
    zone), every day, all products. Anything ambiguous is refused rather than guessed: two
    times, two zones or two day specs each raise `SpecError`, as does any word that is none of
    these, since a digest at a time nobody asked for is worse than a second try.
    """
    at: tuple[str, time] | None = None
    zone: tuple[str, str] | None = None
    days: tuple[str, frozenset[int]] | None = None
    products: set[str] = set()
    for raw in words:
        word = raw.strip()
        lowered = word.lower()
        if not word:
            continue
        if lowered[0].isdigit():
            parsed_time = _parse_time(lowered)
            if parsed_time is None:
                raise SpecError(
                    N_(
                        "“{word}” is not a time I can use. Type a time such as 09:00, 21:15, "
                        "9h30 or 9:30pm."
                    ),
                    word,
                    word=word,
                )
            if at is not None:
                raise SpecError(
                    N_("You gave two times, “{first}” and “{word}”. Type just one, such as 09:00."),
                    word,
                    first=at[0],
                    word=word,
                )
            at = (word, parsed_time)
        elif (parsed_days := _parse_days(lowered)) is not None:
            if not parsed_days:
                raise SpecError(
                    N_("“{word}” names no day. Type days such as daily, mon-fri or mon,wed,fri."),
                    word,
                    word=word,
                )
            if days is not None:
                raise SpecError(
                    N_(
                        "You gave the days twice, “{first}” and “{word}”. Type them as one "
                        "word, such as mon-fri or mon,wed,fri."
                    ),
                    word,
                    first=days[0],
                    word=word,
                )
            days = (word, parsed_days)
        elif (parsed_products := _parse_products(lowered)) is not None:
            products |= parsed_products
        elif lowered in _zones():
            if zone is not None:
                raise SpecError(
                    N_(
                        "You gave two time zones, “{first}” and “{word}”. Type just one, such "
                        "as Europe/Paris."
                    ),
                    word,
                    first=zone[0],
                    word=word,
                )
            zone = (word, _zones()[lowered])
        else:
            raise _unknown_word(word)

    if zone is not None:
        zone_name = zone[1]
    elif default_zone.lower() in _zones():
        zone_name = _zones()[default_zone.lower()]
    else:
        raise SpecError(
            N_(
                "I can't use your Slack time zone (“{zone}”). Add one to the command, such as "
                "Europe/Paris or UTC."
            ),
            zone=default_zone,
        )
    schedule = DigestSchedule(
        at=at[1] if at else time(9, 0),
        zone=zone_name,
        weekdays=days[1] if days else ALL_DAYS,
    )
    chosen = (
        None if not products or "all" in products else tuple(p for p in PRODUCTS if p in products)
    )
    return SubscriptionSpec(schedule=schedule, products=chosen)


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
