"""Freeze end to end, on the sandbox with BALANCE_READ_SECONDS=2 (issue 20, section 6): a
drained subaccount is alerted, one approver's Freeze click brings it to at most 1 EUR within a
minute with at most 3 removals and no add, and every later add is refused with the reason;
unfreezing needs a second approver."""

from __future__ import annotations

import asyncio
import json
import time
from decimal import Decimal

from sqlalchemy import select

from bot.db.models import AuditEntry
from bot.partner.models import Product
from bot.periodic import run_every
from bot.services.requests import Status
from devkit.sandbox import DEMO_SMS_KEY, Fault, FaultKind
from devkit.sandbox.state import SandboxSubaccount
from tests.slack.anomalies_helpers import (
    ALERTS,
    DRAIN_PER_SECOND,
    cards,
    set_up,
)
from tests.slack.approvals import (
    APPROVALS,
    APPROVERS,
    card_of,
    card_text,
    click,
    latest_request,
    set_up_approvals,
)
from tests.slack.digests import posts_in, scheduler
from tests.slack.harness import ADMIN, MEMBER, Harness, eventually, reply_text
from tests.slack.modals import filled_modal

REMOVE = "/subaccount/credit/remove"
ADD = "/subaccount/credit/add"


def moves(h: Harness, endpoint: str, sub: SandboxSubaccount) -> list[object]:
    """The vendor calls that moved credit to or from `sub` (the vendor's own journal)."""
    return [
        c
        for c in h.sandbox.calls(endpoint=endpoint)
        if c.params.get("tokenSubaccount") == sub.token and c.applied
    ]


def balance_of(h: Harness, sub: SandboxSubaccount) -> Decimal:
    h.sandbox.state.settle_drains()
    return sub.balance


async def audited(h: Harness, action: str) -> list[AuditEntry]:
    async with h.runtime.database.session() as session:
        rows = await session.scalars(select(AuditEntry).where(AuditEntry.action == action))
        return list(rows.all())


async def test_a_drained_subaccount_is_frozen_by_one_click_and_refuses_every_add(
    an_open_hour: None, quick: Harness
) -> None:
    await set_up(quick)
    sub = quick.sandbox.accounts[DEMO_SMS_KEY].subaccounts[5]
    sub.balance = Decimal(5000)
    quick.sandbox.drain(sub, DRAIN_PER_SECOND)
    started = time.monotonic()
    stopping = asyncio.Event()
    worker = asyncio.create_task(run_every(0.2, scheduler(quick).run_once, "scheduler", stopping))
    try:
        [card] = await quick.fake.wait_for(lambda: cards(posts_in(quick, ALERTS)), timeout=20)
        assert time.monotonic() - started < 20
    finally:
        stopping.set()
        await worker
    assert "Freeze" in card_text(card)

    # One approver's click is enough.
    main = quick.sandbox.accounts[DEMO_SMS_KEY]
    main_before, held = main.balance, balance_of(quick, sub)
    clicked = time.monotonic()
    delivery = await click(quick, MEMBER, "subaccount_freeze", card)
    answer = reply_text(await delivery.wait_response())
    assert "is frozen" in answer and "advanced subaccount may still buy credit" in answer

    async def emptied() -> bool:
        return balance_of(quick, sub) <= 1

    await eventually(emptied, True, within=60)
    assert time.monotonic() - clicked < 60
    removals = moves(quick, REMOVE, sub)
    assert 1 <= len(removals) <= 3
    assert moves(quick, ADD, sub) == []
    # The money came back to the main account, not spent: all but about a second's drain.
    assert main.balance - main_before >= held - 3 * DRAIN_PER_SECOND
    # The card tells everyone in the channel; its buttons are gone.
    replaced = await quick.fake.wait_for(
        lambda: [r for r in quick.fake.responses if r.body.get("replace_original")]
    )
    assert "froze this subaccount" in reply_text(replaced[-1])
    assert "advanced subaccount may still buy credit" in reply_text(replaced[-1])
    [frozen] = await audited(quick, "subaccount_frozen")
    assert frozen.actor_id == MEMBER
    # Each removal is a request of the state machine, carried out once.
    swept = await quick.runtime.requests.of_requester(quick.team_id, MEMBER, limit=10)
    assert [r.status for r in swept] == [Status.SUCCEEDED] * len(removals)
    assert all(r.details.get("sweep") == "freeze" for r in swept)

    # A later add is refused with the reason: the command…
    quick.sandbox.drain(sub, Decimal(0))
    refused = reply_text(await quick.ask(f"credit add {sub.email} 10 top-up", user=ADMIN))
    assert "is frozen" in refused and "no credit can be added" in refused
    # …and the alert's top-up form.
    await quick.ask(f"alert subaccount {sub.email} 20", user=ADMIN)
    await scheduler(quick).check_alerts(
        quick.team_id,
        Product.SMS,
        await quick.runtime.snapshots.read(quick.team_id, Product.SMS, "hourly"),
    )
    alert = next(m for m in posts_in(quick, ALERTS) if "alert_topup" in json.dumps(m.blocks))
    await click(quick, ADMIN, "alert_topup", alert)
    form = await filled_modal(quick.fake, ADMIN, "amount")
    await quick.driver.submit_view(
        form,
        team_id=quick.team_id,
        user_id=ADMIN,
        values={"amount": {"amount": "40"}, "reason": {"reason": "ran dry"}},
    )
    [dm] = await quick.fake.wait_for(
        lambda: [m for m in quick.fake.messages.get(f"D{ADMIN}", []) if "frozen" in m.text]
    )
    assert sub.email in dm.text
    assert moves(quick, ADD, sub) == []


