"""The request state machine, table-driven against the service itself (a real database and the
vendor sandbox, no Slack): from each status, what each action does, who may do it, and what
the audit records."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from sqlalchemy import update

from bot.db.models import CreditRequest
from bot.db.session import Database
from bot.devkit.emulator import FakeSlack
from bot.devkit.sandbox import DEMO_SMS_KEY, Sandbox
from bot.partner.models import Product
from bot.runtime import Runtime
from bot.services.audit import recent
from bot.services.directory import Standing
from bot.services.errors import NotAllowed
from bot.services.policy import change_policy
from bot.services.requests import (
    Action,
    AlreadyDecided,
    OwnRequest,
    RequestSnapshot,
    Status,
)
from bot.services.roles import Role, Subject, SubjectKind
from bot.services.settings_changes import Change, Setting
from tests.slack.harness import settings_for

TEAM = "T0SM"
REQUESTER, APPROVER, STRANGER, ADMIN = "UREQ", "UAPP", "UOTHER", "UADM"


class People:
    """The services' Directory, answered from a fixed list (what the Slack layer asks Slack)."""

    async def is_workspace_admin(self, user_id: str) -> bool:
        return user_id == ADMIN

    async def group_members(self, group_id: str) -> set[str]:
        return set()

    async def user_standing(self, user_id: str) -> Standing:
        return Standing.PERSON

    async def group_handle(self, group_id: str) -> str | None:
        return None


@pytest.fixture
async def runtime(database: Database, sandbox: Sandbox) -> AsyncIterator[Runtime]:
    async with FakeSlack() as fake:  # only its URL: no Slack call is made here
        runtime = await Runtime.start(settings_for(fake, sandbox, database.url), migrate=False)
        try:
            await change_policy(database, TEAM, ADMIN, approvals_channel_id="C0APPR")
            await runtime.roles.grant(
                TEAM, Role.APPROVER, Subject(SubjectKind.USER, APPROVER), ADMIN
            )
            yield runtime
        finally:
            await runtime.close()


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox() as running:
        yield running


async def pending_request(runtime: Runtime, sandbox: Sandbox) -> RequestSnapshot:
    sub = sandbox.accounts[DEMO_SMS_KEY].subaccounts[3]
    submitted = await runtime.requests.request_credit(
        TEAM, REQUESTER, Product.SMS, Action.CREDIT_ADD, sub.token, Decimal(5), None, People()
    )
    assert submitted.request.status is Status.PENDING
    return submitted.request


async def put_in(runtime: Runtime, request: RequestSnapshot, status: Status) -> None:
    """Test set-up only: place the request in `status` as if it had got there."""
    async with runtime.database.session() as session:
        await session.execute(
            update(CreditRequest).where(CreditRequest.id == request.id).values(status=status.value)
        )


async def act(runtime: Runtime, request: RequestSnapshot, action: str, who: str) -> object:
    requests, number = runtime.requests, request.number
    match action:
        case "approve":
            return (await requests.approve(number, TEAM, who, People())).request
        case "reject":
            return await requests.reject(number, TEAM, who, "no", People())
        case "cancel":
            return await requests.cancel(number, TEAM, who)
        case "mark done":
            return await requests.mark_outcome(number, TEAM, who, True, People())
        case "mark failed":
            return await requests.mark_outcome(number, TEAM, who, False, People())
    raise AssertionError(action)


