"""Refuses a request to the events URL that Bolt could not even parse, before Bolt sees it.

Bolt parses the body (`payload=` JSON for interactions, JSON for events) before it checks the
signature, and a body that is not what Slack sends (not JSON, JSON that is not an object, an
interaction without a `type`) makes it raise: the HTTP answer is a 500 and aiohttp logs a
traceback. Here such a body gets a 401 when its signature is wrong (as Bolt would answer) and
a 400 when it is signed, with one log line that shows no part of the body.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def malformed(body: str, content_type: str | None) -> str | None:
    """Why Bolt could not make sense of this body, or None when it can (parsed the way
    slack_bolt.request.internals.parse_body does)."""
    if not body:
        return None
    try:
        if content_type == "application/json" or body.startswith("{"):
            parsed: Any = json.loads(body)
            if not isinstance(parsed, dict):
                return "JSON body is not an object"
            return None
        if "payload" not in body:
            return None  # a slash command or an ssl_check: plain form fields
        payload = dict(parse_qsl(body, keep_blank_values=True)).get("payload")
        if payload is None:
            return None
        parsed = json.loads(payload)
    except ValueError:
        return "body is not valid JSON"
    if not isinstance(parsed, dict):
        return "payload is not a JSON object"
    if not isinstance(parsed.get("type"), str):
        return "payload has no type"
    return None


def malformed_request_guard(path: str, signing_secret: str) -> Any:
    verifier = SignatureVerifier(signing_secret)

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method != "POST" or request.path != path:
            return await handler(request)
        body = await request.text()  # aiohttp keeps it: Bolt reads it again
        problem = malformed(body, request.content_type)
        if problem is None:
            return await handler(request)
        signed = verifier.is_valid(
            body=body,
            timestamp=request.headers.get("X-Slack-Request-Timestamp", ""),
            signature=request.headers.get("X-Slack-Signature", ""),
        )
        if not signed:
            log.info("refused a request with an invalid signature (malformed body withheld)")
            return web.json_response({"error": "invalid request"}, status=401)
        log.warning("refused a signed request to %s: %s", path, problem)
        return web.json_response({"error": "malformed request"}, status=400)

    return guard
