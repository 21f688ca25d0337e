"""Reconciliation: from the live subaccount list, did a request whose outcome was unknown
happen, not happen, or can nobody tell? Every case, without a vendor."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal

import pytest

from bot.partner.models import Product, Subaccount
from bot.services.requests import Action, RequestSnapshot, Status
from bot.services.requests import judge as _judge

NOW = datetime(2026, 11, 29, 12, 0)
TOKEN = "tok-1"


def request(action: Action, **changes: object) -> RequestSnapshot:
    base = RequestSnapshot(
        id=1,
        number=1,
        team_id="T1",
        product=Product.SMS,
        action=action,
        status=Status.UNKNOWN,
        requester_id="U1",
        subaccount_token=TOKEN,
        subaccount_email="a@b.co",
        subaccount_id=7,
        amount=Decimal(10),
        reason=None,
        details={},
        approvals_needed=1,
        approvers=("U2",),
        auto_approved=False,
        created_at=NOW,
        expires_at=NOW,
        finished_at=None,
        executing_since=NOW,
        decided_by="U2",
        rejection_reason=None,
        outcome_note=None,
        main_balance_before=Decimal(100),
        subaccount_balance_before=Decimal(5),
        main_balance_after=None,
        subaccount_balance_after=None,
        created_token=None,
        card_channel_id=None,
        card_ts=None,
    )
    return dataclasses.replace(base, **changes)


def listed(balance: str, token: str = TOKEN, email: str = "a@b.co") -> Subaccount:
    return Subaccount(7, email, "simple", token, None, Decimal(balance), "EUR")


ADD, REMOVE = Action.CREDIT_ADD, Action.CREDIT_REMOVE
CREATE, DELETE = Action.SUBACCOUNT_CREATE, Action.SUBACCOUNT_DELETE

CASES = [
    # what was asked, the live list, the verdict (None: an approver must look)
    ("add applied", request(ADD), [listed("15")], Status.SUCCEEDED),
    ("add not applied", request(ADD), [listed("5")], Status.FAILED),
    ("add moved by something else too", request(ADD), [listed("16")], None),
    ("add, subaccount gone", request(ADD), [], None),
    ("add, no balance before", request(ADD, subaccount_balance_before=None), [listed("15")], None),
    ("remove applied", request(REMOVE), [listed("-5")], Status.SUCCEEDED),
    ("remove not applied", request(REMOVE), [listed("5")], Status.FAILED),
    ("remove half applied", request(REMOVE), [listed("0")], None),
    (
        "create: found by email, any case",
        request(CREATE, details={"email": "New@B.co"}, subaccount_token=None),
        [listed("0", token="new", email="new@b.co")],
        Status.SUCCEEDED,
    ),
    (
        "create: not there",
        request(CREATE, details={"email": "new@b.co"}, subaccount_token=None),
        [listed("0")],
        Status.FAILED,
    ),
    (
        "create without an email: cannot be looked up",
        request(CREATE, details={}, subaccount_token=None),
        [listed("0")],
        None,
    ),
    ("delete: gone", request(DELETE, amount=None), [], Status.SUCCEEDED),
    ("delete: still there", request(DELETE, amount=None), [listed("5")], Status.FAILED),
]


@pytest.mark.parametrize(
    ("asked", "live", "verdict"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_judgement(asked: RequestSnapshot, live: list[Subaccount], verdict: Status | None) -> None:
    status, note, values = _judge(asked, live)
    assert status is verdict
    assert note  # every judgement says why, for the card and the audit
    if verdict is Status.SUCCEEDED and asked.action is CREATE:
        assert values["created_token"] == "new"
    if verdict is not None and asked.action in (ADD, REMOVE):
        assert values["subaccount_balance_after"] == live[0].balance