async def test_a_frozen_subaccount_refuses_an_add_approved_before_the_freeze(
    slack: Harness,
) -> None:
    """The executing step checks again, just before the vendor call: an add asked before the
    freeze and approved after it fails, with the reason, and moves nothing."""
    await set_up_approvals(slack, auto_approve_limit=Decimal(0))
    sub = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts[2]
    await slack.ask(f"credit add {sub.email} 25 campaign")
    request = await latest_request(slack)
    assert request.status is Status.PENDING
    frozen = reply_text(await slack.ask(f"freeze {sub.email}", user=APPROVERS[0]))
    assert "is frozen" in frozen
    await click(slack, APPROVERS[1], "request_approve", await card_of(slack, request.id))

    async def status() -> Status:
        return (await slack.runtime.requests.get(request.id)).status

    await eventually(status, Status.FAILED)
    done = await slack.runtime.requests.get(request.id)
    assert "frozen" in (done.outcome_note or "")

    async def card_says_frozen() -> bool:  # the card is redrawn after the move is stored
        return "frozen" in card_text(await card_of(slack, request.id))

    await eventually(card_says_frozen, True)
    assert moves(slack, ADD, sub) == []


async def test_freezing_is_for_approvers_and_unfreezing_needs_a_second_one(
    slack: Harness,
) -> None:
    await set_up_approvals(slack)
    sub = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts[1]
    assert "approvers and admins" in reply_text(await slack.ask(f"freeze {sub.email}"))
    assert moves(slack, REMOVE, sub) == []
    held = sub.balance
    frozen = reply_text(await slack.ask(f"geler {sub.email}", user=APPROVERS[0]))
    assert "is frozen" in frozen and "1 removal" in frozen
    assert sub.balance == 0 and len(moves(slack, REMOVE, sub)) == 1
    assert f"{held:,.2f}" in frozen

    # The approvals channel hears of it: one person acted alone.
    [told] = await slack.fake.wait_for(
        lambda: [m for m in posts_in(slack, APPROVALS) if "froze" in m.text]
    )
    assert f"<@{APPROVERS[0]}> froze *{sub.email}*" in told.text
    detail = reply_text(await slack.ask(f"subaccount {sub.email}"))
    assert f"frozen by <@{APPROVERS[0]}>" in detail and "subaccount_unfreeze" in detail

    # The same approver asks to unfreeze: it waits for somebody else.
    waiting = reply_text(await slack.ask(f"unfreeze {sub.email}", user=APPROVERS[0]))
    assert "waits for an approver" in waiting and "unfrozen" in waiting
    assert "is frozen" in reply_text(await slack.ask(f"credit add {sub.email} 5"))
    [change_card] = [
        m for m in posts_in(slack, APPROVALS) if "setting_change_confirm" in json.dumps(m.blocks)
    ]
    own = await click(slack, APPROVERS[0], "setting_change_confirm", change_card)
    assert "yourself" in reply_text(await own.wait_response())
    confirmed = await click(slack, APPROVERS[1], "setting_change_confirm", change_card)
    await confirmed.wait_response()
    assert (await slack.runtime.controls.get(slack.team_id, Product.SMS, sub.token)) is not None
    control = await slack.runtime.controls.get(slack.team_id, Product.SMS, sub.token)
    assert control is not None and not control.frozen
    [unfrozen] = await audited(slack, "subaccount_unfrozen")
    assert unfrozen.actor_id == APPROVERS[0]
    assert "is frozen" not in reply_text(await slack.ask(f"credit add {sub.email} 5"))
    assert "not frozen" in reply_text(await slack.ask(f"dégeler {sub.email}", user=APPROVERS[2]))


