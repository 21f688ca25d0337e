"""Web API clients: the configured base URL and retries, and one per workspace for work that
no Slack request started (expiry, recovery, digests)."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import SlackMode
from bot.runtime import Runtime


def web_client(runtime: Runtime, token: str | None = None) -> AsyncWebClient:
    """Every Web API client the app uses: the configured base URL, and slack_sdk's retries
    for rate limits (honouring Retry-After) and server errors."""
    base = runtime.settings.slack_api_url
    return AsyncWebClient(
        token=token,
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
        **({"base_url": base} if base else {}),
    )


ROTATE_BEFORE_MINUTES = 120
"""Rotate a bot token this long before it expires (slack_sdk's default)."""


class WorkspaceClients:
    """A bot-token client for a workspace, outside any Slack request."""

    def __init__(self, runtime: Runtime, store: AsyncInstallationStore | None) -> None:
        self._runtime = runtime
        self._store = store
        self._single_team: str | None = None
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def teams(self) -> list[str]:
        """Workspaces with something to do: Partner keys saved or digests subscribed, plus
        (with one workspace) the bot token's own team when keys come from the environment."""
        teams = set(await self._runtime.keys.teams())
        teams |= {s for s in await self._runtime.digests.subscribed_teams()}
        if (
            self._runtime.mode is SlackMode.SINGLE_WORKSPACE
            and self._runtime.keys.has_environment_keys
        ):
            if self._single_team is None:
                client = await self.for_team("")
                if client is not None:
                    self._single_team = (await client.auth_test())["team_id"]
            if self._single_team:
                teams.add(self._single_team)
        return sorted(teams)

    async def for_team(self, team_id: str) -> AsyncWebClient | None:
        if self._runtime.mode is SlackMode.SINGLE_WORKSPACE:
            token = self._runtime.settings.slack_bot_token
            return web_client(self._runtime, token.get_secret_value()) if token else None
        assert self._store is not None
        bot = await self._store.async_find_bot(enterprise_id=None, team_id=team_id)
        if bot is None or not bot.bot_token:
            return None
        if bot.bot_refresh_token and bot.bot_token_expires_at:
            bot = await self._fresh(team_id, bot)
        return web_client(self._runtime, bot.bot_token)

    async def _fresh(self, team_id: str, bot: Bot) -> Bot:
        """A bot token with time left, rotating it when it is close to expiry.

        slack_sdk's rotator has no lock: two processes rotating the same token would spend
        the same refresh token twice. One per-team lock serialises this process; across
        processes a job-run row named after the expiring token lets exactly one rotate it,
        while the others wait for the new token (the old one stays valid meanwhile).
        """
        async with self._locks[team_id]:
            current = await self._store.async_find_bot(  # type: ignore[union-attr]
                enterprise_id=None, team_id=team_id
            )
            bot = current or bot
            if not _expiring(bot):
                return bot
            expiry = str(bot.bot_token_expires_at)
            if await self._runtime.snapshots.claim("token_rotation", team_id, expiry):
                rotated = await self._rotator().perform_bot_token_rotation(
                    bot=bot, minutes_before_expiration=ROTATE_BEFORE_MINUTES
                )
                if rotated is not None:
                    await self._store.async_save_bot(rotated)  # type: ignore[union-attr]
                    return rotated
                return bot
            for _ in range(50):  # another process is rotating it: wait for the result
                await asyncio.sleep(0.1)
                newer = await self._store.async_find_bot(  # type: ignore[union-attr]
                    enterprise_id=None, team_id=team_id
                )
                if newer is not None and newer.bot_token != bot.bot_token:
                    return newer
            return bot

    def _rotator(self) -> AsyncTokenRotator:
        settings = self._runtime.settings
        assert settings.slack_client_id and settings.slack_client_secret
        return AsyncTokenRotator(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret.get_secret_value(),
            client=web_client(self._runtime),
        )


def _expiring(bot: Bot) -> bool:
    # slack_sdk's Bot always holds the expiry as a Unix time.
    expires = bot.bot_token_expires_at
    return expires is not None and expires - time.time() < ROTATE_BEFORE_MINUTES * 60
