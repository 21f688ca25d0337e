"""Who may do what in a workspace: admins, approvers, requesters."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.db.models import RoleGrant
from bot.db.session import Database
from bot.i18n import N_
from bot.services import audit
from bot.services.directory import Directory, Standing
from bot.services.errors import NotAllowed, ServiceError
from bot.services.four_eyes import Appointment
from bot.services.policy import Policy

MANAGERS = N_("Partner Ops admins and approvers")
"""Who may do what `Roles.require_manager` guards, in English (the door looks it up)."""


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
    label: str | None = field(default=None, compare=False)
    """A group's handle ("finance"), shown as @finance; not part of its identity."""


class Ineligible(StrEnum):
    UNKNOWN_USER = "unknown_user"
    DEACTIVATED = "deactivated"
    BOT = "bot"
    GUEST = "guest"
    UNKNOWN_GROUP = "unknown_group"
    EMPTY_GROUP = "empty_group"


_INELIGIBLE = {
    Standing.UNKNOWN: Ineligible.UNKNOWN_USER,
    Standing.DEACTIVATED: Ineligible.DEACTIVATED,
    Standing.BOT: Ineligible.BOT,
    Standing.GUEST: Ineligible.GUEST,
}


class NotEligible(ServiceError):
    """Only real people (full members, active, not bots) and existing groups get a role."""

    def __init__(self, subject: Subject, why: Ineligible) -> None:
        super().__init__(f"{subject.kind.value} {subject.id}: {why.value}")
        self.subject = subject
        self.why = why


async def checked_subject(
    subject: Subject, directory: Directory, *, empty_group_ok: bool = True
) -> Subject:
    """The subject as the directory knows it (a group with its handle), or NotEligible."""
    if subject.kind is SubjectKind.USER:
        standing = await directory.user_standing(subject.id)
        if standing is not Standing.PERSON:
            raise NotEligible(subject, _INELIGIBLE[standing])
        return subject
    handle = await directory.group_handle(subject.id)
    if handle is None:
        raise NotEligible(subject, Ineligible.UNKNOWN_GROUP)
    if not empty_group_ok and not await directory.group_members(subject.id):
        raise NotEligible(replace(subject, label=handle), Ineligible.EMPTY_GROUP)
    return replace(subject, label=handle)


@dataclass(frozen=True, slots=True)
class RequesterAccess:
    allowed: bool
    locked_out: bool = False
    """The requesters group has nobody in it (emptied or deleted): nobody can ask."""


class Roles:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def add(
        self, team_id: str, role: Role, subject: Subject, actor_id: str, directory: Directory
    ) -> tuple[Subject, bool]:
        """Give the role to a real person or an existing group (else NotEligible).

        Returns the subject as the directory named it, and False when it already had the role."""
        checked = await checked_subject(subject, directory)
        return checked, await self.grant(team_id, role, checked, actor_id)

    async def grant(
        self,
        team_id: str,
        role: Role,
        subject: Subject,
        actor_id: str,
        *,
        session: AsyncSession | None = None,
    ) -> bool:
        """Give the role, unchecked (set-up and tests; people's input goes through `add`);
        False when the subject already had it. `session`: in the caller's transaction."""
        insert = sqlite_insert if self._database.is_sqlite else pg_insert
        statement = (
            insert(RoleGrant)
            .values(
                team_id=team_id,
                role=role.value,
                subject_kind=subject.kind.value,
                subject_id=subject.id,
                subject_label=subject.label,
                granted_by=actor_id,
                granted_at=utcnow(),
            )
            .on_conflict_do_nothing()
        )
        async with self._session(session) as session:
            added = ((await session.execute(statement)).rowcount or 0) == 1
            if added:
                await audit.record(
                    session,
                    team_id,
                    f"{role.value}_added",
                    actor_id,
                    subject=f"{subject.kind.value}:{subject.id}",
                    label=subject.label,
                )
        return added

    async def revoke(
        self,
        team_id: str,
        role: Role,
        subject: Subject,
        actor_id: str,
        *,
        session: AsyncSession | None = None,
    ) -> bool:
        async with self._session(session) as session:
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

    @asynccontextmanager
    async def _session(self, given: AsyncSession | None) -> AsyncIterator[AsyncSession]:
        if given is not None:
            yield given
            return
        async with self._database.session() as session:
            yield session

    async def members(self, team_id: str, role: Role) -> list[Subject]:
        async with self._database.session() as session:
            rows = await session.scalars(
                select(RoleGrant)
                .where(RoleGrant.team_id == team_id, RoleGrant.role == role.value)
                .order_by(RoleGrant.granted_at, RoleGrant.id)
            )
            return [
                Subject(SubjectKind(r.subject_kind), r.subject_id, r.subject_label)
                for r in rows.all()
            ]

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

    async def people(self, team_id: str, roles: Sequence[Role], directory: Directory) -> set[str]:
        """Every person given one of `roles`, directly or through a user group: each group
        asked of the directory once, each person once however many ways they hold a role."""
        people: set[str] = set()
        groups: set[str] = set()
        for role in roles:
            for subject in await self.members(team_id, role):
                if subject.kind is SubjectKind.USER:
                    people.add(subject.id)
                else:
                    groups.add(subject.id)
        for group_id in sorted(groups):
            people |= await directory.group_members(group_id)
        return people

    async def is_manager(self, team_id: str, user_id: str, directory: Directory) -> bool:
        """Admins and approvers: those who read the audit trail and spend anomalies, see what
        waits for a decision and run a channel's digests."""
        return await self.is_admin(team_id, user_id, directory) or await self.is_approver(
            team_id, user_id, directory
        )

    async def require_manager(
        self, team_id: str, user_id: str, directory: Directory, action: str
    ) -> None:
        """Refuses (`NotAllowed`) whoever is neither an admin nor an approver; `action` is
        what they tried, in their words."""
        if not await self.is_manager(team_id, user_id, directory):
            raise NotAllowed(action, MANAGERS)

    async def approver_appointments(
        self, team_id: str, user_id: str, directory: Directory
    ) -> list[Appointment]:
        """Every way `user_id` is an approver now (directly, through each group they are in),
        with who appointed them and when: what bot.services.four_eyes judges."""
        async with self._database.session() as session:
            grants = (
                await session.scalars(
                    select(RoleGrant)
                    .where(RoleGrant.team_id == team_id, RoleGrant.role == Role.APPROVER.value)
                    .order_by(RoleGrant.granted_at, RoleGrant.id)
                )
            ).all()
        held = []
        for grant in grants:
            if grant.subject_kind == SubjectKind.USER.value:
                holds = grant.subject_id == user_id
            else:
                holds = user_id in await directory.group_members(grant.subject_id)
            if holds:
                held.append(Appointment(grant.granted_by, grant.granted_at))
        return held

    async def has_approvers(self, team_id: str) -> bool:
        return bool(await self.members(team_id, Role.APPROVER))

    async def requester_access(
        self, team_id: str, user_id: str, policy: Policy, directory: Directory
    ) -> RequesterAccess:
        """Whether the policy lets this user ask. Nobody bypasses it, admins included: they
        change the policy instead."""
        if policy.requesters_usergroup_id is None:
            return RequesterAccess(allowed=True)
        members = await directory.group_members(policy.requesters_usergroup_id)
        return RequesterAccess(allowed=user_id in members, locked_out=not members)
