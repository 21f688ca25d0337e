"""The digest schedule: parsing `/partner digest subscribe`, wall-clock runs across DST, lateness.

All datetimes are naive UTC, as in the database; `local()` converts only to make assertions read
like the subscriber's clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import language
from bot.partner.models import Product
from bot.services.schedule import (
    ALL_DAYS,
    PRODUCTS,
    DigestSchedule,
    SubscriptionSpec,
    covers_since,
    lateness,
)
from bot.slack.digests.parsing import SpecError, parse_subscription

PARIS = "Europe/Paris"
NEW_YORK = "America/New_York"
MON_FRI = frozenset(range(5))


def local(moment: datetime, zone: str) -> datetime:
    """Naive UTC → naive local wall-clock time in `zone`."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def daily(hour: int, minute: int, zone: str, weekdays: frozenset[int] = ALL_DAYS):
    return DigestSchedule(at=time(hour, minute), zone=zone, weekdays=weekdays)


def walk(schedule: DigestSchedule, start: datetime, end: datetime) -> list[datetime]:
    """Every run in (start, end], by calling next_run on the previous result like a scheduler."""
    runs = []
    moment = schedule.next_run(start)
    while moment <= end:
        runs.append(moment)
        moment = schedule.next_run(moment)
    return runs


def parse(*words: str, default_zone: str = PARIS) -> SubscriptionSpec:
    return parse_subscription(list(words), default_zone=default_zone)


# ---- parsing: accepted forms -------------------------------------------------------------------


def test_products_match_the_partner_products():
    assert tuple(product.value for product in Product) == PRODUCTS


def test_no_words_gives_the_defaults():
    spec = parse(default_zone="America/New_York")
    assert spec == SubscriptionSpec(
        schedule=DigestSchedule(at=time(9, 0), zone=NEW_YORK, weekdays=ALL_DAYS), products=None
    )


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("9:00", time(9, 0)),
        ("09:00", time(9, 0)),
        ("9h", time(9, 0)),
        ("9h30", time(9, 30)),
        ("09H30", time(9, 30)),
        ("21:15", time(21, 15)),
        ("21h", time(21, 0)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("9am", time(9, 0)),
        ("9AM", time(9, 0)),
        ("9:30pm", time(21, 30)),
        ("12am", time(0, 0)),
        ("12:15am", time(0, 15)),
        ("12pm", time(12, 0)),
        ("11:59pm", time(23, 59)),
    ],
)
def test_times(word, expected):
    assert parse(word).schedule.at == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Europe/Paris", "Europe/Paris"),
        ("europe/paris", "Europe/Paris"),
        ("AMERICA/NEW_YORK", "America/New_York"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
    ],
)
def test_zones_are_matched_case_insensitively_and_stored_canonical(word, expected):
    assert parse(word).schedule.zone == expected


def test_default_zone_is_canonicalised_too():
    assert parse(default_zone="europe/paris").schedule.zone == PARIS


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("daily", ALL_DAYS),
        ("everyday", ALL_DAYS),
        ("every-day", ALL_DAYS),
        ("weekdays", MON_FRI),
        ("mon-fri", MON_FRI),
        ("Mon–Fri", MON_FRI),
        ("weekends", {5, 6}),
        ("tue-thu", {1, 2, 3}),
        ("fri-mon", {4, 5, 6, 0}),
        ("mon,wed,fri", {0, 2, 4}),
        ("mon,wed,", {0, 2}),
        ("monday", {0}),
        ("Sunday", {6}),
        ("thurs", {3}),
        ("lun", {0}),
        ("mar", {1}),
        ("mer", {2}),
        ("jeu", {3}),
        ("ven", {4}),
        ("sam", {5}),
        ("dim", {6}),
        ("lun-ven", MON_FRI),
        ("mardi,jeudi", {1, 3}),
        ("sat,sun,weekends", {5, 6}),
    ],
)
def test_weekdays(word, expected):
    assert parse(word).schedule.weekdays == frozenset(expected)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["sms"], ("sms",)),
        (["MAIL"], ("mail",)),
        (["voice"], ("voice",)),
        (["all"], None),
        (["voice,sms"], ("sms", "voice")),
        (["voice", "mail"], ("mail", "voice")),
        (["sms", "sms"], ("sms",)),
        (["sms", "all"], None),
        (["sms,mail,voice"], ("sms", "mail", "voice")),
    ],
)
def test_products(words, expected):
    assert parse(*words).products == expected


