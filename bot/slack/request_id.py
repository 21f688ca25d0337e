"""Gives each Slack request an id that every log line written while handling it carries.

A Bolt middleware, so that HTTP and Socket Mode requests get one alike; the listener task
Bolt starts afterwards inherits the id (asyncio copies the context into new tasks).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable

from bot.logs import REQUEST_ID


async def tag_request(next_: Callable[[], Awaitable[None]]) -> None:
    REQUEST_ID.set(secrets.token_hex(6))
    await next_()
