"""Caps end to end: the app's adds never take a subaccount over its cap (refused with the room
left, at ask time and again before the vendor call), a first or lower cap applies at once, a
raised or removed one waits for a second approver, an outside top-up over the cap is noticed
once and swept in one click; and the Home shows frozen and capped subaccounts."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.db.anomaly_models import LedgerReading
from bot.db.models import AuditEntry
from bot.partner.models import Product
from bot.services.requests import Status
from devkit.emulator import Message
from devkit.sandbox import DEMO_SMS_KEY
from devkit.sandbox.state import SandboxSubaccount
from tests.slack.approvals import (
    APPROVALS,
    APPROVERS,
    card_of,
    click,
    latest_request,
    set_up_approvals,
)
from tests.slack.digests import posts_in, scheduler
from tests.slack.harness import ADMIN, MEMBER, Harness, eventually, reply_text
from tests.slack.test_home import buttons, click_home, dms_to, open_home, text_of

ALERTS = "C0ALERTS"
A1, A2 = APPROVERS[0], APPROVERS[1]


def a_sub(h: Harness, index: int, balance: str) -> SandboxSubaccount:
    sub = h.sandbox.accounts[DEMO_SMS_KEY].subaccounts[index]
    sub.balance = Decimal(balance)
    return sub


def removals(h: Harness, sub: SandboxSubaccount) -> int:
    return len(
        [
            c
            for c in h.sandbox.calls(endpoint="/subaccount/credit/remove")
            if c.params.get("tokenSubaccount") == sub.token and c.applied
        ]
    )


def change_cards(h: Harness) -> list[Message]:
    return [m for m in posts_in(h, APPROVALS) if "setting_change_confirm" in json.dumps(m.blocks)]


async def cap_of(h: Harness, sub: SandboxSubaccount) -> Decimal | None:
    control = await h.runtime.controls.get(h.team_id, Product.SMS, sub.token)
    return control.cap if control is not None else None


async def test_the_cap_refuses_adds_over_it_and_only_tightens_alone(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_sub(slack, 2, "80")
    assert "approvers and admins" in reply_text(await slack.ask(f"cap {sub.email} 100"))
    set_cap = reply_text(await slack.ask(f"cap {sub.email} 100", user=A1))
    assert "cap of €100.00" in set_cap and "room left €20.00" in set_cap
    assert "advanced subaccount may still buy credit" in set_cap

    refused = reply_text(await slack.ask(f"credit add {sub.email} 30 campaign"))
    assert "cap of €100.00" in refused and "room left €20.00" in refused
    within = reply_text(await slack.ask(f"credit add {sub.email} 20 campaign"))
    assert "room left" not in within
    assert (await latest_request(slack)).amount == Decimal(20)

    # Raising it loosens control: it waits for somebody else.
    waiting = reply_text(await slack.ask(f"plafond {sub.email} 150", user=A1))
    assert "waits for an approver" in waiting and "€150.00" in waiting
    assert await cap_of(slack, sub) == Decimal(100)
    [card] = change_cards(slack)
    await (await click(slack, A2, "setting_change_confirm", card)).wait_response()
    assert await cap_of(slack, sub) == Decimal(150)

    # Lowering it tightens: at once, and the excess is offered to sweep.
    lowered = await slack.ask(f"cap {sub.email} 50", user=A2)
    assert "€30.00 over it" in reply_text(lowered)
    assert await cap_of(slack, sub) == Decimal(50)
    sweep = await slack.driver.click(
        team_id=slack.team_id,
        user_id=A2,
        action_id="subaccount_sweep_excess",
        value=json.dumps({"p": "sms", "t": sub.token}),
        channel_id="C0GENERAL",
    )
    assert "€30.00 over its cap moved back" in reply_text(await sweep.wait_response())
    assert sub.balance == Decimal(50) and removals(slack, sub) == 1

    # Removing it loosens too.
    assert "waits for an approver" in reply_text(await slack.ask(f"cap {sub.email} off", user=A1))
    assert await cap_of(slack, sub) == Decimal(50)
    listed = reply_text(await slack.ask("cap list"))
    assert sub.email in listed and "cap €50.00" in listed
    detail = reply_text(await slack.ask(f"subaccount {sub.email}"))
    assert "cap €50.00 (room left €0.00)" in detail and "subaccount_freeze" in detail

    async with slack.runtime.database.session() as session:
        actions = (
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.action.like("subaccount_cap%"))
            )
        ).all()
    assert actions == ["subaccount_cap_set"] * 3


async def test_an_add_approved_after_a_lower_cap_fails_before_the_vendor_call(
    slack: Harness,
) -> None:
    await set_up_approvals(slack, auto_approve_limit=Decimal(0))
    sub = a_sub(slack, 3, "10")
    await slack.ask(f"credit add {sub.email} 60 campaign")
    request = await latest_request(slack)
    assert request.status is Status.PENDING
    await slack.ask(f"cap {sub.email} 50", user=A1)
    await click(slack, A2, "request_approve", await card_of(slack, request.id))

    async def status() -> Status:
        return (await slack.runtime.requests.get(request.id)).status

    await eventually(status, Status.FAILED)
    note = (await slack.runtime.requests.get(request.id)).outcome_note or ""
    assert "cap is €50.00" in note and "room left €40.00" in note
    assert sub.balance == Decimal(10)


@pytest.fixture
def balance_read_seconds() -> float:
    """The cap's notice counts ledger periods, whatever their length: short ones."""
    return 0.5


