"""The door Slack's deliveries come in by, over HTTP and over Socket Mode: the body is read once
(bot.slack.request_guard), and Bolt gets it already parsed — or never sees it.

Over HTTP a delivery Slack would never send gets a 400 when its signature is good (a 401 when
not, as Bolt would answer) and one WARNING line that quotes no part of it; over Socket Mode the
envelope is acknowledged empty (Slack must not send it again) with the same line. Either way no
middleware or listener runs, so nothing is half-made.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.socket_mode.async_internals import send_async_response
from slack_bolt.adapter.socket_mode.internals import build_headers
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.socket_mode.async_client import AsyncBaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from bot.slack.door_acks import DoorAcks, acked_at_door
from bot.slack.request_guard import Malformed, check_numbers, check_shape, read_delivery

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE_MAX_AGE = 5 * 60  # seconds, as Slack and slack_sdk


class ReadRequest(AsyncBoltRequest):
    """An HTTP request to Bolt with its body already read by the door: Bolt checks the
    signature on `raw_body` and routes on `body`, which it does not parse again."""

    def __init__(
        self,
        *,
        raw_body: str,
        body: dict[str, Any],
        query: Any,
        headers: Any,
        context: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(body="", query=query, headers=headers, context=context)
        self.raw_body = raw_body
        self.body = body
        self.context = build_async_context(AsyncBoltContext(context or {}), body)

    def to_copyable(self) -> ReadRequest:
        """What Bolt hands a lazy listener: the same request, not parsed again."""
        return ReadRequest(
            raw_body=self.raw_body,
            body=self.body,
            query=self.query,
            headers=self.headers,
            context=self.context.to_copyable(),
        )


def events_handler(
    app: AsyncApp, signing_secret: str, door_acks: DoorAcks | None = None
) -> Handler:
    """The POST handler of the events URL. With `door_acks`, a signed command or click of ours
    is acknowledged here and handed to Bolt after (bot.slack.door_acks)."""
    secret = signing_secret.encode()

    async def handle(request: web.Request) -> web.StreamResponse:
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "0")
        if not _TIMESTAMP.fullmatch(timestamp):
            # slack_sdk's check would raise on it (and Bolt answer a 500): not from Slack.
            log.info("refused a request with an unreadable signature timestamp")
            return web.json_response({"error": "invalid request"}, status=401)
        sent = await request.read()
        try:
            raw = sent.decode("utf-8")  # Slack's charset, whatever the header says
            body = read_delivery(raw, request.content_type)
        except (Malformed, UnicodeDecodeError) as problem:
            reason = problem.reason if isinstance(problem, Malformed) else "body is not UTF-8"
            if not _signed(secret, timestamp, sent, request.headers.get("X-Slack-Signature", "")):
                log.info("refused a request with an invalid signature (malformed body withheld)")
                return web.json_response({"error": "invalid request"}, status=401)
            log.warning("refused a signed request to %s: %s", request.path, reason)
            return web.json_response({"error": "malformed request"}, status=400)
        bolt_request = ReadRequest(
            raw_body=raw,
            body=body,
            query=request.query_string,
            headers=request.headers,  # type: ignore[arg-type]
        )
        if door_acks is not None and acked_at_door(body):
            if not _signed(secret, timestamp, sent, request.headers.get("X-Slack-Signature", "")):
                log.info("refused a request with an invalid signature")
                return web.json_response({"error": "invalid request"}, status=401)
            door_acks.hand_to_bolt(bolt_request)
            return web.Response(status=200)
        return await to_aiohttp_response(await app.async_dispatch(bolt_request))

    return handle


def _signed(secret: bytes, timestamp: str, body: bytes, signature: str) -> bool:
    """Slack's signature check (as slack_sdk's SignatureVerifier), on the bytes as sent: a
    body that is not UTF-8 is checked too, where slack_sdk would raise."""
    if abs(time.time() - int(timestamp)) > SIGNATURE_MAX_AGE:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def oauth_handler(flow: AsyncOAuthFlow) -> Handler:
    """The GET handler of the install and redirect URLs (what Bolt's own server does)."""

    async def handle(request: web.Request) -> web.StreamResponse:
        bolt_request = await to_bolt_request(request)
        if request.path == flow.install_path:
            answer = await flow.handle_installation(bolt_request)
        else:
            answer = await flow.handle_callback(bolt_request)
        return await to_aiohttp_response(answer)

    return handle


class CheckedSocketModeHandler(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler, with each envelope's payload held to the shapes Slack sends
    before Bolt reads it."""

    async def handle(  # type: ignore[override]
        self, client: AsyncBaseSocketModeClient, req: SocketModeRequest
    ) -> None:
        started = time.time()
        payload = req.payload
        try:
            if not isinstance(payload, dict):
                raise Malformed("a payload that is not an object")
            check_numbers(payload)
            check_shape(payload)
        except Malformed as problem:
            log.warning("refused a Socket Mode envelope (%s): %s", req.type, problem.reason)
            await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
            return
        bolt_request = AsyncBoltRequest(
            mode="socket_mode", body=payload, headers=build_headers(req)
        )
        answer = await self.app.async_dispatch(bolt_request)
        await send_async_response(client, req, answer, started)
