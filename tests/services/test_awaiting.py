"""Who may see what waits for a decision, and decide which of it: one rule in the service
(`Requests.awaiting`, `Roles.require_manager`), read by `/partner approvals`, digests, the
audit trail and spend-alert verdicts alike."""

from __future__ import annotations

import pytest

from bot.runtime import Runtime
from bot.services.errors import NotAllowed
from bot.services.requests import Status
from bot.services.roles import MANAGERS, Role, Subject, SubjectKind
from devkit.sandbox import Sandbox
from tests.services.request_world import (
    ADMIN,
    APPROVER,
    REQUESTER,
    STRANGER,
    TEAM,
    People,
    pending_request,
    put_in,
)


async def test_approvers_may_decide_what_waits_admins_only_see_it(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    request = await pending_request(runtime, sandbox)
    approver = await runtime.requests.awaiting(TEAM, APPROVER, People())
    assert [r.id for r in approver.requests] == [request.id]
    assert approver.decidable == {request.id}
    admin = await runtime.requests.awaiting(TEAM, ADMIN, People())
    assert [r.id for r in admin.requests] == [request.id]
    assert admin.decidable == frozenset()
    with pytest.raises(NotAllowed):
        await runtime.requests.awaiting(TEAM, STRANGER, People())


async def test_an_approver_may_not_decide_their_own_request(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    await runtime.roles.grant(TEAM, Role.APPROVER, Subject(SubjectKind.USER, REQUESTER), ADMIN)
    request = await pending_request(runtime, sandbox)
    assert (await runtime.requests.awaiting(TEAM, REQUESTER, People())).decidable == frozenset()
    assert (await runtime.requests.awaiting(TEAM, APPROVER, People())).decidable == {request.id}
    await put_in(runtime, request, Status.SUCCEEDED)  # decided: no longer waiting
    assert (await runtime.requests.awaiting(TEAM, APPROVER, People())).requests == ()


@pytest.mark.parametrize(
    ("user", "manager"), [(ADMIN, True), (APPROVER, True), (REQUESTER, False), (STRANGER, False)]
)
async def test_managers_are_admins_and_approvers(
    runtime: Runtime, user: str, manager: bool
) -> None:
    roles = runtime.roles
    assert await roles.is_manager(TEAM, user, People()) is manager
    if manager:
        await roles.require_manager(TEAM, user, People(), "post a digest in a channel")
        return
    with pytest.raises(NotAllowed) as refused:
        await roles.require_manager(TEAM, user, People(), "post a digest in a channel")
    assert (refused.value.action, refused.value.who_may) == ("post a digest in a channel", MANAGERS)
