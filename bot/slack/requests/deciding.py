"""Deciding: Approve, Reject (with a reason), Cancel, and Mark done / Mark failed; and
`/partner approve|reject <n>`, the same decisions typed.

Slack does not disable a button after a click and may deliver a click twice: each listener
makes one service call, whose conditional transitions let exactly one click win; the service
tells the others who got there first (bot.slack.requests.notices). Refusals (not an approver,
their own request) and failures go to the app's one error handler (bot.slack.error_handler).
"""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.requests import CardAt, Requests, Status
from bot.slack.batches import deciding as batch_deciding
from bot.slack.blocks import clicked_message, form_text
from bot.slack.context import Services, SlashCommand
from bot.slack.directory import SlackDirectory
from bot.slack.membership import check_member
from bot.slack.minted import record_number
from bot.slack.modals import ack_working, open_loading, replace_working
from bot.slack.replies import DirectReply, Ephemeral, InModal, reply
from bot.slack.requests import texts as text
from bot.slack.requests.forms import reject_modal, reject_title
from bot.slack.requests.notices import SlackRequestNotices
from bot.slack.requests.parsing import Decide
from bot.slack.requests.views import REJECT_CALLBACK, what
from bot.slack.views.reply import plain_reply


async def approve(
    ack: AsyncAck,
    body: dict[str, Any],
    context: AsyncBoltContext,
    action: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    requests: Requests,
    directory: SlackDirectory,
    services: Services,
) -> None:
    await ack()
    await check_member(context)
    number, team_id, user_id = _ids(context, action)
    await requests.approve_clicked(
        number,
        team_id,
        user_id,
        directory,
        SlackRequestNotices(client, _answer(respond, client, user_id), speakers=services),
        card_at=_card_at(body),
    )


async def reject(
    ack: AsyncAck,
    body: dict[str, Any],
    context: AsyncBoltContext,
    action: dict[str, Any],
    client: AsyncWebClient,
    requests: Requests,
    directory: SlackDirectory,
    services: Services,
) -> None:
    await ack()
    number, team_id, user_id = _ids(context, action)
    # The modal's title in the language known for them (set by the workspace guard: no
    # Slack call may come before the open); the membership check, run once it is open, sets
    # theirs for the rest.
    title = reject_title(number)
    # The trigger_id dies 3 s after the click, and the checks read the database and maybe
    # usergroups.users.list (Tier 2): open the modal first, fill it after. A refusal (not an
    # approver) is shown in it by the app's error handler.
    modal = await open_loading(
        client, context, body["trigger_id"], title, callback_id=REJECT_CALLBACK
    )

    async def show(view: View) -> None:
        await modal.show(client, view)

    notices = SlackRequestNotices(client, InModal(title, show), speakers=services)
    request = await requests.reject_clicked(
        number, team_id, user_id, directory, notices, card_at=_card_at(body)
    )
    if request is not None:
        await show(reject_modal(request, {"response_url": body.get("response_url", "")}))


async def reject_reason(
    ack: AsyncAck,
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    requests: Requests,
    directory: SlackDirectory,
    services: Services,
) -> None:
    metadata = json.loads(view.get("private_metadata") or "{}")
    # Its number in the authorised workspace.
    number = record_number(metadata.get("request"), "the rejection form's request")
    team_id, user_id = _workspace(context), _user(context)
    reason = form_text(view, "reason", multiline=True)
    if not reason:
        await ack(response_action="errors", errors={"reason": str(text.REJECT_REASON_MISSING)})
        return
    # Acknowledged first: the rejection reads roles (maybe from Slack) and writes the database.
    # Its outcome replaces the "working" view; a failure is shown there by the error handler.
    title = reject_title(number)
    working = await ack_working(ack, context, title, str(text.REJECTING))

    async def show(result: View) -> None:
        await replace_working(client, working, result)

    notices = SlackRequestNotices(client, InModal(title, show), speakers=services)
    await requests.reject_with_reason(number, team_id, user_id, reason, directory, notices)


async def cancel(
    ack: AsyncAck,
    body: dict[str, Any],
    context: AsyncBoltContext,
    action: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    requests: Requests,
    services: Services,
) -> None:
    await ack()
    await check_member(context)
    number, team_id, user_id = _ids(context, action)
    notices = SlackRequestNotices(client, _answer(respond, client, user_id), speakers=services)
    await requests.cancel_clicked(number, team_id, user_id, notices)


