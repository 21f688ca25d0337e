"""The setting-change service: routing a change, keeping a pending one, and moving it on
exactly once (confirm, reject, expire)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.db.models import CreditRequest, RoleGrant, SettingChange, WorkspacePolicy
from bot.db.session import Database
from bot.i18n import N_
from bot.partner.models import Product
from bot.services import audit
from bot.services.directory import Directory
from bot.services.errors import NotAllowed, NotFound
from bot.services.four_eyes import AppointedByAsker, Eyes, second_eyes
from bot.services.partner_keys import PartnerKeys
from bot.services.policy import Policy, check_change, load_policy
from bot.services.roles import Roles
from bot.services.settings_changes.applying import apply_change
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
    key_change,
    replaced_key,
    snapshot_of,
    stored_subject,
    stored_value,
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

    async def key_change(self, team_id: str, product: Product, new_key: str) -> Change:
        """Setting `product`'s key to `new_key`, as a change to route. It replaces (and so
        waits for an approver) when a key is in use, and also when there is none now but the
        workspace is not new: it had a key once (an uninstall deletes keys and keeps the rest)
        or has roles, a policy or requests. Only a workspace starting from nothing saves its
        first key at once."""
        status = (await self._keys.statuses(team_id)).get(product)
        old = replaced_key(
            status.fingerprint if status is not None else None,
            await self._keys.last_fingerprint(team_id, product),
            await self._in_use(team_id),
        )
        return key_change(product, old, new_key)

    async def _in_use(self, team_id: str) -> bool:
        if await self._keys.ever_saved(team_id):
            return True
        async with self._database.session() as session:
            for model in (RoleGrant, WorkspacePolicy, CreditRequest):
                found = await session.scalar(
                    select(model.team_id).where(model.team_id == team_id).limit(1)
                )
                if found is not None:
                    return True
        return False

    async def forget_key_changes(self, team_id: str) -> int:
        """Pending key replacements of a workspace that uninstalled: expired at once, their
        sealed keys dropped. Nobody could be told (no token), and one confirmed after a
        reinstall would put a key chosen before it in use."""
        async with self._database.session() as session:
            pending = (
                await session.scalars(
                    select(SettingChange).where(
                        SettingChange.team_id == team_id,
                        SettingChange.status == Status.PENDING.value,
                        SettingChange.setting == Setting.PARTNER_KEY.value,
                    )
                )
            ).all()
        dropped = 0
        for row in pending:
            async with self._database.session() as session:
                if not await self._move(session, row.id, Status.EXPIRED, None):
                    continue
                dropped += 1
                await audit.record(
                    session,
                    team_id,
                    "setting_change_expired",
                    audit.SYSTEM,
                    change=f"#{await number_of(session, row)}",
                    asked_by=row.requested_by,
                    why="uninstalled",
                    **audited(row),
                )
        return dropped

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
        appointments = await self._roles.approver_appointments(team_id, approver_id, directory)
        match second_eyes(approver_id, change.requested_by, change.created_at, appointments):
            case Eyes.ASKER:
                raise OwnChange(change)
            case Eyes.NOT_APPROVER:
                raise NotAllowed(N_("confirm setting changes"), N_("approvers"))
            case Eyes.APPOINTED_BY_ASKER:
                await self._refused(change, approver_id, "appointed by the asker")
                raise AppointedByAsker(change.requested_by, change.number, change=True)
        async with self._database.session() as session:
            if not await self._move(session, change_id, Status.APPLIED, approver_id):
                raise ChangeAlreadyDecided(await self.get(change_id))
            row = await session.get(SettingChange, change_id)
            assert row is not None
            # Applied in the transaction that won the move: both land, or neither does.
            await apply_change(session, row, self._roles, self._keys)
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

    async def _refused(self, change: ChangeSnapshot, approver_id: str, why: str) -> None:
        """A Confirm that does not count is kept: it is what an admin trying to loosen
        through a friend leaves."""
        async with self._database.session() as session:
            row = await session.get(SettingChange, change.id)
            assert row is not None
            await audit.record(
                session,
                change.team_id,
                "setting_change_not_confirmed",
                approver_id,
                change=f"#{change.number}",
                asked_by=change.requested_by,
                why=why,
                **audited(row),
            )

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
