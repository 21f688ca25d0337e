"""Credit moves and subaccount changes: asked, approved by someone else, executed once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.money import format_money
from bot.services.audit import recent
from bot.services.requests import Status
from tests.slack.approvals import (
    APPROVALS,
    APPROVERS,
    a_subaccount,
    buttons,
    card_of,
    card_text,
    click,
    dms_to,
    latest_request,
    set_up_approvals,
    sms_account,
)
from tests.slack.harness import ADMIN, MEMBER, Harness, reply_text
from tests.slack.modals import filled_modal, modal_saying

A1, A2, A3 = APPROVERS


async def settled(h: Harness, request_id: int) -> None:
    async def final() -> bool:
        request = await h.runtime.requests.get(request_id)
        return request.status.is_final or request.needs_a_person

    for _ in range(200):
        if await final():
            return
        await __import__("asyncio").sleep(0.02)
    raise AssertionError("the request never settled")


async def test_a_top_up_asked_approved_and_done(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    account = sms_account(slack)
    main, held = account.balance, sub.balance

    post = await slack.ask(f"credit add {sub.email} 50,5 € top-up for May")
    confirmation = reply_text(post)
    assert "sent to <#C0APPROVALS>" in confirmation and "Cancel request" in confirmation
    request = await latest_request(slack)
    assert request.status is Status.PENDING and request.amount == Decimal("50.5")
    card = await card_of(slack, request.id)
    text = card_text(card)
    for expected in (
        f"<@{MEMBER}>",
        sub.email,
        "€50.50",
        "top-up for May",
        "€10,225.119 → €10,174.619",
        "Waiting for approval",
    ):
        assert expected in text, expected
    assert buttons(card) == ["request_approve", "request_reject"]
    assert not slack.sandbox.calls(endpoint="/subaccount/credit/add")  # nothing moved yet

    await click(slack, A1, "request_approve", card)
    await settled(slack, request.id)
    done = await slack.runtime.requests.get(request.id)
    assert done.status is Status.SUCCEEDED
    assert (account.balance, sub.balance) == (main - Decimal("50.5"), held + Decimal("50.5"))
    assert len(slack.sandbox.calls(endpoint="/subaccount/credit/add")) == 1

    await slack.fake.wait_for(
        lambda: "Done" in card_text(slack.fake.find_message(APPROVALS, card.ts))
    )
    text = card_text(slack.fake.find_message(APPROVALS, card.ts))
    assert (
        f"approved by <@{A1}>" in text
        and buttons(slack.fake.find_message(APPROVALS, card.ts)) == []
    )
    await slack.fake.wait_for(lambda: dms_to(slack, MEMBER))
    assert "is done" in dms_to(slack, MEMBER)[0]

    entries = reversed(await recent(slack.runtime.database, slack.team_id, 1))
    actions = [e.action for e in entries if e.request_id == request.id]
    assert actions == [
        "request_created",
        "approval_counted",
        "approved",
        "vendor_call_sent",
        "vendor_succeeded",
    ]


async def test_a_removal_and_a_deletion(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack, 4)
    held = sub.balance
    await slack.ask(f"credit remove {sub.token} 1")
    removal = await latest_request(slack)
    await click(slack, A2, "request_approve", await card_of(slack, removal.id))
    await settled(slack, removal.id)
    assert sub.balance == held - 1

    left = sub.balance
    main_before = sms_account(slack).balance
    await slack.ask(f"subaccount delete {sub.email} client left")
    deletion = await latest_request(slack)
    assert deletion.amount is None
    card = await card_of(slack, deletion.id)
    # The card says the subaccount's credit goes back to the main account, and how much.
    shown = card_text(card)
    assert f"{format_money(left)} back to the main account" in shown
    assert f"{format_money(main_before)} → {format_money(main_before + left)}" in shown
    await click(slack, A3, "request_approve", card)
    await settled(slack, deletion.id)
    assert (await slack.runtime.requests.get(deletion.id)).status is Status.SUCCEEDED
    assert all(s.token != sub.token for s in sms_account(slack).subaccounts)
    # So do the redrawn card and the requester's DM, with the main balance measured after.
    returned = (
        f"Its credit, {format_money(left)}, went back to the main account, which now holds "
        f"{format_money(main_before + left)}"
    )
    await slack.fake.wait_for(
        lambda: returned in card_text(slack.fake.find_message(APPROVALS, card.ts))
    )
    await slack.fake.wait_for(lambda: [d for d in dms_to(slack, MEMBER) if returned in d])


async def test_nobody_approves_their_own_request_not_even_an_admin(slack: Harness) -> None:
    await set_up_approvals(slack)
    from bot.services.roles import Role, Subject, SubjectKind

    await slack.runtime.roles.grant(
        slack.team_id, Role.APPROVER, Subject(SubjectKind.USER, ADMIN), ADMIN
    )
    await slack.ask(f"credit add {a_subaccount(slack).email} 10", user=ADMIN)
    request = await latest_request(slack, ADMIN)
    delivery = await click(slack, ADMIN, "request_approve", await card_of(slack, request.id))
    post = await delivery.wait_response()
    assert "You asked for request #1, so another approver must decide it" in reply_text(post)
    assert (await slack.runtime.requests.get(request.id)).status is Status.PENDING
    assert not slack.sandbox.calls(endpoint="/subaccount/credit/add")


async def test_only_approvers_decide(slack: Harness) -> None:
    await set_up_approvals(slack)
    await slack.ask(f"credit add {a_subaccount(slack).email} 10")
    request = await latest_request(slack)
    card = await card_of(slack, request.id)
    post = await (await click(slack, ADMIN, "request_approve", card)).wait_response()
    assert "Only approvers can approve requests" in reply_text(post)
    # Reject opens its modal before the checks (a trigger_id lives 3 s): the refusal is there.
    await click(slack, ADMIN, "request_reject", card)
    refused = await modal_saying(slack.fake, ADMIN, "Only approvers can reject requests")
    assert not any(block.get("type") == "input" for block in refused.blocks)
    assert (await slack.runtime.requests.get(request.id)).status is Status.PENDING


async def test_two_approvers_above_the_threshold(slack: Harness) -> None:
    await set_up_approvals(slack, two_approver_threshold=Decimal(100))
    await slack.ask(f"credit add {a_subaccount(slack).email} 150")
    request = await latest_request(slack)
    assert request.approvals_needed == 2
    card = await card_of(slack, request.id)
    post = await (await click(slack, A1, "request_approve", card)).wait_response()
    assert "needs one more approver" in reply_text(post)
    await slack.fake.wait_for(
        lambda: (
            f"approved by <@{A1}> (1 of 2)"
            in card_text(slack.fake.find_message(APPROVALS, card.ts))
        )
    )
    post = await (await click(slack, A1, "request_approve", card)).wait_response()
    assert "You already approved" in reply_text(post)
    assert not slack.sandbox.calls(endpoint="/subaccount/credit/add")
    await click(slack, A2, "request_approve", card)
    await settled(slack, request.id)
    done = await slack.runtime.requests.get(request.id)
    assert done.status is Status.SUCCEEDED and set(done.approvers) == {A1, A2}
    assert len(slack.sandbox.calls(endpoint="/subaccount/credit/add")) == 1
    # Every click is in the audit, saying whether it counted.
    entries = reversed(await recent(slack.runtime.database, slack.team_id, 1))
    clicks = [
        (e.action, e.actor_id, (e.details or {}).get("approvers") or (e.details or {}).get("why"))
        for e in entries
        if e.request_id == request.id and e.action.startswith("approval")
    ]
    assert clicks == [
        ("approval_counted", A1, "1 of 2"),
        ("approval_not_counted", A1, "already approved by them"),
        ("approval_counted", A2, "2 of 2"),
    ]


async def test_reject_asks_why_and_tells_the_requester(slack: Harness) -> None:
    await set_up_approvals(slack)
    await slack.ask(f"credit add {a_subaccount(slack).email} 10")
    request = await latest_request(slack)
    card = await card_of(slack, request.id)
    await click(slack, A1, "request_reject", card)
    modal = await filled_modal(slack.fake, A1, "reason")
    empty = await slack.driver.submit_view(
        modal, team_id=slack.team_id, user_id=A1, values={"reason": {"reason": "  "}}
    )
    assert empty.json["response_action"] == "errors"
    await slack.driver.submit_view(
        modal,
        team_id=slack.team_id,
        user_id=A1,
        values={"reason": {"reason": "Budget <!channel> frozen"}},
    )
    await slack.fake.wait_for(lambda: dms_to(slack, MEMBER))
    dm = dms_to(slack, MEMBER)[0]
    assert "rejected by" in dm and "Budget &lt;!channel&gt; frozen" in dm
    text = card_text(slack.fake.find_message(APPROVALS, card.ts))
    assert "Rejected by" in text and buttons(slack.fake.find_message(APPROVALS, card.ts)) == []
    assert (await slack.runtime.requests.get(request.id)).status is Status.REJECTED
    assert not slack.sandbox.calls(endpoint="/subaccount/credit/add")


async def test_the_requester_can_cancel(slack: Harness) -> None:
    await set_up_approvals(slack)
    delivery = await slack.command(f"credit add {a_subaccount(slack).email} 10")
    post = await delivery.wait_response()
    [cancel] = [e for b in post.body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    await slack.driver.click(
        team_id=slack.team_id,
        user_id=MEMBER,
        action_id=cancel["action_id"],
        value=cancel["value"],
        response_url=delivery.response_url,
    )
    replaced = await delivery.wait_response(count=2)
    assert replaced.body.get("replace_original") and "cancelled" in reply_text(replaced)
    request = await latest_request(slack)
    assert request.status is Status.CANCELLED
    card = await card_of(slack, request.id)
    await slack.fake.wait_for(
        lambda: "Cancelled by" in card_text(slack.fake.find_message(APPROVALS, card.ts))
    )
    assert buttons(card) == []
    # An approver whose Slack still shows the old card clicks Approve anyway.
    stale = await slack.driver.click(
        team_id=slack.team_id,
        user_id=A1,
        action_id="request_approve",
        value=str(request.id),
        channel_id=APPROVALS,
    )
    assert "has already been cancelled" in reply_text(await stale.wait_response())
    assert not slack.sandbox.calls(endpoint="/subaccount/credit/add")


async def test_the_balance_is_read_again_when_approved(slack: Harness) -> None:
    await set_up_approvals(slack)
    await slack.ask(f"credit add {a_subaccount(slack).email} 500")
    request = await latest_request(slack)
    sms_account(slack).balance = Decimal("120.000")  # spent meanwhile
    await click(slack, A1, "request_approve", await card_of(slack, request.id))
    await settled(slack, request.id)
    failed = await slack.runtime.requests.get(request.id)
    assert failed.status is Status.FAILED
    assert "€120.00, less than €500.00" in (failed.outcome_note or "")
    assert not slack.sandbox.calls(endpoint="/subaccount/credit/add")
    await slack.fake.wait_for(lambda: dms_to(slack, MEMBER))
    assert "€120.00" in dms_to(slack, MEMBER)[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("credit add nobody@nowhere.example 10", "No subaccount matches"),
        ("credit add {email} 0", "greater than 0"),
        ("credit add {email} 12,3456", "at most 3 decimals"),
        ("credit add {email} 5000000", "more than"),
        ("credit add {email} lots", "is not an amount"),
        ("credit add {email}", "Write it as"),
        ("credit add {email} 20000", "The main account holds €10,225.119"),
        ("credit remove {email} 99999", "cannot be removed"),
        ("credit move {email} 1", "Write it as"),
    ],
)
async def test_requests_refused_with_a_clear_message(
    slack: Harness, text: str, message: str
) -> None:
    await set_up_approvals(slack)
    post = await slack.ask(text.format(email=a_subaccount(slack).email))
    assert message in reply_text(post)
    assert await slack.runtime.requests.of_requester(slack.team_id, MEMBER) == []


async def test_no_approvals_channel_or_approvers_means_no_request(slack: Harness) -> None:
    post = await slack.ask(f"credit add {a_subaccount(slack).email} 10")
    assert "No approvals channel yet" in reply_text(post)
    from bot.services.policy import change_policy

    slack.fake.add_channel(slack.team_id, APPROVALS, "approvals")
    await change_policy(
        slack.runtime.database, slack.team_id, ADMIN, approvals_channel_id=APPROVALS
    )
    post = await slack.ask(f"credit add {a_subaccount(slack).email} 10")
    assert "Nobody can approve requests yet" in reply_text(post)
    assert await slack.runtime.requests.of_requester(slack.team_id, MEMBER) == []


async def test_auto_approval_under_the_limit_and_the_daily_cap(slack: Harness) -> None:
    await set_up_approvals(
        slack, auto_approve_limit=Decimal(20), daily_auto_approve_cap=Decimal(30)
    )
    email = a_subaccount(slack).email
    post = await slack.ask(f"credit add {email} 15")
    assert "auto-approved" in reply_text(post) and "Done" in reply_text(post)
    assert len(slack.sandbox.calls(endpoint="/subaccount/credit/add")) == 1
    first = await latest_request(slack)
    assert first.auto_approved and first.card_ts is None
    other = a_subaccount(slack, 1).email  # the same move twice would ask to confirm
    post = await slack.ask(f"credit add {other} 15")  # 30 in 24 h: still within the cap
    assert "auto-approved" in reply_text(post)
    post = await slack.ask(f"credit add {email} 1")  # over the cap: needs an approver
    assert "sent to <#C0APPROVALS>" in reply_text(post)
    post = await slack.ask(f"credit add {email} 25")  # over the limit
    assert "sent to <#C0APPROVALS>" in reply_text(post)
    actions = [e.action for e in await recent(slack.runtime.database, slack.team_id, 1)]
    assert actions.count("auto_approved") == 2


async def test_requesters_can_be_restricted_to_a_group(slack: Harness) -> None:
    await set_up_approvals(slack, requesters_usergroup_id="S0FIN")
    slack.fake.add_usergroup(slack.team_id, "S0FIN", "finance", [ADMIN])
    post = await slack.ask(f"credit add {a_subaccount(slack).email} 10")
    refused = reply_text(post)
    assert "Only members of <!subteam^S0FIN> may make requests" in refused
    assert "/partner policy requesters everyone" in refused
    post = await slack.ask(f"credit add {a_subaccount(slack).email} 10", user=ADMIN)
    assert "sent to" in reply_text(post)


async def test_lists_of_pending_and_own_requests(slack: Harness) -> None:
    await set_up_approvals(slack)
    await slack.ask(f"credit add {a_subaccount(slack).email} 10 first")
    await slack.ask(f"credit add {a_subaccount(slack).email} 11 second")
    mine = reply_text(await slack.ask("requests"))
    assert "#1" in mine and "#2" in mine and "waiting for approval" in mine
    assert "Only Partner Ops admins and approvers" in reply_text(await slack.ask("approvals"))
    pending = reply_text(await slack.ask("approvals", user=A1))
    assert "€11.00" in pending


async def test_a_card_that_cannot_be_posted_withdraws_the_request(slack: Harness) -> None:
    await set_up_approvals(slack)
    slack.fake.channels[APPROVALS].bot_is_member = False
    post = await slack.ask(f"credit add {a_subaccount(slack).email} 10")
    assert "could not be posted" in reply_text(post) and "not_in_channel" in reply_text(post)
    assert (await latest_request(slack)).status is Status.CANCELLED
