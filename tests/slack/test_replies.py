"""Issue 19, end to end: a refusal says its reason and its usage line (not the whole help);
`/partner approvals` carries the cards' buttons and `/partner approve|reject <n>` decides by
number, through the same service calls; a redrawn card says when its figures were read."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from bot.clock import utcnow
from bot.db.models import CreditRequest
from bot.money import format_money
from bot.services.requests import Status
from bot.services.roles import Role, Subject, SubjectKind
from bot.slack.clients import WorkspaceClients
from bot.slack.maintenance import Maintenance
from bot.slack.views.reply import REFUSAL_BLOCK_ID
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
from tests.slack.harness import ADMIN, MEMBER, Harness, eventually, reply_text

A1, A2, A3 = APPROVERS
PAL = "UPAL"

# --- refusals: the reason, its usage line, the pointer to help ----------------------------------

REFUSED = [
    (
        "credit add a@b.co 1.000",
        "en-US",
        "“1.000” is ambiguous",
        "Usage: `/partner [product] credit add &lt;subaccount&gt; &lt;amount&gt; [reason…]`",
    ),
    (
        "policy two-approvers lots",
        "en-US",
        "“lots” is not an amount",
        "Usage: `/partner policy [&lt;setting&gt; &lt;value&gt;]`",
    ),
    (
        "politique two-approvers beaucoup",
        "fr-FR",
        "«\u00a0beaucoup\u00a0» n’est pas un montant",
        "Syntaxe\u00a0: `/partner règles [&lt;réglage&gt; &lt;valeur&gt;]`",
    ),
    (
        "approve trois",
        "en-US",
        "`trois` is not a request number",
        "Usage: `/partner approve &lt;number&gt;`",
    ),
]


@pytest.mark.parametrize(
    ("typed", "locale", "reason", "usage"), REFUSED, ids=[r[0] for r in REFUSED]
)
async def test_a_refusal_says_why_and_its_usage_line_not_the_whole_help(
    slack: Harness, typed: str, locale: str, reason: str, usage: str
) -> None:
    slack.fake.users[MEMBER].locale = locale
    post = await slack.ask(typed)
    assert post.body["response_type"] == "ephemeral"
    [why, hints] = post.body["blocks"]
    assert why["block_id"] == REFUSAL_BLOCK_ID and reason in why["text"]["text"]
    hint = hints["elements"][0]["text"]
    assert usage in hint
    help_pointer = "`/partner help`" if locale == "en-US" else "`/partner aide`"
    assert help_pointer in hint
    said = reply_text(post)
    assert "what you can ask" not in said and "ce que vous pouvez demander" not in said


async def test_an_unknown_word_gets_the_suggestion_and_the_pointer_only(slack: Harness) -> None:
    post = await slack.ask("aprovals")
    assert post.body["text"] == (
        "I don't know `aprovals`. Did you mean `/partner approvals`?\n"
        "`/partner help` lists every command."
    )
    assert len(post.body["blocks"]) == 2


# --- approvals with buttons, approve / reject by number -----------------------------------------


def _actions(post_blocks: list[dict]) -> dict[str, list[tuple[str, str]]]:
    """block_id → [(action_id, value)] of a message's buttons."""
    return {
        block["block_id"]: [(e["action_id"], e["value"]) for e in block["elements"]]
        for block in post_blocks
        if block["type"] == "actions"
    }


