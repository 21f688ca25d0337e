"""Where a setting change's card is, and who posts and tells it: one conditional UPDATE each
(`claim_card`, `claim_telling`), so that of the asking (deciding) process and any number of
maintenance rounds exactly one posts the card and one tells the decision; and what a process
that died between storing and telling left owed (`cards_owed`, `untold`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.db.models import SettingChange
from bot.db.session import Database
from bot.services.settings_changes.model import ChangeSnapshot, Status, snapshot_of


class ChangeCards:
    """The card side of `SettingsChanges` (which it is a part of)."""

    _database: Database

    async def set_card(self, change_id: int, channel_id: str, ts: str) -> None:
        async with self._database.session() as session:
            await session.execute(
                update(SettingChange)
                .where(SettingChange.id == change_id)
                .values(card_channel_id=channel_id, card_ts=ts)
            )

    async def claim_card(self, change_id: int, *, retake_before: datetime | None = None) -> bool:
        """Take the posting of a pending change's card: True for the one caller that took it
        (the asking process, or maintenance when it died first). `retake_before`: a post
        taken before then is over (refused, or its outcome unknown): the asker who types the
        command again may have it posted again, as they ask."""
        taken = SettingChange.card_claimed_at.is_(None)
        if retake_before is not None:
            taken = or_(taken, SettingChange.card_claimed_at <= retake_before)
        async with self._database.session() as session:
            result = await session.execute(
                update(SettingChange)
                .where(
                    SettingChange.id == change_id,
                    SettingChange.status == Status.PENDING.value,
                    SettingChange.card_ts.is_(None),
                    taken,
                )
                .values(card_claimed_at=utcnow())
            )
            return bool(result.rowcount)

    async def cards_owed(self, grace: timedelta) -> list[ChangeSnapshot]:
        """Pending changes whose card nobody took within `grace` of their proposal: the
        process that proposed them died before posting it."""
        async with self._database.session() as session:
            rows = await session.scalars(
                select(SettingChange)
                .where(
                    SettingChange.status == Status.PENDING.value,
                    SettingChange.card_ts.is_(None),
                    SettingChange.card_claimed_at.is_(None),
                    SettingChange.created_at <= utcnow() - grace,
                )
                .order_by(SettingChange.id)
            )
            return [snapshot_of(row, await number_of(session, row)) for row in rows.all()]

    async def claim_telling(self, change_id: int, status: Status) -> bool:
        """Take the telling of a decision (the announcement, the asker's DM): True for the one
        caller that took it."""
        async with self._database.session() as session:
            result = await session.execute(
                update(SettingChange)
                .where(
                    SettingChange.id == change_id,
                    SettingChange.status == status.value,
                    SettingChange.told_status.is_(None),
                )
                .values(told_status=status.value)
            )
            return bool(result.rowcount)

    async def untold(self, grace: timedelta) -> list[ChangeSnapshot]:
        """Changes decided more than `grace` ago whose decision nobody took to tell: the
        process that decided them died first."""
        async with self._database.session() as session:
            rows = await session.scalars(
                select(SettingChange)
                .where(
                    SettingChange.status != Status.PENDING.value,
                    SettingChange.told_status.is_(None),
                    SettingChange.decided_at <= utcnow() - grace,
                )
                .order_by(SettingChange.id)
            )
            return [snapshot_of(row, await number_of(session, row)) for row in rows.all()]

    async def adopt_card(self, change_id: int, team_id: str, channel_id: str, ts: str) -> bool:
        """Where the card is, learnt from a click, when posting it had no known outcome."""
        async with self._database.session() as session:
            result = await session.execute(
                update(SettingChange)
                .where(
                    SettingChange.id == change_id,
                    SettingChange.team_id == team_id,
                    SettingChange.card_ts.is_(None),
                )
                .values(card_channel_id=channel_id, card_ts=ts)
            )
            return bool(result.rowcount)


async def number_of(session: AsyncSession, row: SettingChange) -> int:
    counted = await session.scalar(
        select(func.count()).where(SettingChange.team_id == row.team_id, SettingChange.id <= row.id)
    )
    return int(counted or 0)
