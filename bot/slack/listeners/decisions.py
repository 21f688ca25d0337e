"""Deciding: Approve, Reject (with a reason), Cancel, and Mark done / Mark failed.

Slack does not disable a button after a click and may deliver a click twice: every handler
here is safe to run any number of times at once, because the service's conditional
transitions let exactly one click win; the others are told who got there first.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.runtime import Runtime
from bot.services.errors import NotAllowed
from bot.services.requests import (
    AlreadyApprovedByYou,
    AlreadyDecided,
    RequestSnapshot,
    Status,
)
from bot.slack.blocks import form_text
from bot.slack.directory import SlackDirectory
from bot.slack.errors import message_for
from bot.slack.listeners.replies import reply
from bot.slack.notify import RequestNotifier
from bot.slack.texts import requests as text
from bot.slack.views.reply import plain_reply
from bot.slack.views.requests import (
    APPROVE_ACTION,
    CANCEL_ACTION,
    MARK_DONE_ACTION,
    MARK_FAILED_ACTION,
    REJECT_ACTION,
    REJECT_CALLBACK,
    already_message,
    cancelled_reply,
    reject_modal,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.action(APPROVE_ACTION)
    async def approve(
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        request_id, team_id, user_id = _ids(context, action)
        notifier = RequestNotifier(runtime, client)
        await _card_clicked(notifier, request_id, team_id, body)
        approval = await _decided(
            notifier,
            respond,
            runtime.requests.approve(
                request_id, team_id, user_id, _directory(runtime, client, team_id)
            ),
        )
        if approval is None:
            return
        if not approval.complete:
            await notifier.refresh_card(request_id)
            await _tell(respond, text.APPROVAL_RECORDED.format(id=request_id))
            return
        await notifier.refresh_card(request_id)
        done = await runtime.requests.execute(request_id)
        await notifier.settled(done)

    @app.action(REJECT_ACTION)
    async def reject(
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        request_id, team_id, user_id = _ids(context, action)
        directory = _directory(runtime, client, team_id)
        await _card_clicked(RequestNotifier(runtime, client), request_id, team_id, body)

        async def rejectable() -> RequestSnapshot:
            request = await runtime.requests.get(request_id, team_id)
            if request.status is not Status.PENDING:
                raise AlreadyDecided(request)
            if not await runtime.roles.is_approver(team_id, user_id, directory):
                raise NotAllowed("reject requests", "approvers")
            return request

        request = await _decided(RequestNotifier(runtime, client), respond, rejectable())
        if request is None:
            return
        origin = {"response_url": body.get("response_url", "")}
        await client.views_open(trigger_id=body["trigger_id"], view=reject_modal(request, origin))

    @app.view(REJECT_CALLBACK)
    async def reject_reason(
        ack: AsyncAck, context: AsyncBoltContext, view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        metadata = json.loads(view.get("private_metadata") or "{}")
        request_id = int(metadata["request"])
        team_id, user_id = _workspace(context), _user(context)
        reason = form_text(view, "reason")
        if not reason:
            await ack(response_action="errors", errors={"reason": text.REJECT_REASON_MISSING})
            return
        notifier = RequestNotifier(runtime, client)
        try:
            rejected = await runtime.requests.reject(
                request_id, team_id, user_id, reason, _directory(runtime, client, team_id)
            )
        except AlreadyDecided as decided:
            await ack(
                response_action="errors",
                errors={"reason": _plain(already_message(decided.request))},
            )
            await notifier.refresh_card(request_id)
            return
        except Exception as error:
            await ack(response_action="errors", errors={"reason": _plain(message_for(error))})
            return
        await ack()
        await notifier.settled(rejected)

    @app.action(CANCEL_ACTION)
    async def cancel(
        ack: AsyncAck,
        context: AsyncBoltContext,
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        request_id, team_id, user_id = _ids(context, action)
        notifier = RequestNotifier(runtime, client)
        cancelled = await _decided(
            notifier, respond, runtime.requests.cancel(request_id, team_id, user_id)
        )
        if cancelled is None:
            return
        await reply(respond, cancelled_reply(cancelled), replace=True)
        await notifier.refresh_card(request_id)

    for action_id, done in ((MARK_DONE_ACTION, True), (MARK_FAILED_ACTION, False)):
        _register_mark(app, runtime, action_id, done)


def _register_mark(app: AsyncApp, runtime: Runtime, action_id: str, done: bool) -> None:
    @app.action(action_id)
    async def mark(
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        request_id, team_id, user_id = _ids(context, action)
        notifier = RequestNotifier(runtime, client)
        await _card_clicked(notifier, request_id, team_id, body)
        marked = await _decided(
            notifier,
            respond,
            runtime.requests.mark_outcome(
                request_id, team_id, user_id, done, _directory(runtime, client, team_id)
            ),
        )
        if marked is None:
            return
        await notifier.settled(marked)


async def _decided(
    notifier: RequestNotifier, respond: AsyncRespond, decision: Awaitable[T]
) -> T | None:
    """The decision's result; or, when it was refused or lost the race, None and the clicker
    told why (refusals and failures worded by bot.slack.errors, never a trace)."""
    try:
        return await decision
    except AlreadyApprovedByYou as mine:
        await _tell(
            respond,
            text.ALREADY_APPROVED_BY_YOU.format(
                id=mine.request.id, needed=mine.request.approvals_needed
            ),
        )
    except AlreadyDecided as decided:
        await _already(notifier, respond, decided)
    except Exception as error:  # refusals (not an approver, own request) and failures
        await _tell(respond, message_for(error))
    return None


async def _already(
    notifier: RequestNotifier, respond: AsyncRespond, decided: AlreadyDecided
) -> None:
    """Someone got there first: show the card as it is now, and say so to this clicker."""
    await notifier.refresh_card(decided.request.id)
    if decided.expired_now:
        await notifier.tell_requester(decided.request)
    await _tell(respond, already_message(decided.request))


async def _tell(respond: AsyncRespond, message: str) -> None:
    await reply(respond, plain_reply(message))


async def _card_clicked(
    notifier: RequestNotifier, request_id: int, team_id: str, body: dict[str, Any]
) -> None:
    """Approve, Reject and Mark buttons live only on the card: a click on one in a channel
    message says where the card is, should its post have had no known outcome."""
    container = body.get("container") or {}
    channel_id, ts = container.get("channel_id"), container.get("message_ts")
    on_a_message = container.get("type") == "message" and not container.get("is_ephemeral")
    if on_a_message and channel_id and ts:
        await notifier.adopt_card(request_id, team_id, channel_id, ts)


def _ids(context: AsyncBoltContext, action: dict[str, Any]) -> tuple[int, str, str]:
    return int(action["value"]), _workspace(context), _user(context)


def _workspace(context: AsyncBoltContext) -> str:
    """The workspace Bolt authorised this request for (its token is the one in `client`),
    never a payload field: in Enterprise Grid a payload's `team` can name another workspace
    of the org than the installation that answers."""
    assert context.team_id, "Bolt authorised a request without a workspace"
    return context.team_id


def _user(context: AsyncBoltContext) -> str:
    assert context.user_id, "a click without a user"
    return context.user_id


def _directory(runtime: Runtime, client: AsyncWebClient, team_id: str) -> SlackDirectory:
    return SlackDirectory(client, runtime.group_members, team_id)


def _plain(message: str) -> str:
    """Modal errors are plain text: no emoji codes or mrkdwn markup."""
    words = [w for w in message.split() if not (w.startswith(":") and w.endswith(":"))]
    return " ".join(words).replace("*", "")[:150]