async def test_approvals_carry_the_cards_buttons_for_what_the_reader_may_decide(
    slack: Harness,
) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    await slack.ask(f"credit add {sub.email} 10 first")
    theirs = await latest_request(slack)
    await slack.ask(f"credit add {sub.email} 11 mine", user=A1)
    own = await latest_request(slack, A1)

    delivery = await slack.command("approvals", user=A1)
    listed = await delivery.wait_response()
    # Their own request is listed, without buttons; the other has the card's own.
    assert f"#{own.number}" in reply_text(listed)
    assert _actions(listed.body["blocks"]) == {
        f"request_{theirs.number}": [
            ("request_approve", str(theirs.number)),
            ("request_reject", str(theirs.number)),
        ]
    }
    card = await card_of(slack, theirs.id)
    assert _actions(card.blocks)[f"request_{theirs.number}"] == [
        ("request_approve", str(theirs.number)),
        ("request_reject", str(theirs.number)),
    ]
    # An admin who is not an approver reads the list, with no button.
    admin_list = await slack.ask("approvals", user=ADMIN)
    assert f"#{theirs.number}" in reply_text(admin_list) and not _actions(admin_list.body["blocks"])

    # Approve from the list (an ephemeral message): the card's listener carries it out.
    async def approve_from_the_list() -> None:
        await slack.driver.click(
            team_id=slack.team_id,
            user_id=A1,
            action_id="request_approve",
            value=str(theirs.number),
            block_id=f"request_{theirs.number}",
            response_url=delivery.response_url,
            channel_id="C0GENERAL",
        )

    await approve_from_the_list()

    async def status() -> Status:
        return (await slack.runtime.requests.get(theirs.id)).status

    await eventually(status, Status.SUCCEEDED)
    await slack.fake.wait_for(
        lambda: f"approved by <@{A1}>" in card_text(slack.fake.find_message(APPROVALS, card.ts))
    )
    assert buttons(slack.fake.find_message(APPROVALS, card.ts)) == []
    # The same button clicked again (a stale list): told, and nothing moves twice.
    await approve_from_the_list()
    await slack.fake.wait_for(
        lambda: any("already" in reply_text(post) for post in delivery.responses())
    )
    assert len(slack.sandbox.calls(endpoint="/subaccount/credit/add")) == 1


