"""Asking: `/partner credit add|remove`, `subaccount create|delete`, `requests`, `approvals`,
the new-subaccount form, and the buttons that confirm or drop a repeat.

Each listener makes one service call (`Requests.ask`), which carries the request as far as it
goes and tells people through `SlackRequestNotices`. Refusals and failures are raised to the
app's one error handler (bot.slack.error_handler).
"""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.partner.models import Product
from bot.services.partner_access import NoSubaccounts
from bot.services.requests import Action, Ask, Requests
from bot.slack.batches.lists import SHOWN, awaiting_blocks, mine_blocks, with_batches
from bot.slack.context import Services, SlashCommand, workspace_of
from bot.slack.directory import SlackDirectory
from bot.slack.membership import check_member
from bot.slack.modals import open_first
from bot.slack.replies import DirectReply, Ephemeral, reply
from bot.slack.requests import texts as text
from bot.slack.requests.forms import (
    ask_from_value,
    create_modal,
    create_title,
    read_create_form,
)
from bot.slack.requests.notices import SlackRequestNotices
from bot.slack.requests.parsing import (
    CreateSubaccount,
    CreditMove,
    DeleteSubaccount,
    MyRequests,
    PendingApprovals,
)
from bot.slack.requests.views import CREATE_CALLBACK, request_list
from bot.slack.views.reply import plain_reply

Parsed = CreditMove | CreateSubaccount | DeleteSubaccount | PendingApprovals | MyRequests

# --- the subcommands: `async def handler(parsed, call: SlashCommand)` ---------------------------


async def credit_move(parsed: CreditMove, call: SlashCommand) -> None:
    """`/partner credit add|remove <subaccount> <amount> [reason]`."""
    action = Action.CREDIT_ADD if parsed.add else Action.CREDIT_REMOVE
    await _ask(call, Ask(action, parsed.product, parsed.reason, parsed.ref, parsed.amount))


async def subaccount_delete(parsed: DeleteSubaccount, call: SlashCommand) -> None:
    """`/partner subaccount delete <subaccount> [reason]`."""
    await _ask(call, Ask(Action.SUBACCOUNT_DELETE, parsed.product, parsed.reason, parsed.ref))


async def subaccount_create(parsed: CreateSubaccount, call: SlashCommand) -> None:
    """`/partner subaccount create`: the form (its submission is `create_submitted`)."""
    product = parsed.product

    def form() -> View:
        if not product.has_subaccounts:
            raise NoSubaccounts(product)  # said in the modal, once the asker is checked
        return create_modal(product)

    await open_first(
        call.client,
        call.context,
        call.trigger_id,
        create_title(product),
        form,
        callback_id=CREATE_CALLBACK,
    )


async def pending_approvals(parsed: PendingApprovals, call: SlashCommand) -> None:
    """`/partner approvals`: what waits for a decision (approvers and admins)."""
    awaiting = await call.services.requests.awaiting(call.team_id, call.user_id, call.directory)
    batches = await call.services.batches.awaiting(call.team_id, call.user_id, call.directory)
    listed = request_list(
        text.LIST_PENDING_TITLE,
        list(awaiting.requests),
        text.LIST_EMPTY_PENDING,
        decides=lambda request: request.id in awaiting.decidable,
    )
    blocks = awaiting_blocks(batches, "batches_waiting")
    await reply(
        call.respond,
        with_batches(listed, text.LIST_PENDING_TITLE, blocks, bool(awaiting.requests)),
    )


async def my_requests(parsed: MyRequests, call: SlashCommand) -> None:
    """`/partner requests`: the asker's own, newest first."""
    mine = await call.services.requests.of_requester(call.team_id, call.user_id)
    batches = await call.services.batches.of_requester(call.team_id, call.user_id, limit=SHOWN)
    listed = request_list(text.LIST_MINE_TITLE, mine, text.LIST_EMPTY_MINE)
    await reply(
        call.respond, with_batches(listed, text.LIST_MINE_TITLE, mine_blocks(batches), bool(mine))
    )


async def _ask(call: SlashCommand, ask: Ask) -> None:
    requests: Requests = call.services.requests
    notices = SlackRequestNotices(call.client, Ephemeral(call.respond), speakers=call.services)
    await requests.ask(call.team_id, call.user_id, ask, call.directory, notices)


# --- the form and the buttons -------------------------------------------------------------------


async def create_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
    requests: Requests,
    directory: SlackDirectory,
    services: Services,
) -> None:
    # The authorised workspace: a modal's `team` is the submitter's own in a shared channel.
    team_id, user_id = workspace_of(context), body["user"]["id"]
    new, reason, errors = read_create_form(view)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    await check_member(context)
    product = Product(json.loads(view.get("private_metadata") or "{}").get("product", "sms"))
    # The modal is closed: the answer goes by DM, a refusal or failure too (by the app's error
    # handler). A form makes one request, however often Slack delivers its submission.
    assert new is not None
    notices = SlackRequestNotices(
        client, Ephemeral(DirectReply(client, user_id)), speakers=services
    )
    await requests.ask(
        team_id,
        user_id,
        Ask(Action.SUBACCOUNT_CREATE, product, reason, new=new),
        directory,
        notices,
        origin=f"view:{view['id']}",
    )


async def confirm_similar(
    ack: AsyncAck,
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
    assert context.team_id and context.user_id, "a click Bolt did not authorise"
    try:
        ask, earlier = ask_from_value(action["value"])
    except (ValueError, KeyError, TypeError):
        await reply(respond, plain_reply(str(text.SIMILAR_GONE)), replace=True)
        return
    await respond(delete_original=True)
    notices = SlackRequestNotices(client, Ephemeral(respond), speakers=services)
    await requests.ask(
        context.team_id, context.user_id, ask, directory, notices, confirmed_similar=earlier
    )


async def drop_similar(
    ack: AsyncAck,
    context: AsyncBoltContext,
    respond: AsyncRespond,
    client: AsyncWebClient,
    services: Services,
) -> None:
    await ack()
    await check_member(context)
    assert context.team_id and context.user_id, "a click Bolt did not authorise"
    await reply(respond, plain_reply(str(text.SIMILAR_DROPPED)), replace=True)
