"""Which requests are owed a telling (bot.services.requests.telling)."""

from __future__ import annotations

import pytest

from bot.services.requests.model import Status
from bot.services.requests.telling import TOLD, tell_owed


@pytest.mark.parametrize(
    ("status", "needs_a_person", "owed"),
    [
        (Status.PENDING, False, False),  # its card tells it (bot.services.requests.cards)
        (Status.APPROVED, False, False),
        (Status.EXECUTING, False, False),
        (Status.UNKNOWN, False, False),  # still being reconciled: told once settled
        (Status.UNKNOWN, True, True),  # an approver must mark it: the card asks them
        (Status.SUCCEEDED, False, True),
        (Status.FAILED, False, True),
        (Status.REJECTED, False, True),
        (Status.EXPIRED, False, True),
        (Status.CANCELLED, False, True),  # the card redrawn (no DM: they cancelled it)
    ],
)
def test_tell_owed(status: Status, needs_a_person: bool, owed: bool) -> None:
    assert tell_owed(status, needs_a_person) is owed
    assert not owed or status in TOLD  # maintenance looks at every status owed a telling
