"""The setting-change service: routing a change, keeping a pending one, and moving it on
exactly once (confirm, reject, expire)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.db.models import SettingChange
from bot.db.session import Database
from bot.i18n import N_
from bot.partner.models import Product
from bot.services import audit
from bot.services.directory import Directory
from bot.services.errors import NotAllowed, NotFound
from bot.services.partner_keys import PartnerKeys
from bot.services.policy import Policy, change_policy_in, check_change, load_policy
from bot.services.roles import Role, Roles
from bot.services.settings_changes.cards import ChangeCards, number_of
from bot.services.settings_changes.model import (
    Change,
    ChangeAlreadyDecided,
    ChangeSnapshot,
    NobodyToConfirm,
    OwnChange,
    Route,
    Setting,
    Status,
    audited,
    snapshot_of,
    stored_subject,
    stored_value,
    subject_of,
    typed_value,
)


class SettingsChanges(ChangeCards):
    def __init__(self, database: Database, roles: Roles, keys: PartnerKeys) -> None:
        self._database = database
        self._roles = roles
        self._keys = keys

    # --- asking -----------------------------------------------------------------------------

    async def route(
        self, team_id: str, actor_id: str, change: Change, directory: Directory
    ) -> Route:
        """At once (it does not loosen, or nobody could confirm and the asker is a workspace
        admin), or after an approver's confirmation. Raises NobodyToConfirm otherwise, and
        PolicyOutOfBounds / PolicyConflict for a policy value that could never be applied."""
        policy = await self._policy(team_id)
        if change.setting.is_policy:
            check_change(policy, change.setting.value, change.new)
        if not change.loosens:
            return Route.AT_ONCE
        missing = None
        if policy.approvals_channel_id is None:
            missing = "channel"
        elif not await self._roles.has_approvers(team_id):
            missing = "approvers"
        if missing is None:
            return Route.NEEDS_CONFIRMATION
        if await directory.is_workspace_admin(actor_id):
            return Route.AT_ONCE
        raise NobodyToConfirm(change, missing)

    async def propose(self, team_id: str, actor_id: str, change: Change) -> ChangeSnapshot:
        """Store a loosening change as pending (checked now as it would be when applied:
        bounds and consistency), audited. It expires after the policy's expiry."""
        policy = await self._policy(team_id)
        if change.setting.is_policy:
            check_change(policy, change.setting.value, change.new)
        same = await self._same_pending(team_id, change)
        if same is not None and change.secret is None:
            return same  # asked twice (a command typed again): one card is enough
        now = utcnow()
        row = SettingChange(
            team_id=team_id,
            setting=change.setting.value,
            subject=stored_subject(change),
            old_value=stored_value(change.old),
            new_value=stored_value(change.new),
            encrypted_secret=self._keys.seal(change.secret) if change.secret else None,
            status=Status.PENDING.value,
            requested_by=actor_id,
            created_at=now,
            expires_at=now + timedelta(hours=policy.expiry_hours),
        )
        async with self._database.session() as session:
            session.add(row)
            await session.flush()
            await audit.record(
                session,
                team_id,
                "setting_change_proposed",
                actor_id,
                change=f"#{await number_of(session, row)}",
                **audited(row),
            )
        return await self.get(row.id)

    async def _same_pending(self, team_id: str, change: Change) -> ChangeSnapshot | None:
        async with self._database.session() as session:
            row = await session.scalar(
                select(SettingChange)
                .where(
                    SettingChange.team_id == team_id,
                    SettingChange.status == Status.PENDING.value,
                    SettingChange.setting == change.setting.value,
                    SettingChange.subject.is_(None)
                    if change.subject is None
                    else SettingChange.subject == stored_subject(change),
                    SettingChange.new_value.is_(None)
                    if change.new is None
                    else SettingChange.new_value == stored_value(change.new),
                    SettingChange.expires_at > utcnow(),
                )
                .order_by(SettingChange.id)
                .limit(1)
            )
            return snapshot_of(row, await number_of(session, row)) if row is not None else None

    # --- deciding ---------------------------------------------------------------------------

    async def confirm(
        self, change_id: int, team_id: str, approver_id: str, directory: Directory
    ) -> ChangeSnapshot:
        change = await self._decidable(change_id, team_id)
        if approver_id == change.requested_by:
            raise OwnChange(change)
        if not await self._roles.is_approver(team_id, approver_id, directory):
            raise NotAllowed(N_("confirm setting changes"), N_("approvers"))
        async with self._database.session() as session:
            if not await self._move(session, change_id, Status.APPLIED, approver_id):
                raise ChangeAlreadyDecided(await self.get(change_id))
            row = await session.get(SettingChange, change_id)
            assert row is not None
            # Applied in the transaction that won the move: both land, or neither does.
            await self._apply(session, row)
            await audit.record(
                session,
                team_id,
                "setting_change_confirmed",
                approver_id,
                change=f"#{await number_of(session, row)}",
                asked_by=row.requested_by,
                **audited(row),
            )
        return await self.get(change_id)

    async def reject(
        self, change_id: int, team_id: str, user_id: str, directory: Directory
    ) -> ChangeSnapshot:
        """By an approver, or by the asker (who withdraws it)."""
        change = await self._decidable(change_id, team_id)
        if user_id != change.requested_by and not await self._roles.is_approver(
            team_id, user_id, directory
        ):
            raise NotAllowed(N_("reject setting changes"), N_("approvers"))
        async with self._database.session() as session:
            if not await self._move(session, change_id, Status.REJECTED, user_id):
                raise ChangeAlreadyDecided(await self.get(change_id))
            row = await session.get(SettingChange, change_id)
            assert row is not None
            await audit.record(
                session,
                team_id,
                "setting_change_rejected",
                user_id,
                change=f"#{await number_of(session, row)}",
                asked_by=row.requested_by,
                **audited(row),
            )
        return await self.get(change_id)

    async def expire_due(self) -> list[ChangeSnapshot]:
        """Pending changes past their time become expired; returns those this call moved."""
        async with self._database.session() as session:
            due = (
                await session.scalars(
                    select(SettingChange.id).where(
                        SettingChange.status == Status.PENDING.value,
                        SettingChange.expires_at <= utcnow(),
                    )
                )
            ).all()
        return [expired for change_id in due if (expired := await self._expire(change_id))]

    async def _expire(self, change_id: int) -> ChangeSnapshot | None:
        async with self._database.session() as session:
            row = await session.get(SettingChange, change_id)
            if row is None or row.expires_at > utcnow():
                return None
            if not await self._move(session, change_id, Status.EXPIRED, None):
                return None
            await audit.record(
                session,
                row.team_id,
                "setting_change_expired",
                audit.SYSTEM,
                change=f"#{await number_of(session, row)}",
                asked_by=row.requested_by,
                **audited(row),
            )
        return await self.get(change_id)

    async def _decidable(self, change_id: int, team_id: str) -> ChangeSnapshot:
        change = await self.get(change_id, team_id)
        if change.status is Status.PENDING and change.expires_at <= utcnow():
            expired = await self._expire(change_id)
            if expired is not None:
                raise ChangeAlreadyDecided(expired, expired_now=True)
            change = await self.get(change_id, team_id)
        if change.status is not Status.PENDING:
            raise ChangeAlreadyDecided(change)
        return change

    @staticmethod
    async def _move(
        session: AsyncSession, change_id: int, to: Status, decided_by: str | None
    ) -> bool:
        """The one way a status changes: only from pending. True if this call won."""
        # A conditional UPDATE: a row lock on PostgreSQL, the writer lock on SQLite, held
        # until this transaction ends, so the change is applied by the winner alone.
        result = await session.execute(
            update(SettingChange)
            .where(SettingChange.id == change_id, SettingChange.status == Status.PENDING.value)
            .values(
                status=to.value,
                decided_by=decided_by,
                decided_at=utcnow(),
                # A key nobody will save is not kept; a confirmed one is dropped once saved.
                **({} if to is Status.APPLIED else {"encrypted_secret": None}),
            )
        )
        return (result.rowcount or 0) == 1

    # --- applying ---------------------------------------------------------------------------

    async def _apply(self, session: AsyncSession, row: SettingChange) -> None:
        setting, actor = Setting(row.setting), row.requested_by
        new = typed_value(setting, row.new_value)
        if setting.is_policy:
            await change_policy_in(session, row.team_id, actor, **{setting.value: new})
        elif setting is Setting.ADMIN:
            subject = subject_of(row.subject)
            if new:
                await self._roles.grant(row.team_id, Role.ADMIN, subject, actor, session=session)
            else:
                await self._roles.revoke(row.team_id, Role.ADMIN, subject, actor, session=session)
        elif setting is Setting.APPROVER:
            subject = subject_of(row.subject)
            if new:
                await self._roles.grant(row.team_id, Role.APPROVER, subject, actor, session=session)
            else:
                await self._roles.revoke(
                    row.team_id, Role.APPROVER, subject, actor, session=session
                )
        elif setting is Setting.PARTNER_KEY:
            assert row.subject is not None and row.encrypted_secret is not None
            raw = self._keys.unseal(row.encrypted_secret)
            await self._keys.save_in(session, row.team_id, {Product(row.subject): raw}, actor)
        # The key is no longer needed here once saved (or once the change is decided).
        row.encrypted_secret = None

    # --- reading ----------------------------------------------------------------------------

    async def get(self, change_id: int, team_id: str | None = None) -> ChangeSnapshot:
        async with self._database.session() as session:
            row = await session.get(SettingChange, change_id, populate_existing=True)
            if row is None or (team_id is not None and row.team_id != team_id):
                raise NotFound(N_("setting change"), "")
            return snapshot_of(row, await number_of(session, row))

    async def by_number(self, team_id: str, number: int) -> ChangeSnapshot:
        """The workspace's setting change #`number` (changes are numbered in the order they
        were made, per workspace, and never deleted but with the workspace)."""
        async with self._database.session() as session:
            row = (
                await session.scalars(
                    select(SettingChange)
                    .where(SettingChange.team_id == team_id)
                    .order_by(SettingChange.id)
                    .offset(max(number, 1) - 1)
                    .limit(1)
                )
            ).first()
            if row is None or number < 1:
                raise NotFound(N_("setting change"), f"#{number}")
            return snapshot_of(row, number)

    async def pending(self, team_id: str) -> list[ChangeSnapshot]:
        async with self._database.session() as session:
            rows = await session.scalars(
                select(SettingChange)
                .where(
                    SettingChange.team_id == team_id,
                    SettingChange.status == Status.PENDING.value,
                )
                .order_by(SettingChange.created_at, SettingChange.id)
            )
            return [snapshot_of(row, await number_of(session, row)) for row in rows.all()]

    async def _policy(self, team_id: str) -> Policy:
        async with self._database.session() as session:
            return await load_policy(session, team_id)
