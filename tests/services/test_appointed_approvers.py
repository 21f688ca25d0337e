"""The asker's own fresh appointees are not their second pair of eyes (bot.services.four_eyes),
on every four-eyes check: approving a request, confirming a setting change, confirming a
Partner key replacement. Against the services on a real database, no Slack."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from bot.clock import utcnow
from bot.db.models import RoleGrant
from bot.db.recurring_models import RecurringSeries
from bot.partner.models import Product
from bot.partner.transport import fingerprint
from bot.runtime import Runtime
from bot.services.audit import recent
from bot.services.four_eyes import AppointedByAsker
from bot.services.policy import get_policy
from bot.services.requests import Status
from bot.services.roles import Role, Subject, SubjectKind
from bot.services.settings_changes import Change, Setting, key_change
from bot.services.settings_changes import Status as ChangeStatus
from devkit.sandbox import DEMO_SMS_KEY, Sandbox
from tests.services.recurring_world import active_series
from tests.services.request_world import (
    ADMIN,
    REQUESTER,
    TEAM,
    People,
    pending_request,
)

PAL, PALS = "UPAL", "S0PALS"
NEW_KEY = "sandbox-sms-replacement-appointee-91ab"


class WithPals(People):
    """PAL is in the group PALS."""

    async def group_members(self, group_id: str) -> set[str]:
        return {PAL} if group_id == PALS else set()


Decide = Callable[[], Awaitable[bool]]
"""Decide as PAL; True when it was applied (approved / confirmed)."""


async def _request(runtime: Runtime, sandbox: Sandbox) -> Decide:
    request = await pending_request(runtime, sandbox)

    async def decide() -> bool:
        approval = await runtime.requests.approve(request.number, TEAM, PAL, WithPals())
        return approval.request.status is Status.APPROVED

    return decide


async def _change(runtime: Runtime, change: Change) -> Decide:
    proposed = await runtime.settings_changes.propose(TEAM, REQUESTER, change)

    async def decide() -> bool:
        decided = await runtime.settings_changes.confirm(proposed.id, TEAM, PAL, WithPals())
        return decided.status is ChangeStatus.APPLIED

    return decide


async def _policy_change(runtime: Runtime, sandbox: Sandbox) -> Decide:
    return await _change(runtime, Change(Setting.AUTO_APPROVE_LIMIT, Decimal(0), Decimal(50)))


async def _key_replacement(runtime: Runtime, sandbox: Sandbox) -> Decide:
    await runtime.keys.save(TEAM, {Product.SMS: DEMO_SMS_KEY}, ADMIN)
    return await _change(runtime, key_change(Product.SMS, fingerprint(DEMO_SMS_KEY), NEW_KEY))


async def _recurring_raise(runtime: Runtime, sandbox: Sandbox) -> Decide:
    """A series running for a month; its asker raises it now: judged from the raise."""
    series = await active_series(runtime, sandbox)
    async with runtime.database.session() as session:  # set-up: as if created a month ago
        await session.execute(
            update(RecurringSeries)
            .where(RecurringSeries.id == series.id)
            .values(created_at=utcnow() - timedelta(days=30))
        )
    await runtime.recurring.change(TEAM, series.number, REQUESTER, People(), amount=Decimal(9))

    async def decide() -> bool:
        raised, applied = await runtime.recurring.approve(TEAM, series.number, PAL, WithPals())
        return applied and raised.amount == 9

    return decide


THINGS = {
    "request approval": _request,
    "setting change": _policy_change,
    "key replacement": _key_replacement,
    "recurring raise": _recurring_raise,
}

AFTER = None
# (who appointed PAL, hours before the asking (AFTER: once it was asked), through PALS) → counts
CASES = [
    (REQUESTER, AFTER, False, False),
    (REQUESTER, 0, False, False),
    (REQUESTER, 23, False, False),
    (REQUESTER, 25, False, True),
    (ADMIN, 0, False, True),
    (ADMIN, AFTER, False, True),
    (REQUESTER, AFTER, True, False),
    (REQUESTER, 1, True, False),
    (REQUESTER, 25, True, True),
    (ADMIN, 1, True, True),
]


async def _appoint(runtime: Runtime, by: str, hours_ago: int, group: bool) -> None:
    subject = Subject(SubjectKind.USERGROUP, PALS) if group else Subject(SubjectKind.USER, PAL)
    assert await runtime.roles.grant(TEAM, Role.APPROVER, subject, by)
    async with runtime.database.session() as session:  # set-up: as if it was made back then
        await session.execute(
            update(RoleGrant)
            .where(RoleGrant.subject_id == subject.id)
            .values(granted_at=utcnow() - timedelta(hours=hours_ago))
        )


@pytest.mark.parametrize("thing", THINGS)
@pytest.mark.parametrize(("by", "hours_before", "group", "counts"), CASES)
async def test_who_counts_for_the_asker(
    runtime: Runtime,
    sandbox: Sandbox,
    thing: str,
    by: str,
    hours_before: int | None,
    group: bool,
    counts: bool,
) -> None:
    if hours_before is not AFTER:
        await _appoint(runtime, by, hours_before, group)
    decide = await THINGS[thing](runtime, sandbox)
    if hours_before is AFTER:
        await _appoint(runtime, by, 0, group)

    if counts:
        assert await decide()
        return
    with pytest.raises(AppointedByAsker) as refused:
        await decide()
    assert refused.value.asker_id == REQUESTER
    assert refused.value.change is (thing in ("setting change", "key replacement"))
    # Nothing moved: the request still waits, no change applied, the key still the old one.
    assert [r.status for r in await runtime.requests.of_requester(TEAM, REQUESTER)] in (
        [],
        [Status.PENDING],
    )
    assert [c.status for c in await runtime.settings_changes.pending(TEAM)] in (
        [],
        [ChangeStatus.PENDING],
    )
    assert (await get_policy(runtime.database, TEAM)).auto_approve_limit == Decimal(0)
    key = await runtime.keys.key(TEAM, Product.SMS)
    assert key is None or key.get_secret_value() == DEMO_SMS_KEY
    for series in await runtime.recurring.of_team(TEAM):  # the raise still waits
        assert series.amount == 7 and series.raised_figures == {"amount": "9"}


@pytest.mark.parametrize(
    ("thing", "action", "why"),
    [
        ("request approval", "approval_not_counted", "appointed by the requester"),
        ("setting change", "setting_change_not_confirmed", "appointed by the asker"),
        ("key replacement", "setting_change_not_confirmed", "appointed by the asker"),
    ],
)
async def test_a_click_that_does_not_count_is_audited(
    runtime: Runtime, sandbox: Sandbox, thing: str, action: str, why: str
) -> None:
    await _appoint(runtime, REQUESTER, 0, False)
    decide = await THINGS[thing](runtime, sandbox)
    with pytest.raises(AppointedByAsker):
        await decide()
    [entry] = [e for e in await recent(runtime.database, TEAM, 1) if e.actor_id == PAL]
    assert entry.action == action
    assert (entry.details or {}).get("why") == why
    assert NEW_KEY not in str(entry.details)


async def test_a_raise_proposed_before_its_time_was_kept_is_judged_from_the_series(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    """Stricter, not laxer: the asker's appointee of 25 hours ago, who counts for a raise
    asked now, does not for one whose time is unknown on a series created a month ago."""
    await _appoint(runtime, REQUESTER, 25, False)
    decide = await _recurring_raise(runtime, sandbox)
    [series] = await runtime.recurring.of_team(TEAM)
    assert series.proposed is not None and "at" in series.proposed
    async with runtime.database.session() as session:  # set-up: a raise of before
        await session.execute(
            update(RecurringSeries)
            .where(RecurringSeries.id == series.id)
            .values(proposed={"amount": "9", "by": REQUESTER})
        )
    with pytest.raises(AppointedByAsker):
        await decide()
    [series] = await runtime.recurring.of_team(TEAM)
    assert series.amount == 7 and series.raised_figures == {"amount": "9"}
