"""Who counts as the second pair of eyes (bot.services.four_eyes): one table."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.services.four_eyes import SETTLING_TIME, Appointment, Eyes, second_eyes

ASKER, PERSON, OTHER = "UASKER", "UPERSON", "UOTHER"
ASKED_AT = datetime(2026, 3, 2, 12, 0)
HOUR = timedelta(hours=1)


def by(who: str, before_asking: timedelta) -> Appointment:
    """An appointment made by `who`, `before_asking` before the asking (negative: after)."""
    return Appointment(who, ASKED_AT - before_asking)


@pytest.mark.parametrize(
    ("person", "appointments", "expected"),
    [
        # the asker is never their own second pair, however they hold the role
        (ASKER, [by(OTHER, 100 * HOUR)], Eyes.ASKER),
        (ASKER, [], Eyes.ASKER),
        # no appointment: no approver
        (PERSON, [], Eyes.NOT_APPROVER),
        # appointed by somebody else: counts, whenever (even after the asking)
        (PERSON, [by(OTHER, 100 * HOUR)], Eyes.COUNTS),
        (PERSON, [by(OTHER, timedelta(0))], Eyes.COUNTS),
        (PERSON, [by(OTHER, -HOUR)], Eyes.COUNTS),
        # appointed by the asker: only long enough before the asking
        (PERSON, [by(ASKER, SETTLING_TIME + HOUR)], Eyes.COUNTS),
        (PERSON, [by(ASKER, SETTLING_TIME)], Eyes.COUNTS),
        (PERSON, [by(ASKER, SETTLING_TIME - timedelta(seconds=1))], Eyes.APPOINTED_BY_ASKER),
        (PERSON, [by(ASKER, timedelta(minutes=5))], Eyes.APPOINTED_BY_ASKER),
        (PERSON, [by(ASKER, timedelta(0))], Eyes.APPOINTED_BY_ASKER),
        (PERSON, [by(ASKER, -HOUR)], Eyes.APPOINTED_BY_ASKER),  # appointed after the asking
        (PERSON, [by(ASKER, -100 * HOUR)], Eyes.APPOINTED_BY_ASKER),
        # several appointments (directly and through groups): one that passes is enough
        (PERSON, [by(ASKER, HOUR), by(OTHER, HOUR)], Eyes.COUNTS),
        (PERSON, [by(ASKER, HOUR), by(ASKER, 30 * HOUR)], Eyes.COUNTS),
        (PERSON, [by(ASKER, HOUR), by(ASKER, -HOUR)], Eyes.APPOINTED_BY_ASKER),
    ],
)
def test_who_counts(person: str, appointments: list[Appointment], expected: Eyes) -> None:
    assert second_eyes(person, ASKER, ASKED_AT, appointments) is expected


def test_the_settling_time_is_a_day() -> None:
    """The refusals and the README say 24 hours."""
    assert timedelta(hours=24) == SETTLING_TIME
