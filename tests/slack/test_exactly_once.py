"""No click, retry or crash moves money twice or loses a request."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from bot.clock import utcnow
from bot.db.models import CreditRequest
from bot.services.audit import recent
from bot.services.requests import Status
from bot.slack.clients import WorkspaceClients
from bot.slack.maintenance import Maintenance
from devkit.sandbox import Fault, FaultKind
from tests.slack.approvals import (
    APPROVALS,
    APPROVERS,
    a_subaccount,
    buttons,
    card_of,
    card_text,
    dms_to,
    latest_request,
    set_up_approvals,
    sms_account,
)
from tests.slack.harness import HANG_TIMEOUT, MEMBER, Harness, reply_text
from tests.slack.modals import filled_modal

A1, A2, A3 = APPROVERS


async def wait_status(h: Harness, request_id: int, *statuses: Status) -> None:
    for _ in range(300):
        if (await h.runtime.requests.get(request_id)).status in statuses:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"request {request_id} never reached {statuses}")


async def maintenance_round(h: Harness) -> None:
    await Maintenance(h.runtime, WorkspaceClients(h.runtime, None)).run_once()


async def test_twenty_simultaneous_approvals_make_one_vendor_call(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    held = sub.balance
    await slack.ask(f"credit add {sub.email} 40")
    request = await latest_request(slack)
    card = await card_of(slack, request.id)
    block_id = card.blocks[-1]["block_id"]

    def approve(n: int):
        # Slack never redelivers a click: twenty clicks are twenty deliveries.
        return slack.driver.click(
            team_id=slack.team_id,
            user_id=APPROVERS[n % 3],
            action_id="request_approve",
            value=str(request.id),
            block_id=block_id,
            channel_id=APPROVALS,
        )

    deliveries = await asyncio.gather(*(approve(n) for n in range(20)))
    assert all(d.status == 200 for d in deliveries)
    await wait_status(slack, request.id, Status.SUCCEEDED)
    # Every click answered: nothing more can happen, so count.
    # The winning click redraws the card; each of the 19 others is told it came too late.
    await slack.fake.wait_for(lambda: sum(1 for d in deliveries if d.responses()) == 19)
    await slack.fake.wait_for(lambda: dms_to(slack, MEMBER))
    assert len(slack.sandbox.calls(endpoint="/subaccount/credit/add")) == 1
    assert sub.balance == held + 40
    answers = [reply_text(p) for d in deliveries for p in d.responses()]
    assert any("already" in a for a in answers)  # the others were told
    assert len(dms_to(slack, MEMBER)) == 1  # and the requester told once
    # One click counted and decided; the audit says so of every other click that got as far.
    entries = await recent(slack.runtime.database, slack.team_id, 1)
    clicks = [e.action for e in entries if e.request_id == request.id]
    assert clicks.count("approval_counted") == 1 and clicks.count("approved") == 1
    assert set(clicks) - {"approval_counted", "approval_not_counted"} == {
        "request_created",
        "approved",
        "vendor_call_sent",
        "vendor_succeeded",
    }


async def test_drop_after_apply_is_reconciled_from_the_balances(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    held = sub.balance
    slack.sandbox.inject(Fault(FaultKind.DROP_AFTER_APPLY, endpoint="/subaccount/credit/add"))
    await slack.ask(f"credit add {sub.email} 25")
    request = await latest_request(slack)
    card = await card_of(slack, request.id)
    await slack.driver.click(
        team_id=slack.team_id,
        user_id=A1,
        action_id="request_approve",
        value=str(request.id),
        message=card,
        channel_id=APPROVALS,
    )
    await wait_status(slack, request.id, Status.SUCCEEDED)
    done = await slack.runtime.requests.get(request.id)
    assert "confirmed from the balances" in (done.outcome_note or "")
    [call] = slack.sandbox.calls(endpoint="/subaccount/credit/add")
    assert call.applied and sub.balance == held + 25
    await slack.fake.wait_for(lambda: dms_to(slack, MEMBER))
    assert "is done" in dms_to(slack, MEMBER)[0]


@pytest.mark.parametrize("partner_total_timeout", [HANG_TIMEOUT])  # the vendor hangs
async def test_an_undecidable_outcome_is_put_to_an_approver(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    slack.sandbox.inject(Fault(FaultKind.HANG, endpoint="/subaccount/credit/add"))
    await slack.ask(f"credit add {sub.email} 30")
    request = await latest_request(slack)
    card = await card_of(slack, request.id)
    await slack.driver.click(
        team_id=slack.team_id,
        user_id=A1,
        action_id="request_approve",
        value=str(request.id),
        message=card,
        channel_id=APPROVALS,
    )
    await wait_status(slack, request.id, Status.UNKNOWN)
    unknown = await slack.runtime.requests.get(request.id)
    assert not unknown.needs_a_person  # nothing seen moving yet: it will look again
    await slack.fake.wait_for(
        lambda: "Not confirmed yet" in card_text(slack.fake.find_message(APPROVALS, card.ts))
    )

    sub.balance += Decimal("7.000")  # something else moved this subaccount meanwhile
    await _age_execution(slack, request.id)
    await maintenance_round(slack)
    stuck = await slack.runtime.requests.get(request.id)
    assert stuck.needs_a_person and "something else moved it" in (stuck.outcome_note or "")
    card = slack.fake.find_message(APPROVALS, card.ts)
    assert buttons(card) == ["request_mark_done", "request_mark_failed"]
    assert "an approver must check" in card_text(card)

    await slack.driver.click(
        team_id=slack.team_id,
        user_id=A2,
        action_id="request_mark_failed",
        value=str(request.id),
        message=card,
        channel_id=APPROVALS,
    )
    await wait_status(slack, request.id, Status.FAILED)
    assert len(slack.sandbox.calls(endpoint="/subaccount/credit/add")) == 1  # never resent
    await slack.fake.wait_for(lambda: any("failed" in t for t in dms_to(slack, MEMBER)))


@pytest.mark.parametrize("partner_total_timeout", [HANG_TIMEOUT])  # the vendor hangs
async def test_an_undecidable_outcome_a_crash_left_untold_is_put_to_an_approver_once(
    slack: Harness,
) -> None:
    """The process that found the outcome undecidable died before redrawing the card: the
    approvers were never asked to mark it. Maintenance asks them, and tells the requester,
    once."""
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    slack.sandbox.inject(Fault(FaultKind.HANG, endpoint="/subaccount/credit/add"))
    await slack.ask(f"credit add {sub.email} 30")
    request = await latest_request(slack)
    card = await card_of(slack, request.id)
    await slack.driver.click(
        team_id=slack.team_id,
        user_id=A1,
        action_id="request_approve",
        value=str(request.id),
        message=card,
        channel_id=APPROVALS,
    )
    await wait_status(slack, request.id, Status.UNKNOWN)
    await slack.fake.wait_for(
        lambda: "Not confirmed yet" in card_text(slack.fake.find_message(APPROVALS, card.ts))
    )
    sub.balance += Decimal("7.000")  # something else moved this subaccount meanwhile
    await _age_execution(slack, request.id)
    # What the dead process did: the reconciliation step alone, stored, nobody told.
    stuck = await slack.runtime.requests.reconcile(request.id)
    assert stuck.needs_a_person
    assert buttons(slack.fake.find_message(APPROVALS, card.ts)) == []
    await maintenance_round(slack)  # within the grace: the process may still be telling
    assert buttons(slack.fake.find_message(APPROVALS, card.ts)) == []
    async with slack.runtime.database.session() as session:
        await session.execute(
            update(CreditRequest)
            .where(CreditRequest.id == request.id)
            .values(updated_at=utcnow() - timedelta(minutes=1))
        )
    await maintenance_round(slack)
    await maintenance_round(slack)
    card = slack.fake.find_message(APPROVALS, card.ts)
    assert buttons(card) == ["request_mark_done", "request_mark_failed"]
    [told] = dms_to(slack, MEMBER)
    assert "may or may not have been carried out" in told


async def test_nothing_moved_is_only_believed_after_the_settle_time(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    held = sub.balance
    slack.sandbox.inject(Fault(FaultKind.DROP_BEFORE_APPLY, endpoint="/subaccount/credit/add"))
    await slack.ask(f"credit add {sub.email} 30")
    request = await latest_request(slack)
    await slack.driver.click(
        team_id=slack.team_id,
        user_id=A1,
        action_id="request_approve",
        value=str(request.id),
        message=await card_of(slack, request.id),
        channel_id=APPROVALS,
    )
    await wait_status(slack, request.id, Status.UNKNOWN)
    await maintenance_round(slack)
    assert (await slack.runtime.requests.get(request.id)).status is Status.UNKNOWN
    await _age_execution(slack, request.id)
    await maintenance_round(slack)
    failed = await slack.runtime.requests.get(request.id)
    assert failed.status is Status.FAILED and "nothing moved" in (failed.outcome_note or "")
    assert sub.balance == held


async def test_pending_requests_expire_by_themselves(slack: Harness) -> None:
    await set_up_approvals(slack)
    await slack.ask(f"credit add {a_subaccount(slack).email} 10")
    request = await latest_request(slack)
    card = await card_of(slack, request.id)
    async with slack.runtime.database.session() as session:
        await session.execute(
            update(CreditRequest)
            .where(CreditRequest.id == request.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    await maintenance_round(slack)
    assert (await slack.runtime.requests.get(request.id)).status is Status.EXPIRED
    card = slack.fake.find_message(APPROVALS, card.ts)
    assert "Expired" in card_text(card) and buttons(card) == []
    assert "expired" in dms_to(slack, MEMBER)[0]
    await maintenance_round(slack)
    assert len(dms_to(slack, MEMBER)) == 1


async def test_a_click_after_expiry_expires_it_and_says_so(slack: Harness) -> None:
    await set_up_approvals(slack)
    await slack.ask(f"credit add {a_subaccount(slack).email} 10")
    request = await latest_request(slack)
    card = await card_of(slack, request.id)
    async with slack.runtime.database.session() as session:
        await session.execute(
            update(CreditRequest)
            .where(CreditRequest.id == request.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    click = await slack.driver.click(
        team_id=slack.team_id,
        user_id=A1,
        action_id="request_approve",
        value=str(request.id),
        message=card,
        channel_id=APPROVALS,
    )
    assert "already expired" in reply_text(await click.wait_response())
    await slack.fake.wait_for(lambda: dms_to(slack, MEMBER))
    assert not slack.sandbox.calls(endpoint="/subaccount/credit/add")


async def test_create_a_subaccount_through_the_form(slack: Harness) -> None:
    await set_up_approvals(slack)
    await slack.command("subaccount create")
    modal = await filled_modal(slack.fake, MEMBER, "type")
    bad = await slack.driver.submit_view(
        modal,
        team_id=slack.team_id,
        user_id=MEMBER,
        values={"type": {"type": "advanced"}, "credit": {"credit": "1,23456"}},
    )
    assert set(bad.json["errors"]) == {"email", "credit"}
    await slack.driver.submit_view(
        modal,
        team_id=slack.team_id,
        user_id=MEMBER,
        values={
            "type": {"type": "advanced"},
            "email": {"email": "new.client@example.org"},
            "is_buyer": {"is_buyer": []},
            "firstname": {"firstname": "Nora"},
            "credit": {"credit": "10"},
            "reason": {"reason": "new contract"},
        },
    )
    await slack.fake.wait_for(lambda: dms_to(slack, MEMBER))
    assert "sent to" in dms_to(slack, MEMBER)[0]
    request = await latest_request(slack)
    card = await card_of(slack, request.id)
    assert "new.client@example.org" in card_text(card) and "€10.00" in card_text(card)
    await slack.driver.click(
        team_id=slack.team_id,
        user_id=A1,
        action_id="request_approve",
        value=str(request.id),
        message=card,
        channel_id=APPROVALS,
    )
    await wait_status(slack, request.id, Status.SUCCEEDED)
    created = [s for s in sms_account(slack).subaccounts if s.email == "new.client@example.org"]
    assert len(created) == 1 and created[0].balance == 10 and created[0].type == "advanced"
    [call] = slack.sandbox.calls(endpoint="/subaccount/create")
    assert call.params["parameters"]["isBuyer"] == 0


async def test_a_new_subaccount_without_credit_needs_no_approval(slack: Harness) -> None:
    await set_up_approvals(slack)
    await slack.command("subaccount create")
    modal = await filled_modal(slack.fake, MEMBER, "type")
    await slack.driver.submit_view(
        modal, team_id=slack.team_id, user_id=MEMBER, values={"type": {"type": "simple"}}
    )
    await slack.fake.wait_for(lambda: dms_to(slack, MEMBER))
    told = dms_to(slack, MEMBER)[0]
    assert "needs no approval" in told and "auto-approved" not in told
    request = await latest_request(slack)
    assert request.status is Status.SUCCEEDED and request.created_token
    assert len(slack.sandbox.calls(endpoint="/subaccount/create")) == 1


async def _age_execution(h: Harness, request_id: int) -> None:
    """Make the call look old enough for the settle time to have passed."""
    async with h.runtime.database.session() as session:
        await session.execute(
            update(CreditRequest)
            .where(CreditRequest.id == request_id)
            .values(executing_since=utcnow() - timedelta(hours=1))
        )
