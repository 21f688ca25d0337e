"""Bolt's installation-store authorization, fast under load and safe with token rotation.

Every request is authorised: the workspace's bot is found in the installation store (kept in
memory for a few seconds, bot.slack.installation_cache: no row read per request), then Bolt
asks Slack `auth.test` about its token. Changes to Bolt's defaults:

- `cache_enabled=True`: Bolt keeps the `auth.test` answer per token, so a burst from one
  workspace costs one round trip to Slack, not one per request. A rotated token is a new key
  (asked once); an uninstalled workspace's bot is gone from the store, so its token is never
  looked up again.
- Bolt's cache has no single flight: the first burst from a workspace would ask `auth.test`
  once per request. Until a workspace has been authorised once, its requests take turns (the
  first asks, the others find the answer cached); after that nobody waits.
- Bolt refreshes an expiring bot token inside `authorize`, with no lock of its own: two
  requests from one workspace at the same moment would both spend the same refresh token.
  Its rotator is wrapped so that a refresh is serialised per workspace, across processes
  (bot.slack.token_rotation) — and only a refresh: a token with time left goes through
  without waiting for anything.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import (
    AsyncAuthorize,
    AsyncInstallationStoreAuthorize,
)
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.snapshots import Snapshots
from bot.slack.token_rotation import SerialisedRotation


def installation_authorize(
    store: AsyncInstallationStore,
    *,
    rotation_store: AsyncInstallationStore,
    client_id: str,
    client_secret: str,
    client: AsyncWebClient,
    claims: Snapshots,
) -> AsyncAuthorize:
    authorize = AsyncInstallationStoreAuthorize(
        installation_store=store,
        client_id=client_id,
        client_secret=client_secret,
        bot_only=True,
        cache_enabled=True,
        client=client,
        logger=logging.getLogger("slack_bolt.authorize"),
    )
    assert authorize.token_rotator is not None  # client id and secret were given
    # The rotation reads the row itself, never a copy kept in memory: another process may
    # have rotated the token since (bot.slack.installation_cache).
    authorize.token_rotator = PerTeamSerializedRotator(
        SerialisedRotation(rotation_store, claims, authorize.token_rotator)
    )
    return FirstLookupSerialized(authorize)


AUTHORIZED = "partner_ops_authorize_result"
"""Where this request's answer is kept on Bolt's context."""


class FirstLookupSerialized(AsyncAuthorize):
    """Requests from a workspace not authorised yet in this process take turns; afterwards
    they go straight through (to Bolt's cached lookup)."""

    def __init__(self, inner: AsyncInstallationStoreAuthorize) -> None:
        self.inner = inner
        self._authorised: set[str] = set()
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    @property
    def token_rotation_expiration_minutes(self) -> int:
        return self.inner.token_rotation_expiration_minutes

    @token_rotation_expiration_minutes.setter
    def token_rotation_expiration_minutes(self, minutes: int) -> None:
        # Bolt sets this on whatever authorize it was given; it belongs to the inner one.
        self.inner.token_rotation_expiration_minutes = minutes

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **kwargs: Any,
    ) -> AuthorizeResult | None:
        # Asked twice for one request (bot.slack.not_installed, then Bolt): answered once.
        known = context.get(AUTHORIZED)
        if known is not None:
            return known
        result = await self._authorize(context, enterprise_id, team_id, user_id, **kwargs)
        if result is not None:
            context[AUTHORIZED] = result
        return result

    async def _authorize(
        self,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **kwargs: Any,
    ) -> AuthorizeResult | None:
        workspace = f"{enterprise_id}:{team_id}"
        arguments = dict(
            context=context, enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )
        if workspace in self._authorised:
            return await self.inner(**arguments, **kwargs)
        async with self._locks[workspace]:
            result = await self.inner(**arguments, **kwargs)
            if result is not None:
                self._authorised.add(workspace)
                self._locks.pop(workspace, None)
            return result


class PerTeamSerializedRotator(AsyncTokenRotator):
    """The rotator Bolt calls for every request: returns at once when the token has time
    left; otherwise one caller per workspace, across processes and the scheduled work's
    clients too, refreshes while the others wait, then find the fresh token in the store
    instead of spending the refresh token again (bot.slack.token_rotation)."""

    def __init__(self, rotation: SerialisedRotation) -> None:
        # Not calling super().__init__: the refresh is the rotation's.
        self._rotation = rotation

    @property
    def refreshes(self) -> int:
        """Refresh calls made to Slack (tests read it)."""
        return self._rotation.refreshes

    async def perform_bot_token_rotation(
        self, *, bot: Bot, minutes_before_expiration: int = 120
    ) -> Bot | None:
        return await self._rotation.fresh(bot, minutes_before_expiration)
