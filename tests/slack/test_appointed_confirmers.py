"""An admin cannot appoint their own second pair of eyes (bot.services.four_eyes), end to end:
an approver the asker appointed less than 24 hours before asking (or since) neither confirms
their setting change nor approves their request, and is told why, in their language."""

from __future__ import annotations

import copy
from decimal import Decimal

from bot.services import audit
from bot.services.policy import get_policy
from bot.services.requests import Status
from bot.services.roles import Role, Subject, SubjectKind
from bot.services.settings_changes import Status as ChangeStatus
from devkit.emulator import Message
from tests.slack.approvals import (
    APPROVALS,
    APPROVERS,
    a_subaccount,
    card_of,
    click,
    latest_request,
    set_up_approvals,
)
from tests.slack.harness import ADMIN, Harness, eventually, reply_text

A1 = APPROVERS[0]
EDDIE, PAL, PAL2, PALS = "UEDDIE", "UPAL", "UPAL2", "S0PALS"
CONFIRM, APPROVE = "setting_change_confirm", "request_approve"


async def _workspace(h: Harness) -> None:
    """The owner's three approvers, and Eddie, an admin a workspace admin added."""
    await set_up_approvals(h)
    h.fake.add_user(h.team_id, EDDIE, "eddie", real_name="Eddie Added")
    h.fake.add_user(h.team_id, PAL, "pal", real_name="Pal Friend")
    h.fake.add_user(h.team_id, PAL2, "pal2", real_name="Paule Amie", locale="fr-FR")
    h.fake.add_usergroup(h.team_id, PALS, "pals", [PAL2])
    await h.runtime.roles.grant(h.team_id, Role.ADMIN, Subject(SubjectKind.USER, EDDIE), ADMIN)


async def _change_card(h: Harness) -> Message:
    [change] = await h.runtime.settings_changes.pending(h.team_id)
    assert change.card_ts
    message = h.fake.find_message(APPROVALS, change.card_ts)
    assert message is not None
    return copy.deepcopy(message)  # as the clickers saw it (the fake redraws it in place)


async def _auto_approve(h: Harness) -> Decimal:
    return (await get_policy(h.runtime.database, h.team_id)).auto_approve_limit


async def test_an_added_admin_cannot_appoint_their_own_confirmer(slack: Harness) -> None:
    await _workspace(slack)
    # Making a colleague approver tightens: it applies at once.
    added = reply_text(await slack.ask(f"approvers add <@{PAL}|pal>", user=EDDIE))
    assert f"<@{PAL}> is now an approver" in added
    # Raising auto-approve loosens: it waits, and the colleague's Confirm does not count.
    asked = reply_text(await slack.ask("policy auto-approve 4000", user=EDDIE))
    assert "waits for an approver (not you)" in asked
    card = await _change_card(slack)
    refused = reply_text(await (await click(slack, PAL, CONFIRM, card)).wait_response())
    assert (
        f"Your confirmation does not count: <@{EDDIE}>, who asked for this change, made you "
        "(or a group you are in) an approver less than 24 hours before asking, or since."
    ) in refused
    assert "Nothing was changed" in refused
    assert await _auto_approve(slack) == Decimal(0)
    [still] = await slack.runtime.settings_changes.pending(slack.team_id)
    assert still.status is ChangeStatus.PENDING

    # So 4,000 EUR does not move alone: the request waits, and the colleague's Approve does
    # not count either.
    sub = a_subaccount(slack)
    held = sub.balance
    await slack.ask(f"credit add {sub.email} 4000 launch", user=EDDIE)
    request = await latest_request(slack, EDDIE)
    assert request.status is Status.PENDING
    request_card = await card_of(slack, request.id)
    post = await (await click(slack, PAL, APPROVE, request_card)).wait_response()
    assert (
        f"Your approval of request #{request.number} does not count: <@{EDDIE}>, who asked "
        "for it, made you"
    ) in reply_text(post)
    assert (await slack.runtime.requests.get(request.id)).status is Status.PENDING
    assert (await slack.runtime.requests.get(request.id)).approvers == ()
    assert not slack.sandbox.calls(endpoint="/subaccount/credit/add")
    assert sub.balance == held
    entries = await audit.recent(slack.runtime.database, slack.team_id, 1)
    assert [(e.action, (e.details or {}).get("why")) for e in entries if e.actor_id == PAL] == [
        ("approval_not_counted", "appointed by the requester"),
        ("setting_change_not_confirmed", "appointed by the asker"),
    ]

    # An approver somebody else appointed is a second pair of eyes: both go through.
    done = reply_text(await (await click(slack, A1, CONFIRM, card)).wait_response())
    assert "the change is applied" in done
    assert await _auto_approve(slack) == Decimal(4000)
    await click(slack, A1, APPROVE, request_card)

    async def status() -> Status:
        return (await slack.runtime.requests.get(request.id)).status

    await eventually(status, Status.SUCCEEDED)
    assert sub.balance == held + Decimal(4000)


async def test_a_group_the_asker_appointed_does_not_count_either_and_says_so_in_french(
    slack: Harness,
) -> None:
    await _workspace(slack)
    added = reply_text(await slack.ask(f"approvers add <!subteam^{PALS}|@pals>", user=EDDIE))
    assert "@pals" in added and "approver" in added
    await slack.ask(f"credit add {a_subaccount(slack).email} 300 launch", user=EDDIE)
    request = await latest_request(slack, EDDIE)
    card = await card_of(slack, request.id)
    post = await (await click(slack, PAL2, APPROVE, card)).wait_response()
    assert (
        f"Votre approbation de la demande n°\u00a0{request.number} ne compte pas\u00a0: <@{EDDIE}>"
        ", qui l’a faite, a fait de vous (ou d’un groupe dont vous êtes membre) un approbateur "
        "moins de 24 heures avant de la faire, ou depuis."
    ) in reply_text(post)
    assert (await slack.runtime.requests.get(request.id)).status is Status.PENDING
    assert not slack.sandbox.calls(endpoint="/subaccount/credit/add")
