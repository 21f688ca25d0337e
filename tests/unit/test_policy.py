"""The approval policy as a pure function: every combination of limits, at their edges.

The whole table is checked once, against ONE statement of the rules (`expected`), written
from the README and the policy module's docstring, independently of `decide_route`:

    Somebody outside the requesters group is refused. A deletion needs one approver. A move
    that moves no money (a new subaccount without credit) needs no approval. A move above the
    two-approver amount needs two. With auto-approve off every other move needs one approver;
    above the auto-approve limit, or past the requester's 24-hour cap, one approver; anything
    else runs at once. The first rule that applies is the reason given.

End to end (tests/slack) only a few representative routes are walked again.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.policy import (
    MAX_AMOUNTS,
    Adjustment,
    Outcome,
    Policy,
    PolicyConflict,
    PolicyOutOfBounds,
    RequestFacts,
    Why,
    check_change,
    decide_route,
)

STEP = Decimal("0.001")  # the smallest amount the vendor moves
AUTO_LIMITS = (Decimal(0), Decimal(20), Decimal(50))
DAILY_CAPS = (None, Decimal(30), Decimal(100))
TWO_APPROVER_AMOUNTS = (None, Decimal(20), Decimal(40))
ALREADY_USED = (Decimal(0), Decimal(25))


def expected(
    auto: Decimal,
    cap: Decimal | None,
    two: Decimal | None,
    used: Decimal,
    amount: Decimal | None,
    deletion: bool,
    allowed: bool,
) -> Why:
    """The reason the rules give: the first one that applies (not the code under test)."""
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


def _edges(auto: Decimal, cap: Decimal | None, two: Decimal | None, used: Decimal) -> set:
    """Just below, at and just above every limit that applies, plus a small and a big move."""
    limits = [auto, two, None if cap is None else cap - used]
    amounts = {STEP, Decimal(1000)}
    for limit in limits:
        if limit is not None and limit > 0:
            amounts |= {limit - STEP, limit, limit + STEP}
    return {a for a in amounts if a > 0}


def _cases() -> list[tuple]:
    cases = []
    for auto, cap, two, used in itertools.product(
        AUTO_LIMITS, DAILY_CAPS, TWO_APPROVER_AMOUNTS, ALREADY_USED
    ):
        for amount in sorted(_edges(auto, cap, two, used)):
            for deletion in (False, True):
                cases.append((auto, cap, two, used, amount, deletion, True))
        cases.append((auto, cap, two, used, None, False, True))  # new subaccount, no credit
        cases.append((auto, cap, two, used, Decimal(1), False, False))  # not a requester
        cases.append((auto, cap, two, used, None, True, False))
    return cases


CASES = _cases()


def _id(case: tuple) -> str:
    auto, cap, two, used, amount, deletion, allowed = case
    return (
        f"auto={auto}-cap={cap}-two={two}-used={used}-amount={amount}"
        f"{'-delete' if deletion else ''}{'' if allowed else '-outsider'}"
    )


def test_the_table_covers_every_combination_at_every_edge() -> None:
    assert len(CASES) > 500
    both = {(c[0], c[1], c[2], c[5]) for c in CASES}
    assert len(both) == len(AUTO_LIMITS) * len(DAILY_CAPS) * len(TWO_APPROVER_AMOUNTS) * 2


def test_every_reason_is_reached_by_the_table() -> None:
    assert {expected(*case) for case in CASES} == set(Why)


def _disagreement(case: tuple) -> str | None:
    auto, cap, two, used, amount, deletion, allowed = case
    policy = Policy(auto_approve_limit=auto, daily_auto_approve_cap=cap, two_approver_threshold=two)
    route = decide_route(policy, RequestFacts(allowed, deletion, amount, used))
    why = expected(*case)
    outcome, approvers = MEANS[why]
    got = (route.why, route.outcome, route.approvers, route.runs_now, route.refused)
    wanted = (why, outcome, approvers, outcome is Outcome.RUNS_NOW, outcome is Outcome.REFUSED)
    return None if got == wanted else f"{_id(case)}: got {got}, the rules say {wanted}"


def test_every_route_of_the_table_follows_the_rules() -> None:
    # One test walks the whole table (a thousand pytest items cost seconds and add nothing);
    # a failure lists every case that disagrees, by name.
    wrong = [d for case in CASES if (d := _disagreement(case)) is not None]
    assert wrong == [], f"{len(wrong)} of {len(CASES)} cases:\n" + "\n".join(wrong[:40])


@pytest.mark.parametrize(
    ("policy", "facts", "why"),
    [
        (Policy(), RequestFacts(False, True, None), Why.REQUESTER_NOT_ALLOWED),
        (Policy(auto_approve_limit=Decimal(50)), RequestFacts(True, True, None), Why.DELETION),
        (Policy(), RequestFacts(True, False, None), Why.MOVES_NO_MONEY),
        (
            Policy(auto_approve_limit=Decimal(50), two_approver_threshold=Decimal(20)),
            RequestFacts(True, False, Decimal(30)),
            Why.ABOVE_TWO_APPROVER_AMOUNT,
        ),
        (Policy(), RequestFacts(True, False, Decimal(1)), Why.NO_AUTO_APPROVAL),
        (
            Policy(auto_approve_limit=Decimal(20)),
            RequestFacts(True, False, Decimal("20.001")),
            Why.ABOVE_AUTO_APPROVE_LIMIT,
        ),
        (
            Policy(auto_approve_limit=Decimal(20), daily_auto_approve_cap=Decimal(30)),
            RequestFacts(True, False, Decimal(10), Decimal("20.001")),
            Why.OVER_DAILY_CAP,
        ),
        (
            Policy(auto_approve_limit=Decimal(20), daily_auto_approve_cap=Decimal(30)),
            RequestFacts(True, False, Decimal(10), Decimal(20)),
            Why.WITHIN_AUTO_APPROVE_LIMIT,
        ),
    ],
)
def test_the_route_says_why(policy: Policy, facts: RequestFacts, why: Why) -> None:
    assert decide_route(policy, facts).why is why


_money = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10_000), places=3)


@given(
    auto=st.one_of(st.just(Decimal(0)), _money),
    cap=st.one_of(st.none(), _money),
    two=_money,
    used=st.one_of(st.just(Decimal(0)), _money),
    amount=_money,
)
def test_above_the_two_approver_amount_nothing_runs_at_once(
    auto: Decimal, cap: Decimal | None, two: Decimal, used: Decimal, amount: Decimal
) -> None:
    policy = Policy(auto_approve_limit=auto, daily_auto_approve_cap=cap, two_approver_threshold=two)
    route = decide_route(policy, RequestFacts(True, False, amount, used))
    if amount > two:
        assert route.outcome is Outcome.NEEDS_APPROVAL and route.approvers == 2
    else:
        assert route.approvers < 2


# --- settings that would contradict each other ------------------------------------------------


@pytest.mark.parametrize(
    ("before", "field", "value", "result"),
    [
        # auto-approve above the two-approver amount: refused
        (Policy(two_approver_threshold=Decimal(20)), "auto_approve_limit", Decimal(50), "refused"),
        (
            Policy(two_approver_threshold=Decimal(20)),
            "auto_approve_limit",
            Decimal("20.001"),
            "refused",
        ),
        # up to it: fine (up to 20 runs at once, above 20 needs two)
        (Policy(two_approver_threshold=Decimal(20)), "auto_approve_limit", Decimal(20), []),
        (Policy(two_approver_threshold=Decimal(20)), "auto_approve_limit", Decimal(5), []),
        (Policy(), "auto_approve_limit", Decimal(500), []),
        # a two-approver amount below auto-approve brings auto-approve down with it
        (
            Policy(auto_approve_limit=Decimal(50)),
            "two_approver_threshold",
            Decimal(20),
            [Adjustment("auto_approve_limit", Decimal(50), Decimal(20))],
        ),
        (Policy(auto_approve_limit=Decimal(50)), "two_approver_threshold", Decimal(50), []),
        (Policy(auto_approve_limit=Decimal(50)), "two_approver_threshold", None, []),
        (Policy(auto_approve_limit=Decimal(50)), "daily_auto_approve_cap", Decimal(10), []),
    ],
)
def test_check_change(before: Policy, field: str, value: object, result: object) -> None:
    if result == "refused":
        with pytest.raises(PolicyConflict) as refused:
            check_change(before, field, value)
        assert refused.value.limit == before.two_approver_threshold
    else:
        assert check_change(before, field, value) == result


@pytest.mark.parametrize(
    ("auto", "two", "effective"),
    [
        (Decimal(50), None, Decimal(50)),
        (Decimal(50), Decimal(20), Decimal(20)),
        (Decimal(10), Decimal(20), Decimal(10)),
        (Decimal(0), Decimal(20), Decimal(0)),
    ],
)
def test_effective_auto_approve_limit_never_exceeds_the_two_approver_amount(
    auto: Decimal, two: Decimal | None, effective: Decimal
) -> None:
    policy = Policy(auto_approve_limit=auto, two_approver_threshold=two)
    assert policy.effective_auto_approve_limit == effective


@pytest.mark.parametrize(
    ("field", "value", "refused"),
    [
        ("auto_approve_limit", Decimal(10_000), False),
        ("auto_approve_limit", Decimal("10000.001"), True),
        ("auto_approve_limit", Decimal(1_000_000), True),
        ("daily_auto_approve_cap", Decimal(100_000), False),
        ("daily_auto_approve_cap", Decimal("100000.001"), True),
        ("two_approver_threshold", Decimal(1_000_000), False),
        ("two_approver_threshold", Decimal("1000000.001"), True),
        ("daily_auto_approve_cap", None, False),
        ("two_approver_threshold", None, False),
    ],
)
def test_amounts_have_an_upper_bound(field: str, value: Decimal | None, refused: bool) -> None:
    if refused:
        with pytest.raises(PolicyOutOfBounds) as error:
            check_change(Policy(), field, value)
        assert error.value.bound == MAX_AMOUNTS[field] and error.value.field == field
    else:
        check_change(Policy(), field, value)
