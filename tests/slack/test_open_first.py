"""Every modal opens before any Slack or database call: a "Loading…" view goes out with the
trigger_id (3 s, single use), then the membership check (users.info) runs, then the form
replaces it — or a refusal does, in the user's language.

Proven with users.info answering 429 with Retry-After, as Slack does under load: the journal
shows views.open before the throttled users.info, and no expired trigger_id. (1 s, the shortest
Retry-After Slack's client honours: the order is what is checked, not the length of the wait.)
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from decimal import Decimal

import pytest

from devkit.emulator import View
from devkit.sandbox import DEMO_SMS_KEY
from tests.slack.approvals import (
    APPROVERS,
    a_subaccount,
    card_of,
    click,
    latest_request,
    set_up_approvals,
)
from tests.slack.harness import ADMIN, MEMBER, TEAM, Harness
from tests.slack.modals import filled_modal, modal_saying, modal_text
from tests.slack.test_alerts import alerts_posted, check, set_up_alerts
from tests.slack.test_home import click_home, open_home

RETRY_AFTER = 1  # seconds, as Slack says it in the header
WAIT = RETRY_AFTER + 5.0  # the check waits out the Retry-After, then the form comes
APPROVER = APPROVERS[0]


async def subaccount_create(slack: Harness) -> tuple[str, str]:
    await set_up_approvals(slack)
    return await go(slack, lambda: slack.command("subaccount create"), MEMBER, "type")


async def setup_command(slack: Harness) -> tuple[str, str]:
    return await go(slack, lambda: slack.command("setup", user=ADMIN), ADMIN, "key_sms")


async def reject_on_the_card(slack: Harness) -> tuple[str, str]:
    await set_up_approvals(slack)
    await slack.ask(f"credit add {a_subaccount(slack).email} 10")
    card = await card_of(slack, (await latest_request(slack)).id)
    return await go(
        slack, lambda: click(slack, APPROVER, "request_reject", card), APPROVER, "reason"
    )


async def alert_top_up(slack: Harness) -> tuple[str, str]:
    await set_up_alerts(slack)
    await set_up_approvals(slack)
    sub = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts[0]
    sub.balance = Decimal("1.000")
    await slack.ask(f"alert subaccount {sub.email} 20", user=ADMIN)
    await check(slack)
    [alert] = alerts_posted(slack)
    value = next(
        e["value"]
        for b in alert.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "alert_topup"
    )

    async def top_up() -> object:
        return await slack.driver.click(
            team_id=slack.team_id,
            user_id=MEMBER,
            action_id="alert_topup",
            value=value,
            message=alert,
            channel_id=alert.channel,
        )

    return await go(slack, top_up, MEMBER, "amount")


async def home_change(slack: Harness) -> tuple[str, str]:
    home = await open_home(slack, ADMIN)
    return await go(
        slack,
        lambda: click_home(slack, ADMIN, home, "home_edit_setting", "policy"),
        ADMIN,
        "setting",
    )


async def home_setup(slack: Harness) -> tuple[str, str]:
    home = await open_home(slack, ADMIN)
    return await go(
        slack, lambda: click_home(slack, ADMIN, home, "home_open_setup", "setup"), ADMIN, "key_sms"
    )


async def go(
    slack: Harness, act: Callable[[], Awaitable[object]], user: str, block_id: str
) -> tuple[str, str]:
    """Throttle users.info, act, and wait for the form; (user, block_id) for the checks."""
    slack.fake.trigger_ttl = 3.0  # as on Slack
    slack.fake.rate_limit("users.info", retry_after=RETRY_AFTER)
    await act()
    await filled_modal(slack.fake, user, block_id, timeout=WAIT)
    return user, block_id


@pytest.mark.parametrize(
    "opens",
    [subaccount_create, setup_command, reject_on_the_card, alert_top_up, home_change, home_setup],
)
async def test_a_modal_opens_before_a_throttled_membership_check(
    slack: Harness, opens: Callable[[Harness], Awaitable[tuple[str, str]]]
) -> None:
    before = len(slack.fake.calls)
    user, _ = await opens(slack)
    calls = slack.fake.calls[before:]
    [opened] = [c for c in calls if c.method == "views.open"]
    # Through the request that opened it: the first users.info about the user came after it.
    throttled = next(c for c in calls if c.method == "users.info" and c.error == "ratelimited")
    assert opened.error is None
    assert calls.index(opened) < calls.index(throttled)
    assert "Loading" in json.dumps(opened.args["view"])
    # One modal, filled in place, no "unexpected error" anywhere.
    assert len(slack.fake.open_modals(user)) == 1
    assert all(c.error != "expired_trigger_id" for c in calls)


async def test_a_french_guest_is_refused_in_the_opened_modal_in_french(slack: Harness) -> None:
    guest = "UGUEST1"
    slack.fake.add_user(TEAM, guest, "invite", is_restricted=True, locale="fr-FR")
    slack.fake.rate_limit("users.info", retry_after=1)
    await slack.command("subaccount create", user=guest)
    view: View = await modal_saying(slack.fake, guest, "Les invités")
    assert "type" not in [b.get("block_id") for b in view.blocks]  # no form behind it
    assert "unexpected" not in modal_text(view).lower()
    assert await slack.runtime.requests.of_requester(TEAM, guest) == []
