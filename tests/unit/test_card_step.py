"""What maintenance does for a pending request with no card (bot.services.requests.cards)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.services.requests.cards import CardStep, card_step

NOW = datetime(2026, 12, 6, 3, 0, 0)
GRACE = timedelta(seconds=5)
LEASE = timedelta(seconds=120)


def ago(seconds: float) -> datetime:
    return NOW - timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("created", "claimed", "step"),
    [
        # Never taken: the asking process takes it right after the insert, within the grace.
        (ago(1), None, CardStep.WAIT),
        (ago(4.9), None, CardStep.WAIT),
        (ago(5), None, CardStep.POST),  # it died between the insert and the post
        (ago(3600), None, CardStep.POST),
        # Taken: a post under way ends well within the lease; past it, it was cut short.
        (ago(10), ago(10), CardStep.WAIT),
        (ago(200), ago(119), CardStep.WAIT),
        (ago(200), ago(120), CardStep.TELL_UNKNOWN),
        (ago(3600), ago(3600), CardStep.TELL_UNKNOWN),
        # Taken by maintenance long after the insert: the claim's age counts, not the request's.
        (ago(3600), ago(1), CardStep.WAIT),
    ],
)
def test_card_step(created: datetime, claimed: datetime | None, step: CardStep) -> None:
    assert card_step(NOW, created, claimed, grace=GRACE, lease=LEASE) is step