# (from, action, by) → (to, the audit event recorded) or the error raised
TRANSITIONS = [
    (Status.PENDING, "approve", APPROVER, Status.APPROVED, "approved"),
    (Status.PENDING, "reject", APPROVER, Status.REJECTED, "rejected"),
    (Status.PENDING, "cancel", REQUESTER, Status.CANCELLED, "cancelled"),
    (Status.UNKNOWN, "mark done", APPROVER, Status.SUCCEEDED, "marked_done"),
    (Status.UNKNOWN, "mark failed", APPROVER, Status.FAILED, "marked_failed"),
]
LATE = [  # the request has moved on: nothing changes, the clicker is told
    (status, action, who)
    for status in (
        Status.APPROVED,
        Status.EXECUTING,
        Status.SUCCEEDED,
        Status.FAILED,
        Status.REJECTED,
        Status.EXPIRED,
        Status.CANCELLED,
    )
    for action, who in (("approve", APPROVER), ("reject", APPROVER), ("cancel", REQUESTER))
] + [(Status.PENDING, "mark done", APPROVER), (Status.SUCCEEDED, "mark failed", APPROVER)]
REFUSED = [  # not theirs to do, whatever the status
    (Status.PENDING, "approve", REQUESTER, OwnRequest),
    (Status.PENDING, "approve", STRANGER, NotAllowed),
    (Status.PENDING, "reject", STRANGER, NotAllowed),
    (Status.PENDING, "reject", REQUESTER, NotAllowed),
    (Status.PENDING, "cancel", APPROVER, NotAllowed),
    (Status.UNKNOWN, "mark done", REQUESTER, NotAllowed),
]


@pytest.mark.parametrize(("start", "action", "who", "end", "event"), TRANSITIONS)
async def test_each_transition_and_its_audit(
    runtime: Runtime,
    sandbox: Sandbox,
    start: Status,
    action: str,
    who: str,
    end: Status,
    event: str,
) -> None:
    request = await pending_request(runtime, sandbox)
    await put_in(runtime, request, start)
    after = await act(runtime, request, action, who)
    assert isinstance(after, RequestSnapshot) and after.status is end
    events = [e for e in await recent(runtime.database, TEAM, 1) if e.request_id == request.id]
    assert events[0].action == event and events[0].actor_id == who  # newest first


@pytest.mark.parametrize(("start", "action", "who"), LATE)
async def test_a_request_that_moved_on_is_not_moved_again(
    runtime: Runtime, sandbox: Sandbox, start: Status, action: str, who: str
) -> None:
    request = await pending_request(runtime, sandbox)
    await put_in(runtime, request, start)
    with pytest.raises(AlreadyDecided):
        await act(runtime, request, action, who)
    assert (await runtime.requests.get(request.id)).status is start


@pytest.mark.parametrize(("start", "action", "who", "error"), REFUSED)
async def test_who_may_not(
    runtime: Runtime, sandbox: Sandbox, start: Status, action: str, who: str, error: type
) -> None:
    request = await pending_request(runtime, sandbox)
    await put_in(runtime, request, start)
    with pytest.raises(error):
        await act(runtime, request, action, who)
    assert (await runtime.requests.get(request.id)).status is start


async def test_only_an_approved_request_is_carried_out(runtime: Runtime, sandbox: Sandbox) -> None:
    request = await pending_request(runtime, sandbox)
    assert (await runtime.requests.execute(request.id)).status is Status.PENDING
    assert sandbox.calls(endpoint="/subaccount/credit/add") == []
    await put_in(runtime, request, Status.APPROVED)
    assert (await runtime.requests.execute(request.id)).status is Status.SUCCEEDED
    assert (await runtime.requests.execute(request.id)).status is Status.SUCCEEDED
    assert len(sandbox.calls(endpoint="/subaccount/credit/add")) == 1


async def test_setting_changes_are_numbered_per_workspace(runtime: Runtime) -> None:
    """Like requests, setting changes show and carry their number in the workspace only."""
    changes = runtime.settings_changes
    raise_limit = Change(Setting.AUTO_APPROVE_LIMIT, Decimal(0), Decimal(50))
    other = await changes.propose("T0ELSE", ADMIN, raise_limit)  # another workspace first
    first = await changes.propose(TEAM, ADMIN, raise_limit)
    second = await changes.propose(TEAM, ADMIN, Change(Setting.AUTO_APPROVE_LIMIT, 0, 60))
    assert (other.number, first.number, second.number) == (1, 1, 2)
    assert (await changes.by_number(TEAM, 2)).id == second.id
    assert (await changes.by_number("T0ELSE", 1)).id == other.id
    entries = [e for e in await recent(runtime.database, TEAM, 1) if e.action.startswith("setting")]
    assert {e.details.get("change") for e in entries} == {"#1", "#2"}