def test_everything_in_any_order():
    expected = SubscriptionSpec(
        schedule=DigestSchedule(at=time(8, 30), zone=NEW_YORK, weekdays=MON_FRI),
        products=("sms", "mail"),
    )
    words = ["8:30am", "America/New_York", "mon-fri", "sms,mail"]
    assert parse(*words) == expected
    assert parse(*reversed(words)) == expected
    assert parse("mail", "weekdays", "08h30", "america/new_york", "sms") == expected


def test_blank_words_are_ignored():
    assert parse("", "  ", " 10:00 ").schedule.at == time(10, 0)


# ---- parsing: refusals -------------------------------------------------------------------------


def refusal(*words: str, default_zone: str = PARIS) -> SpecError:
    with pytest.raises(SpecError) as caught:
        parse(*words, default_zone=default_zone)
    message = str(caught.value)
    assert "Type" in message or "Add" in message  # says what to type
    assert message.count(". ") <= 1, message  # one or two sentences
    return caught.value


@pytest.mark.parametrize("word", ["hello", "tomorrow", "sms;mail", "mon,sms", "mon-sms"])
def test_unknown_word(word):
    error = refusal("09:00", word)
    assert f"“{word}”" in str(error)
    assert "/partner digest subscribe" in str(error)
    assert error.word == word


def test_unknown_word_close_to_a_keyword_gets_a_suggestion():
    assert "did you mean “monday”" in str(refusal("mondy"))
    assert "did you mean “voice”" in str(refusal("voise"))


def test_a_bare_city_points_to_its_zone_name():
    error = refusal("Paris")
    assert "“Paris”" in str(error)
    assert "Europe/Paris" in str(error)


def test_unknown_zone_suggests_the_closest():
    error = refusal("Europe/Pariss")
    assert "“Europe/Pariss”" in str(error)
    assert "did you mean Europe/Paris?" in str(error)
    assert error.word == "Europe/Pariss"


def test_unknown_zone_without_anything_close_still_says_what_to_type():
    error = refusal("Xx/Yyyyyyyyyyy")
    assert "“Xx/Yyyyyyyyyyy”" in str(error)
    assert "did you mean" not in str(error)
    assert "Europe/Paris" in str(error)


@pytest.mark.parametrize(
    "word", ["25:00", "24:00", "9:75", "9h60", "13pm", "0am", "00:00pm", "9", "930", "9:5", "1:2:3"]
)
def test_impossible_times(word):
    error = refusal(word)
    assert f"“{word}”" in str(error)
    assert "09:00" in str(error)


def test_two_times():
    error = refusal("9:00", "sms", "10:00")
    assert "“9:00”" in str(error)
    assert "“10:00”" in str(error)


def test_the_same_time_twice_is_still_two_times():
    assert "two times" in str(refusal("9:00", "9:00"))


def test_two_zones():
    error = refusal("Europe/Paris", "UTC")
    assert "“Europe/Paris”" in str(error)
    assert "“UTC”" in str(error)


def test_two_weekday_specs():
    error = refusal("mon", "wed", "fri")
    assert "“mon”" in str(error)
    assert "“wed”" in str(error)
    assert "mon,wed,fri" in str(error)


def test_empty_weekday_set():
    error = refusal(",")
    assert "“,”" in str(error)
    assert "mon-fri" in str(error)


def test_unusable_slack_zone_is_refused_only_when_no_zone_is_typed():
    error = refusal("09:00", default_zone="Mars/Olympus_Mons")
    assert "“Mars/Olympus_Mons”" in str(error)
    assert parse("UTC", default_zone="Mars/Olympus_Mons").schedule.zone == "UTC"


def test_spec_error_is_a_value_error():
    assert issubclass(SpecError, ValueError)


# ---- the schedule itself -----------------------------------------------------------------------


def test_schedule_refuses_what_it_cannot_run():
    with pytest.raises(ValueError, match="weekdays"):
        DigestSchedule(at=time(9, 0), zone=PARIS, weekdays=frozenset())
    with pytest.raises(ValueError, match="weekdays"):
        DigestSchedule(at=time(9, 0), zone=PARIS, weekdays=frozenset({7}))
    with pytest.raises(ValueError, match="zone"):
        DigestSchedule(at=time(9, 0), zone="Europe/Pariss", weekdays=ALL_DAYS)
    with pytest.raises(ValueError, match="minute"):
        DigestSchedule(at=time(9, 0, 30), zone=PARIS, weekdays=ALL_DAYS)


