"""Reconciliation, the edges: what a judgement records, what its note says, and the cases next
to the ones in test_reconcile_judgement.py (other subaccounts listed, exact decimals, missing
facts). The request builder and `_judge` come from there, so a move of `_judge` is one import."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.partner.models import Subaccount
from bot.services.requests import RequestSnapshot, Status
from tests.unit.test_reconcile_judgement import (
    ADD,
    CREATE,
    DELETE,
    REMOVE,
    _judge,
    listed,
    request,
)

OTHER = listed("500", token="tok-other", email="other@b.co")

CASES = [
    # (case, what was asked, the live list, the verdict: None when an approver must look)
    (
        "add, exact to the thousandth",
        request(ADD, amount=Decimal("10.005")),
        [listed("15.005")],
        Status.SUCCEEDED,
    ),
    ("add, a thousandth off", request(ADD, amount=Decimal("10.005")), [listed("15.004")], None),
    ("add, among other subaccounts", request(ADD), [OTHER, listed("15")], Status.SUCCEEDED),
    ("add, only others listed", request(ADD), [OTHER], None),
    ("add, no amount", request(ADD, amount=None), [listed("15")], None),
    ("add, no token", request(ADD, subaccount_token=None), [listed("15")], None),
    ("add, moved the other way", request(ADD), [listed("-5")], None),
    ("remove, moved by something else too", request(REMOVE), [listed("-6")], None),
    ("remove, moved the other way", request(REMOVE), [listed("15")], None),
    (
        "remove, no balance before",
        request(REMOVE, subaccount_balance_before=None),
        [listed("-5")],
        None,
    ),
    ("remove, among other subaccounts", request(REMOVE), [OTHER, listed("-5")], Status.SUCCEEDED),
    (
        "create: the email must match whole",
        request(CREATE, details={"email": "new@b.co"}, subaccount_token=None),
        [listed("0", token="x", email="anew@b.co")],
        Status.FAILED,
    ),
    (
        "create: found among others",
        request(CREATE, details={"email": "new@b.co"}, subaccount_token=None),
        [OTHER, listed("0", token="new", email="NEW@b.co")],
        Status.SUCCEEDED,
    ),
    (
        "create: nothing listed",
        request(CREATE, details={"email": "new@b.co"}, subaccount_token=None),
        [],
        Status.FAILED,
    ),
    ("delete: gone, others still there", request(DELETE, amount=None), [OTHER], Status.SUCCEEDED),
]


@pytest.mark.parametrize(
    ("asked", "live", "verdict"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_judgement(asked: RequestSnapshot, live: list[Subaccount], verdict: Status | None) -> None:
    status, note, values = _judge(asked, live)
    assert status is verdict
    assert note
    if verdict is None:
        # Nobody can tell: nothing is recorded as if it were known.
        assert values == {}


def test_a_found_subaccount_is_recorded_as_the_requests_subaccount() -> None:
    asked = request(CREATE, details={"email": "new@b.co"}, subaccount_token=None)
    _, _, values = _judge(asked, [OTHER, listed("0", token="new", email="new@b.co")])
    assert values == {"created_token": "new", "subaccount_token": "new"}


@pytest.mark.parametrize(
    ("asked", "live"),
    [
        (request(ADD), [listed("5")]),
        (request(REMOVE), [listed("5")]),
        (request(ADD), [listed("15")]),
    ],
)
def test_a_confirmed_move_or_no_move_records_the_balance_seen(
    asked: RequestSnapshot, live: list[Subaccount]
) -> None:
    _, _, values = _judge(asked, live)
    assert values == {"subaccount_balance_after": live[0].balance}


@pytest.mark.parametrize(
    ("asked", "live", "says"),
    [
        (request(ADD), [listed("15")], "went from €5.00 to €15.00"),
        (request(ADD), [listed("5")], "still holds €5.00, nothing moved"),
        (request(ADD), [listed("16")], "changed by €11.00 (expected €10.00 or nothing)"),
        (request(REMOVE), [listed("0")], "changed by -€5.00 (expected -€10.00 or nothing)"),
        (request(ADD), [], "no longer listed"),
        (request(CREATE, details={}, subaccount_token=None), [], "without an email"),
        (request(CREATE, details={"email": "n@b.co"}, subaccount_token=None), [], "no subaccount"),
        (request(DELETE, amount=None), [listed("5")], "still there"),
        (request(DELETE, amount=None), [], "gone"),
    ],
)
def test_the_note_says_what_the_list_showed(
    asked: RequestSnapshot, live: list[Subaccount], says: str
) -> None:
    _, note, _ = _judge(asked, live)
    assert says in note
