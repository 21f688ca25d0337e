"""Batches where approvers and requesters look: `/partner approvals` and the approver's Home
list a pending batch with the card's Approve/Reject, which decide it from there; the requester
sees theirs (state, progress, results) in `/partner requests` and on their Home; and
`/partner approve|reject <n>` reach a batch (one number sequence for requests and batches)."""

from __future__ import annotations

import json
from decimal import Decimal

from bot.services.batches.model import BatchStatus
from devkit.emulator import Message
from tests.slack.approvals import (
    APPROVERS,
    a_subaccount,
    card_text,
    click,
    dms_to,
    set_up_approvals,
)
from tests.slack.harness import ADMIN, MEMBER, Harness, reply_text
from tests.slack.modals import filled_modal
from tests.slack.test_batches import ADD, FRENCH, cards, submit
from tests.slack.test_home import buttons, click_home, open_home, text_of

A1, A2, _ = APPROVERS


def batch_cards(h: Harness) -> list[Message]:
    return [m for m in cards(h) if m.text.startswith("Batch #")]


async def a_pending_batch(h: Harness, amount: int = 3) -> Message:
    before = len(batch_cards(h))
    sub = a_subaccount(h)
    await submit(h, {"rows": {"rows": f"{sub.email},add,{amount},March"}})
    return await h.fake.wait_for(lambda: len(batch_cards(h)) > before and batch_cards(h)[-1])


async def status_of(h: Harness, number: int) -> BatchStatus:
    return (await h.runtime.batches.store.by_number(h.team_id, number)).status


def actions(blocks: list[dict]) -> list[tuple[str, str]]:
    return [
        (e["action_id"], e["value"])
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["type"] == "button"
    ]


def ephemeral_with(h: Harness, user: str, action_id: str) -> Message:
    return next(
        m
        for messages in h.fake.messages.values()
        for m in messages
        if m.ephemeral_to == user and action_id in json.dumps(m.blocks)
    )


async def test_a_pending_batch_is_in_approvals_and_approved_from_there(slack: Harness) -> None:
    await set_up_approvals(slack)
    card = await a_pending_batch(slack)

    listed = await (await slack.command("approvals", user=A1)).wait_response()

    shown = reply_text(listed)
    assert "Batch #1" in shown and f"<@{MEMBER}>" in shown and "€3.00" in shown
    assert actions(listed.body["blocks"]) == [("batch_approve", "1"), ("batch_reject", "1")]
    assert set(actions(listed.body["blocks"])) <= set(actions(card.blocks))  # the card's own
    # An admin who is not an approver reads it, with no button.
    admin_list = await slack.ask("approvals", user=ADMIN)
    assert "Batch #1" in reply_text(admin_list) and not actions(admin_list.body["blocks"])

    await click(slack, A1, "batch_approve", ephemeral_with(slack, A1, "batch_approve"))

    await slack.fake.wait_for(lambda: "Finished" in card_text(cards(slack)[0]))
    assert len(slack.sandbox.calls(endpoint=ADD)) == 1
    assert any("is approved" in p.body.get("text", "") for p in slack.fake.responses)


async def test_the_requester_follows_their_batch_in_requests(slack: Harness) -> None:
    await set_up_approvals(slack)
    card = await a_pending_batch(slack)

    waiting = reply_text(await slack.ask("requests"))
    assert "Batch #1" in waiting and "Waiting for approval" in waiting
    assert "batch_approve" not in waiting  # theirs to follow, not to decide

    await click(slack, A1, "batch_approve", card)
    await slack.fake.wait_for(lambda: "Finished" in card_text(cards(slack)[0]))

    done = reply_text(await slack.ask("requests"))
    assert "Finished: 1 done, 0 failed, 0 unknown of 1" in done
    assert "direct messages" in done


async def test_the_approvers_home_lists_it_and_approves_it(slack: Harness) -> None:
    await set_up_approvals(slack, two_approver_threshold=Decimal(1))
    await a_pending_batch(slack)
    view = await open_home(slack, A1)
    assert "Batch #1" in text_of(view)
    assert ("batch_approve", "1") in buttons(view) and ("batch_reject", "1") in buttons(view)
    published = len(slack.fake.calls_to("views.publish"))

    await click_home(slack, A1, view, "batch_approve", "1")

    told = await slack.fake.wait_for(lambda: dms_to(slack, A1))
    assert any("batch #1 is counted (1 of 2)" in t for t in told), told
    # Their Home, published again, no longer offers what they approved; the other's does.
    await slack.fake.wait_for(lambda: len(slack.fake.calls_to("views.publish")) > published)
    mine = slack.fake.home_view(A1)
    assert mine is not None and ("batch_approve", "1") not in buttons(mine)
    assert ("batch_approve", "1") in buttons(await open_home(slack, A2))
    assert await status_of(slack, 1) is BatchStatus.PENDING


async def test_the_requesters_home_shows_their_batch(slack: Harness) -> None:
    await set_up_approvals(slack)
    await a_pending_batch(slack)

    view = await open_home(slack, MEMBER)

    assert "Batch #1" in text_of(view) and "Waiting for approval" in text_of(view)
    assert ("batch_approve", "1") not in buttons(view)


async def test_approve_and_reject_typed_reach_a_batch(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    await slack.ask(f"credit add {sub.email} 7")  # request #1: one sequence with batches
    first = await a_pending_batch(slack)  # #2
    assert "Batch #2" in card_text(first)

    approved = await slack.ask("approve 2", user=A1)

    assert "Batch #2 is approved" in reply_text(approved)
    await slack.fake.wait_for(lambda: "Finished" in card_text(batch_cards(slack)[-1]))
    await a_pending_batch(slack, amount=4)  # #3

    refused = await slack.ask("reject 3 wrong month", user=A2)

    assert "Batch #3" in reply_text(refused) and "Rejected" in reply_text(refused)
    assert await status_of(slack, 3) is BatchStatus.REJECTED
    told = await slack.fake.wait_for(lambda: [t for t in dms_to(slack, MEMBER) if "#3" in t])
    assert "wrong month" in told[0]
    # The requester may not approve their own, typed either.
    own = await slack.ask("approve 3", user=MEMBER)
    assert "no longer waiting" in reply_text(own)


async def test_in_french_the_requester_reads_their_batch(slack: Harness) -> None:
    await set_up_approvals(slack)
    slack.fake.add_user(slack.team_id, FRENCH, "celine", real_name="Céline", locale="fr-FR")
    await slack.command("lot", user=FRENCH)
    modal = await filled_modal(slack.fake, FRENCH, "file")
    rows = f"{a_subaccount(slack).email};ajouter;5"
    await slack.driver.submit_view(
        modal, team_id=slack.team_id, user_id=FRENCH, values={"rows": {"rows": rows}}
    )
    await slack.fake.wait_for(lambda: batch_cards(slack))

    said = reply_text(await slack.ask("demandes", user=FRENCH)).replace("\u00a0", " ")

    assert "Lot n° 1" in said and "1 ligne (" in said and "Lots" not in said
