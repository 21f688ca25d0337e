"""A workspace's approval policy: who may ask, what runs at once, when two must approve.

`decide_route` is the one place the rules are applied to a request, always in this order:

1. the requester must be allowed (the requesters group, when one is set);
2. a deletion always needs an approver;
3. a move above the two-approver amount needs two approvers, whatever the other limits say;
4. a move within the auto-approve limit and the requester's 24-hour cap runs at once;
   anything else needs one approver.

A new subaccount without credit moves no money and needs no approval.

The stored settings are kept consistent too (`check_change`): the auto-approve limit never
exceeds the two-approver amount, so what `/partner policy` shows is what happens.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.db.models import WorkspacePolicy
from bot.db.session import Database
from bot.services import audit
from bot.services.errors import ServiceError

DEFAULT_EXPIRY_HOURS = 24
DAILY_CAP_WINDOW = timedelta(hours=24)
"""The daily cap is a rolling window: what the requester had auto-approved this long back."""
MAX_EXPIRY_HOURS = 24 * 14
MAX_REMIND_HOURS = MAX_EXPIRY_HOURS
"""Reminders and escalation beyond the longest expiry would never come."""

MAX_AMOUNTS = {
    "auto_approve_limit": Decimal(10_000),
    "daily_auto_approve_cap": Decimal(100_000),
    "two_approver_threshold": Decimal(1_000_000),
}
"""The highest each amount may be set to (EUR): far above any real use, and low enough that
a typo or a hostile admin cannot switch the rules off with a huge number."""


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
    requesters_usergroup_label: str | None = None
    """The group's handle when it was set ("finance"), to name it without asking Slack."""
    remind_hours: int | None = None
    """A request still waiting this long reminds its approvers, again each time as long
    passes; None: no reminders."""
    escalate_hours: int | None = None
    """A request still waiting this long is brought to the admins, once; None: never."""

    @property
    def effective_auto_approve_limit(self) -> Decimal:
        """What really runs at once: never above the two-approver amount."""
        if self.two_approver_threshold is None:
            return self.auto_approve_limit
        return min(self.auto_approve_limit, self.two_approver_threshold)


# --- the route of a request -----------------------------------------------------------------


class Outcome(StrEnum):
    REFUSED = "refused"
    NEEDS_APPROVAL = "needs_approval"
    RUNS_NOW = "runs_now"


