"""Global middleware: drop deliveries that were already handled."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.response import BoltResponse

from bot.services.deliveries import Deliveries

log = logging.getLogger(__name__)


def delivery_key(body: dict[str, Any]) -> str | None:
    """What makes a delivery unique across Slack's retries of it.

    Events carry an event_id; commands and interactions a trigger_id that Slack mints per
    user action, and keeps on a retry of the same delivery.
    """
    team = body.get("team_id") or (body.get("team") or {}).get("id") or ""
    if body.get("type") == "event_callback" and body.get("event_id"):
        return f"event:{team}:{body['event_id']}"
    if body.get("command") and body.get("trigger_id"):
        return f"command:{team}:{body['trigger_id']}"
    if body.get("type") in ("block_actions", "view_submission") and body.get("trigger_id"):
        actions = body.get("actions") or [{}]
        return f"{body['type']}:{team}:{body['trigger_id']}:{actions[0].get('action_ts', '')}"
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
