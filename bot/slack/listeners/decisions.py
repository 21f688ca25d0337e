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
    Status,
)
from bot.slack.blocks import clicked_message, fit, form_text
from bot.slack.directory import SlackDirectory
from bot.slack.error_handler import answers_errors
from bot.slack.home.publisher import refresh_clicked_home
from bot.slack.listeners.replies import reply, respond_or_dm
from bot.slack.modals import ack_working, open_loading, replace_working
from bot.slack.notify import RequestNotifier
from bot.slack.texts import requests as text
from bot.slack.views.modal import MAX_TITLE, message_view
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
    @answers_errors
    async def approve(
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        number, team_id, user_id = _ids(context, action)
        respond = respond_or_dm(respond, client, user_id)  # a Home click has no response_url
        notifier = RequestNotifier(runtime, client)
        await _card_clicked(notifier, number, team_id, body)
        approval = await _decided(
            notifier,
            respond,
            runtime.requests.approve(
                number, team_id, user_id, _directory(runtime, client, team_id)
            ),
        )
        if approval is None:
            return
        request_id = approval.request.id
        if not approval.complete:
            await notifier.refresh_card(request_id)
            await _tell(respond, text.APPROVAL_RECORDED.format(id=number))
            await refresh_clicked_home(body, context, client)
            return
        await notifier.refresh_card(request_id)
        done = await runtime.requests.execute(request_id)
        await notifier.settled(done)
        await refresh_clicked_home(body, context, client)

    @app.action(REJECT_ACTION)
    @answers_errors
    async def reject(
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        action: dict[str, Any],
        client: AsyncWebClient,
    ) -> None:
        await ack()
        number, team_id, user_id = _ids(context, action)
        title = _reject_title(number)
        # The trigger_id dies 3 s after the click, and the checks below read the database and
        # maybe usergroups.users.list (Tier 2): open the modal first, fill it after. A refusal
        # (not an approver) is shown in it by the app's error handler.
        modal = await open_loading(
            client, context, body["trigger_id"], title, callback_id=REJECT_CALLBACK
        )
        notifier = RequestNotifier(runtime, client)
        await _card_clicked(notifier, number, team_id, body)
        request = await runtime.requests.by_number(team_id, number)
        if request.status is not Status.PENDING:
            await _already(notifier, AlreadyDecided(request))
            await modal.show(client, message_view(title, already_message(request)))
            return
        if not await runtime.roles.is_approver(
            team_id, user_id, _directory(runtime, client, team_id)
        ):
            raise NotAllowed("reject requests", "approvers")
        origin = {"response_url": body.get("response_url", "")}
        await modal.show(client, reject_modal(request, origin))

    @app.view(REJECT_CALLBACK)
    @answers_errors
    async def reject_reason(
        ack: AsyncAck,
        view: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        metadata = json.loads(view.get("private_metadata") or "{}")
        number = int(metadata["request"])  # its number in the authorised workspace
        team_id, user_id = _workspace(context), _user(context)
        reason = form_text(view, "reason", multiline=True)
        if not reason:
            await ack(response_action="errors", errors={"reason": text.REJECT_REASON_MISSING})
            return
        # Acknowledged first: the rejection reads roles (maybe from Slack) and writes the
        # database. Its outcome replaces the "working" view; a failure is shown there by the
        # app's error handler.
        title = _reject_title(number)
        working = await ack_working(ack, context, title, text.REJECTING)
        notifier = RequestNotifier(runtime, client)
        try:
            rejected = await runtime.requests.reject(
                number, team_id, user_id, reason, _directory(runtime, client, team_id)
            )
        except AlreadyDecided as decided:
            await replace_working(
                client, working, message_view(title, already_message(decided.request))
            )
            await _already(notifier, decided)
            return
        await replace_working(
            client, working, message_view(title, text.REJECTED_DONE.format(id=number))
        )
        await notifier.settled(rejected)

    @app.action(CANCEL_ACTION)
    @answers_errors
    async def cancel(
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        number, team_id, user_id = _ids(context, action)
        respond = respond_or_dm(respond, client, user_id)  # a Home click has no response_url
        notifier = RequestNotifier(runtime, client)
        cancelled = await _decided(
            notifier, respond, runtime.requests.cancel(number, team_id, user_id)
        )
        if cancelled is None:
            return
        await reply(respond, cancelled_reply(cancelled), replace=True)
        await notifier.refresh_card(cancelled.id)
        await refresh_clicked_home(body, context, client)

    for action_id, done in ((MARK_DONE_ACTION, True), (MARK_FAILED_ACTION, False)):
        _register_mark(app, runtime, action_id, done)


def _register_mark(app: AsyncApp, runtime: Runtime, action_id: str, done: bool) -> None:
    @app.action(action_id)
    @answers_errors
    async def mark(
        ack: AsyncAck,
        body: dict[str, Any],
        context: AsyncBoltContext,
        action: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
    ) -> None:
        await ack()
        number, team_id, user_id = _ids(context, action)
        notifier = RequestNotifier(runtime, client)
        await _card_clicked(notifier, number, team_id, body)
        marked = await _decided(
            notifier,
            respond,
            runtime.requests.mark_outcome(
                number, team_id, user_id, done, _directory(runtime, client, team_id)
            ),
        )
        if marked is None:
            return
        await notifier.settled(marked)


async def _decided(
    notifier: RequestNotifier, respond: AsyncRespond, decision: Awaitable[T]
) -> T | None:
    """The decision's result; or, when someone got there first, None and the clicker told."""
    try:
        return await decision
    except AlreadyApprovedByYou as mine:
        await _tell(
            respond,
            text.ALREADY_APPROVED_BY_YOU.format(
                id=mine.request.number, needed=mine.request.approvals_needed
            ),
        )
    except AlreadyDecided as decided:
        await _already(notifier, decided)
        await _tell(respond, already_message(decided.request))
    # Other refusals (not an approver, their own request) and failures are answered to the
    # clicker by the app's error handler (bot.slack.error_handler).
    return None


async def _already(notifier: RequestNotifier, decided: AlreadyDecided) -> None:
    """Someone got there first: show the card as it is now (and tell the requester when the
    request expired just now); the caller tells the clicker."""
    await notifier.refresh_card(decided.request.id)
    if decided.expired_now:
        await notifier.tell_requester(decided.request)


async def _tell(respond: AsyncRespond, message: str) -> None:
    await reply(respond, plain_reply(message))


async def _card_clicked(
    notifier: RequestNotifier, number: int, team_id: str, body: dict[str, Any]
) -> None:
    """Approve, Reject and Mark buttons live only on the card: a click on one in a channel
    message says where the card is, should its post have had no known outcome."""
    where = clicked_message(body)
    if where is not None:
        await notifier.adopt_card(number, team_id, *where)


def _ids(context: AsyncBoltContext, action: dict[str, Any]) -> tuple[int, str, str]:
    """The request's number as the button names it (looked up only within the workspace
    Bolt authorised), the workspace, and the clicker."""
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


def _reject_title(number: int) -> str:
    return fit(text.REJECT_TITLE.format(id=number), MAX_TITLE)
