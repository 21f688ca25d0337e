"""The approval policy: the reason of every route over the whole table of test_policy.py (which
checks the outcome and the approvers), and the order in which a policy change is checked.

The expected reason is written from the rules as the policy module states them, in their order,
independently of `decide_route`."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.services.policy import (
    Outcome,
    Policy,
    PolicyConflict,
    PolicyOutOfBounds,
    RequestFacts,
    Why,
    check_change,
    decide_route,
)
from tests.unit.test_policy import CASES, _id


def expected_why(
    auto: Decimal,
    cap: Decimal | None,
    two: Decimal | None,
    used: Decimal,
    amount: Decimal | None,
    deletion: bool,
    allowed: bool,
) -> Why:
    if not allowed:
        return Why.REQUESTER_NOT_ALLOWED
    if deletion:
        return Why.DELETION
    if amount is None:
        return Why.MOVES_NO_MONEY
    if two is not None and amount > two:
        return Why.ABOVE_TWO_APPROVER_AMOUNT
    if auto == 0:
        return Why.NO_AUTO_APPROVAL
    if amount > auto:
        return Why.ABOVE_AUTO_APPROVE_LIMIT
    if cap is not None and used + amount > cap:
        return Why.OVER_DAILY_CAP
    return Why.WITHIN_AUTO_APPROVE_LIMIT


# What each reason means for the request: one outcome and one number of approvers per reason.
MEANS = {
    Why.REQUESTER_NOT_ALLOWED: (Outcome.REFUSED, 0),
    Why.DELETION: (Outcome.NEEDS_APPROVAL, 1),
    Why.MOVES_NO_MONEY: (Outcome.RUNS_NOW, 0),
    Why.ABOVE_TWO_APPROVER_AMOUNT: (Outcome.NEEDS_APPROVAL, 2),
    Why.NO_AUTO_APPROVAL: (Outcome.NEEDS_APPROVAL, 1),
    Why.ABOVE_AUTO_APPROVE_LIMIT: (Outcome.NEEDS_APPROVAL, 1),
    Why.OVER_DAILY_CAP: (Outcome.NEEDS_APPROVAL, 1),
    Why.WITHIN_AUTO_APPROVE_LIMIT: (Outcome.RUNS_NOW, 0),
}


def route_of(case: tuple):  # type: ignore[no-untyped-def]
    auto, cap, two, used, amount, deletion, allowed = case
    policy = Policy(auto_approve_limit=auto, daily_auto_approve_cap=cap, two_approver_threshold=two)
    return decide_route(policy, RequestFacts(allowed, deletion, amount, used))


def test_every_reason_is_reached_by_the_table() -> None:
    assert {expected_why(*case) for case in CASES} == set(Why)


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_the_reason_is_the_first_rule_that_applies(case: tuple) -> None:
    route = route_of(case)
    assert route.why is expected_why(*case)
    assert (route.outcome, route.approvers) == MEANS[route.why]
    assert route.runs_now is (route.outcome is Outcome.RUNS_NOW)
    assert route.refused is (route.outcome is Outcome.REFUSED)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("expiry_hours", 48),
        ("approvals_channel_id", "C0APPROVALS"),
        ("requesters_usergroup_id", "S0FIN"),
        ("requesters_usergroup_id", None),
    ],
)
def test_settings_that_are_not_amounts_bring_no_adjustment(field: str, value: object) -> None:
    strict = Policy(auto_approve_limit=Decimal(50), two_approver_threshold=Decimal(50))
    assert check_change(strict, field, value) == []


def test_the_bound_is_checked_before_the_conflict() -> None:
    # Both would refuse it; the bound says more (no setting can go that high at all).
    with pytest.raises(PolicyOutOfBounds):
        check_change(
            Policy(two_approver_threshold=Decimal(20)), "auto_approve_limit", Decimal("10000.001")
        )


def test_a_conflict_names_the_setting_the_value_and_the_limit() -> None:
    with pytest.raises(PolicyConflict) as refused:
        check_change(Policy(two_approver_threshold=Decimal(20)), "auto_approve_limit", Decimal(21))
    assert (refused.value.field, refused.value.value, refused.value.limit) == (
        "auto_approve_limit",
        Decimal(21),
        Decimal(20),
    )
