"""Dates and times for one reader (bot.i18n.times) and Slack date tokens for a channel
(bot.slack.blocks.slack_date), table-driven: zones, DST days, both languages."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone

import pytest

from bot.i18n import language, zone
from bot.i18n.times import clock, day, weekdays, when
from bot.services.languages import UserLocales
from bot.slack.blocks import slack_date, utc_text

PARIS, NEW_YORK = "Europe/Paris", "America/New_York"
NOW = datetime(2026, 12, 6, 10, 0)  # a Sunday, naive UTC as the app stores it


@pytest.mark.parametrize(
    ("moment", "reader", "shown_in", "lang", "text"),
    [
        # Monday 07:30 UTC is 08:30 in Paris (winter, UTC+1) and 02:30 in New York (UTC-5)
        (datetime(2026, 12, 14, 7, 30), PARIS, None, "en", "Monday 14 December at 08:30"),
        (datetime(2026, 12, 14, 7, 30), PARIS, None, "fr", "lundi 14 décembre à 08:30"),
        (datetime(2026, 12, 14, 7, 30), NEW_YORK, None, "en", "Monday 14 December at 02:30"),
        (datetime(2026, 12, 14, 7, 30), NEW_YORK, None, "fr", "lundi 14 décembre à 02:30"),
        # tomorrow, today, yesterday are the reader's days, not UTC's
        (datetime(2026, 12, 7, 7, 30), PARIS, None, "en", "tomorrow at 08:30"),
        (datetime(2026, 12, 7, 7, 30), PARIS, None, "fr", "demain à 08:30"),
        (datetime(2026, 12, 6, 23, 30), PARIS, None, "fr", "demain à 00:30"),
        (datetime(2026, 12, 6, 22, 30), NEW_YORK, None, "en", "today at 17:30"),
        (datetime(2026, 12, 6, 3, 0), NEW_YORK, None, "en", "yesterday at 22:00"),
        (datetime(2026, 12, 6, 3, 0), PARIS, None, "fr", "aujourd’hui à 04:00"),
        # another year says so; French writes the first of the month « 1er »
        (datetime(2024, 1, 20, 9, 0), PARIS, None, "en", "Saturday 20 January 2024 at 10:00"),
        (datetime(2027, 3, 1, 9, 0), PARIS, None, "fr", "lundi 1er mars 2027 à 10:00"),
        (datetime(2026, 12, 1, 9, 0), PARIS, None, "en", "Tuesday 1 December at 10:00"),
        # DST: Paris springs forward on 2026-03-29, falls back on 2026-10-25
        (datetime(2026, 3, 28, 7, 30), PARIS, None, "fr", "samedi 28 mars à 08:30"),
        (datetime(2026, 3, 29, 7, 30), PARIS, None, "fr", "dimanche 29 mars à 09:30"),
        (datetime(2026, 10, 25, 0, 30), PARIS, None, "en", "Sunday 25 October at 02:30"),
        (datetime(2026, 10, 25, 1, 30), PARIS, None, "en", "Sunday 25 October at 02:30"),
        (datetime(2026, 3, 8, 7, 30), NEW_YORK, None, "en", "Sunday 8 March at 03:30"),
        # a zone not the reader's is named; no reader known: UTC, named
        (
            datetime(2026, 12, 14, 7, 30),
            NEW_YORK,
            PARIS,
            "en",
            "Monday 14 December at 08:30 Europe/Paris",
        ),
        (datetime(2026, 12, 14, 7, 30), PARIS, PARIS, "fr", "lundi 14 décembre à 08:30"),
        (datetime(2026, 12, 14, 7, 30), None, None, "en", "Monday 14 December at 07:30 UTC"),
        (datetime(2026, 12, 14, 7, 30), None, None, "fr", "lundi 14 décembre à 07:30 UTC"),
        (
            datetime(2026, 12, 14, 7, 30),
            "Mars/Olympus",
            None,
            "en",
            "Monday 14 December at 07:30 UTC",
        ),
        # an aware moment is the same instant
        (
            datetime(2026, 12, 14, 9, 30, tzinfo=timezone(timedelta(hours=2))),
            PARIS,
            None,
            "en",
            "Monday 14 December at 08:30",
        ),
    ],
)
def test_when(
    moment: datetime, reader: str | None, shown_in: str | None, lang: str, text: str
) -> None:
    with language(lang), zone(reader):
        assert when(moment, shown_in, now=NOW) == text


@pytest.mark.parametrize(
    ("moment", "reader", "lang", "text"),
    [
        (datetime(2024, 1, 20, 12, 0), PARIS, "fr", "20 janvier 2024"),
        (datetime(2024, 1, 20, 12, 0), PARIS, "en", "20 January 2024"),
        # 23:30 UTC on the 20th is already the 21st in Paris, still the 20th in New York
        (datetime(2024, 1, 20, 23, 30), PARIS, "fr", "21 janvier 2024"),
        (datetime(2024, 1, 20, 23, 30), NEW_YORK, "en", "20 January 2024"),
        (datetime(2024, 3, 1, 0, 0), PARIS, "fr", "1er mars 2024"),
    ],
)
def test_day(moment: datetime, reader: str, lang: str, text: str) -> None:
    with language(lang), zone(reader):
        assert day(moment) == text


@pytest.mark.parametrize(
    ("reader", "lang", "days", "text"),
    [
        (PARIS, "en", range(5), "08:30, Mon–Fri"),
        (PARIS, "fr", range(5), "08:30, lun.–ven."),
        (NEW_YORK, "en", range(7), "08:30 Europe/Paris, every day"),
        (NEW_YORK, "fr", range(7), "08:30 Europe/Paris, tous les jours"),
        (None, "fr", (0, 2, 4), "08:30 Europe/Paris, lun., mer., ven."),
        (PARIS, "en", (0, 1, 5, 6), "08:30, Mon, Tue, Sat, Sun"),
    ],
)
def test_schedule_time_and_days(reader: str | None, lang: str, days: range, text: str) -> None:
    with language(lang), zone(reader):
        assert f"{clock(time(8, 30), PARIS)}, {weekdays(days)}" == text


@pytest.mark.parametrize(
    ("moment", "lang", "tokens", "fallback"),
    [
        # naive datetimes are UTC, as the app stores them
        (
            datetime(2025, 3, 3, 9, 5),
            "en",
            "{date_short_pretty} at {time}",
            "Monday 3 March 2025 at 09:05 UTC",
        ),
        (
            datetime(2025, 3, 3, 9, 5, tzinfo=UTC),
            "fr",
            "{date_short_pretty} à {time}",
            "lundi 3 mars 2025 à 09:05 UTC",
        ),
        (
            datetime(2025, 3, 3, 10, 5, tzinfo=timezone(timedelta(hours=1))),
            "en",
            "{date_short_pretty} at {time}",
            "Monday 3 March 2025 at 09:05 UTC",
        ),
    ],
)
def test_slack_date_token_and_its_fallback(
    moment: datetime, lang: str, tokens: str, fallback: str
) -> None:
    unix = 1740992700
    # The reader of the moment does not matter: a token is for every viewer of a channel.
    with language(lang), zone(PARIS):
        assert utc_text(moment) == fallback
        assert slack_date(moment) == f"<!date^{unix}^{tokens}|{fallback}>"
        assert slack_date(moment, "{time}") == f"<!date^{unix}^{{time}}|{fallback}>"


def test_a_fallback_never_says_today() -> None:
    # A fallback is read later than it was written: "today" would go stale.
    moment = datetime.now(UTC)
    assert "today" not in utc_text(moment) and "UTC" in utc_text(moment)


def test_user_zones_are_remembered_apart_from_languages() -> None:
    now = [0.0]
    locales = UserLocales(ttl=10, clock=lambda: now[0])
    assert not locales.knows_zone("T", "U") and locales.zone("T", "U") is None
    locales.put_zone("T", "U", PARIS)
    locales.put_zone("T", "V", "")  # Slack gave none: known to be unknown
    assert locales.zone("T", "U") == PARIS and locales.get("T", "U") is None
    assert locales.knows_zone("T", "V") and locales.zone("T", "V") is None
    now[0] = 10
    assert not locales.knows_zone("T", "U") and locales.zone("T", "U") is None
