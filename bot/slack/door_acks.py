"""Commands and clicks acknowledged at the door, before Bolt reads them.

Slack wants an HTTP 200 within 3 s for a slash command or a click; the person sees nothing
until it comes. Bolt answers only once a request has gone through its whole chain — the
signature again, the authorisation, the global middleware, the listeners' matchers, a task for
the listener and its 10 ms poll for the listener's `ack()` — about 0.3 ms of CPU even for a
20-line app, and a burst of 200 arrives at once on one event loop: the last ack waited for
everything Bolt did for the 199 before it. What our listeners answer to `/partner` and to a
click is always the empty ack (their replies go through the response_url), so the door
answers it itself once the signature is good, and hands the request to Bolt after the burst
(`InFlight.after_acks`): the same listeners, the same middleware, the same `ack()`, which
then reaches nobody.

What Bolt still answers in the ack body instead — a command from a workspace where the app is
not installed (bot.slack.not_installed, or Bolt's own authorisation) — is posted to the
command's response_url as the ephemeral message Slack would have shown; a status other than
200, which Slack would have shown as a failure, is told to the person as a bug. A view
submission (its ack may carry errors or the next view), a menu's options, an event (claimed
before the ack, and url_verification) and anything else go through Bolt as before.

Each request acknowledged here holds a listener's place from the ack on, and its listener takes
the place over (bot.shutdown.InFlight: the backlog bound, and the drain on stop wait for it),
so acking faster never lets more work pile up than before.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.shutdown import InFlight
from bot.slack.error_handler import tell
from bot.slack.errors import message_for
from bot.slack.respond import post_to_response_url

log = logging.getLogger(__name__)

COMMANDS_ACKED_AT_DOOR = frozenset({"/partner"})
"""Slash commands whose listeners always ack empty (bot.slack.partner_listener)."""

PLACE_HOLDER = "partner_ops_place_holder"
"""In the context of a request the door acknowledged: the task holding its place in the
backlog until its listener starts."""

WAITED_FOR_ACKS = "partner_ops_waited_for_acks"
"""In the context of a request the door acknowledged: it waited for the acks at the door
before Bolt got it."""


def acked_at_door(body: dict[str, Any]) -> bool:
    """Whether the door answers this (signed, well-formed) delivery's ack itself: a command of
    ours or a click (`block_actions`, whose ack body Slack does not read)."""
    if body.get("command") is not None:
        return body.get("command") in COMMANDS_ACKED_AT_DOOR
    return body.get("type") == "block_actions"


class DoorAcks:
    """Runs Bolt for the requests the door has already acknowledged."""

    def __init__(self, app: AsyncApp, inflight: InFlight, session: aiohttp.ClientSession) -> None:
        self._app = app
        self._inflight = inflight
        self._session = session

    def hand_to_bolt(self, request: AsyncBoltRequest) -> None:
        """Bolt gets `request` once the door is quiet. It holds a listener's place from now
        on, which its listener takes over when Bolt starts it (bot.app.TrackListenerTasks)."""
        dispatch = asyncio.ensure_future(self._dispatch(request))
        request.context[PLACE_HOLDER] = dispatch
        self._inflight.count_listener(dispatch)

    async def _dispatch(self, request: AsyncBoltRequest) -> None:
        # At most ACKS_FIRST_SECONDS (0.25 s) of a trigger_id's 3 s: a listener that opens a
        # modal still opens it first thing (bot.slack.modals), only after the burst's acks.
        await self._inflight.after_acks()
        # Waited once: the listener's own wait (bot.slack.workspace_guard.MemberGate) would
        # hold it up to that bound again in a steady stream, for acks that now cost little.
        request.context[WAITED_FOR_ACKS] = True
        try:
            answer = await self._app.async_dispatch(request)
        except Exception as failure:  # Bolt answers its own errors; this is the last resort
            await self._tell(message_for(failure), request.body, request.context)
            return
        await self._pass_on(answer, request.body, request.context)

    async def _pass_on(
        self, answer: BoltResponse, body: dict[str, Any], context: dict[str, Any]
    ) -> None:
        """What Bolt would have put in the ack, where the person sees it."""
        if answer.status != 200:
            # Slack would have shown the person a failure, had the door not said 200 already:
            # a bug's message, with the reference it is logged under, wherever they will see
            # it (a click in the Home tab or a modal has no response_url: a direct message).
            failure = AnsweredByBolt(_kind(body), answer.status)
            await self._tell(message_for(failure), body, context)
            return
        if answer.body and body.get("command"):  # a click's ack body Slack does not show
            await self._post(body, _message_of(answer))

    async def _tell(self, message: str, body: dict[str, Any], context: dict[str, Any]) -> None:
        """Through the response_url when there is one (it needs no token: Bolt may have
        failed before it had one); else as the app's error handler would."""
        if body.get("response_url"):
            await self._post(body, {"text": message, "response_type": "ephemeral"})
        else:
            await tell(message, body, context)

    async def _post(self, body: dict[str, Any], message: dict[str, Any]) -> None:
        url = body.get("response_url")
        if not url:  # Slack sends one with every command
            return
        try:
            sent = await post_to_response_url(self._session, url, message)
        except (aiohttp.ClientError, TimeoutError) as failure:
            log.warning("could not post Bolt's answer: %s", type(failure).__name__)
            return
        if sent.status_code != 200:
            log.warning("the response_url refused Bolt's answer (%d)", sent.status_code)


def _message_of(answer: BoltResponse) -> dict[str, Any]:
    """Slack shows an ack body as an ephemeral message: JSON as a message, text as its text."""
    content_type = answer.headers.get("content-type", [""])[0]
    if content_type.startswith("application/json"):
        try:
            message = json.loads(answer.body)
        except ValueError:  # text that starts with "{" (BoltResponse guesses JSON)
            message = None
        if isinstance(message, dict):
            message.setdefault("response_type", "ephemeral")
            return message
    return {"text": answer.body, "response_type": "ephemeral"}


class AnsweredByBolt(Exception):
    """Bolt answered a request the door had acknowledged with a status other than 200."""

    def __init__(self, kind: str, status: int) -> None:
        super().__init__(f"a {kind} acknowledged at the door was answered {status} by Bolt")


def _kind(body: dict[str, Any]) -> str:
    return str(body.get("command") or body.get("type") or "request")
