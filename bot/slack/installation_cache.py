"""Workspaces' bots kept in memory, so that authorising a request reads no row.

Bolt's `authorize` asks the installation store for the workspace's bot on every request: one
SELECT (and a decryption) before every ack. This store in front of the encrypted one keeps
each bot it found for `ttl` seconds.

What can make a kept bot wrong, and how long it can stay wrong:

- In this process, every write through the store (install, reinstall, token rotation, uninstall,
  `tokens_revoked`, an Enterprise Grid org leaving) drops the workspace's entry first and
  again when the write is done, and a read that was under way when a write began does not keep
  what it read. So this process never uses a bot after its own change.
- Another process's change is seen when the entry is older than `ttl`: the next request reads
  the row again. **A process never acts with a bot token revoked, rotated or uninstalled by
  another process for more than `ttl` seconds** (INSTALLATION_CACHE_SECONDS, 10 by default).
  Slack itself refuses a revoked token at once, so within that bound a stale entry costs an
  error answer from Slack, never an action with a token the workspace took back.
- "Not installed" is not kept: an install made by another process is seen by the next request.

Why expiry rather than LISTEN/NOTIFY: it works the same on SQLite and PostgreSQL, needs no
connection held open per process, and costs one read per workspace every `ttl` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from logging import Logger
from typing import TYPE_CHECKING

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from bot.kept_reads import KeptReads

if TYPE_CHECKING:
    from bot.slack.stores import EncryptedInstallationStore

_Key = tuple[str | None, str | None, bool]


def _workspace(key: _Key) -> tuple[str | None, str | None]:
    return key[:2]


def _found(bot: Bot | None) -> bool:
    return bot is not None


class CachedInstallationStore(AsyncInstallationStore):
    def __init__(
        self,
        inner: EncryptedInstallationStore,
        *,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.inner = inner
        self._kept: KeptReads[_Key, Bot | None] = KeptReads(
            ttl=ttl, clock=clock, group=_workspace, keep=_found
        )

    @property
    def reads(self) -> int:
        """Rows read from the store (tests and benches read it)."""
        return self._kept.reads

    @property
    def logger(self) -> Logger:
        return self.inner.logger

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        async def read() -> Bot | None:
            return await self.inner.async_find_bot(
                enterprise_id=enterprise_id,
                team_id=team_id,
                is_enterprise_install=is_enterprise_install,
            )

        return await self._kept.get((enterprise_id, team_id, bool(is_enterprise_install)), read)

    def forget(self, enterprise_id: str | None, team_id: str | None) -> None:
        """Drop what is kept of a workspace: its next request reads the row."""
        self._kept.forget((enterprise_id, team_id))

    def forget_all(self) -> None:
        self._kept.forget_all()

    # Every write drops the workspace before and after: a request between the two reads the
    # row as it is being changed, and the second drop keeps nothing it read meanwhile.

    async def async_save(self, installation: Installation) -> None:
        self.forget(installation.enterprise_id, installation.team_id)
        try:
            await self.inner.async_save(installation)
        finally:
            self.forget(installation.enterprise_id, installation.team_id)

    async def async_save_bot(self, bot: Bot) -> None:
        self.forget(bot.enterprise_id, bot.team_id)
        try:
            await self.inner.async_save_bot(bot)
        finally:
            self.forget(bot.enterprise_id, bot.team_id)

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return await self.inner.async_find_installation(
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.forget(enterprise_id, team_id)
        try:
            await self.inner.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        finally:
            self.forget(enterprise_id, team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        self.forget(enterprise_id, team_id)
        try:
            await self.inner.async_delete_installation(
                enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
            )
        finally:
            self.forget(enterprise_id, team_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.forget(enterprise_id, team_id)
        try:
            await self.inner.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)
        finally:
            self.forget(enterprise_id, team_id)

    async def delete_enterprise(self, enterprise_id: str) -> list[str]:
        self.forget_all()
        try:
            return await self.inner.delete_enterprise(enterprise_id)
        finally:
            self.forget_all()
