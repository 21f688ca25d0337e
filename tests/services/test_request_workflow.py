"""The service decides every next step of a request and reports it through `RequestNotices`:
tested here with a notices recorder in place of Slack (the boundary the service talks to),
the real database and the vendor sandbox. What Slack shows for each event is tested end to
end in tests/slack."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from bot.db.models import CreditRequest
from bot.db.session import Database
from bot.partner.models import Product
from bot.runtime import Runtime
from bot.services.audit import recent
from bot.services.policy import change_policy
from bot.services.requests import (
    WITHDRAWN_NOTE,
    Action,
    Ask,
    CardPosted,
    CardRefused,
    NotARequester,
    RequestSnapshot,
    Status,
)
from bot.services.roles import Role, Subject, SubjectKind
from devkit.sandbox import DEMO_SMS_KEY, Sandbox
from tests.services.request_world import (
    ADMIN,
    APPROVER,
    REQUESTER,
    TEAM,
    People,
    pending_request,
    put_in,
)

CARD = CardPosted("C0APPR", "1700000000.000100")
APPROVER_2 = "UAPP2"


class Recorder:
    """`RequestNotices` that writes down each call: (event, request number, status as told)."""

    def __init__(self, card: CardPosted | CardRefused | None = CARD) -> None:
        self.card = card
        self.calls: list[tuple[str, int, Status]] = []
        self.card_known: list[bool] = []
        self.locked_out: list[NotARequester] = []

    def _note(self, event: str, request: RequestSnapshot) -> None:
        self.calls.append((event, request.number, request.status))

    async def card_needed(self, request: RequestSnapshot, channel_id: str) -> CardPosted | None:
        self._note("card_needed", request)
        if isinstance(self.card, CardRefused):
            raise self.card
        return self.card

    async def card_changed(self, request: RequestSnapshot) -> None:
        self._note("card_changed", request)

    async def requester_told(self, request: RequestSnapshot) -> None:
        self._note("requester_told", request)

    async def sent_late(
        self, request: RequestSnapshot, channel_id: str, *, card_known: bool
    ) -> None:
        self._note("sent_late", request)
        self.card_known.append(card_known)

    async def withdrawn_late(self, request: RequestSnapshot, channel_id: str, reason: str) -> None:
        self._note("withdrawn_late", request)

    async def admins_locked_out(self, refused: NotARequester) -> None:
        self.locked_out.append(refused)

    async def similar_found(self, ask: Ask, earlier: RequestSnapshot) -> None:
        self._note("similar_found", earlier)

    async def ran_now(self, request: RequestSnapshot) -> None:
        self._note("ran_now", request)

    async def sent_for_approval(
        self, request: RequestSnapshot, channel_id: str, *, card_known: bool
    ) -> None:
        self._note("sent_for_approval", request)
        self.card_known.append(card_known)

    async def withdrawn(self, request: RequestSnapshot, channel_id: str, reason: str) -> None:
        self._note("withdrawn", request)

    async def approval_counted(self, request: RequestSnapshot) -> None:
        self._note("approval_counted", request)

    async def already_approved_by_you(self, request: RequestSnapshot) -> None:
        self._note("already_approved_by_you", request)

    async def too_late(self, request: RequestSnapshot) -> None:
        self._note("too_late", request)

    async def rejected(self, request: RequestSnapshot) -> None:
        self._note("rejected", request)

    async def cancelled(self, request: RequestSnapshot) -> None:
        self._note("cancelled", request)


def credit(sandbox: Sandbox, amount: int = 7) -> Ask:
    sub = sandbox.accounts[DEMO_SMS_KEY].subaccounts[3]
    return Ask(Action.CREDIT_ADD, Product.SMS, None, ref=sub.token, amount=Decimal(amount))


def credit_adds(sandbox: Sandbox) -> int:
    return len(sandbox.calls(endpoint="/subaccount/credit/add"))


# --- asking -------------------------------------------------------------------------------------


async def test_a_request_within_the_auto_approve_limit_runs_at_once(
    runtime: Runtime, sandbox: Sandbox, database: Database
) -> None:
    await change_policy(database, TEAM, ADMIN, auto_approve_limit=Decimal(10))
    notices = Recorder()
    done = await runtime.requests.ask(TEAM, REQUESTER, credit(sandbox), People(), notices)
    assert done is not None and done.status is Status.SUCCEEDED
    assert notices.calls == [("ran_now", done.number, Status.SUCCEEDED)]
    assert credit_adds(sandbox) == 1


@pytest.mark.parametrize(("card", "known"), [(CARD, True), (None, False)])
async def test_a_request_to_approve_gets_its_card_and_the_requester_is_told_where(
    runtime: Runtime, sandbox: Sandbox, card: CardPosted | None, known: bool
) -> None:
    notices = Recorder(card)
    asked = await runtime.requests.ask(TEAM, REQUESTER, credit(sandbox), People(), notices)
    assert asked is not None and asked.status is Status.PENDING
    assert notices.calls == [
        ("card_needed", asked.number, Status.PENDING),
        ("sent_for_approval", asked.number, Status.PENDING),
    ]
    assert notices.card_known == [known]
    # Where the card is, when known: it is only ever redrawn there. Unknown: only the channel
    # it went to, which says the requester was told (maintenance does not tell them again).
    assert (asked.card_channel_id, asked.card_ts) == (
        (CARD.channel_id, CARD.ts) if known else ("C0APPR", None)
    )
    assert credit_adds(sandbox) == 0


async def test_a_request_whose_card_is_refused_is_withdrawn(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    notices = Recorder(CardRefused("not_in_channel"))
    asked = await runtime.requests.ask(TEAM, REQUESTER, credit(sandbox), People(), notices)
    assert asked is not None and asked.status is Status.CANCELLED
    assert asked.outcome_note == WITHDRAWN_NOTE
    assert notices.calls == [
        ("card_needed", asked.number, Status.PENDING),
        ("withdrawn", asked.number, Status.CANCELLED),
    ]
    newest = (await recent(runtime.database, TEAM, 1))[0]
    assert (newest.action, newest.actor_id) == ("withdrawn", "system")


async def test_asking_twice_for_the_same_asks_first(runtime: Runtime, sandbox: Sandbox) -> None:
    first = await runtime.requests.ask(TEAM, REQUESTER, credit(sandbox), People(), Recorder())
    assert first is not None
    notices = Recorder()
    again = await runtime.requests.ask(TEAM, REQUESTER, credit(sandbox), People(), notices)
    assert again is None
    assert notices.calls == [("similar_found", first.number, Status.PENDING)]
    assert [r.number for r in await runtime.requests.of_requester(TEAM, REQUESTER)] == [1]
    confirmed = await runtime.requests.ask(
        TEAM, REQUESTER, credit(sandbox), People(), Recorder(), confirmed_similar=first.number
    )
    assert confirmed is not None and confirmed.similar_to_number == first.number


# --- deciding -----------------------------------------------------------------------------------


async def test_two_approvals_then_the_winning_one_carries_it_out_once(
    runtime: Runtime, sandbox: Sandbox, database: Database
) -> None:
    await change_policy(database, TEAM, ADMIN, two_approver_threshold=Decimal(1))
    await runtime.roles.grant(TEAM, Role.APPROVER, Subject(SubjectKind.USER, APPROVER_2), ADMIN)
    request = await pending_request(runtime, sandbox)
    n, requests = request.number, runtime.requests
    clicks = [
        (APPROVER, [("card_changed", n, Status.PENDING), ("approval_counted", n, Status.PENDING)]),
        (APPROVER, [("already_approved_by_you", n, Status.PENDING)]),
        (
            APPROVER_2,
            [
                ("card_changed", n, Status.APPROVED),
                ("card_changed", n, Status.SUCCEEDED),
                ("requester_told", n, Status.SUCCEEDED),
            ],
        ),
        (APPROVER_2, [("card_changed", n, Status.SUCCEEDED), ("too_late", n, Status.SUCCEEDED)]),
    ]
    for who, told in clicks:
        notices = Recorder()
        await requests.approve_clicked(n, TEAM, who, People(), notices)
        assert notices.calls == told, who
    assert credit_adds(sandbox) == 1


async def test_a_click_after_expiry_expires_it_and_tells_the_requester(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    request = await pending_request(runtime, sandbox)
    await _past_expiry(runtime, request)
    notices = Recorder()
    assert (
        await runtime.requests.approve_clicked(request.number, TEAM, APPROVER, People(), notices)
        is None
    )
    n = request.number
    assert notices.calls == [
        ("card_changed", n, Status.EXPIRED),
        ("requester_told", n, Status.EXPIRED),
        ("too_late", n, Status.EXPIRED),
    ]


async def test_a_click_on_a_card_whose_post_had_no_answer_finds_it(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    request = await pending_request(runtime, sandbox)
    requests, n = runtime.requests, request.number
    await requests.reject_clicked(
        n, TEAM, APPROVER, People(), Recorder(), card_at=("C0APPR", "1.1")
    )
    await requests.reject_clicked(
        n, TEAM, APPROVER, People(), Recorder(), card_at=("C0APPR", "2.2")
    )
    found = await requests.get(request.id)
    assert (found.card_channel_id, found.card_ts) == ("C0APPR", "1.1")  # never replaced


async def test_rejecting(runtime: Runtime, sandbox: Sandbox) -> None:
    request = await pending_request(runtime, sandbox)
    requests, n = runtime.requests, request.number
    notices = Recorder()
    assert (await requests.reject_clicked(n, TEAM, APPROVER, People(), notices)) is not None
    assert notices.calls == []  # the reason is asked next
    rejected = await requests.reject_with_reason(n, TEAM, APPROVER, "no", People(), notices)
    assert rejected is not None and rejected.rejection_reason == "no"
    assert notices.calls == [
        ("rejected", n, Status.REJECTED),
        ("card_changed", n, Status.REJECTED),
        ("requester_told", n, Status.REJECTED),
    ]
    late = Recorder()
    assert await requests.reject_with_reason(n, TEAM, APPROVER, "no", People(), late) is None
    assert late.calls == [("too_late", n, Status.REJECTED), ("card_changed", n, Status.REJECTED)]
    late = Recorder()
    assert await requests.reject_clicked(n, TEAM, APPROVER, People(), late) is None
    assert late.calls == [("card_changed", n, Status.REJECTED), ("too_late", n, Status.REJECTED)]


async def test_cancelling(runtime: Runtime, sandbox: Sandbox) -> None:
    request = await pending_request(runtime, sandbox)
    notices = Recorder()
    await runtime.requests.cancel_clicked(request.number, TEAM, REQUESTER, notices)
    n = request.number
    assert notices.calls == [
        ("cancelled", n, Status.CANCELLED),
        ("card_changed", n, Status.CANCELLED),
    ]


async def test_marking_an_unknown_outcome(runtime: Runtime, sandbox: Sandbox) -> None:
    request = await pending_request(runtime, sandbox)
    await put_in(runtime, request, Status.UNKNOWN)
    notices = Recorder()
    await runtime.requests.mark_clicked(request.number, TEAM, APPROVER, False, People(), notices)
    n = request.number
    assert notices.calls == [
        ("card_changed", n, Status.FAILED),
        ("requester_told", n, Status.FAILED),
    ]


# --- the clock ----------------------------------------------------------------------------------


async def test_due_work_is_announced_once_through_its_workspace(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    request = await pending_request(runtime, sandbox)
    await _past_expiry(runtime, request)
    notices = Recorder()
    asked_for: list[str] = []

    async def notices_for(team_id: str) -> Recorder:
        asked_for.append(team_id)
        return notices

    settled = await runtime.requests.run_due(notices_for)
    n = request.number
    assert [(r.number, r.status) for r in settled] == [(n, Status.EXPIRED)]
    assert asked_for == [TEAM]
    assert notices.calls == [
        ("card_changed", n, Status.EXPIRED),
        ("requester_told", n, Status.EXPIRED),
    ]
    assert await runtime.requests.run_due(notices_for) == []  # moved once, announced once
    assert len(notices.calls) == 2


async def test_due_work_in_a_workspace_that_cannot_be_told_still_happens(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    request = await pending_request(runtime, sandbox)
    await _past_expiry(runtime, request)

    async def nobody(team_id: str) -> None:
        return None

    settled = await runtime.requests.run_due(nobody)
    assert [r.status for r in settled] == [Status.EXPIRED]
    assert (await runtime.requests.get(request.id)).status is Status.EXPIRED


async def _past_expiry(runtime: Runtime, request: RequestSnapshot) -> None:
    async with runtime.database.session() as session:
        await session.execute(
            update(CreditRequest)
            .where(CreditRequest.id == request.id)
            .values(expires_at=request.created_at - timedelta(hours=1))
        )