def test_schedules_are_hashable_even_from_a_set():
    schedule = DigestSchedule(at=time(9, 0), zone=PARIS, weekdays={0, 1})  # type: ignore[arg-type]
    assert schedule.weekdays == frozenset({0, 1})
    assert hash(schedule) == hash(daily(9, 0, PARIS, frozenset({0, 1})))


def test_aware_datetimes_are_refused():
    aware = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="naive"):
        daily(9, 0, PARIS).next_run(aware)
    with pytest.raises(ValueError, match="naive"):
        lateness(aware, aware)


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        (daily(9, 0, PARIS), "09:00 Europe/Paris, every day"),
        (daily(8, 30, NEW_YORK, MON_FRI), "08:30 America/New_York, Mon–Fri"),
        (daily(7, 0, "UTC", frozenset({0, 2, 4})), "07:00 UTC, Mon, Wed, Fri"),
        (daily(7, 0, "UTC", frozenset({5, 6})), "07:00 UTC, Sat, Sun"),
        (daily(7, 0, "UTC", frozenset({0, 1, 2, 4, 5})), "07:00 UTC, Mon–Wed, Fri, Sat"),
        (daily(18, 5, "UTC", frozenset({3})), "18:05 UTC, Thu"),
    ],
)
def test_describe(schedule, expected):
    assert schedule.describe() == expected


def test_next_run_on_a_plain_day():
    schedule = daily(9, 0, PARIS)  # winter: Paris is UTC+1
    assert schedule.next_run(datetime(2026, 1, 14, 6, 0)) == datetime(2026, 1, 14, 8, 0)
    assert schedule.next_run(datetime(2026, 1, 14, 7, 59, 59)) == datetime(2026, 1, 14, 8, 0)
    # Strictly after: at the run itself, the next one is tomorrow's.
    assert schedule.next_run(datetime(2026, 1, 14, 8, 0)) == datetime(2026, 1, 15, 8, 0)
    assert schedule.next_run(datetime(2026, 1, 14, 12, 0)) == datetime(2026, 1, 15, 8, 0)


def test_next_run_in_utc():
    schedule = daily(0, 0, "UTC")
    assert schedule.next_run(datetime(2026, 12, 31, 23, 59)) == datetime(2027, 1, 1, 0, 0)


def test_next_run_when_the_local_day_differs_from_the_utc_day():
    # 23:30 in New York (UTC-5 in January) is 04:30 UTC the next day.
    schedule = daily(23, 30, NEW_YORK, frozenset({0}))  # Mondays, local
    run = schedule.next_run(datetime(2026, 1, 12, 0, 0))  # Monday 12 January, UTC
    assert run == datetime(2026, 1, 13, 4, 30)
    assert local(run, NEW_YORK) == datetime(2026, 1, 12, 23, 30)


def test_0900_paris_keeps_its_local_time_across_spring_forward():
    schedule = daily(9, 0, PARIS)
    saturday = schedule.next_run(datetime(2026, 3, 28, 0, 0))
    sunday = schedule.next_run(saturday)
    assert saturday == datetime(2026, 3, 28, 8, 0)  # CET, UTC+1
    assert sunday == datetime(2026, 3, 29, 7, 0)  # CEST, UTC+2
    assert sunday - saturday == timedelta(hours=23)


def test_0900_paris_keeps_its_local_time_across_fall_back():
    schedule = daily(9, 0, PARIS)
    saturday = schedule.next_run(datetime(2026, 10, 24, 0, 0))
    sunday = schedule.next_run(saturday)
    assert saturday == datetime(2026, 10, 24, 7, 0)  # CEST
    assert sunday == datetime(2026, 10, 25, 8, 0)  # CET
    assert sunday - saturday == timedelta(hours=25)


def test_0230_paris_in_the_spring_gap_runs_when_the_clocks_jump():
    # 2026-03-29: 02:00 CET jumps to 03:00 CEST at 01:00 UTC; 02:30 does not exist.
    schedule = daily(2, 30, PARIS)
    before = schedule.next_run(datetime(2026, 3, 28, 0, 0))
    gap_day = schedule.next_run(before)
    after = schedule.next_run(gap_day)
    assert before == datetime(2026, 3, 28, 1, 30)
    assert gap_day == datetime(2026, 3, 29, 1, 0)
    assert local(gap_day, PARIS) == datetime(2026, 3, 29, 3, 0)
    assert after == datetime(2026, 3, 30, 0, 30)


