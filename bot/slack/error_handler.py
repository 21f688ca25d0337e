"""The app's one error handler: an exception that escapes a listener (or a middleware) always
ends as an answer to the person who acted, never as silence or a stack trace.

Domain errors are worded by bot.slack.errors; anything else is a bug, logged there with a
reference the person is given. Where the answer goes depends on what the person did:
- a modal this request opened or acknowledged (bot.slack.modals): the modal shows it;
- a view submission not acknowledged yet: the ack itself replaces the form by the message;
- a command or a click on a message: an ephemeral reply through the response_url;
- otherwise (a closed modal, a click in a modal): a direct message.
Events have nobody waiting for an answer: the error is only logged.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.listener.async_listener_completion_handler import (
    AsyncListenerCompletionHandler,
)
from slack_bolt.listener.async_listener_error_handler import AsyncListenerErrorHandler
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.direct import dm_channel
from bot.slack.errors import message_for
from bot.slack.modals import OPEN_MODAL, WORKING_MODAL, OpenModal, replace_working
from bot.slack.views.modal import message_view
from bot.slack.views.reply import refusal_reply

log = logging.getLogger(__name__)

# Title of a modal replaced by an error message.
ERROR_TITLE = "Partner Ops"


def register_error_handler(app: AsyncApp) -> None:
    """What escapes a listener or a middleware is answered here: listeners keep no catch-all.
    Bolt's ack is kept when a listener raises after it (`KeepsTheAck`)."""

    @app.error
    async def answer_the_person(
        error: Exception,
        body: dict[str, Any],
        context: dict[str, Any],
        ack: AsyncAck,
        response: BoltResponse | None,
    ) -> BoltResponse | None:
        message = message_for(error)  # a bug is logged here, with its reference
        # Bolt hands over the pending response only while the request is not acknowledged.
        if response is not None and body.get("type") == "view_submission":
            # The ack itself replaces the form by the message.
            return BoltResponse(status=200, body=error_view_ack(message))
        if response is not None and ack is not None:
            await ack()  # Slack gets its answer first, the person the message after
        await _safely_tell(message, body, context)
        return BoltResponse(status=200, body="") if response is not None else None

    runner = app.listener_runner
    runner.listener_error_handler = NotesTheAck(runner.listener_error_handler)
    runner.listener_completion_handler = KeepsTheAck(runner.listener_completion_handler)


class NotesTheAck(AsyncListenerErrorHandler):
    """Bolt's listener error handler (the app's one, `answer_the_person`), noting first the
    ack the listener had sent, for `KeepsTheAck`."""

    def __init__(self, inner: AsyncListenerErrorHandler) -> None:
        self._inner = inner

    async def handle(
        self, error: Exception, request: AsyncBoltRequest, response: BoltResponse | None
    ) -> None:
        acked = request.context.ack.response
        if acked is not None:
            request.context[_ACKED] = acked
        await self._inner.handle(error=error, request=request, response=response)


class KeepsTheAck(AsyncListenerCompletionHandler):
    """Puts back the ack a listener sent before it raised.

    With process_before_response=False Bolt runs the listener in a task and polls
    `ack.response` every 10 ms to answer Slack; when the listener raises after its ack, Bolt
    sets `ack.response` to None once the error handler is done (slack_bolt's
    AsyncioListenerRunner.run). Had the poll not seen the ack yet, Slack would get a 404
    "unhandled request" after 3 s. Bolt calls this right after, and it restores the ack before
    its first await, so no poll can ever find the ack gone."""

    def __init__(self, inner: AsyncListenerCompletionHandler) -> None:
        self._inner = inner

    async def handle(self, request: AsyncBoltRequest, response: BoltResponse | None) -> None:
        acked = request.context.get(_ACKED)
        if acked is not None and request.context.ack.response is None:
            request.context.ack.response = acked
        await self._inner.handle(request=request, response=response)


_ACKED = "partner_ops_acked"


def _error_view(message: str) -> View:
    return message_view(ERROR_TITLE, message)


def error_view_ack(message: str) -> dict[str, Any]:
    """A view_submission ack that replaces the form by `message`."""
    return {"response_action": "update", "view": _error_view(message).to_dict()}


async def tell(message: str, body: dict[str, Any], context: dict[str, Any]) -> None:
    """Answer `message` to the person who acted, wherever they will see it; never raises."""
    await _safely_tell(message, body, context)


async def _safely_tell(message: str, body: dict[str, Any], context: dict[str, Any]) -> None:
    try:
        await _tell(message, body, context)
    except Exception as failure:  # the last resort must not raise
        log.warning("could not tell the user about an error: %s", type(failure).__name__)


async def _tell(message: str, body: dict[str, Any], context: dict[str, Any]) -> None:
    """Answer an acknowledged request with `message`, wherever the person will see it."""
    client: AsyncWebClient | None = context.get("client")
    if client is None:  # not even authorized: nothing to answer with
        return
    modal: OpenModal | None = context.get(OPEN_MODAL)
    if modal is not None and await modal.show(client, _error_view(message)):
        return
    external_id: str | None = context.get(WORKING_MODAL)
    if external_id is not None and await replace_working(client, external_id, _error_view(message)):
        return
    respond = context.get("respond")
    if respond is not None and (body.get("response_url") or body.get("command")):
        try:
            await respond(response_type="ephemeral", **refusal_reply(message).as_kwargs())
            return
        except Exception as failure:  # a used-up response_url: a DM instead
            log.info("response_url refused an error reply: %s", type(failure).__name__)
    user_id = context.get("user_id") or (body.get("user") or {}).get("id")
    if user_id and body.get("type") != "event_callback":
        await _direct_message(client, user_id, message)


async def _direct_message(client: AsyncWebClient, user_id: str, message: str) -> None:
    try:
        dm = await dm_channel(client, user_id)
        await client.chat_postMessage(channel=dm, **refusal_reply(message).as_kwargs())
    except SlackApiError as failure:
        log.warning("could not DM an error to %s: %s", user_id, failure.response.get("error"))
