"""Which language to speak: the one an admin set for a workspace or a channel (stored), and
each user's own Slack locale (cached here for a while; looked up by bot.slack.locale)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bot.clock import utcnow
from bot.db.models import LanguageSetting
from bot.db.session import Database
from bot.i18n import DEFAULT, LANGUAGES
from bot.services import audit

WORKSPACE = ""
"""The `channel_id` of a workspace's default."""


@dataclass(frozen=True)
class ChannelLanguages:
    """A workspace's default language (None: never set, English) and its channel overrides."""

    default: str | None
    channels: dict[str, str]

    def of(self, channel_id: str | None) -> str:
        if channel_id and channel_id in self.channels:
            return self.channels[channel_id]
        return self.default or DEFAULT


class Languages:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def settings(self, team_id: str) -> ChannelLanguages:
        async with self._database.session() as session:
            rows = (
                await session.scalars(
                    select(LanguageSetting).where(LanguageSetting.team_id == team_id)
                )
            ).all()
        default = next((r.language for r in rows if r.channel_id == WORKSPACE), None)
        return ChannelLanguages(
            default, {r.channel_id: r.language for r in rows if r.channel_id != WORKSPACE}
        )

    async def for_channel(self, team_id: str, channel_id: str | None) -> str:
        """What a channel sees: its own language, else the workspace's, else English."""
        return (await self.settings(team_id)).of(channel_id)

    async def set(
        self, team_id: str, language: str, actor_id: str, channel_id: str | None = None
    ) -> None:
        """The workspace's default (`channel_id` None) or one channel's language, audited."""
        if language not in LANGUAGES:
            raise ValueError(f"not a language we speak: {language!r}")
        key = channel_id or WORKSPACE
        async with self._database.session() as session:
            row = await session.get(LanguageSetting, (team_id, key))
            if row is None:
                session.add(
                    LanguageSetting(
                        team_id=team_id, channel_id=key, language=language, set_by=actor_id
                    )
                )
            else:
                row.language, row.set_by, row.set_at = language, actor_id, utcnow()
            await audit.record(
                session,
                team_id,
                "language_set",
                actor_id,
                language=language,
                channel=channel_id or None,
            )


class UserLocales:
    """Users' languages from their Slack locale, and their time zones (Slack's `tz`), per
    workspace, for `ttl` seconds: both change rarely, and users.info is not worth a call for
    every click. A zone is learnt from any users.info answer (it needs no `include_locale`),
    so it is kept apart from the language, which only a look with the locale refreshes."""

    def __init__(self, ttl: float = 3600, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._known: dict[tuple[str, str], tuple[float, str]] = {}
        self._zones: dict[tuple[str, str], tuple[float, str | None]] = {}

    def get(self, team_id: str, user_id: str) -> str | None:
        return self._fresh(self._known.get((team_id, user_id)))

    def put(self, team_id: str, user_id: str, language: str) -> None:
        self._remember(self._known, (team_id, user_id), language)

    def knows_zone(self, team_id: str, user_id: str) -> bool:
        entry = self._zones.get((team_id, user_id))
        return entry is not None and self._clock() - entry[0] < self._ttl

    def zone(self, team_id: str, user_id: str) -> str | None:
        """The user's zone, None when unknown or when Slack gave none."""
        return self._fresh(self._zones.get((team_id, user_id)))

    def put_zone(self, team_id: str, user_id: str, zone: str | None) -> None:
        self._remember(self._zones, (team_id, user_id), zone or None)

    def _fresh(self, entry: tuple[float, Any] | None) -> Any:
        if entry is None or self._clock() - entry[0] >= self._ttl:
            return None
        return entry[1]

    def _remember(
        self, known: dict[tuple[str, str], Any], key: tuple[str, str], value: Any
    ) -> None:
        if len(known) > 10_000:  # a bound, not an eviction policy: forget all, re-learn
            known.clear()
        known[key] = (self._clock(), value)
