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

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import use_language
from bot.slack.context import CONTEXT_KEYS
from bot.slack.direct import dm_channel
from bot.slack.errors import message_for
from bot.slack.modals import (
    MEMBER_GATE,
    OPEN_MODAL,
    WORKING_MODAL,
    OpenModal,
    marked_opens_first,
    replace_working,
)
from bot.slack.views.modal import message_view
from bot.slack.views.reply import refusal_reply

log = logging.getLogger(__name__)

Listener = Callable[..., Awaitable[None]]

# Title of a modal replaced by an error message.
ERROR_TITLE = "Partner Ops"


def register_error_handler(app: AsyncApp) -> None:
    """For what escapes anyway: middleware, event listeners, a listener not wrapped."""

    @app.error
    async def answer_the_person(
        error: Exception,
        body: dict[str, Any],
        context: dict[str, Any],
        response: BoltResponse | None,
    ) -> BoltResponse | None:
        message = message_for(error)  # a bug is logged here, with its reference
        # Bolt hands over the pending response only while the request is not acknowledged.
        if response is not None and body.get("type") == "view_submission":
            return BoltResponse(status=200, body=error_view_ack(message))
        await _safely_tell(message, body, context)
        return BoltResponse(status=200, body="") if response is not None else None


def answers_errors(listener: Listener) -> Listener:
    """Wraps a listener so that what it raises is answered here, before Bolt sees it.

    Needed on top of `app.error`: with process_before_response=False, when a listener raises
    after its ack Bolt resets the ack's response to None, and if that happens before Bolt has
    read it (within its 10 ms polling), Slack gets a 404 "unhandled request" after 3 s.
    """
    wanted = inspect.getfullargspec(listener).args
    unknown = set(wanted) - set(_INJECTED) - set(CONTEXT_KEYS)
    assert not unknown, f"answers_errors cannot hand {unknown} to {listener.__name__}"

    # Bolt injects arguments by the names of positional parameters, so the wrapper names all
    # that listeners here use (and must not expose the listener through __wrapped__).
    async def wrapper(
        ack: AsyncAck,
        body: dict[str, Any],
        context: dict[str, Any],
        client: AsyncWebClient,
        respond: Any,
        action: dict[str, Any] | None,
        view: dict[str, Any] | None,
        command: dict[str, Any] | None,
    ) -> None:
        gate = context.get(MEMBER_GATE)
        if gate is not None:
            # What is answered before the ack (a form's errors, a "Loading…" modal) speaks the
            # language the process already knows for the user; the check after the ack sets
            # it from users.info (bot.slack.workspace_guard.MemberGate), for this task only.
            use_language(gate.known_language())
            if marked_opens_first(listener):
                gate.deferred = True  # checked once its modal is open (bot.slack.modals)
        given = {
            "ack": _GatedAck(ack, gate) if gate is not None else ack,
            "body": body,
            "context": context,
            "client": client,
            "respond": respond,
            "action": action,
            "view": view,
            "command": command,
        }
        try:
            # Bolt's own arguments, else what the context holds (bot.slack.context).
            await listener(
                **{name: given[name] if name in given else context[name] for name in wanted}
            )
        except Exception as error:
            message = message_for(error)  # a bug is logged here, with its reference
            if ack.response is None and body.get("type") == "view_submission":
                # Not acknowledged yet: the ack itself replaces the form by the message.
                await ack(response_action="update", view=_error_view(message))
                return
            if ack.response is None:
                await ack()
            await _safely_tell(message, body, context)

    wrapper.__name__ = listener.__name__
    wrapper.__qualname__ = listener.__qualname__
    wrapper.__doc__ = listener.__doc__
    return wrapper


class _GatedAck:
    """The listener's ack, followed at once by the request's membership check
    (bot.slack.workspace_guard): Slack gets its answer first, and a refusal raised here stops
    the listener before it does anything, answered by the wrapper like any refusal."""

    def __init__(self, ack: AsyncAck, gate: Any) -> None:
        self._ack = ack
        self._gate = gate

    @property
    def response(self) -> BoltResponse | None:
        return self._ack.response

    async def __call__(self, *args: Any, **kwargs: Any) -> BoltResponse:
        answer = await self._ack(*args, **kwargs)
        # A form sent back with errors does nothing; a modal opened first checks once open.
        if kwargs.get("response_action") != "errors" and not self._gate.deferred:
            await self._gate.check()
        return answer


_INJECTED = ("ack", "body", "context", "client", "respond", "action", "view", "command")


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