def test_0230_paris_in_the_repeated_hour_runs_once_at_the_first():
    # 2026-10-25: 03:00 CEST goes back to 02:00 CET at 01:00 UTC; 02:30 happens at 00:30 UTC
    # and again at 01:30 UTC.
    schedule = daily(2, 30, PARIS)
    first = schedule.next_run(datetime(2026, 10, 25, 0, 0))
    assert first == datetime(2026, 10, 25, 0, 30)
    assert schedule.next_run(first) == datetime(2026, 10, 26, 1, 30)
    # Even a scheduler waking between the two readings does not get a second run.
    assert schedule.next_run(datetime(2026, 10, 25, 1, 0)) == datetime(2026, 10, 26, 1, 30)


@pytest.mark.parametrize(
    ("zone", "change_day"),
    [
        (PARIS, date(2026, 3, 29)),  # spring forward at 02:00
        (PARIS, date(2026, 10, 25)),  # fall back at 03:00
        (NEW_YORK, date(2026, 3, 8)),  # spring forward at 02:00
        (NEW_YORK, date(2026, 11, 1)),  # fall back at 02:00
        ("America/Santiago", date(2026, 9, 6)),  # clocks jump at local midnight
        ("America/Santiago", date(2026, 4, 5)),  # and go back at local midnight
        ("Australia/Lord_Howe", date(2026, 4, 5)),  # a half-hour change
    ],
)
@pytest.mark.parametrize(
    "at", [time(0, 0), time(0, 30), time(1, 30), time(2, 0), time(2, 30), time(9, 0), time(23, 30)]
)
def test_a_week_across_a_dst_change_has_exactly_one_run_per_local_day(zone, change_day, at):
    schedule = DigestSchedule(at=at, zone=zone, weekdays=ALL_DAYS)
    moment = datetime(*(change_day - timedelta(days=4)).timetuple()[:3])
    runs = []
    for _ in range(8):  # like a scheduler: each run asks for the next
        moment = schedule.next_run(moment)
        runs.append(moment)
    local_runs = [local(run, zone) for run in runs]
    days = [wall.date() for wall in local_runs]
    assert change_day in days
    # Eight runs on eight consecutive local days: none twice, none lost.
    assert [(b - a).days for a, b in pairwise(days)] == [1] * 7
    for run, wall in zip(runs, local_runs, strict=True):
        wanted = datetime.combine(wall.date(), at)
        if wall != wanted:  # only in a gap: then it is the first valid moment after it
            assert wall > wanted
            assert local(run - timedelta(seconds=1), zone) < wanted
        assert schedule.previous_run(run) == run
        assert schedule.next_run(run - timedelta(microseconds=1)) == run


def test_new_york_spring_forward_and_fall_back():
    morning = daily(8, 30, NEW_YORK)
    assert morning.next_run(datetime(2026, 3, 7)) == datetime(2026, 3, 7, 13, 30)  # EST, UTC-5
    assert morning.next_run(datetime(2026, 3, 8)) == datetime(2026, 3, 8, 12, 30)  # EDT, UTC-4
    assert morning.next_run(datetime(2026, 11, 1)) == datetime(2026, 11, 1, 13, 30)  # EST again

    gap = daily(2, 30, NEW_YORK)  # 2026-03-08 02:00 EST jumps to 03:00 EDT at 07:00 UTC
    assert gap.next_run(datetime(2026, 3, 8)) == datetime(2026, 3, 8, 7, 0)

    repeated = daily(1, 30, NEW_YORK)  # 2026-11-01 01:30 happens at 05:30 and 06:30 UTC
    first = repeated.next_run(datetime(2026, 11, 1))
    assert first == datetime(2026, 11, 1, 5, 30)
    assert repeated.next_run(first) == datetime(2026, 11, 2, 6, 30)


def test_mon_fri_skips_the_weekend():
    schedule = daily(9, 0, PARIS, MON_FRI)
    friday = datetime(2026, 3, 27, 8, 0)  # CET
    monday = datetime(2026, 3, 30, 7, 0)  # CEST, after the weekend's change
    assert schedule.next_run(datetime(2026, 3, 27)) == friday
    assert schedule.next_run(friday) == monday
    runs = walk(schedule, datetime(2026, 3, 22), datetime(2026, 4, 5))
    assert [local(run, PARIS).strftime("%a %d") for run in runs] == [
        "Mon 23", "Tue 24", "Wed 25", "Thu 26", "Fri 27",
        "Mon 30", "Tue 31", "Wed 01", "Thu 02", "Fri 03",
    ]  # fmt: skip


