"""The approval policy: the order in which a policy change is checked, and what it names.

(The reason of every route over the whole edge table is checked in test_policy.py, against
the one statement of the rules there.)"""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.services.policy import (
    Policy,
    PolicyConflict,
    PolicyOutOfBounds,
    check_change,
)


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
