"""Homes published again when what they show changes — only the Homes people opened: a new
request, a decision on the card, a setting changed, the worker's expiry."""

from __future__ import annotations

from decimal import Decimal

from bot.devkit.emulator import View
from tests.slack.approvals import (
    APPROVERS,
    a_subaccount,
    card_of,
    click,
    latest_request,
    set_up_approvals,
)
from tests.slack.harness import ADMIN, MEMBER, Harness
from tests.slack.test_home import buttons, open_home, text_of

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


async def test_a_setting_change_republishes_the_opened_homes(slack: Harness) -> None:
    await set_up_approvals(slack, auto_approve_limit=Decimal(20))
    assert "20.00" in policy_shown(await open_home(slack, ADMIN))
    await slack.ask("policy auto-approve 5", user=ADMIN)  # tightening: applied at once
    await slack.fake.wait_for(lambda: "5.00" in policy_shown(slack.fake.home_view(ADMIN)))
    assert "20.00" not in policy_shown(slack.fake.home_view(ADMIN))
