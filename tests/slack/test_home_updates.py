"""Homes published again when what they show changes — only the Homes people opened: a new
request, a decision on the card, a setting changed, the worker's expiry."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.services.requests import Status
from devkit.emulator import View
from devkit.sandbox import Fault, FaultKind
from tests.slack.approvals import (
    APPROVERS,
    a_subaccount,
    card_of,
    click,
    dms_to,
    latest_request,
    set_up_approvals,
)
from tests.slack.harness import ADMIN, HANG_TIMEOUT, MEMBER, Harness
from tests.slack.test_exactly_once import _age_execution, maintenance_round, wait_status
from tests.slack.test_home import buttons, click_home, open_home, text_of

A1, A2, A3 = APPROVERS


def home_once(h: Harness, user: str, check: str) -> View | None:
    """The Home published for `user`, once its text holds `check`."""
    view = h.fake.home_view(user)
    return view if view is not None and check in text_of(view) else None


def policy_shown(view: View | None) -> str:
    """The Settings section's policy block of an admin's Home."""
    blocks = view.blocks if view is not None else []
    texts = [b.get("text", {}).get("text", "") for b in blocks]
    return next((t for t in texts if t.startswith("*Policy*")), "")


def publishes_to(h: Harness, user: str) -> int:
    return len([c for c in h.fake.calls_to("views.publish") if c.args.get("user_id") == user])


async def test_a_new_request_republishes_the_opened_homes_of_requester_and_approvers(
    slack: Harness,
) -> None:
    await set_up_approvals(slack)
    await open_home(slack, MEMBER)
    await open_home(slack, A1)
    await slack.ask(f"credit add {a_subaccount(slack).email} 7")
    request = await latest_request(slack)
    number = f"#{request.number}"
    mine = await slack.fake.wait_for(lambda: home_once(slack, MEMBER, number))
    assert ("request_cancel", str(request.number)) in buttons(mine)
    waiting = await slack.fake.wait_for(lambda: home_once(slack, A1, number))
    assert ("request_approve", str(request.number)) in buttons(waiting)
    # A2 and A3 never opened their Home: nothing is published for them.
    assert publishes_to(slack, A2) == 0 and publishes_to(slack, A3) == 0


async def test_a_decision_on_the_card_republishes_the_homes_that_show_it(slack: Harness) -> None:
    await set_up_approvals(slack)
    await slack.ask(f"credit add {a_subaccount(slack).email} 6")
    request = await latest_request(slack)
    number = f"#{request.number}"
    assert number in text_of(await open_home(slack, MEMBER))
    assert number in text_of(await open_home(slack, A1))
    # A2 decides on the card in the channel, not on a Home.
    await click(slack, A2, "request_approve", await card_of(slack, request.id))
    # A1's "Waiting for me" no longer offers it; the requester's line says it is done.
    approve = ("request_approve", str(request.number))
    await slack.fake.wait_for(lambda: approve not in buttons(slack.fake.home_view(A1)))
    mine = await slack.fake.wait_for(lambda: home_once(slack, MEMBER, "done"))
    assert ("request_cancel", str(request.number)) not in buttons(mine)
    assert publishes_to(slack, A2) == 0


async def test_an_approval_moves_money_while_the_homes_are_still_being_published(
    slack: Harness,
) -> None:
    """Republishing Homes never holds up the money: with every views.publish held, the
    approval that completes the count still reaches the vendor and succeeds."""
    await set_up_approvals(slack)
    await slack.ask(f"credit add {a_subaccount(slack).email} 6")
    request = await latest_request(slack)
    for user in (MEMBER, A1, A2):
        await open_home(slack, user)
    held = slack.fake.hold("views.publish")
    await click(slack, A2, "request_approve", await card_of(slack, request.id))
    await held.held()  # a republish has started and waits on Slack…
    await wait_status(slack, request.id, Status.SUCCEEDED)  # …and the money moved anyway
    assert len(slack.sandbox.calls(endpoint="/subaccount/credit/add")) == 1
    held.release()
    mine = await slack.fake.wait_for(lambda: home_once(slack, MEMBER, "done"))
    assert mine is not None


async def test_a_setting_change_republishes_the_opened_homes(slack: Harness) -> None:
    await set_up_approvals(slack, auto_approve_limit=Decimal(20))
    assert "20.00" in policy_shown(await open_home(slack, ADMIN))
    await slack.ask("policy auto-approve 5", user=ADMIN)  # tightening: applied at once
    await slack.fake.wait_for(lambda: "5.00" in policy_shown(slack.fake.home_view(ADMIN)))
    assert "20.00" not in policy_shown(slack.fake.home_view(ADMIN))


@pytest.mark.parametrize("partner_total_timeout", [HANG_TIMEOUT])  # the vendor hangs
async def test_an_outcome_the_worker_cannot_settle_waits_on_the_home_with_the_cards_buttons(
    slack: Harness,
) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    slack.sandbox.inject(Fault(FaultKind.HANG, endpoint="/subaccount/credit/add"))
    await slack.ask(f"credit add {sub.email} 30")
    request = await latest_request(slack)
    await click(slack, A1, "request_approve", await card_of(slack, request.id))
    await wait_status(slack, request.id, Status.UNKNOWN)
    home = await open_home(slack, A2)
    mark_done = ("request_mark_done", str(request.number))
    assert mark_done not in buttons(home)
    # Something else moved the subaccount: the worker's reconcile cannot tell, a person must.
    sub.balance += Decimal("7.000")
    await _age_execution(slack, request.id)
    await maintenance_round(slack)
    assert (await slack.runtime.requests.get(request.id)).needs_a_person
    home = await slack.fake.wait_for(
        lambda: (v := slack.fake.home_view(A2)) and mark_done in buttons(v) and v
    )
    assert ("request_mark_failed", str(request.number)) in buttons(home)
    assert "outcome is unknown" in text_of(home)
    # Marked from the Home: the card's listener settles it, the answer comes by DM.
    await click_home(slack, A2, home, "request_mark_done", str(request.number))
    await wait_status(slack, request.id, Status.SUCCEEDED)
    await slack.fake.wait_for(lambda: mark_done not in buttons(slack.fake.home_view(A2)))
    assert len(slack.sandbox.calls(endpoint="/subaccount/credit/add")) == 1  # never resent
    # A second click on the Home as it was: told by DM that it is settled already.
    await click_home(slack, A2, home, "request_mark_done", str(request.number))
    settled = f"#{request.number} has already been approved by"
    await slack.fake.wait_for(
        lambda: [t for t in dms_to(slack, A2) if settled in t and "and is done" in t]
    )
