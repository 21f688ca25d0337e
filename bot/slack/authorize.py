"""Bolt's installation-store authorization, serialised per workspace.

Bolt refreshes an expiring bot token inside `authorize` when token rotation is on, and has no
lock of its own: two requests from one workspace at the same moment would both spend the same
refresh token. One lock per team makes the second request wait and find the fresh token.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext


class PerTeamSerializedAuthorize(AsyncAuthorize):
    def __init__(self, inner: AsyncAuthorize) -> None:
        self._inner = inner
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    @property
    def token_rotation_expiration_minutes(self) -> int:
        return self._inner.token_rotation_expiration_minutes  # type: ignore[attr-defined]

    @token_rotation_expiration_minutes.setter
    def token_rotation_expiration_minutes(self, minutes: int) -> None:
        # Bolt sets this on whatever authorize it was given; it belongs to the inner one.
        self._inner.token_rotation_expiration_minutes = minutes  # type: ignore[attr-defined]

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **kwargs: Any,
    ) -> AuthorizeResult | None:
        async with self._locks[f"{enterprise_id}:{team_id}"]:
            return await self._inner(
                context=context,
                enterprise_id=enterprise_id,
                team_id=team_id,
                user_id=user_id,
                **kwargs,
            )