async def test_approve_and_reject_by_number_follow_the_cards_rules(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    held = sub.balance
    await slack.ask(f"credit add {sub.email} 10 first")
    first = await latest_request(slack)
    await slack.ask(f"credit add {sub.email} 12 second")
    second = await latest_request(slack)

    own = reply_text(await slack.ask(f"approve {first.number}"))
    assert f"You asked for request #{first.number}, so another approver must decide it" in own
    not_an_approver = reply_text(await slack.ask(f"approve {first.number}", user=ADMIN))
    assert "Only approvers can approve requests" in not_an_approver
    assert (await slack.runtime.requests.get(first.id)).status is Status.PENDING
    assert not slack.sandbox.calls(endpoint="/subaccount/credit/add")

    approved = reply_text(await slack.ask(f"approve #{first.number}", user=A2))
    assert f"You approved request #{first.number}" in approved  # the typist is answered

    async def status_of(request_id: int) -> Status:
        return (await slack.runtime.requests.get(request_id)).status

    await eventually(lambda: status_of(first.id), Status.SUCCEEDED)
    assert sub.balance == held + Decimal(10)
    again = reply_text(await slack.ask(f"approve {first.number}", user=A3))
    assert "already" in again
    assert len(slack.sandbox.calls(endpoint="/subaccount/credit/add")) == 1

    await slack.ask(f"refuser {second.number} budget gelé <!channel>", user=A1)
    await eventually(lambda: status_of(second.id), Status.REJECTED)
    await slack.fake.wait_for(lambda: [d for d in dms_to(slack, MEMBER) if "budget gelé" in d])
    card = slack.fake.find_message(APPROVALS, (await slack.runtime.requests.get(second.id)).card_ts)
    assert "Rejected by" in card_text(card) and buttons(card) == []
    assert "<!channel>" not in card_text(card)

    missing = reply_text(await slack.ask("approve 999", user=A1))
    assert "#999" in missing or "999" in missing


async def test_approve_by_number_counts_no_approver_the_requester_appointed(
    slack: Harness,
) -> None:
    await set_up_approvals(slack)
    slack.fake.add_user(slack.team_id, PAL, "pal", real_name="Pal Friend")
    # The requester made their colleague an approver just now: not a second pair of eyes.
    await slack.runtime.roles.grant(
        slack.team_id, Role.APPROVER, Subject(SubjectKind.USER, PAL), MEMBER
    )
    await slack.ask(f"credit add {a_subaccount(slack).email} 10")
    request = await latest_request(slack)
    refused = reply_text(await slack.ask(f"approve {request.number}", user=PAL))
    assert f"Your approval of request #{request.number} does not count" in refused
    assert (await slack.runtime.requests.get(request.id)).approvers == ()
    assert not slack.sandbox.calls(endpoint="/subaccount/credit/add")


# --- redrawn cards: figures that say when they were read ----------------------------------------


async def test_a_rejected_card_says_when_its_balances_were_read_and_foresees_nothing(
    slack: Harness,
) -> None:
    await set_up_approvals(slack)
    main = sms_account(slack).balance
    await slack.ask(f"credit add {a_subaccount(slack).email} 50")
    request = await latest_request(slack)
    card = await card_of(slack, request.id)
    posted = card_text(card)
    forecast = f"{format_money(main)} → {format_money(main - 50)}"
    assert forecast in posted and "Balances as read <!date^" in posted
    sms_account(slack).balance += Decimal(1000)  # the money moves on meanwhile

    await slack.ask(f"reject {request.number} not this month", user=A1)
    await slack.fake.wait_for(
        lambda: "Rejected by" in card_text(slack.fake.find_message(APPROVALS, card.ts))
    )
    redrawn = card_text(slack.fake.find_message(APPROVALS, card.ts))
    assert forecast not in redrawn  # what was foreseen will not happen
    assert f"*Main account*\\n{format_money(main)}" in redrawn
    assert "Balances as read <!date^" in redrawn


async def test_an_expired_card_redrawn_by_the_worker_foresees_nothing(slack: Harness) -> None:
    await set_up_approvals(slack)
    main = sms_account(slack).balance
    await slack.ask(f"credit add {a_subaccount(slack).email} 10")
    request = await latest_request(slack)
    card = await card_of(slack, request.id)
    forecast = f"{format_money(main)} → {format_money(main - 10)}"
    assert forecast in card_text(card)
    async with slack.runtime.database.session() as session:
        await session.execute(
            update(CreditRequest)
            .where(CreditRequest.id == request.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    await Maintenance(slack.runtime, WorkspaceClients(slack.runtime, None)).run_once()
    redrawn = card_text(slack.fake.find_message(APPROVALS, card.ts))
    assert "Expired" in redrawn and forecast not in redrawn
    assert f"*Main account*\\n{format_money(main)}" in redrawn
    assert "Balances as read <!date^" in redrawn


async def test_a_cancelled_deletion_gives_nothing_back(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack, 4)
    delivery = await slack.command(f"subaccount delete {sub.email} client left")
    post = await delivery.wait_response()
    request = await latest_request(slack)
    card = await card_of(slack, request.id)
    assert "back to the main account" in card_text(card)
    [cancel] = [e for b in post.body["blocks"] if b["type"] == "actions" for e in b["elements"]]
    await slack.driver.click(
        team_id=slack.team_id,
        user_id=MEMBER,
        action_id=cancel["action_id"],
        value=cancel["value"],
        response_url=delivery.response_url,
    )
    await slack.fake.wait_for(
        lambda: "Cancelled by" in card_text(slack.fake.find_message(APPROVALS, card.ts))
    )
    redrawn = card_text(slack.fake.find_message(APPROVALS, card.ts))
    assert "back to the main account" not in redrawn and "→" not in redrawn
    assert "Balances as read <!date^" in redrawn


async def test_deleting_an_empty_subaccount_shows_no_x_to_x(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack, 5)
    sub.balance = Decimal(0)
    main = sms_account(slack).balance
    await slack.ask(f"subaccount delete {sub.email} unused")
    request = await latest_request(slack)
    card = await card_of(slack, request.id)
    await slack.ask(f"approve {request.number}", user=A1)
    await slack.fake.wait_for(
        lambda: "Done" in card_text(slack.fake.find_message(APPROVALS, card.ts))
    )
    done = card_text(slack.fake.find_message(APPROVALS, card.ts))
    assert f"{format_money(main)} → {format_money(main)}" not in done
    assert f"*Main account*\\n{format_money(main)}" in done
    assert "Balances as read" not in done  # measured around the call