async def test_an_outside_top_up_over_the_cap_is_noticed_once_and_swept(quick: Harness) -> None:
    await set_up_approvals(quick)
    quick.fake.add_channel(quick.team_id, ALERTS, "alerts")
    await quick.ask("alert channel", user=ADMIN, channel_id=ALERTS)
    sub = a_sub(quick, 4, "80")
    await quick.ask(f"cap {sub.email} 100", user=A1)
    worker = scheduler(quick)

    async def readings() -> int:
        async with quick.runtime.database.session() as session:
            found = await session.scalars(select(LedgerReading.id))
            return len(found.all())

    async def read_until(count: int) -> None:
        # A reading each period (`balance_read_seconds`), claimed once.
        async def taken() -> bool:
            await worker.run_ledger()
            return await readings() >= count

        await eventually(taken, True, within=10)

    await read_until(1)
    assert notices(quick) == []  # within its cap: nothing to say

    sub.balance = Decimal(300)  # bought from the vendor's site: over the cap
    await read_until(await readings() + 2)  # SMS and Mail
    [notice] = notices(quick)
    shown = notice.text + json.dumps(notice.blocks)
    assert sub.email in shown and "over its cap of €100.00" in shown
    await read_until(await readings() + 4)  # two more periods: still one notice
    assert len(notices(quick)) == 1

    sweep = await click(quick, A1, "subaccount_sweep_excess", notice)
    assert "€200.00 over its cap moved back" in reply_text(await sweep.wait_response())
    assert sub.balance == Decimal(100) and removals(quick, sub) == 1
    replaced = await quick.fake.wait_for(
        lambda: [r for r in quick.fake.responses if r.body.get("replace_original")]
    )
    assert "swept €200.00 over the cap" in reply_text(replaced[-1])
    swept = await latest_request(quick, A1)
    assert (swept.status, swept.details.get("sweep")) == (Status.SUCCEEDED, "over_cap")


def notices(h: Harness) -> list[Message]:
    return [m for m in posts_in(h, ALERTS) if "subaccount_sweep_excess" in json.dumps(m.blocks)]


async def test_the_home_shows_frozen_and_capped_subaccounts_with_their_buttons(
    slack: Harness,
) -> None:
    await set_up_approvals(slack)
    frozen, capped = a_sub(slack, 5, "40"), a_sub(slack, 6, "10")
    await slack.ask(f"freeze {frozen.email}", user=A1)
    await slack.ask(f"cap {capped.email} 25", user=A1)
    assert "Frozen and capped" not in text_of(await open_home(slack, MEMBER))
    view = await open_home(slack, A2)
    shown = text_of(view)
    assert "Frozen and capped subaccounts" in shown
    assert frozen.email in shown and capped.email in shown and "cap €25.00" in shown
    pressed = dict(buttons(view))
    assert "subaccount_unfreeze" in pressed and "subaccount_sweep_excess" in pressed

    # Unfreezing from the Home asks a second approver, like the command.
    await click_home(slack, A2, view, "subaccount_unfreeze", pressed["subaccount_unfreeze"])
    await slack.fake.wait_for(
        lambda: [d for d in dms_to(slack, A2) if "waits for an approver" in d]
    )
    [card] = change_cards(slack)
    assert frozen.email in json.dumps(card.blocks)
    control = await slack.runtime.controls.get(slack.team_id, Product.SMS, frozen.token)
    assert control is not None and control.frozen