class Why(StrEnum):
    REQUESTER_NOT_ALLOWED = "requester_not_allowed"
    DELETION = "deletion"
    ABOVE_TWO_APPROVER_AMOUNT = "above_two_approver_amount"
    NO_AUTO_APPROVAL = "no_auto_approval"
    """The auto-approve limit is 0: every move needs an approver."""
    ABOVE_AUTO_APPROVE_LIMIT = "above_auto_approve_limit"
    OVER_DAILY_CAP = "over_daily_cap"
    WITHIN_AUTO_APPROVE_LIMIT = "within_auto_approve_limit"
    MOVES_NO_MONEY = "moves_no_money"


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What the policy needs to know about a request, gathered before it is decided."""

    requester_allowed: bool
    is_deletion: bool
    amount: Decimal | None
    """The money moved; None when none is (a deletion, a new subaccount without credit)."""
    auto_approved_last_24h: Decimal = Decimal(0)
    """What this requester already had run at once in the last 24 hours."""


@dataclass(frozen=True, slots=True)
class Route:
    outcome: Outcome
    why: Why
    approvers: int = 0
    """Different approvers needed (0 unless the outcome is NEEDS_APPROVAL)."""

    @property
    def runs_now(self) -> bool:
        return self.outcome is Outcome.RUNS_NOW

    @property
    def refused(self) -> bool:
        return self.outcome is Outcome.REFUSED


def decide_route(policy: Policy, facts: RequestFacts) -> Route:
    """The rules, in their documented order (see the module's docstring)."""
    if not facts.requester_allowed:
        return Route(Outcome.REFUSED, Why.REQUESTER_NOT_ALLOWED)
    if facts.is_deletion:
        return Route(Outcome.NEEDS_APPROVAL, Why.DELETION, 1)
    amount = facts.amount
    if amount is None:
        return Route(Outcome.RUNS_NOW, Why.MOVES_NO_MONEY)
    threshold = policy.two_approver_threshold
    if threshold is not None and amount > threshold:
        return Route(Outcome.NEEDS_APPROVAL, Why.ABOVE_TWO_APPROVER_AMOUNT, 2)
    if policy.auto_approve_limit <= 0:
        return Route(Outcome.NEEDS_APPROVAL, Why.NO_AUTO_APPROVAL, 1)
    if amount > policy.auto_approve_limit:
        return Route(Outcome.NEEDS_APPROVAL, Why.ABOVE_AUTO_APPROVE_LIMIT, 1)
    cap = policy.daily_auto_approve_cap
    if cap is not None and facts.auto_approved_last_24h + amount > cap:
        return Route(Outcome.NEEDS_APPROVAL, Why.OVER_DAILY_CAP, 1)
    return Route(Outcome.RUNS_NOW, Why.WITHIN_AUTO_APPROVE_LIMIT)


# --- keeping the settings consistent --------------------------------------------------------


class PolicyConflict(ServiceError):
    """A setting that would contradict another; nothing was changed."""

    def __init__(self, field: str, value: Decimal, limit: Decimal) -> None:
        super().__init__(f"{field} {value} conflicts with {limit}")
        self.field = field
        self.value = value
        self.limit = limit


class PolicyOutOfBounds(ServiceError):
    """An amount above what the setting may ever be (`MAX_AMOUNTS`); nothing was changed."""

    def __init__(self, field: str, value: Decimal, bound: Decimal) -> None:
        super().__init__(f"{field} {value} above {bound}")
        self.field = field
        self.value = value
        self.bound = bound


@dataclass(frozen=True, slots=True)
class Adjustment:
    """Another setting changed to keep the policy consistent with the one asked for."""

    field: str
    old: Decimal
    new: Decimal


def check_change(before: Policy, field: str, value: object) -> list[Adjustment]:
    """Refuse (PolicyConflict) or list the adjustments a change brings.

    - Raising auto-approve above the two-approver amount is refused: a move above that amount
      always needs two approvers, so the higher limit could never apply.
    - Lowering the two-approver amount below auto-approve lowers auto-approve with it: the
      stricter rule the admin just asked for wins, and the reply says so.
    - An amount above its `MAX_AMOUNTS` bound is refused (PolicyOutOfBounds).
    """
    if not isinstance(value, Decimal):
        return []
    bound = MAX_AMOUNTS.get(field)
    if bound is not None and value > bound:
        raise PolicyOutOfBounds(field, value, bound)
    threshold = before.two_approver_threshold
    if field == "auto_approve_limit" and threshold is not None and value > threshold:
        raise PolicyConflict(field, value, threshold)
    if field == "two_approver_threshold" and before.auto_approve_limit > value:
        return [Adjustment("auto_approve_limit", before.auto_approve_limit, value)]
    return []


POLICY_FIELDS = tuple(Policy.__dataclass_fields__)


async def load_policy(session: AsyncSession, team_id: str) -> Policy:
    row = await session.get(WorkspacePolicy, team_id)
    if row is None:
        return Policy()
    return _policy_of(row)


async def get_policy(database: Database, team_id: str) -> Policy:
    async with database.session() as session:
        return await load_policy(session, team_id)


@dataclass(frozen=True, slots=True)
class PolicyChange:
    before: Policy
    after: Policy
    adjustments: tuple[Adjustment, ...] = ()


async def change_policy(
    database: Database, team_id: str, actor_id: str, **changes: object
) -> Policy:
    """Apply `changes` (Policy field names) and audit each one, old and new value."""
    return (await change_policy_checked(database, team_id, actor_id, **changes)).after


async def change_policy_checked(
    database: Database, team_id: str, actor_id: str, **changes: object
) -> PolicyChange:
    """Apply `changes` as `check_change` allows, with its adjustments, in one transaction.

    Raises PolicyConflict (and changes nothing) when a change would contradict the policy."""
    async with database.session() as session:
        return await change_policy_in(session, team_id, actor_id, **changes)


async def change_policy_in(
    session: AsyncSession, team_id: str, actor_id: str, **changes: object
) -> PolicyChange:
    """`change_policy_checked` in the caller's transaction (a confirmed setting change is
    applied in the transaction that decides it)."""
    unknown = set(changes) - set(POLICY_FIELDS)
    if unknown:
        raise ValueError(f"not policy fields: {sorted(unknown)}")
    row = await session.get(WorkspacePolicy, team_id, with_for_update=True)
    if row is None:
        row = WorkspacePolicy(
            team_id=team_id, **{name: getattr(Policy(), name) for name in POLICY_FIELDS}
        )
        session.add(row)
    before = _policy_of(row)
    adjustments: list[Adjustment] = []
    current = before
    for name, value in changes.items():
        adjustments += check_change(current, name, value)
        current = replace(current, **{name: value})  # type: ignore[arg-type]
    applied = dict(changes) | {a.field: a.new for a in adjustments}
    after = replace(before, **applied)  # type: ignore[arg-type]
    for name, value in applied.items():
        if getattr(before, name) == value or name in _NOT_AUDITED:
            continue
        setattr(row, name, value)
        extra: dict[str, object] = {}
        if name == "requesters_usergroup_id":
            extra["label"] = after.requesters_usergroup_label
            row.requesters_set_by = actor_id
            row.requesters_lockout_told_at = None
        if any(a.field == name for a in adjustments):
            extra["note"] = "adjusted to keep the policy consistent"
        await audit.record(
            session,
            team_id,
            "policy_changed",
            actor_id,
            setting=name,
            old=_shown(getattr(before, name)),
            new=_shown(value),
            **extra,
        )
    for name in _NOT_AUDITED:
        setattr(row, name, getattr(after, name))
    row.updated_by = actor_id
    row.updated_at = utcnow()
    return PolicyChange(before, after, tuple(adjustments))


_NOT_AUDITED = frozenset({"requesters_usergroup_label"})
"""Kept alongside the setting it names, and audited with it."""


def _policy_of(row: WorkspacePolicy) -> Policy:
    return Policy(**{name: getattr(row, name) for name in POLICY_FIELDS})


# --- a requesters group that nobody is in -----------------------------------------------------


async def lockout_to_tell(database: Database, team_id: str) -> tuple[str, ...] | None:
    """Claim telling the admins that the requesters rule locks everyone out.

    Returns who set the rule (besides the added admins, they should hear it) when this call is
    the first to notice: exactly one caller wins, across processes. None when the admins were
    already told since the rule was last set or last let somebody ask.
    """
    async with database.session() as session:
        claimed = await session.execute(
            update(WorkspacePolicy)
            .where(
                WorkspacePolicy.team_id == team_id,
                WorkspacePolicy.requesters_usergroup_id.is_not(None),
                WorkspacePolicy.requesters_lockout_told_at.is_(None),
            )
            .values(requesters_lockout_told_at=utcnow())
            .returning(WorkspacePolicy.requesters_set_by)
        )
        row = claimed.first()
    if row is None:
        return None
    return (row[0],) if row[0] else ()


async def lockout_fixed(database: Database, team_id: str) -> None:
    """Somebody could ask again: a later lock-out is worth telling the admins about."""
    async with database.session() as session:
        await session.execute(
            update(WorkspacePolicy)
            .where(
                WorkspacePolicy.team_id == team_id,
                WorkspacePolicy.requesters_lockout_told_at.is_not(None),
            )
            .values(requesters_lockout_told_at=None)
        )


def _shown(value: object) -> str:
    return "none" if value is None else f"{value:f}" if isinstance(value, Decimal) else str(value)


class Policies:
    """The workspaces' policies, for callers that hold no database (bot/slack)."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def get(self, team_id: str) -> Policy:
        return await get_policy(self._database, team_id)

    async def change(self, team_id: str, actor_id: str, **changes: object) -> Policy:
        return await change_policy(self._database, team_id, actor_id, **changes)

    async def change_checked(self, team_id: str, actor_id: str, **changes: object) -> PolicyChange:
        return await change_policy_checked(self._database, team_id, actor_id, **changes)