async def test_a_pass_whose_answer_is_lost_after_the_move_is_reconciled_as_done(
    slack: Harness,
) -> None:
    await set_up_approvals(slack)
    sub = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts[7]
    sub.balance = Decimal("321.5")
    main = slack.sandbox.accounts[DEMO_SMS_KEY]
    before = main.balance
    slack.sandbox.inject(Fault(FaultKind.DROP_AFTER_APPLY, endpoint=REMOVE))
    frozen = reply_text(await slack.ask(f"freeze {sub.email}", user=APPROVERS[0]))
    assert "is frozen" in frozen and "€321.50 moved back" in frozen
    # One call, applied once; nothing left, so no second removal.
    assert len(slack.sandbox.calls(endpoint=REMOVE)) == 1 and len(moves(slack, REMOVE, sub)) == 1
    assert sub.balance == 0 and main.balance == before + Decimal("321.5")
    assert len(await audited(slack, "reconciled_succeeded")) == 1


async def test_a_pass_whose_outcome_is_unknown_stops_the_passes(slack: Harness) -> None:
    """Lost before the vendor applied it: the balances cannot tell yet whether it will land,
    so the request stays unknown and no removal is made over it (it could run twice)."""
    await set_up_approvals(slack)
    sub = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts[7]
    sub.balance = Decimal("321.5")
    slack.sandbox.inject(Fault(FaultKind.DROP_BEFORE_APPLY, endpoint=REMOVE))
    frozen = reply_text(await slack.ask(f"freeze {sub.email}", user=APPROVERS[0]))
    assert "is frozen" in frozen and "Request #1 has an unknown outcome" in frozen
    assert "It now holds €321.50" in frozen
    assert len(slack.sandbox.calls(endpoint=REMOVE)) == 1 and moves(slack, REMOVE, sub) == []
    [request] = await slack.runtime.requests.of_requester(slack.team_id, APPROVERS[0])
    assert request.status is Status.UNKNOWN
    # Frozen all the same: no add while it is sorted out.
    assert "is frozen" in reply_text(await slack.ask(f"credit add {sub.email} 5"))


async def test_with_nobody_to_confirm_a_workspace_admin_unfreezes_at_once(slack: Harness) -> None:
    """No approvals channel or approver yet: nobody could be the second person, so a
    workspace admin (who could make themselves anything in Slack) unfreezes at once, as they
    change any setting then; audited as theirs."""
    sub = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts[8]
    assert "is frozen" in reply_text(await slack.ask(f"freeze {sub.email}", user=ADMIN))
    unfrozen = reply_text(await slack.ask(f"unfreeze {sub.email}", user=ADMIN))
    assert "is unfrozen" in unfrozen
    control = await slack.runtime.controls.get(slack.team_id, Product.SMS, sub.token)
    assert control is not None and not control.frozen
    [entry] = await audited(slack, "subaccount_unfrozen")
    assert entry.actor_id == ADMIN


async def test_two_freeze_clicks_at_once_move_the_balance_back_once(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts[9]
    sub.balance = Decimal("640.25")
    main = slack.sandbox.accounts[DEMO_SMS_KEY]
    before = main.balance
    answers = await asyncio.gather(
        slack.ask(f"freeze {sub.email}", user=APPROVERS[0]),
        slack.ask(f"geler {sub.email}", user=APPROVERS[1]),
    )
    assert all("frozen" in reply_text(a) for a in answers)
    # One removal went through; the other found the balance gone (before the vendor call,
    # or refused by it) and moved nothing.
    assert len(moves(slack, REMOVE, sub)) == 1
    assert sub.balance == 0 and main.balance == before + Decimal("640.25")
    assert len(await audited(slack, "subaccount_frozen")) == 1
