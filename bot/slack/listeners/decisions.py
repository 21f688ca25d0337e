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
from bot.slack.text import to_plain
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
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        request_id, team_id, user_id = _ids(body, action)
        notifier = RequestNotifier(runtime, client)
        approval = await _decided(
            notifier,
            respond,
            runtime.requests.approve(request_id, team_id, user_id, SlackDirectory(client)),
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
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        request_id, team_id, user_id = _ids(body, action)

        async def rejectable() -> RequestSnapshot:
            request = await runtime.requests.get(request_id, team_id)
            if request.status is not Status.PENDING:
                raise AlreadyDecided(request)
            if not await runtime.roles.is_approver(team_id, user_id, SlackDirectory(client)):
                raise NotAllowed("reject requests", "approvers")
            return request

        request = await _decided(RequestNotifier(runtime, client), respond, rejectable())
        if request is None:
            return
        origin = {"response_url": body.get("response_url", "")}
        await client.views_open(trigger_id=body["trigger_id"], view=reject_modal(request, origin))

    @app.view(REJECT_CALLBACK)
    async def reject_reason(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        metadata = json.loads(view.get("private_metadata") or "{}")
        request_id = int(metadata["request"])
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        reason = form_text(view, "reason", multiline=True)
        if not reason:
            await ack(response_action="errors", errors={"reason": text.REJECT_REASON_MISSING})
            return
        notifier = RequestNotifier(runtime, client)
        try:
            rejected = await runtime.requests.reject(
                request_id, team_id, user_id, reason, SlackDirectory(client)
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
        body: dict[str, Any],
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        request_id, team_id, user_id = _ids(body, action)
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
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        request_id, team_id, user_id = _ids(body, action)
        notifier = RequestNotifier(runtime, client)
        marked = await _decided(
            notifier,
            respond,
            runtime.requests.mark_outcome(
                request_id, team_id, user_id, done, SlackDirectory(client)
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


def _ids(body: dict[str, Any], action: dict[str, Any]) -> tuple[int, str, str]:
    return int(action["value"]), body["team"]["id"], body["user"]["id"]


def _plain(message: str) -> str:
    """Modal errors are plain text: no emoji codes, mrkdwn markup nor escapes."""
    return to_plain(message)[:150]
