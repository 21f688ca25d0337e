"""Asking: `/partner credit add|remove`, `subaccount create|delete`, `requests`, `approvals`."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.money import InvalidAmount, parse_user_amount
from bot.partner.models import Product, SubaccountType
from bot.runtime import Runtime
from bot.services.errors import NotAllowed
from bot.services.partner_access import NoSubaccounts
from bot.services.requests import Action, NewSubaccount, Submitted
from bot.slack.blocks import escape, form_state, form_text
from bot.slack.commands import (
    CreateSubaccount,
    CreditMove,
    DeleteSubaccount,
    MyRequests,
    PendingApprovals,
)
from bot.slack.directory import SlackDirectory
from bot.slack.errors import message_for
from bot.slack.listeners.replies import reply
from bot.slack.notify import RequestNotifier
from bot.slack.texts import requests as text
from bot.slack.views.reply import plain_reply
from bot.slack.views.requests import (
    CREATE_CALLBACK,
    create_modal,
    ran_now_reply,
    request_list,
    submitted_reply,
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

Parsed = CreditMove | CreateSubaccount | DeleteSubaccount | PendingApprovals | MyRequests


async def run(
    parsed: Parsed,
    runtime: Runtime,
    command: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
) -> None:
    team_id, user_id = command["team_id"], command["user_id"]
    directory = SlackDirectory(client, runtime.group_members, team_id)
    requests = runtime.requests
    match parsed:
        case CreditMove():
            action = Action.CREDIT_ADD if parsed.add else Action.CREDIT_REMOVE
            submitted = await requests.request_credit(
                team_id,
                user_id,
                parsed.product,
                action,
                parsed.ref,
                parsed.amount,
                parsed.reason,
                directory,
            )
            await follow_through(runtime, client, respond, submitted)
        case DeleteSubaccount():
            submitted = await requests.request_deletion(
                team_id, user_id, parsed.product, parsed.ref, parsed.reason, directory
            )
            await follow_through(runtime, client, respond, submitted)
        case CreateSubaccount():
            if not parsed.product.has_subaccounts:
                raise NoSubaccounts(parsed.product)
            await client.views_open(
                trigger_id=command["trigger_id"], view=create_modal(parsed.product)
            )
        case PendingApprovals():
            if not await runtime.roles.is_approver(team_id, user_id, directory) and not (
                await runtime.roles.is_admin(team_id, user_id, directory)
            ):
                raise NotAllowed("see pending approvals", "approvers and admins")
            pending = await requests.pending(team_id)
            await reply(
                respond, request_list(text.LIST_PENDING_TITLE, pending, text.LIST_EMPTY_PENDING)
            )
        case MyRequests():
            mine = await requests.of_requester(team_id, user_id)
            await reply(respond, request_list(text.LIST_MINE_TITLE, mine, text.LIST_EMPTY_MINE))


async def follow_through(
    runtime: Runtime, client: AsyncWebClient, respond: AsyncRespond, submitted: Submitted
) -> None:
    """Run an auto-approved request now, or post its card and confirm to the requester."""
    request = submitted.request
    notifier = RequestNotifier(runtime, client)
    if submitted.runs_now:
        done = await runtime.requests.execute(request.id)
        await reply(respond, ran_now_reply(done))
        return
    policy_channel = submitted.approvals_channel_id
    assert policy_channel is not None  # the service refuses a request no channel can show
    try:
        posted = await notifier.post_card(request, policy_channel)
    except SlackApiError as error:
        # A request nobody can see must not wait for a decision: withdraw it, and say so.
        await runtime.requests.withdraw(request.id, text.WITHDRAWN_NOTE)
        await reply(
            respond,
            plain_reply(
                text.CARD_NOT_POSTED.format(
                    channel=policy_channel, error=escape(str(error.response.get("error")))
                )
            ),
        )
        return
    await reply(respond, submitted_reply(request, policy_channel))
    if not posted:
        await reply(respond, plain_reply(text.CARD_OUTCOME_UNKNOWN.format(channel=policy_channel)))


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.view(CREATE_CALLBACK)
    async def create_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        new, reason, errors = _read_create_form(view)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        product = Product(json.loads(view.get("private_metadata") or "{}").get("product", "sms"))
        try:
            assert new is not None
            submitted = await runtime.requests.request_new_subaccount(
                team_id,
                user_id,
                product,
                new,
                reason,
                SlackDirectory(client, runtime.group_members, team_id),
            )
            await follow_through(runtime, client, DirectReply(client, user_id), submitted)
        except Exception as error:  # the modal is closed: the answer goes by DM
            await DirectReply(client, user_id)(text=message_for(error))


def _read_create_form(
    view: dict[str, Any],
) -> tuple[NewSubaccount | None, str | None, dict[str, str]]:
    kind_option = form_state(view, "type").get("selected_option") or {}
    kind = SubaccountType(kind_option.get("value") or "simple")
    email = form_text(view, "email")
    buyer = bool(form_state(view, "is_buyer").get("selected_options"))
    errors: dict[str, str] = {}
    if kind is SubaccountType.ADVANCED and not email:
        errors["email"] = text.CREATE_EMAIL_REQUIRED
    elif email and not _EMAIL.match(email):
        errors["email"] = text.CREATE_EMAIL_INVALID
    credit = None
    if form_text(view, "credit"):
        try:
            credit = parse_user_amount(form_text(view, "credit"))
        except InvalidAmount as error:
            errors["credit"] = str(error)
    if errors:
        return None, None, errors
    new = NewSubaccount(
        kind=kind,
        email=email or None,
        is_buyer=buyer,
        firstname=form_text(view, "firstname") or None,
        lastname=form_text(view, "lastname") or None,
        credit=credit,
    )
    return new, form_text(view, "reason") or None, {}


class DirectReply:
    """Quacks like `respond` for flows started from a modal, which has no response_url:
    the answer goes to the person by direct message."""

    def __init__(self, client: AsyncWebClient, user_id: str) -> None:
        self._client = client
        self._user_id = user_id

    async def __call__(self, **message: Any) -> None:
        message.pop("response_type", None)
        message.pop("replace_original", None)
        dm = await self._client.conversations_open(users=self._user_id)
        await self._client.chat_postMessage(channel=dm["channel"]["id"], **message)
