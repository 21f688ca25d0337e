"""The App Home tab, through the running app: opened as a requester, an approver and an admin,
with and without keys; decided and cancelled from; kept within Block Kit's limits."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from bot.partner.models import Product
from bot.services.home import HomeService
from bot.services.requests import Action, Ask, Status
from bot.services.roles import Role, Subject, SubjectKind
from devkit.emulator import View
from tests.services.request_world import People
from tests.slack.approvals import (
    APPROVALS,
    APPROVERS,
    a_subaccount,
    card_of,
    latest_request,
    set_up_approvals,
    sms_account,
)
from tests.slack.barriers import app_settled
from tests.slack.block_kit import view_violations
from tests.slack.harness import ADMIN, MEMBER, Harness, eventually
from tests.slack.test_approvals import settled

A1 = APPROVERS[0]


async def open_home(h: Harness, user: str) -> View:
    """Open the Home tab as `user` and return the view the app published for them."""
    before = len(h.fake.calls_to("views.publish"))
    event = {"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"}
    delivery = await h.driver.event(event, team_id=h.team_id)
    assert delivery.status == 200
    published = await h.fake.wait_for(
        lambda: [
            c for c in h.fake.calls_to("views.publish")[before:] if c.args.get("user_id") == user
        ]
    )
    assert published[-1].error is None, published[-1].error
    view = h.fake.home_view(user)
    assert view is not None
    assert view_violations(view.view) == []
    return view


def dms_to(h: Harness, user: str) -> list[str]:
    """Texts the app posted in its direct messages with `user`."""
    opened = {h.fake.open_dm(h.team_id, user).id}
    return [
        str(c.args.get("text", "")) + json.dumps(c.args.get("blocks") or [])
        for c in h.fake.calls_to("chat.postMessage")
        if c.args.get("channel") in opened and c.error is None
    ]


def text_of(view: View) -> str:
    return json.dumps(view.blocks, ensure_ascii=False)


def buttons(view: View) -> list[tuple[str, str]]:
    found = []
    for block in view.blocks:
        elements = block.get("elements", []) if block["type"] == "actions" else []
        if block.get("accessory", {}).get("type") == "button":
            elements = [block["accessory"]]
        found += [(e["action_id"], e.get("value", "")) for e in elements if e["type"] == "button"]
    return found


async def click_home(h: Harness, user: str, view: View, action_id: str, value: str) -> Any:
    block_id = next(
        b["block_id"]
        for b in view.blocks
        for e in (b.get("elements", []) if b["type"] == "actions" else [b.get("accessory", {})])
        if e.get("action_id") == action_id and e.get("value") == value
    )
    delivery = await h.driver.click(
        team_id=h.team_id,
        user_id=user,
        action_id=action_id,
        value=value,
        block_id=block_id,
        view=view,
    )
    assert delivery.status == 200
    return delivery


async def test_first_run_guides_the_admin_and_the_member(slack_unconfigured: Harness) -> None:
    h = slack_unconfigured
    admin = text_of(await open_home(h, ADMIN))
    assert "Welcome to Partner Ops" in admin and "/partner setup" in admin
    assert "/partner approvers add" in admin and "/partner approvals-channel" in admin
    assert ("home_open_setup", "setup") in buttons(await open_home(h, ADMIN))
    assert "Settings" in admin and "none yet" in admin

    member_view = await open_home(h, MEMBER)
    member = text_of(member_view)
    assert "Welcome to Partner Ops" in member and "Ask a workspace admin" in member
    assert "Settings" not in member and "Balances" not in member
    assert buttons(member_view) == []


async def test_a_requester_sees_balances_with_trend_and_their_requests(slack: Harness) -> None:
    await set_up_approvals(slack)
    # A week of history: the trend and days left come from the recorded readings.
    for _ in range(2):
        await slack.runtime.snapshots.read(slack.team_id, a_product(), "test")
    sub = a_subaccount(slack)
    await slack.ask(f"credit add {sub.email} 12 for the campaign")
    request = await latest_request(slack)

    view = await open_home(slack, MEMBER)
    text = text_of(view)
    balance = sms_account(slack).balance
    assert "Balances" in text and "SMS Partner" in text
    assert f"€{balance:,}" in text  # €10,225.119: English money, the vendor's 3 decimals kept
    assert "last 7 days" in text
    assert "My requests" in text and f"#{request.number}" in text
    assert "waiting for approval" in text
    assert ("request_cancel", str(request.number)) in buttons(view)
    # Not an approver: nothing to decide, and no admin settings.
    assert "Waiting for me" not in text and "Settings" not in text
    # Their own activity only: not the admin's set-up, which approvers and admins see.
    assert "Recent activity" in text and "changed the policy" not in text
    assert "added an approver" not in text
    assert "changed the policy" in text_of(await open_home(slack, ADMIN))
    assert not any(action == "request_approve" for action, _ in buttons(view))


async def test_an_approver_sees_what_waits_for_them_with_the_cards_buttons(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    await slack.ask(f"credit add {sub.email} 7")
    request = await latest_request(slack)
    card = await card_of(slack, request.id)
    card_buttons = {
        (e["action_id"], e["value"])
        for b in card.blocks
        if b["type"] == "actions"
        for e in b["elements"]
    }

    view = await open_home(slack, A1)
    text = text_of(view)
    assert "Waiting for me" in text and f"#{request.number}" in text and f"<@{MEMBER}>" in text
    home_buttons = set(buttons(view))
    assert ("request_approve", str(request.number)) in home_buttons
    assert ("request_reject", str(request.number)) in home_buttons
    assert card_buttons <= home_buttons  # the very same action_ids and values
    assert "Settings" not in text


async def test_approve_from_the_home_runs_the_request_once_even_clicked_twice(
    slack: Harness,
) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    held = sub.balance
    await slack.ask(f"credit add {sub.email} 5")
    request = await latest_request(slack)
    view = await open_home(slack, A1)

    await click_home(slack, A1, view, "request_approve", str(request.number))
    await click_home(slack, A1, view, "request_approve", str(request.number))
    await settled(slack, request.id)
    done = await slack.runtime.requests.get(request.id)
    assert done.status is Status.SUCCEEDED
    assert done.approvers == (A1,)
    assert sub.balance == held + Decimal(5)
    assert len(slack.sandbox.calls(endpoint="/subaccount/credit/add")) == 1
    # The card in the approvals channel shows the outcome, as after a click on the card.
    card = await card_of(slack, request.id)
    assert card.channel == APPROVALS
    await eventually(lambda: _card_says(slack, request.id, "Done"), True)
    # The second click is told who got there first, in a DM (a Home has no response_url),
    # never "something went wrong".
    told = await slack.fake.wait_for(lambda: dms_to(slack, A1))
    assert any(f"#{request.number}" in t for t in told), told
    assert not any("went wrong" in t or "reference" in t for t in told), told
    assert slack.late_acks() == []
    # The Home, opened again, has nothing left waiting.
    again = text_of(await open_home(slack, A1))
    assert "Nothing waits for your decision" in again


async def _card_says(h: Harness, request_id: int, words: str) -> bool:
    card = await card_of(h, request_id)
    return words in json.dumps(card.blocks)


async def test_cancel_from_the_home(slack: Harness) -> None:
    await set_up_approvals(slack)
    await slack.ask(f"credit add {a_subaccount(slack).email} 3")
    request = await latest_request(slack)
    view = await open_home(slack, MEMBER)
    await click_home(slack, MEMBER, view, "request_cancel", str(request.number))

    async def status() -> Status:
        return (await slack.runtime.requests.get(request.id)).status

    await eventually(status, Status.CANCELLED)
    told = await slack.fake.wait_for(lambda: dms_to(slack, MEMBER))
    assert any(f"#{request.number}" in t and "ancel" in t for t in told), told
    await eventually(lambda: _card_says(slack, request.id, "ancel"), True)
    mine = text_of(await open_home(slack, MEMBER))
    assert "cancelled" in mine
    assert ("request_cancel", str(request.number)) not in buttons(await open_home(slack, MEMBER))


async def test_an_admin_sees_the_settings_by_fingerprint_only(slack: Harness) -> None:
    await set_up_approvals(slack)
    await slack.runtime.alerts.set_channel(slack.team_id, "C0ALERTS", ADMIN)
    await slack.runtime.roles.grant(
        slack.team_id, Role.ADMIN, Subject(SubjectKind.USER, "UAPPR3"), ADMIN
    )
    view = await open_home(slack, ADMIN)
    text = text_of(view)
    statuses = await slack.runtime.keys.statuses(slack.team_id)
    assert statuses
    for status in statuses.values():
        assert status.fingerprint in text
    for approver in ("UAPPR1", "UAPPR2", "UAPPR3"):
        assert f"<@{approver}>" in text
    assert f"<#{APPROVALS}>" in text and "<#C0ALERTS>" in text
    assert "Policy" in text and "Digests" in text
    assert ("home_open_setup", "setup") in buttons(view)
    for secret in slack.secrets():
        assert secret not in slack.outbound()


async def test_the_setup_button_opens_the_setup_modal(slack: Harness) -> None:
    view = await open_home(slack, ADMIN)
    await click_home(slack, ADMIN, view, "home_open_setup", "setup")
    modal = await slack.fake.wait_for(
        lambda: [
            v
            for v in slack.fake.views.values()
            if v.kind == "modal"
            and v.callback_id == "partner_setup"
            and v.blocks
            and any(b["type"] == "input" for b in v.blocks)
        ]
    )
    assert modal


async def test_many_pending_requests_stay_within_the_limits(slack: Harness) -> None:
    await set_up_approvals(slack, expiry_hours=48)
    subs = sms_account(slack).subaccounts
    # A few more than the pending list's page: the Home's cut (shown, "more waiting", capped)
    # and Slack's 100 blocks are all met past it; a thousand more would only repeat them.
    many = HomeService.PENDING_LIST_LIMIT + 5
    for n in range(many):  # asked through the service: what the Home shows is the subject here
        ask = Ask(Action.CREDIT_ADD, Product.SMS, None, subs[n % len(subs)].token, Decimal(n + 1))
        submitted = await slack.runtime.requests.request_credit(
            slack.team_id, MEMBER, ask, People()
        )
        assert submitted.request.status is Status.PENDING
    assert len(await slack.runtime.requests.pending(slack.team_id)) >= 50
    view = await open_home(slack, A1)
    assert len(view.blocks) <= 100
    assert "more waiting" in text_of(view)
    approve = [v for a, v in buttons(view) if a == "request_approve"]
    assert 0 < len(approve) <= 10


def a_product() -> Any:
    from bot.partner.models import Product

    return Product.SMS


async def test_saving_keys_in_setup_republishes_the_admins_home(
    slack_unconfigured: Harness,
) -> None:
    from devkit.sandbox import DEMO_SMS_KEY

    h = slack_unconfigured
    view = await open_home(h, ADMIN)
    assert "Welcome to Partner Ops" in text_of(view)
    await click_home(h, ADMIN, view, "home_open_setup", "setup")
    modal = await h.fake.wait_for(
        lambda: next(
            (
                v
                for v in h.fake.views.values()
                if v.kind == "modal" and any(b["type"] == "input" for b in v.blocks)
            ),
            None,
        )
    )
    published = len(h.fake.calls_to("views.publish"))
    await h.driver.submit_view(
        modal,
        team_id=h.team_id,
        user_id=ADMIN,
        values={"key_sms": {"api_key": DEMO_SMS_KEY}},
    )
    await h.fake.wait_for(lambda: len(h.fake.calls_to("views.publish")) > published)
    home = h.fake.home_view(ADMIN)
    assert home is not None
    text = text_of(home)
    assert "Welcome to Partner Ops" not in text and "SMS Partner" in text and "Balances" in text
    assert DEMO_SMS_KEY not in h.outbound()


async def test_the_trend_and_days_left_come_from_the_recorded_week(slack: Harness) -> None:
    """Six days ago 600 EUR more, three days ago 300 more, now what the vendor says: about
    100 EUR a day, drawn high, middle, low across the week."""
    from datetime import timedelta

    from bot.clock import utcnow
    from bot.db.models import BalanceSnapshot

    balance = sms_account(slack).balance
    held = Decimal("1000")
    now = utcnow()
    async with slack.runtime.database.session() as session:
        for days, extra in ((6, 600), (3, 300), (0, 0)):
            session.add(
                BalanceSnapshot(
                    team_id=slack.team_id,
                    product="sms",
                    taken_at=now - timedelta(days=days, seconds=1),
                    source="test",
                    main_balance=balance + extra,
                    subaccounts={},
                    subaccount_total=held,
                    error=None,
                )
            )
    text = text_of(await open_home(slack, MEMBER))
    assert "`█  ▅  ▁` last 7 days" in text
    found = re.search(r"about \*([\d.]+)\* days left", text)
    assert found, text
    # 600 EUR spent over (6 days − 1 s): a little over 100 a day, on everything owned.
    days = Decimal(found.group(1))
    assert (balance + held) / Decimal("100.01") - 1 < days <= (balance + held) / 100


async def test_republishing_for_a_request_updates_its_requesters_and_approvers_homes(
    slack: Harness, caplog: Any
) -> None:
    from bot.app import services_of
    from bot.slack.clients import web_client
    from bot.slack.home.publisher import HomePublisher
    from tests.slack.harness import BOT_TOKEN

    await set_up_approvals(slack)
    # An approver Slack no longer knows: their Home fails, the others' are still published.
    await slack.runtime.roles.grant(
        slack.team_id, Role.APPROVER, Subject(SubjectKind.USER, "UAPPR2"), ADMIN
    )
    await slack.ask(f"credit add {a_subaccount(slack).email} 9")
    request = await latest_request(slack)
    slack.fake.users.pop("UAPPR3")
    client = web_client(slack.runtime, BOT_TOKEN)
    published = await HomePublisher(services_of(slack.runtime), client).republish_for_request(
        request
    )
    assert published == 3  # the requester, UAPPR1, UAPPR2 (once, though granted twice)
    for user in (MEMBER, "UAPPR1", "UAPPR2"):
        home = slack.fake.home_view(user)
        assert home is not None and f"#{request.number}" in text_of(home)
    assert "Home of UAPPR3 not republished: Slack said user_not_found" in caplog.text


async def test_reject_from_the_home_asks_why_like_the_card(slack: Harness) -> None:
    from tests.slack.modals import filled_modal

    await set_up_approvals(slack)
    await slack.ask(f"credit add {a_subaccount(slack).email} 4")
    request = await latest_request(slack)
    view = await open_home(slack, A1)
    await click_home(slack, A1, view, "request_reject", str(request.number))
    modal = await filled_modal(slack.fake, A1, "reason")
    await slack.driver.submit_view(
        modal, team_id=slack.team_id, user_id=A1, values={"reason": {"reason": "not now"}}
    )

    async def status() -> Status:
        return (await slack.runtime.requests.get(request.id)).status

    await eventually(status, Status.REJECTED)
    await eventually(lambda: _card_says(slack, request.id, "Rejected by"), True)
    assert not slack.sandbox.calls(endpoint="/subaccount/credit/add")


async def test_a_first_of_two_approvals_from_the_home_is_told_by_dm(slack: Harness) -> None:
    await set_up_approvals(slack, two_approver_threshold=Decimal(1))
    await slack.ask(f"credit add {a_subaccount(slack).email} 20")
    request = await latest_request(slack)
    view = await open_home(slack, A1)
    assert "0 of 2 approvals" in text_of(view)
    published = len(slack.fake.calls_to("views.publish"))
    await click_home(slack, A1, view, "request_approve", str(request.number))
    told = await slack.fake.wait_for(lambda: dms_to(slack, A1))
    assert any(f"#{request.number}" in t for t in told), told
    # Their Home, published again, no longer offers what they approved; the second approver's
    # still does, one approval given.
    await slack.fake.wait_for(lambda: len(slack.fake.calls_to("views.publish")) > published)
    mine = slack.fake.home_view(A1)
    assert mine is not None and "Nothing waits for your decision" in text_of(mine)
    assert "1 of 2 approvals" in text_of(await open_home(slack, APPROVERS[1]))
    assert (await slack.runtime.requests.get(request.id)).status is Status.PENDING
    assert not slack.sandbox.calls(endpoint="/subaccount/credit/add")


async def test_someone_from_another_organisation_gets_no_home(slack: Harness) -> None:
    """An event has no membership check at the door: the Home checks, since it shows the
    workspace's balances. A Slack Connect stranger gets nothing; a member after them does."""
    slack.fake.add_user("TELSEWHERE", "USTRANGER", "outsider", shared_with=[slack.team_id])
    event = {"type": "app_home_opened", "user": "USTRANGER", "channel": "D9", "tab": "home"}
    delivery = await slack.driver.event(event, team_id=slack.team_id)
    assert delivery.status == 200
    await app_settled(slack)
    assert slack.fake.calls_to("users.info")  # asked who they are
    assert [c for c in slack.fake.calls_to("views.publish")] == []
    assert slack.fake.home_view("USTRANGER") is None
    await open_home(slack, MEMBER)  # a member's Home is still drawn