def test_covers_since_is_the_previous_scheduled_run():
    schedule = daily(9, 0, PARIS, MON_FRI)
    friday = datetime(2026, 3, 27, 8, 0)
    monday = datetime(2026, 3, 30, 7, 0)
    tuesday = datetime(2026, 3, 31, 7, 0)
    assert covers_since(schedule, monday) == friday  # the weekend included
    assert covers_since(schedule, tuesday) == monday
    # Taken late, the run still compares with the previous run, not with itself.
    assert covers_since(schedule, monday + timedelta(hours=2)) == monday
    assert covers_since(daily(9, 0, PARIS), datetime(2026, 3, 29, 7, 0)) == datetime(
        2026, 3, 28, 8, 0
    )


def test_covers_since_a_weekly_digest_is_a_week_back():
    schedule = daily(9, 0, "UTC", frozenset({2}))
    wednesday = datetime(2026, 1, 14, 9, 0)
    assert covers_since(schedule, wednesday) == datetime(2026, 1, 7, 9, 0)


def test_previous_run():
    schedule = daily(9, 0, PARIS)
    run = datetime(2026, 1, 14, 8, 0)
    assert schedule.previous_run(run) == run  # at or before
    assert schedule.previous_run(run + timedelta(hours=3)) == run
    assert schedule.previous_run(run - timedelta(microseconds=1)) == datetime(2026, 1, 13, 8, 0)
    weekdays = daily(9, 0, PARIS, MON_FRI)
    sunday_noon = datetime(2026, 3, 29, 12, 0)
    assert weekdays.previous_run(sunday_noon) == datetime(2026, 3, 27, 8, 0)
    # In the repeated hour, the previous run of the day is the first reading.
    repeated = daily(2, 30, PARIS)
    assert repeated.previous_run(datetime(2026, 10, 25, 1, 45)) == datetime(2026, 10, 25, 0, 30)
    assert repeated.previous_run(datetime(2026, 3, 29, 1, 0)) == datetime(2026, 3, 29, 1, 0)


def test_previous_and_next_run_bracket_any_moment():
    schedule = daily(7, 15, NEW_YORK, frozenset({0, 3}))
    moment = datetime(2026, 3, 1)
    while moment < datetime(2026, 3, 22):
        previous, following = schedule.previous_run(moment), schedule.next_run(moment)
        assert previous <= moment < following
        assert schedule.next_run(previous) == following
        moment += timedelta(hours=5, minutes=7)


# ---- lateness ----------------------------------------------------------------------------------

SCHEDULED = datetime(2026, 3, 30, 7, 0)


@pytest.mark.parametrize(
    ("delay", "expected"),
    [
        (timedelta(minutes=-5), "on_time"),
        (timedelta(0), "on_time"),
        (timedelta(minutes=9, seconds=59), "on_time"),
        (timedelta(minutes=10), "on_time"),
        (timedelta(minutes=10, seconds=1), "late"),
        (timedelta(hours=1), "late"),
        (timedelta(hours=5, minutes=59), "late"),
        (timedelta(hours=6), "late"),
        (timedelta(hours=6, minutes=1), "too_late"),
        (timedelta(days=3), "too_late"),
    ],
)
def test_lateness(delay, expected):
    assert lateness(SCHEDULED, SCHEDULED + delay) == expected


def test_lateness_with_another_grace():
    grace = timedelta(hours=1)
    assert lateness(SCHEDULED, SCHEDULED + timedelta(minutes=59), grace=grace) == "late"
    assert lateness(SCHEDULED, SCHEDULED + timedelta(minutes=61), grace=grace) == "too_late"


@pytest.mark.parametrize(
    ("words", "english", "french"),
    [
        (["frobnicate"], "I don't understand “frobnicate”.", "ne comprends pas «\u00a0frobnicate"),
        (["25:99"], "“25:99” is not a time I can use.", "n’est pas une heure que je peux utiliser"),
        (["9h", "10h"], "You gave two times, “9h” and “10h”.", "Vous avez donné deux heures"),
        (["Europe/Pari"], "did you mean Europe/Paris?", "vouliez-vous dire Europe/Paris\u00a0?"),
    ],
)  # fmt: skip
def test_a_refusal_is_worded_in_the_readers_language(
    words: list[str], english: str, french: str
) -> None:
    error = refusal(*words)
    assert english in str(error)
    with language("fr"):
        assert french in str(error)


def test_french_day_words_are_understood() -> None:
    spec = parse_subscription(["quotidien", "9h"], default_zone=PARIS)
    assert spec.schedule.weekdays == frozenset(range(7))
    assert parse_subscription(["semaine"], default_zone=PARIS).schedule.weekdays == frozenset(
        range(5)
    )
