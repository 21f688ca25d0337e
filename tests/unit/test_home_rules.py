"""Which pending requests an approver's Home offers to decide."""

from __future__ import annotations

import pytest

from bot.services.home import may_decide
from bot.services.requests import Action, Status
from tests.unit.test_reconcile_judgement import request

ME = "UME"

CASES = [
    ("someone else's, pending", dict(status=Status.PENDING, requester_id="U1", approvers=()), True),
    ("my own", dict(status=Status.PENDING, requester_id=ME, approvers=()), False),
    (
        "I approved, a second approval missing",
        dict(status=Status.PENDING, requester_id="U1", approvers=(ME,), approvals_needed=2),
        False,
    ),
    (
        "another approved, mine would be the second",
        dict(status=Status.PENDING, requester_id="U1", approvers=("U2",), approvals_needed=2),
        True,
    ),
    ("approved already", dict(status=Status.APPROVED, requester_id="U1", approvers=()), False),
    ("unknown outcome", dict(status=Status.UNKNOWN, requester_id="U1", approvers=()), False),
]


@pytest.mark.parametrize(("name", "changes", "expected"), CASES, ids=[c[0] for c in CASES])
def test_may_decide(name: str, changes: dict[str, object], expected: bool) -> None:
    assert may_decide(request(Action.CREDIT_ADD, **changes), ME) is expected
