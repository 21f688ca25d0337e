"""French public holidays (jours fériés), computed: the eleven national ones, Easter-based
included. Alsace-Moselle's two extra days are not national and the vendor does not hold for
them, so they are not here."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

FIXED = ((1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25))
"""New Year, Labour Day, 8 May 1945, Bastille Day, Assumption, All Saints, Armistice, Christmas."""

EASTER_OFFSETS = (1, 39, 50)
"""Easter Monday, Ascension Thursday, Whit Monday — days after Easter Sunday."""


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def french_holidays(year: int) -> frozenset[date]:
    easter = easter_sunday(year)
    return frozenset(
        [date(year, month, day) for month, day in FIXED]
        + [easter + timedelta(days=offset) for offset in EASTER_OFFSETS]
    )


def is_french_holiday(day: date) -> bool:
    return day in french_holidays(day.year)
