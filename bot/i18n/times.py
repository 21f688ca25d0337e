"""Dates and times for one reader: in their time zone (bot.i18n.current_zone, Slack's `tz`)
and their language — `Monday 7 December at 08:30` / `lundi 7 décembre à 08:30`.

What a channel sees is a Slack date token instead (bot.slack.blocks.slack_date), which each
viewer's Slack renders in their own zone; its fallback text comes from here, in UTC.

Times are written in a zone the reader may not share only with that zone's name: a digest at
`08:30 Europe/Paris` reads `08:30` to someone in Paris and `08:30 Europe/Paris` to someone in
New York; with no reader known (the worker's DM to someone whose zone it never learnt) a time
is written in UTC, followed by `UTC`. Naive datetimes are UTC, as everywhere in the app.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, get_day_names

from bot.i18n import _, current_language, current_zone

ALL_DAYS = frozenset(range(7))


def when(
    moment: datetime,
    zone: str | None = None,
    *,
    now: datetime | None = None,
    relative: bool = True,
    named: bool = False,
) -> str:
    """`today at 08:30`, `tomorrow at 08:30`, `Monday 7 December at 08:30`, with the year
    when it is not this year's, in `zone` (default: the reader's, else UTC). The zone's name
    follows when it is not the reader's own, or with `named`. `relative=False` never says
    today/tomorrow/yesterday (a fallback text outlives the day it was written)."""
    reader = current_zone()
    shown_in = _known(zone or reader) or "UTC"
    local = _utc(moment).astimezone(ZoneInfo(shown_in))
    today = _utc(now or datetime.now(UTC)).astimezone(ZoneInfo(shown_in)).date()
    clock = f"{local:%H:%M}"
    offset = (local.date() - today).days
    if relative and offset == 0:
        text = _("today at {time}").format(time=clock)
    elif relative and offset == 1:
        text = _("tomorrow at {time}").format(time=clock)
    elif relative and offset == -1:
        text = _("yesterday at {time}").format(time=clock)
    else:
        text = _("{date} at {time}").format(
            date=_date(local.date(), weekday=True, year=local.year != today.year), time=clock
        )
    return _named(text, shown_in, reader, named)


def day(moment: datetime | date, zone: str | None = None) -> str:
    """`20 January 2024` / `20 janvier 2024`: the reader's calendar day of `moment` (a date is
    taken as it is)."""
    if isinstance(moment, datetime):
        shown_in = _known(zone or current_zone()) or "UTC"
        moment = _utc(moment).astimezone(ZoneInfo(shown_in)).date()
    return _date(moment, weekday=False, year=True)


def clock(at: time, zone: str) -> str:
    """A time of day in `zone` (a schedule's): `08:30`, or `08:30 Europe/Paris` to a reader
    elsewhere."""
    return _named(f"{at:%H:%M}", zone, current_zone(), False)


def weekdays(days: Iterable[int]) -> str:
    """`every day`, or runs of three days or more as ranges: `Mon–Fri` / `lun.–ven.`;
    0 is Monday."""
    chosen = sorted(set(days))
    if set(chosen) == ALL_DAYS:
        return _("every day")
    names = get_day_names("abbreviated", locale=current_language())
    runs: list[list[int]] = []
    for d in chosen:
        if runs and runs[-1][-1] == d - 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    parts: list[str] = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{names[run[0]]}–{names[run[-1]]}")
        else:
            parts.extend(names[d] for d in run)
    return ", ".join(parts)


def _date(value: date, *, weekday: bool, year: bool) -> str:
    lang = current_language()
    # French writes the first of the month as an ordinal: « lundi 1er décembre ».
    first = "'1er'" if lang == "fr" and value.day == 1 else "d"
    pattern = ("EEEE " if weekday else "") + f"{first} MMMM" + (" y" if year else "")
    return format_date(value, pattern, locale=lang)


def _named(text: str, shown_in: str, reader: str | None, named: bool) -> str:
    return f"{text} {shown_in}" if named or shown_in != _known(reader) else text


def _known(name: str | None) -> str | None:
    """A zone Python knows, else None (Slack's `tz` is IANA; a stale or odd one is not worth
    a stack trace: UTC then, named)."""
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