async def mark_done(
    ack: AsyncAck,
    body: dict[str, Any],
    context: AsyncBoltContext,
    action: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    requests: Requests,
    directory: SlackDirectory,
    services: Services,
) -> None:
    await _mark(ack, body, context, action, respond, client, services, directory, done=True)


async def mark_failed(
    ack: AsyncAck,
    body: dict[str, Any],
    context: AsyncBoltContext,
    action: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    requests: Requests,
    directory: SlackDirectory,
    services: Services,
) -> None:
    await _mark(ack, body, context, action, respond, client, services, directory, done=False)


async def _mark(
    ack: AsyncAck,
    body: dict[str, Any],
    context: AsyncBoltContext,
    action: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    services: Services,
    directory: SlackDirectory,
    *,
    done: bool,
) -> None:
    await ack()
    await check_member(context)
    number, team_id, user_id = _ids(context, action)
    await services.requests.mark_clicked(
        number,
        team_id,
        user_id,
        done,
        directory,
        SlackRequestNotices(client, _answer(respond, client, user_id), speakers=services),
        card_at=_card_at(body),
    )


async def approve_command(parsed: Decide, call: SlashCommand) -> None:
    """`/partner approve <n>`: the card's Approve, typed; the same service call, so the same
    rules (not their own, an approver, four eyes) and the same exactly-once count. The
    number may be a batch's (one sequence for both): its own Approve then."""
    if await call.services.batches.find(call.team_id, parsed.number) is not None:
        await batch_deciding.approve(
            call.services, call.client, Ephemeral(call.respond), call.team_id, call.user_id,
            parsed.number, call.directory,
        )  # fmt: skip
        return
    notices = SlackRequestNotices(call.client, Ephemeral(call.respond), speakers=call.services)
    done = await call.services.requests.approve_clicked(
        parsed.number, call.team_id, call.user_id, call.directory, notices
    )
    if done is not None and done.status is not Status.PENDING:
        # A click sees its card change; a typed approval that completed the count is answered
        # (the service told them of a counted or refused one already).
        state = text.STATE_WORDS[done.status.value]
        message = text.APPROVED_BY_YOU.format(id=done.number, what=what(done), state=state)
        await reply(call.respond, plain_reply(message))


async def reject_command(parsed: Decide, call: SlashCommand) -> None:
    """`/partner reject <n> <reason…>`: the card's Reject with its reason, typed."""
    assert parsed.reason, "the parser asks for a reason"
    if await call.services.batches.find(call.team_id, parsed.number) is not None:
        said = await batch_deciding.reject(
            call.services, call.client, call.team_id, call.user_id, parsed.number,
            parsed.reason, call.directory,
        )  # fmt: skip
        await reply(call.respond, plain_reply(said))
        return
    notices = SlackRequestNotices(call.client, Ephemeral(call.respond), speakers=call.services)
    await call.services.requests.reject_with_reason(
        parsed.number, call.team_id, call.user_id, parsed.reason, call.directory, notices
    )


def _card_at(body: dict[str, Any]) -> CardAt | None:
    """Approve, Reject and Mark buttons live only on the card: a click on one in a channel
    message says where the card is, should its post have had no known outcome."""
    return clicked_message(body)


def _ids(context: AsyncBoltContext, action: dict[str, Any]) -> tuple[int, str, str]:
    """The request's number as the button names it (looked up only within the workspace
    Bolt authorised), the workspace, and the clicker."""
    number = record_number(action.get("value"), "a request button")
    return number, _workspace(context), _user(context)


def _workspace(context: AsyncBoltContext) -> str:
    """The workspace Bolt authorised this request for (its token is the one in `client`),
    never a payload field: in Enterprise Grid a payload's `team` can name another workspace
    of the org than the installation that answers."""
    assert context.team_id, "Bolt authorised a request without a workspace"
    return context.team_id


def _user(context: AsyncBoltContext) -> str:
    assert context.user_id, "a click without a user"
    return context.user_id


def _answer(respond: AsyncRespond, client: AsyncWebClient, user_id: str) -> Ephemeral:
    """Where the clicker reads the outcome: beside the card, or by DM for a click on the Home
    tab, which comes with no response_url."""
    if respond.response_url:
        return Ephemeral(respond)
    return Ephemeral(DirectReply(client, user_id))
