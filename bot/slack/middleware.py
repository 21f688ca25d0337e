"""Global middleware: drop Events API deliveries that were already handled.

Slack retries an Events API delivery that was not acknowledged in 3 s (headers
`X-Slack-Retry-Num`, `X-Slack-Retry-Reason`; over Socket Mode `retry_attempt`), to this process
or another: those are claimed before their listener runs. Slash commands and interactions are
never redelivered — unanswered, the user sees an error and clicks or types again, which is a
new delivery with a new trigger_id that no claim would have caught. So they are not claimed:
no database write on their ack path. What keeps them from acting twice is where it always was:
money by the request state machine, a form by its origin_key, a card by its claim.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.response import BoltResponse

from bot.services.deliveries import Deliveries

log = logging.getLogger(__name__)


def delivery_key(body: dict[str, Any]) -> str | None:
    """What makes a delivery unique across Slack's retries of it: the event_id, which Slack
    keeps on every retry of one event. None for what Slack never redelivers."""
    if body.get("type") == "event_callback" and body.get("event_id"):
        team = body.get("team_id") or (body.get("team") or {}).get("id") or ""
        return f"event:{team}:{body['event_id']}"
    return None


def skip_redeliveries(deliveries: Deliveries) -> Callable[..., Awaitable[BoltResponse | None]]:
    async def middleware(
        body: dict[str, Any], next_: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        key = delivery_key(body)
        if key is not None and not await deliveries.claim(key):
            # Acknowledge so Slack stops retrying, and do nothing else.
            log.info("skipping a delivery already handled (%s)", key.split(":", 1)[0])
            return BoltResponse(status=200, body="")
        await next_()
        return None

    return middleware
