"""Which auto-approved moves count toward the requester's daily cap, status by status.

Written out from the rule the README states: a move counts while it moved or may still move
money; one that failed moved nothing and gives its share back.
"""

from __future__ import annotations

import pytest

from bot.services.requests.model import COUNTS_TOWARD_CAP, Status

COUNTS = {
    Status.APPROVED: True,  # about to call the vendor
    Status.EXECUTING: True,  # the call is under way
    Status.SUCCEEDED: True,  # the money moved
    Status.UNKNOWN: True,  # it may have moved: counted until reconciled
    Status.FAILED: False,  # refused before or by the vendor: nothing moved
    # Only a request waiting for approvers gets here, and those are never auto-approved; were
    # one to, it moved nothing.
    Status.PENDING: False,
    Status.REJECTED: False,
    Status.EXPIRED: False,
    Status.CANCELLED: False,
}


def test_every_status_is_decided() -> None:
    assert set(COUNTS) == set(Status)


@pytest.mark.parametrize(("status", "counts"), COUNTS.items(), ids=lambda v: str(v))
def test_an_auto_approved_move_counts_while_it_may_move_money(status: Status, counts: bool) -> None:
    assert (status in COUNTS_TOWARD_CAP) is counts
