"""One refresh per expiring bot token, whoever asks and in however many processes.

A refresh token is good once (Slack answers `invalid_refresh_token` the second time), and
slack_sdk's rotator has no lock. Two paths refresh a workspace's token: Bolt's `authorize`
on every Slack request (bot.slack.authorize) and the clients of scheduled work
(bot.slack.clients.WorkspaceClients), in the web process and the worker alike. Both go
through `SerialisedRotation`: a per-workspace lock serialises the callers of one process, and
a job-run row named after the expiring token (`Snapshots.claim`) lets exactly one caller of
any process spend the refresh token; the others wait for the new token in the store (the old
one stays valid meanwhile: tokens are refreshed two hours before they expire).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict

from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator

from bot.services.snapshots import Snapshots

ROTATE_BEFORE_MINUTES = 120
"""Rotate a bot token this long before it expires (slack_sdk's and Bolt's default)."""
CLAIM_JOB = "token_rotation"
WAIT_FOR_OTHER_SECONDS = 5.0
"""How long a caller waits for another process's refresh before going on with the old token
(still valid: it is refreshed long before it expires)."""
POLL_SECONDS = 0.1

log = logging.getLogger(__name__)


def expiring(bot: Bot, minutes_before_expiration: int = ROTATE_BEFORE_MINUTES) -> bool:
    # slack_sdk's Bot always holds the expiry as a Unix time.
    expires = bot.bot_token_expires_at
    return expires is not None and expires <= time.time() + minutes_before_expiration * 60


class SerialisedRotation:
    def __init__(
        self,
        store: AsyncInstallationStore,
        claims: Snapshots,
        rotator: AsyncTokenRotator,
        *,
        wait_seconds: float = WAIT_FOR_OTHER_SECONDS,
    ) -> None:
        self._store = store
        self._claims = claims
        self._rotator = rotator
        self._wait_seconds = wait_seconds
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.refreshes = 0
        """Refresh calls this object made to Slack (tests read it)."""

    async def fresh(
        self, bot: Bot, minutes_before_expiration: int = ROTATE_BEFORE_MINUTES
    ) -> Bot | None:
        """The bot with a token that has time left (saved in the store), or None when `bot`'s
        own token has time left, or another process's refresh did not finish in time."""
        if not expiring(bot, minutes_before_expiration):
            return None
        async with self._locks[f"{bot.enterprise_id}:{bot.team_id}"]:
            current = (
                await self._store.async_find_bot(
                    enterprise_id=bot.enterprise_id, team_id=bot.team_id
                )
                or bot
            )
            if not expiring(current, minutes_before_expiration):
                return current  # refreshed while this caller waited
            workspace = current.team_id or current.enterprise_id or ""
            token_expiry = str(current.bot_token_expires_at)
            if not await self._claims.claim(CLAIM_JOB, workspace, token_expiry):
                return await self._refreshed_elsewhere(current)
            try:
                self.refreshes += 1
                rotated = await self._rotator.perform_bot_token_rotation(
                    bot=current, minutes_before_expiration=minutes_before_expiration
                )
            except Exception:
                # Nobody else may try while the claim stands: a failed refresh gives it back,
                # or the token would expire unrotated.
                await self._claims.release(CLAIM_JOB, workspace, token_expiry)
                raise
            if rotated is None:
                await self._claims.release(CLAIM_JOB, workspace, token_expiry)
                return None
            await self._store.async_save_bot(rotated)
            return rotated

    async def _refreshed_elsewhere(self, old: Bot) -> Bot | None:
        log.info(
            "workspace %s: its bot token is being refreshed by another process; waiting",
            old.team_id or old.enterprise_id,
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._wait_seconds
        while loop.time() < deadline:
            await asyncio.sleep(POLL_SECONDS)
            newer = await self._store.async_find_bot(
                enterprise_id=old.enterprise_id, team_id=old.team_id
            )
            if newer is not None and newer.bot_token != old.bot_token:
                return newer
        return None
