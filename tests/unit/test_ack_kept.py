"""A listener that raises right after its ack still answers Slack with that ack.

With process_before_response=False Bolt runs the listener in a task and polls its ack every
10 ms; on an exception it resets the ack once the error handler is done. A listener that acks
and raises between two polls would leave Slack with no answer (a 404 "unhandled request" after
3 s). bot.slack.error_handler keeps the ack (`KeepsTheAck`): this drives a real AsyncApp."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.errors import NotAllowed
from bot.slack.error_handler import register_error_handler


async def _authorize(**_: Any) -> AuthorizeResult:
    return AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-1", bot_user_id="UB")


def _click() -> AsyncBoltRequest:
    payload = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "actions": [{"action_id": "raise_after_ack", "action_ts": "1"}],
    }
    return AsyncBoltRequest(
        body=urlencode({"payload": json.dumps(payload)}),
        headers={"content-type": ["application/x-www-form-urlencoded"]},
    )


async def test_a_listener_that_raises_after_its_ack_is_answered_with_the_ack() -> None:
    app = AsyncApp(
        # Nothing goes out: the click names nobody to tell (no user, no response_url), so the
        # error handler is done at once, as fast as Bolt's reset; this is only a safety net.
        client=AsyncWebClient(base_url="http://127.0.0.1:9/api/"),
        authorize=_authorize,
        request_verification_enabled=False,
        process_before_response=False,
    )

    @app.action("raise_after_ack")
    async def raise_after_ack(ack: AsyncAck) -> None:
        await ack()
        raise NotAllowed("do this", "admins")  # at once: before Bolt's next look at the ack

    register_error_handler(app)
    started = time.monotonic()
    answer = await app.async_dispatch(_click())
    assert answer.status == 200
    assert time.monotonic() - started < 2  # Slack waits 3 s, then calls it a failure
