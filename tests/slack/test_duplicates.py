"""One form makes one request, and the same request twice in a hurry is asked about first."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from bot.services.requests import Status
from devkit.emulator import Message
from tests.slack.approvals import (
    APPROVALS,
    a_subaccount,
    card_of,
    card_text,
    dms_to,
    latest_request,
    set_up_approvals,
)
from tests.slack.harness import MEMBER, Harness, reply_text
from tests.slack.modals import filled_modal

FORM = {
    "type": {"type": "simple"},
    "email": {"email": "twice.client@example.org"},
    "credit": {"credit": "10"},
    "reason": {"reason": "new contract"},
}


def cards(h: Harness) -> list[Message]:
    return [m for m in h.fake.messages.get(APPROVALS, []) if "request #" in m.text + str(m.blocks)]


async def test_three_submissions_of_one_form_make_one_request(slack: Harness) -> None:
    await set_up_approvals(slack)
    await slack.command("subaccount create")
    modal = await filled_modal(slack.fake, MEMBER, "type")
    # A triple click on Submit, all at once (Slack never redelivers a submission itself:
    # each click is a delivery of its own, and no delivery claim is made for them).
    deliveries = await asyncio.gather(
        *(
            slack.driver.submit_view(modal, team_id=slack.team_id, user_id=MEMBER, values=FORM)
            for _ in range(3)
        )
    )
    assert all(d.status == 200 for d in deliveries)
    await slack.fake.wait_for(lambda: dms_to(slack, MEMBER))
    request = await latest_request(slack)
    await card_of(slack, request.id)
    # Every submission got as far as the audit can see: then count.
    mine = await slack.runtime.requests.of_requester(slack.team_id, MEMBER)
    assert [r.id for r in mine] == [request.id]
    assert len(cards(slack)) == 1
    assert len(dms_to(slack, MEMBER)) == 1


async def test_the_same_command_twice_asks_before_a_second_request(slack: Harness) -> None:
    await set_up_approvals(slack)
    email = a_subaccount(slack).email
    await slack.ask(f"credit add {email} 25 top-up")
    first = await latest_request(slack)

    asked = await slack.ask(f"credit add {email} 25 top-up")
    assert "You asked for the same thing" in reply_text(asked)
    assert f"request #{first.id}" in reply_text(asked)
    assert [r.id for r in await slack.runtime.requests.of_requester(slack.team_id, MEMBER)] == [
        first.id
    ]
    # A different amount is another request, asked without a question.
    other = await slack.ask(f"credit add {email} 26 top-up")
    assert "sent to" in reply_text(other)

    # "Send another": the second request is made, and its card says it is like the first.
    send = next(
        e
        for b in asked.body["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == "request_confirm_similar"
    )
    click = await slack.driver.click(
        team_id=slack.team_id,
        user_id=MEMBER,
        action_id="request_confirm_similar",
        value=send["value"],
        response_url=asked.url,
    )
    # On the question's response_url: the question, its removal, then the answer.
    answer = await click.wait_response(count=3)
    assert "sent to" in reply_text(answer)
    second = await latest_request(slack)
    assert second.similar_to == first.id and second.status is Status.PENDING
    assert second.amount == Decimal(25)
    assert f"Similar to request #{first.id}" in card_text(await card_of(slack, second.id))


async def test_dont_send_keeps_only_the_first_request(slack: Harness) -> None:
    await set_up_approvals(slack)
    email = a_subaccount(slack).email
    await slack.ask(f"subaccount delete {email} closing")
    asked = await slack.ask(f"subaccount delete {email} closing")
    drop = await slack.driver.click(
        team_id=slack.team_id,
        user_id=MEMBER,
        action_id="request_drop_similar",
        value="drop",
        response_url=asked.url,
    )
    assert "Not sent" in reply_text(await drop.wait_response(count=2))
    assert len(await slack.runtime.requests.of_requester(slack.team_id, MEMBER)) == 1


async def test_a_tampered_confirmation_is_checked_like_a_command(slack: Harness) -> None:
    await set_up_approvals(slack)
    click = await slack.driver.click(
        team_id=slack.team_id,
        user_id=MEMBER,
        action_id="request_confirm_similar",
        value='{"a":"credit_add","p":"sms","ref":"nobody@nowhere.example","amt":"5","similar":1}',
    )
    assert "No subaccount matches" in reply_text(await click.wait_response(count=2))
    garbage = await slack.driver.click(
        team_id=slack.team_id,
        user_id=MEMBER,
        action_id="request_confirm_similar",
        value="not json",
    )
    assert "expired" in reply_text(await garbage.wait_response())
    assert await slack.runtime.requests.of_requester(slack.team_id, MEMBER) == []
