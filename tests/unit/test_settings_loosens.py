"""Which setting changes loosen money control (and so wait for an approver): one table."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from bot.services.settings_changes import NO_KEY_IN_USE, Setting, loosens, replaced_key

S = Setting


@pytest.mark.parametrize(
    ("setting", "old", "new", "expected"),
    [
        # auto-approve: raising loosens, lowering tightens, the same is nothing
        (S.AUTO_APPROVE_LIMIT, D(0), D(50), True),
        (S.AUTO_APPROVE_LIMIT, D(50), D("50.001"), True),
        (S.AUTO_APPROVE_LIMIT, D(50), D(20), False),
        (S.AUTO_APPROVE_LIMIT, D(50), D(0), False),
        (S.AUTO_APPROVE_LIMIT, D(50), D("50.000"), False),
        # daily cap: None is "no cap"
        (S.DAILY_AUTO_APPROVE_CAP, D(200), D(500), True),
        (S.DAILY_AUTO_APPROVE_CAP, D(200), None, True),
        (S.DAILY_AUTO_APPROVE_CAP, D(200), D(100), False),
        (S.DAILY_AUTO_APPROVE_CAP, None, D(100), False),
        (S.DAILY_AUTO_APPROVE_CAP, None, None, False),
        # two approvers: None is "never two"
        (S.TWO_APPROVER_THRESHOLD, D(1000), D(5000), True),
        (S.TWO_APPROVER_THRESHOLD, D(1000), None, True),
        (S.TWO_APPROVER_THRESHOLD, D(1000), D(100), False),
        (S.TWO_APPROVER_THRESHOLD, None, D(1000), False),
        # the approvals channel: moving it loosens, choosing the first one is set-up
        (S.APPROVALS_CHANNEL, "C1", "C2", True),
        (S.APPROVALS_CHANNEL, None, "C1", False),
        (S.APPROVALS_CHANNEL, "C1", "C1", False),
        # roles: old/new say whether the subject has the role
        (S.ADMIN, False, True, True),
        (S.ADMIN, True, False, False),
        (S.APPROVER, True, False, True),
        (S.APPROVER, False, True, False),
        # Partner keys: replacing a key loosens; only a new workspace's first key is set-up
        (S.PARTNER_KEY, "…2e7b", "…9f00", True),
        (S.PARTNER_KEY, None, "…9f00", False),
        (S.PARTNER_KEY, NO_KEY_IN_USE, "…9f00", True),
        (S.PARTNER_KEY, "…9f00", "…9f00", True),  # another key may end the same way
        # a subaccount: unfreezing loosens; a first or lower cap tightens, raising or
        # removing one loosens (None is "no cap")
        (S.SUBACCOUNT_FROZEN, True, False, True),
        (S.SUBACCOUNT_FROZEN, False, True, False),
        (S.SUBACCOUNT_CAP, None, D(100), False),
        (S.SUBACCOUNT_CAP, D(100), D(50), False),
        (S.SUBACCOUNT_CAP, D(100), D("100.001"), True),
        (S.SUBACCOUNT_CAP, D(100), None, True),
        (S.SUBACCOUNT_CAP, D(100), D("100.000"), False),
        # settings that move no money by themselves
        (S.EXPIRY_HOURS, 24, 336, False),
        (S.EXPIRY_HOURS, 24, 1, False),
        (S.REQUESTERS, "S1", None, False),
        (S.REQUESTERS, None, "S1", False),
    ],
)
def test_loosens(setting: Setting, old: object, new: object, expected: bool) -> None:
    assert loosens(setting, old, new) is expected


def test_a_key_change_shows_only_fingerprints() -> None:
    from bot.partner.models import Product
    from bot.services.settings_changes import key_change

    change = key_change(Product.SMS, "…2e7b", "sandbox-sms-new-key-0d9f")
    assert change.new == "…0d9f" and change.loosens
    assert "sandbox-sms-new-key" not in repr(change) and "sandbox-sms-new-key" not in str(change)


@pytest.mark.parametrize(
    ("current", "last_saved", "in_use", "expected"),
    [
        # a key in use is what is replaced, whatever else is known
        ("…2e7b", "…2e7b", True, "…2e7b"),
        ("…2e7b", None, False, "…2e7b"),
        # none now, but one was saved once (an uninstall deleted it): a replacement
        (None, "…2e7b", False, "…2e7b"),
        (None, "…2e7b", True, "…2e7b"),
        # never a key for this product, in a workspace with roles, a policy or requests
        (None, None, True, NO_KEY_IN_USE),
        # a workspace starting from nothing: its first key is set-up
        (None, None, False, None),
    ],
)
def test_what_a_new_key_replaces(
    current: str | None, last_saved: str | None, in_use: bool, expected: str | None
) -> None:
    old = replaced_key(current, last_saved, in_use)
    assert old == expected
    assert loosens(S.PARTNER_KEY, old, "…9f00") is (expected is not None)
