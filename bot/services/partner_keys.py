"""Each workspace's Partner API keys: stored encrypted, shown only by fingerprint."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from pydantic import SecretStr
from sqlalchemy import delete, event, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.db.crypto import SecretBox
from bot.db.models import AuditEntry, SettingChange, WorkspacePartnerKey
from bot.db.session import Database
from bot.kept_reads import KeptReads
from bot.partner.models import Product
from bot.partner.transport import fingerprint
from bot.reads_together import ReadsTogether
from bot.services import audit

T = TypeVar("T")

TEAMS_A_STATEMENT = 500
"""Workspaces whose keys one statement reads at most: far below SQLite's and asyncpg's limits
on bound parameters (32,766 and 32,767), whatever number of them go missing at once."""


@dataclass(frozen=True, slots=True)
class KeyStatus:
    product: Product
    fingerprint: str
    from_environment: bool
    set_by: str | None = None
    set_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class _Sealed:
    """A stored key as kept in memory: still encrypted, decrypted on each use."""

    product: Product
    encrypted_key: str


class PartnerKeys:
    """Keys saved with `/partner setup` win; in single-workspace mode the environment's
    `*_PARTNER_API_KEY` fill in for products nobody set up in Slack.

    `kept_keys` answers from memory for `kept_seconds` after a read (bot.kept_reads): for
    what is only shown (a balance, a subaccount list), so a burst of `/partner balance` reads
    no row. What moves money or decides anything reads the row (`key`, `keys`)."""

    def __init__(
        self,
        database: Database,
        box: SecretBox,
        environment_keys: Mapping[Product, SecretStr] | None = None,
        *,
        kept_seconds: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._database = database
        self._box = box
        self._environment_keys = dict(environment_keys or {})
        # No stored key and none in the environment is not kept: a workspace whose first
        # keys another process just saved is not told it has none for `kept_seconds`.
        self._kept: KeptReads[str, tuple[_Sealed, ...]] = KeptReads(
            ttl=kept_seconds,
            clock=clock,
            keep=lambda sealed: bool(sealed) or bool(self._environment_keys),
        )
        # The workspaces whose kept keys are missing at once (a round of digests, a process
        # just started) are read in one statement.
        self._sealed_together: ReadsTogether[str, tuple[_Sealed, ...]] = ReadsTogether(
            self._sealed_of, missing=()
        )

    @property
    def rows_read(self) -> int:
        """Reads `kept_keys` made (tests count them)."""
        return self._kept.reads

    async def key(self, team_id: str, product: Product) -> SecretStr | None:
        async with self._database.session() as session:
            row = await session.scalar(
                select(WorkspacePartnerKey).where(
                    WorkspacePartnerKey.team_id == team_id,
                    WorkspacePartnerKey.product == product.value,
                )
            )
        if row is not None:
            return SecretStr(self._box.decrypt(row.encrypted_key))
        return self._environment_keys.get(product)

    async def keys(self, team_id: str) -> dict[Product, SecretStr]:
        """Every product's key, as `key` finds each, in one read of the workspace's keys."""
        stored = {
            Product(row.product): SecretStr(self._box.decrypt(row.encrypted_key))
            for row in await self._rows(team_id)
        }
        return _with_environment(stored, self._environment_keys)

    async def kept_keys(self, team_id: str) -> dict[Product, SecretStr]:
        """`keys`, read at most `kept_seconds` ago. A key saved, replaced or removed through
        this process is seen at once; through another process, within `kept_seconds` (at
        once for a workspace that had none)."""
        sealed = await self._kept.get(team_id, lambda: self._sealed_together.read(team_id))
        stored = {s.product: SecretStr(self._box.decrypt(s.encrypted_key)) for s in sealed}
        return _with_environment(stored, self._environment_keys)

    async def _sealed_of(self, team_ids: Sequence[str]) -> dict[str, tuple[_Sealed, ...]]:
        sealed: dict[str, list[_Sealed]] = {}
        async with self._database.session() as session:
            for start in range(0, len(team_ids), TEAMS_A_STATEMENT):
                rows = await session.execute(
                    select(
                        WorkspacePartnerKey.team_id,
                        WorkspacePartnerKey.product,
                        WorkspacePartnerKey.encrypted_key,
                    ).where(
                        WorkspacePartnerKey.team_id.in_(team_ids[start : start + TEAMS_A_STATEMENT])
                    )
                )
                for team_id, product, encrypted_key in rows:
                    sealed.setdefault(team_id, []).append(_Sealed(Product(product), encrypted_key))
        return {team_id: tuple(keys) for team_id, keys in sealed.items()}

    async def statuses(self, team_id: str) -> dict[Product, KeyStatus]:
        stored = {
            Product(row.product): KeyStatus(
                Product(row.product), row.fingerprint, False, row.set_by, row.set_at
            )
            for row in await self._rows(team_id)
        }
        from_environment = {
            product: KeyStatus(product, fingerprint(key), True)
            for product, key in self._environment_keys.items()
        }
        return _with_environment(stored, from_environment)

    async def _rows(self, team_id: str) -> list[WorkspacePartnerKey]:
        async with self._database.session() as session:
            return list(
                await session.scalars(
                    select(WorkspacePartnerKey).where(WorkspacePartnerKey.team_id == team_id)
                )
            )

    async def save(self, team_id: str, keys: Mapping[Product, str], set_by: str) -> None:
        """Store or replace several keys at once: all of them or, on any error, none."""
        async with self._database.session() as session:
            await self.save_in(session, team_id, keys, set_by)

    async def save_in(
        self, session: AsyncSession, team_id: str, keys: Mapping[Product, str], set_by: str
    ) -> None:
        """`save` in the caller's transaction (a confirmed key replacement)."""
        # Forgotten now and once the caller commits: a read between the two is not kept.
        self._kept.forget(team_id)
        event.listen(
            session.sync_session, "after_commit", lambda _s: self._kept.forget(team_id), once=True
        )
        now = utcnow()
        existing = {
            row.product: row
            for row in (
                await session.scalars(
                    select(WorkspacePartnerKey).where(WorkspacePartnerKey.team_id == team_id)
                )
            ).all()
        }
        for product, raw in keys.items():
            row = existing.get(product.value)
            # A key saved before and deleted since (an uninstall) is replaced all the same.
            replaced = row is not None or (
                await _last_fingerprint(session, team_id, product) is not None
            )
            if row is None:
                row = WorkspacePartnerKey(team_id=team_id, product=product.value)
                session.add(row)
            row.encrypted_key = self._box.encrypt(raw)
            row.fingerprint = fingerprint(raw)
            row.set_by = set_by
            row.set_at = now
            await audit.record(
                session,
                team_id,
                "partner_key_saved",
                set_by,
                product=product.value,
                fingerprint=row.fingerprint,
                replaced=replaced,
            )

    async def last_fingerprint(self, team_id: str, product: Product) -> str | None:
        """The fingerprint of the last key saved for `product`, even one deleted since: the
        audit keeps it when an uninstall deletes the key."""
        async with self._database.session() as session:
            return await _last_fingerprint(session, team_id, product)

    async def ever_saved(self, team_id: str) -> bool:
        """Whether the workspace ever saved a key, for any product (deleted since or not)."""
        async with self._database.session() as session:
            found = await session.scalar(
                select(AuditEntry.id)
                .where(AuditEntry.team_id == team_id, AuditEntry.action == "partner_key_saved")
                .limit(1)
            )
        return found is not None

    def seal(self, raw: str) -> str:
        """A key encrypted as saved keys are, to keep it until it is saved (never in clear)."""
        return self._box.encrypt(raw)

    def unseal(self, sealed: str) -> str:
        return self._box.decrypt(sealed)

    @property
    def has_environment_keys(self) -> bool:
        return bool(self._environment_keys)

    async def teams(self) -> list[str]:
        """Every workspace that saved a key."""
        async with self._database.session() as session:
            rows = await session.scalars(select(WorkspacePartnerKey.team_id).distinct())
            return list(rows.all())

    async def forget_workspace(self, team_id: str) -> int:
        self._kept.forget(team_id)
        async with self._database.session() as session:
            result = await session.execute(
                delete(WorkspacePartnerKey).where(WorkspacePartnerKey.team_id == team_id)
            )
        self._kept.forget(team_id)
        return result.rowcount or 0

    async def rotate_encryption(self) -> int:
        """Re-encrypt every stored key (and every key waiting for confirmation) under the first
        configured encryption key."""
        async with self._database.session() as session:
            rows = (await session.scalars(select(WorkspacePartnerKey))).all()
            for row in rows:
                row.encrypted_key = self._box.rotate(row.encrypted_key)
            waiting = (
                await session.scalars(
                    select(SettingChange).where(SettingChange.encrypted_secret.is_not(None))
                )
            ).all()
            for change in waiting:
                assert change.encrypted_secret is not None
                change.encrypted_secret = self._box.rotate(change.encrypted_secret)
        self._kept.forget_all()  # what a read kept is sealed under the retired key
        return len(rows) + len(waiting)


async def _last_fingerprint(session: AsyncSession, team_id: str, product: Product) -> str | None:
    details = await session.scalar(
        select(AuditEntry.details)
        .where(
            AuditEntry.team_id == team_id,
            AuditEntry.action == "partner_key_saved",
            AuditEntry.product == product.value,
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    if details is None:
        return None
    return str(details.get("fingerprint") or "…")


def _with_environment(
    stored: dict[Product, T], environment: Mapping[Product, T]
) -> dict[Product, T]:
    """A workspace's own keys first, the environment's for the products it has none of; in
    product order."""
    found = {**environment, **stored}
    return {product: found[product] for product in Product if product in found}
