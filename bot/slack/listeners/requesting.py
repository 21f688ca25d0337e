"""Asking: `/partner credit add|remove`, `subaccount create|delete`, `requests`, `approvals`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.money import InvalidAmount, parse_user_amount
from bot.partner.models import Product, SubaccountType
from bot.runtime import Runtime
from bot.services.errors import NotAllowed
from bot.services.partner_access import NoSubaccounts
from bot.services.requests import Action, NewSubaccount, Requests, SimilarRequest, Submitted
from bot.slack.blocks import escape, form_state, form_text
from bot.slack.context import workspace_of
from bot.slack.directory import SlackDirectory
from bot.slack.error_handler import answers_errors
from bot.slack.listeners.replies import reply
from bot.slack.notify import RequestNotifier, admins_told_of_lockout
from bot.slack.requests.parsing import (
    CreateSubaccount,
    CreditMove,
    DeleteSubaccount,
    MyRequests,
    PendingApprovals,
)
from bot.slack.texts import requests as text
from bot.slack.views.reply import plain_reply
from bot.slack.views.requests import (
    CONFIRM_SIMILAR_ACTION,
    CREATE_CALLBACK,
    DROP_SIMILAR_ACTION,
    create_modal,
    ran_now_reply,
    request_list,
    similar_reply,
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
    team_id: str,
) -> None:
    user_id = command["user_id"]
    directory = SlackDirectory(client, runtime.group_members, team_id)
    requests = runtime.requests
    match parsed:
        case CreditMove():
            action = Action.CREDIT_ADD if parsed.add else Action.CREDIT_REMOVE
            ask = Ask(action, parsed.product, parsed.reason, parsed.ref, parsed.amount)
            await submit(runtime, client, respond, team_id, user_id, ask)
        case DeleteSubaccount():
            ask = Ask(Action.SUBACCOUNT_DELETE, parsed.product, parsed.reason, parsed.ref)
            await submit(runtime, client, respond, team_id, user_id, ask)
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


async def submit(
    runtime: Runtime,
    client: AsyncWebClient,
    respond: AsyncRespond,
    team_id: str,
    user_id: str,
    ask: Ask,
    *,
    origin: str | None = None,
    confirmed_similar: int | None = None,
) -> None:
    """Make the request `ask` describes and follow it through; when the same person asked for
    the same thing moments ago, ask them first whether they mean it twice."""
    requests = runtime.requests
    directory = SlackDirectory(client, runtime.group_members, team_id)
    try:
        async with admins_told_of_lockout(client):
            submitted = await _make(
                requests, directory, team_id, user_id, ask, origin, confirmed_similar
            )
    except SimilarRequest as similar:
        await reply(respond, similar_reply(similar.earlier, ask.to_value()))
        return
    if submitted.repeated:
        return  # the same form again: its first submission is being followed through
    await follow_through(runtime, client, respond, submitted)


async def _make(
    requests: Requests,
    directory: SlackDirectory,
    team_id: str,
    user_id: str,
    ask: Ask,
    origin: str | None,
    confirmed_similar: int | None,
) -> Submitted:
    match ask.action:
        case Action.CREDIT_ADD | Action.CREDIT_REMOVE:
            assert ask.ref is not None and ask.amount is not None
            return await requests.request_credit(
                team_id,
                user_id,
                ask.product,
                ask.action,
                ask.ref,
                ask.amount,
                ask.reason,
                directory,
                confirmed_similar=confirmed_similar,
            )
        case Action.SUBACCOUNT_DELETE:
            assert ask.ref is not None
            return await requests.request_deletion(
                team_id,
                user_id,
                ask.product,
                ask.ref,
                ask.reason,
                directory,
                confirmed_similar=confirmed_similar,
            )
        case Action.SUBACCOUNT_CREATE:
            assert ask.new is not None
            return await requests.request_new_subaccount(
                team_id,
                user_id,
                ask.product,
                ask.new,
                ask.reason,
                directory,
                origin=origin,
                confirmed_similar=confirmed_similar,
            )
    raise AssertionError(ask.action)  # pragma: no cover


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
    @answers_errors
    async def create_submitted(
        ack: AsyncAck,
        body: dict[str, Any],
        view: dict[str, Any],
        client: AsyncWebClient,
        context: dict[str, Any],
    ) -> None:
        new, reason, errors = _read_create_form(view)
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        # The authorised workspace: a modal's `team` is the submitter's own in a shared channel.
        team_id, user_id = workspace_of(context), body["user"]["id"]
        product = Product(json.loads(view.get("private_metadata") or "{}").get("product", "sms"))
        # The modal is closed: the answer goes by DM, a refusal or failure too (by the app's
        # error handler, bot.slack.error_handler). A form makes one request, however often
        # Slack delivers its submission.
        assert new is not None
        await submit(
            runtime,
            client,
            DirectReply(client, user_id),
            team_id,
            user_id,
            Ask(Action.SUBACCOUNT_CREATE, product, reason, new=new),
            origin=f"view:{view['id']}",
        )

    @app.action(CONFIRM_SIMILAR_ACTION)
    @answers_errors
    async def confirm_similar(
        ack: AsyncAck,
        context: AsyncBoltContext,
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        assert context.team_id and context.user_id, "a click Bolt did not authorise"
        try:
            ask, earlier = Ask.from_value(action["value"])
        except (ValueError, KeyError, TypeError):
            await reply(respond, plain_reply(text.SIMILAR_GONE), replace=True)
            return
        await respond(delete_original=True)
        # Failures are answered to the clicker by the app's error handler.
        await submit(
            runtime,
            client,
            respond,
            context.team_id,
            context.user_id,
            ask,
            confirmed_similar=earlier,
        )

    @app.action(DROP_SIMILAR_ACTION)
    @answers_errors
    async def drop_similar(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await reply(respond, plain_reply(text.SIMILAR_DROPPED), replace=True)


@dataclass(frozen=True, slots=True)
class Ask:
    """A request as asked, before the service makes it: what a confirmation button carries
    (as JSON in its value) to make it again once the requester said they mean it."""

    action: Action
    product: Product
    reason: str | None
    ref: str | None = None
    amount: Decimal | None = None
    new: NewSubaccount | None = None

    def to_value(self) -> dict[str, Any]:
        value: dict[str, Any] = {"a": self.action.value, "p": self.product.value}
        if self.reason:
            value["why"] = self.reason
        if self.ref is not None:
            value["ref"] = self.ref
        if self.amount is not None:
            value["amt"] = f"{self.amount:f}"
        if self.new is not None:
            new = self.new
            value["new"] = {
                "kind": new.kind.value,
                "email": new.email,
                "buyer": new.is_buyer,
                "first": new.firstname,
                "last": new.lastname,
                "credit": f"{new.credit:f}" if new.credit is not None else None,
            }
        return value

    @classmethod
    def from_value(cls, text_value: str) -> tuple[Ask, int]:
        """The ask and the earlier request it was confirmed against, from a button value.
        Raises ValueError (or KeyError, TypeError) on anything else: a value is user input,
        and whatever it says is checked again by the service like a typed command."""
        value = json.loads(text_value)
        new = None
        if isinstance(value.get("new"), dict):
            raw = value["new"]
            new = NewSubaccount(
                kind=SubaccountType(raw["kind"]),
                email=raw.get("email"),
                is_buyer=bool(raw.get("buyer")),
                firstname=raw.get("first"),
                lastname=raw.get("last"),
                credit=Decimal(raw["credit"]) if raw.get("credit") else None,
            )
        ask = cls(
            action=Action(value["a"]),
            product=Product(value["p"]),
            reason=value.get("why"),
            ref=value.get("ref"),
            amount=Decimal(value["amt"]) if value.get("amt") is not None else None,
            new=new,
        )
        return ask, int(value["similar"])


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
