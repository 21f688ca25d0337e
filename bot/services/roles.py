"""Who may do what in a workspace: admins, approvers, requesters."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.clock import utcnow
from bot.db.models import RoleGrant
from bot.db.session import Database
from bot.services import audit
from bot.services.directory import Directory
from bot.services.policy import Policy


class Role(StrEnum):
    ADMIN = "admin"
    APPROVER = "approver"


class SubjectKind(StrEnum):
    USER = "user"
    USERGROUP = "usergroup"


@dataclass(frozen=True, slots=True)
class Subject:
    kind: SubjectKind
    id: str


class Roles:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def grant(self, team_id: str, role: Role, subject: Subject, actor_id: str) -> bool:
        """Give the role; False when the subject already had it."""
        insert = sqlite_insert if self._database.is_sqlite else pg_insert
        statement = (
            insert(RoleGrant)
            .values(
                team_id=team_id,
                role=role.value,
                subject_kind=subject.kind.value,
                subject_id=subject.id,
                granted_by=actor_id,
                granted_at=utcnow(),
            )
            .on_conflict_do_nothing()
        )
        async with self._database.session() as session:
            added = ((await session.execute(statement)).rowcount or 0) == 1
            if added:
                await audit.record(
                    session,
                    team_id,
                    f"{role.value}_added",
                    actor_id,
                    subject=f"{subject.kind.value}:{subject.id}",
                )
        return added

    async def revoke(self, team_id: str, role: Role, subject: Subject, actor_id: str) -> bool:
        async with self._database.session() as session:
            removed = (
                await session.execute(
                    delete(RoleGrant).where(
                        RoleGrant.team_id == team_id,
                        RoleGrant.role == role.value,
                        RoleGrant.subject_kind == subject.kind.value,
                        RoleGrant.subject_id == subject.id,
                    )
                )
            ).rowcount or 0
            if removed:
                await audit.record(
                    session,
                    team_id,
                    f"{role.value}_removed",
                    actor_id,
                    subject=f"{subject.kind.value}:{subject.id}",
                )
        return removed > 0

    async def members(self, team_id: str, role: Role) -> list[Subject]:
        async with self._database.session() as session:
            rows = await session.scalars(
                select(RoleGrant)
                .where(RoleGrant.team_id == team_id, RoleGrant.role == role.value)
                .order_by(RoleGrant.granted_at, RoleGrant.id)
            )
            return [Subject(SubjectKind(r.subject_kind), r.subject_id) for r in rows.all()]

    async def is_admin(self, team_id: str, user_id: str, directory: Directory) -> bool:
        """Workspace admins/owners, plus users an admin added."""
        if Subject(SubjectKind.USER, user_id) in await self.members(team_id, Role.ADMIN):
            return True
        return await directory.is_workspace_admin(user_id)

    async def is_approver(self, team_id: str, user_id: str, directory: Directory) -> bool:
        for subject in await self.members(team_id, Role.APPROVER):
            if subject.kind is SubjectKind.USER and subject.id == user_id:
                return True
            if subject.kind is SubjectKind.USERGROUP and user_id in await directory.group_members(
                subject.id
            ):
                return True
        return False

    async def has_approvers(self, team_id: str) -> bool:
        return bool(await self.members(team_id, Role.APPROVER))

    async def may_request(
        self, team_id: str, user_id: str, policy: Policy, directory: Directory
    ) -> bool:
        if policy.requesters_usergroup_id is None:
            return True
        return user_id in await directory.group_members(policy.requesters_usergroup_id)
