"""A workspace's approval policy: who may ask, what is auto-approved, when two must approve."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.db.models import WorkspacePolicy
from bot.db.session import Database
from bot.services import audit

DEFAULT_EXPIRY_HOURS = 24
MAX_EXPIRY_HOURS = 24 * 14


@dataclass(frozen=True, slots=True)
class Policy:
    auto_approve_limit: Decimal = Decimal(0)
    """Moves up to this amount (EUR) execute without approval; 0 means never."""
    daily_auto_approve_cap: Decimal | None = None
    """Total a requester may have auto-approved in 24 hours; None means no cap."""
    two_approver_threshold: Decimal | None = None
    """Moves above this amount need two different approvers; None means never."""
    expiry_hours: int = DEFAULT_EXPIRY_HOURS
    approvals_channel_id: str | None = None
    requesters_usergroup_id: str | None = None
    """When set, only this group's members may make requests."""

    def approvals_needed(self, amount: Decimal | None) -> int:
        if amount is not None and self.two_approver_threshold is not None:
            return 2 if amount > self.two_approver_threshold else 1
        return 1


POLICY_FIELDS = tuple(Policy.__dataclass_fields__)


async def load_policy(session: AsyncSession, team_id: str) -> Policy:
    row = await session.get(WorkspacePolicy, team_id)
    if row is None:
        return Policy()
    return Policy(**{name: getattr(row, name) for name in POLICY_FIELDS})


async def get_policy(database: Database, team_id: str) -> Policy:
    async with database.session() as session:
        return await load_policy(session, team_id)


async def change_policy(
    database: Database, team_id: str, actor_id: str, **changes: object
) -> Policy:
    """Apply `changes` (Policy field names) and audit each one, old and new value."""
    unknown = set(changes) - set(POLICY_FIELDS)
    if unknown:
        raise ValueError(f"not policy fields: {sorted(unknown)}")
    async with database.session() as session:
        row = await session.get(WorkspacePolicy, team_id, with_for_update=True)
        if row is None:
            row = WorkspacePolicy(
                team_id=team_id, **{name: getattr(Policy(), name) for name in POLICY_FIELDS}
            )
            session.add(row)
        before = Policy(**{name: getattr(row, name) for name in POLICY_FIELDS})
        after = replace(before, **changes)  # type: ignore[arg-type]
        for name, value in changes.items():
            if getattr(before, name) == value:
                continue
            setattr(row, name, value)
            await audit.record(
                session,
                team_id,
                "policy_changed",
                actor_id,
                setting=name,
                old=_shown(getattr(before, name)),
                new=_shown(value),
            )
        row.updated_by = actor_id
        row.updated_at = utcnow()
    return after


def _shown(value: object) -> str:
    return "none" if value is None else f"{value:f}" if isinstance(value, Decimal) else str(value)
