"""The request state machine, table-driven against the service itself (a real database and the
vendor sandbox, no Slack): from each status, what each action does, who may do it, and what
the audit records."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from bot.db.models import CreditRequest
from bot.db.session import Database
from bot.runtime import Runtime
from bot.services.audit import recent
from bot.services.errors import NotAllowed
from bot.services.policy import change_policy
from bot.services.requests import (
    AlreadyApprovedByYou,
    AlreadyDecided,
    OwnRequest,
    RequestSnapshot,
    Status,
)
from bot.services.roles import Role, Subject, SubjectKind
from bot.services.settings_changes import Change, Setting
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


async def each_transition_and_its_audit(
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


async def a_request_that_moved_on_is_not_moved_again(
    runtime: Runtime, sandbox: Sandbox, start: Status, action: str, who: str
) -> None:
    request = await pending_request(runtime, sandbox)
    await put_in(runtime, request, start)
    with pytest.raises(AlreadyDecided):
        await act(runtime, request, action, who)
    assert (await runtime.requests.get(request.id)).status is start


async def who_may_not(
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


# --- every from/to pair -------------------------------------------------------------------------

DECISIONS = ("approve", "reject", "cancel", "mark done", "mark failed")
RIGHT_PERSON = {
    "approve": APPROVER,
    "reject": APPROVER,
    "cancel": REQUESTER,
    "mark done": APPROVER,
    "mark failed": APPROVER,
}
ALLOWED = {(start, action): (end, event) for start, action, _, end, event in TRANSITIONS}
"""Of the 9 × 5 (status, decision) pairs, the only moves; every other pair is refused."""


async def every_status_and_decision(
    runtime: Runtime, sandbox: Sandbox, start: Status, action: str
) -> None:
    request = await pending_request(runtime, sandbox)
    await put_in(runtime, request, start)
    who = RIGHT_PERSON[action]
    before = len(await recent(runtime.database, TEAM, 1))
    if (start, action) in ALLOWED:
        end, event = ALLOWED[start, action]
        after = await act(runtime, request, action, who)
        assert isinstance(after, RequestSnapshot) and after.status is end
        assert (after.finished_at is not None) is end.is_final  # approved goes on
        assert after.decided_by == who
        newest = (await recent(runtime.database, TEAM, 1))[0]
        assert (newest.action, newest.actor_id, newest.request_id) == (event, who, request.id)
        assert (newest.product, newest.amount) == ("sms", Decimal(5))
        return
    with pytest.raises(AlreadyDecided) as refused:
        await act(runtime, request, action, who)
    assert refused.value.request.status is start
    assert (await runtime.requests.get(request.id)).status is start
    entries = await recent(runtime.database, TEAM, 1)
    # A refused decision writes nothing, except a late approval, audited as not counted.
    assert [e.action for e in entries[: len(entries) - before]] == []


SYSTEM_MOVES = [  # (step, the one status it moves from, to, the audit event)
    ("withdraw", Status.PENDING, Status.CANCELLED, "withdrawn"),
    ("expire", Status.PENDING, Status.EXPIRED, "expired"),
    ("execute", Status.APPROVED, Status.SUCCEEDED, "vendor_succeeded"),
]


async def system_step(runtime: Runtime, request: RequestSnapshot, step: str) -> RequestSnapshot:
    requests = runtime.requests
    match step:
        case "withdraw":
            return await requests.withdraw(request.id, "the card could not be posted")
        case "expire":
            async with runtime.database.session() as session:
                await session.execute(
                    update(CreditRequest)
                    .where(CreditRequest.id == request.id)
                    .values(expires_at=request.created_at - timedelta(hours=1))
                )
            await requests.expire_due()
            return await requests.get(request.id)
        case "execute":
            return await requests.execute(request.id)
    raise AssertionError(step)


async def what_the_system_moves_and_from_where(
    runtime: Runtime,
    sandbox: Sandbox,
    start: Status,
    step: str,
    moves_from: Status,
    end: Status,
    event: str,
) -> None:
    request = await pending_request(runtime, sandbox)
    await put_in(runtime, request, start)
    after = await system_step(runtime, request, step)
    mine = [e for e in await recent(runtime.database, TEAM, 1) if e.request_id == request.id]
    if start is moves_from:
        assert after.status is end
        assert mine[0].action == event and mine[0].actor_id == "system"
    else:
        assert after.status is start  # nothing happens, nothing is audited
        assert [e.action for e in mine] == ["request_created"]


# --- who may ------------------------------------------------------------------------------------

WHO = [  # (decision, from, who) → allowed, or the refusal
    (action, start, who, error)
    for action, start in (
        ("approve", Status.PENDING),
        ("reject", Status.PENDING),
        ("cancel", Status.PENDING),
        ("mark done", Status.UNKNOWN),
        ("mark failed", Status.UNKNOWN),
    )
    for who, error in (
        (REQUESTER, OwnRequest if action == "approve" else None),
        (APPROVER, None),
        (STRANGER, NotAllowed),
        (ADMIN, NotAllowed),  # a workspace admin is no approver unless made one
    )
]


def _may(action: str, who: str, error: type | None) -> type | None:
    """The requester may cancel and nothing else; approvers decide and may not cancel."""
    if error is not None:
        return error
    if who == REQUESTER:
        return None if action == "cancel" else NotAllowed
    return NotAllowed if action == "cancel" else None


async def who_may_decide(
    runtime: Runtime, sandbox: Sandbox, action: str, start: Status, who: str, error: type | None
) -> None:
    request = await pending_request(runtime, sandbox)
    await put_in(runtime, request, start)
    refusal = _may(action, who, error)
    if refusal is None:
        after = await act(runtime, request, action, who)
        assert isinstance(after, RequestSnapshot) and after.status is not start
        assert after.decided_by == who
        return
    with pytest.raises(refusal):
        await act(runtime, request, action, who)
    assert (await runtime.requests.get(request.id)).status is start
    assert (await runtime.requests.get(request.id)).approvers == ()


# --- the tables, each case a subtest --------------------------------------------------------
# Each case makes its own request and looks only at it (its status, its audit entries, the
# newest entry when it has just written one), so a table's cases share one runtime and one
# database: starting them for each of its ~130 cases was most of this file's time. A failing
# case is reported as itself (pytest's subtests) and the others still run.


@pytest.fixture
def runtime_settings() -> dict[str, object]:
    # A case asks for what the one before it asked (the same 5 on the same subaccount): no
    # "just like request #n" to confirm between cases (tests/services/test_request_workflow.py
    # tests which requests are alike).
    return {"similar_request_window_seconds": 0}


def case(*values: object) -> str:
    return " ".join(
        v.value if isinstance(v, Status) else getattr(v, "__name__", str(v)) for v in values
    )


async def test_each_transition_and_its_audit(
    runtime: Runtime, sandbox: Sandbox, subtests: pytest.Subtests
) -> None:
    for start, action, who, end, event in TRANSITIONS:
        with subtests.test(case(start, action, who)):
            await each_transition_and_its_audit(runtime, sandbox, start, action, who, end, event)


async def test_a_request_that_moved_on_is_not_moved_again(
    runtime: Runtime, sandbox: Sandbox, subtests: pytest.Subtests
) -> None:
    for start, action, who in LATE:
        with subtests.test(case(start, action, who)):
            await a_request_that_moved_on_is_not_moved_again(runtime, sandbox, start, action, who)


async def test_who_may_not(runtime: Runtime, sandbox: Sandbox, subtests: pytest.Subtests) -> None:
    for start, action, who, error in REFUSED:
        with subtests.test(case(start, action, who, error)):
            await who_may_not(runtime, sandbox, start, action, who, error)


async def test_every_status_and_decision(
    runtime: Runtime, sandbox: Sandbox, subtests: pytest.Subtests
) -> None:
    for start in Status:
        for action in DECISIONS:
            with subtests.test(case(start, action)):
                await every_status_and_decision(runtime, sandbox, start, action)


async def test_what_the_system_moves_and_from_where(
    runtime: Runtime, sandbox: Sandbox, subtests: pytest.Subtests
) -> None:
    for start in Status:
        for step, moves_from, end, event in SYSTEM_MOVES:
            with subtests.test(case(start, step)):
                await what_the_system_moves_and_from_where(
                    runtime, sandbox, start, step, moves_from, end, event
                )


async def test_who_may_decide(
    runtime: Runtime, sandbox: Sandbox, subtests: pytest.Subtests
) -> None:
    for action, start, who, error in WHO:
        with subtests.test(case(action, start, who, error)):
            await who_may_decide(runtime, sandbox, action, start, who, error)


# --- approval counting --------------------------------------------------------------------------

APPROVER_2 = "UAPP2"


@pytest.fixture
async def two_approvers(runtime: Runtime, database: Database) -> Runtime:
    await runtime.roles.grant(TEAM, Role.APPROVER, Subject(SubjectKind.USER, APPROVER_2), ADMIN)
    return runtime


def _counting(entries: list, request_id: int) -> list[tuple[str, str | None, object]]:
    """The approval audit of one request, oldest first: (event, who, what it says)."""
    return [
        (e.action, e.actor_id, e.details.get("approvers") or e.details.get("why"))
        for e in reversed(entries)
        if e.request_id == request_id and e.action.startswith("approv")
    ]


COUNTING = [  # (approvals needed, the clicks in order) → (final status, approval audit)
    (
        1,
        [APPROVER],
        Status.APPROVED,
        [("approval_counted", APPROVER, "1 of 1"), ("approved", APPROVER, 1)],
    ),
    (
        2,
        [APPROVER],
        Status.PENDING,
        [("approval_counted", APPROVER, "1 of 2")],
    ),
    (
        2,
        [APPROVER, APPROVER_2],
        Status.APPROVED,
        [
            ("approval_counted", APPROVER, "1 of 2"),
            ("approval_counted", APPROVER_2, "2 of 2"),
            ("approved", APPROVER_2, 2),
        ],
    ),
    (
        2,
        [APPROVER, APPROVER],
        Status.PENDING,
        [
            ("approval_counted", APPROVER, "1 of 2"),
            ("approval_not_counted", APPROVER, "already approved by them"),
        ],
    ),
    (2, [REQUESTER], Status.PENDING, []),
    (1, [REQUESTER], Status.PENDING, []),
    (2, [REQUESTER, APPROVER], Status.PENDING, [("approval_counted", APPROVER, "1 of 2")]),
]


@pytest.mark.parametrize(("needed", "clicks", "end", "audited"), COUNTING)
async def test_approval_counting(
    two_approvers: Runtime,
    sandbox: Sandbox,
    database: Database,
    needed: int,
    clicks: list[str],
    end: Status,
    audited: list[tuple[str, str, object]],
) -> None:
    runtime = two_approvers
    if needed == 2:
        await change_policy(database, TEAM, ADMIN, two_approver_threshold=Decimal(1))
    request = await pending_request(runtime, sandbox)
    assert request.approvals_needed == needed
    counted: list[str] = []
    for who in clicks:
        try:
            approval = await runtime.requests.approve(request.number, TEAM, who, People())
        except OwnRequest:
            assert who == REQUESTER
            continue
        except AlreadyApprovedByYou:
            assert who in counted
            continue
        counted.append(who)
        assert approval.complete is (len(counted) == needed)
    after = await runtime.requests.get(request.id)
    assert after.status is end
    assert after.approvers == tuple(counted)
    assert after.decided_by == (counted[-1] if end is Status.APPROVED else None)
    assert _counting(await recent(runtime.database, TEAM, 1), request.id) == audited


# --- a Partner key changed ---------------------------------------------------------------------

OTHER_SMS_KEY = "sandbox-sms-another-account-3b8d"


class Told:
    """What a key change reports: cards redrawn and requesters told (nobody is acting)."""

    def __init__(self) -> None:
        self.cards: list[int] = []
        self.requesters: list[int] = []

    async def card_changed(self, request: RequestSnapshot) -> None:
        self.cards.append(request.number)

    async def requester_told(self, request: RequestSnapshot) -> None:
        self.requesters.append(request.number)


@pytest.mark.parametrize("start", list(Status))
@pytest.mark.parametrize("another_key", [True, False], ids=["another key", "the same key"])
async def test_a_key_change_withdraws_what_was_not_carried_out_yet(
    runtime: Runtime, sandbox: Sandbox, start: Status, another_key: bool
) -> None:
    """Pending and approved requests made with another key are withdrawn (the new key may be
    another vendor account); nothing else moves, and the same key saved again moves nothing."""
    from bot.partner.models import Product
    from devkit.sandbox import DEMO_SMS_KEY

    request = await pending_request(runtime, sandbox)
    await put_in(runtime, request, start)
    sandbox.add_account(Product.SMS, api_key=OTHER_SMS_KEY)
    key = OTHER_SMS_KEY if another_key else DEMO_SMS_KEY
    await runtime.keys.save(TEAM, {Product.SMS: key}, ADMIN)
    told = Told()
    withdrawn = await runtime.requests.key_changed(TEAM, Product.SMS, told)  # type: ignore[arg-type]
    after = await runtime.requests.get(request.id)
    mine = [e for e in await recent(runtime.database, TEAM, 1) if e.request_id == request.id]
    if another_key and start in (Status.PENDING, Status.APPROVED):
        assert after.status is Status.CANCELLED and after.withdrawn_for_key
        assert [r.number for r in withdrawn] == told.requesters == told.cards == [request.number]
        assert mine[0].action == "withdrawn" and mine[0].actor_id == "system"
        # Withdrawn once: a second sweep (another process) finds nothing left to do.
        assert await runtime.requests.key_changed(TEAM, Product.SMS, told) == []  # type: ignore[arg-type]
    else:
        assert after.status is start and withdrawn == [] and told.requesters == []
        assert [e.action for e in mine] == ["request_created"]
    assert sandbox.calls(endpoint="/subaccount/credit/add") == []
