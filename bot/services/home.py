"""What one person's Home shows, read in one go: a snapshot the Slack side only renders.

Balances come from the vendor's cached reading (`bot.services.balances`), their trends from the
recorded history, computed by the same functions as the digest (`bot.services.trends`). Lists are
capped here, so a view built from a snapshot never grows with the workspace.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.clock import utcnow
from bot.db.models import HomeView
from bot.db.session import Database
from bot.partner.errors import PartnerFailure
from bot.partner.models import Product
from bot.services import audit
from bot.services.alerts import Alerts
from bot.services.audit import AuditRecord
from bot.services.balances import BalanceReading, read_balances
from bot.services.batches.listing import BatchesAwaiting, MyBatch
from bot.services.batches.service import Batches
from bot.services.digests import Digests, Subscription
from bot.services.directory import Directory
from bot.services.partner_access import PartnerAccess
from bot.services.partner_keys import KeyStatus, PartnerKeys
from bot.services.policy import Policy, get_policy
from bot.services.recurring.model import Series, SeriesState
from bot.services.recurring.service import Recurring
from bot.services.requests import Requests, RequestSnapshot, Status, may_decide
from bot.services.roles import Role, Roles, Subject
from bot.services.snapshots import Snapshots
from bot.services.subaccount_controls import Control, SubaccountControls
from bot.services.trends import daily_series, days_left, sparkline, spending_per_day

MY_REQUESTS = 10
"""A person's newest requests shown; older ones are in `/partner requests`."""
MY_BATCHES = 3
"""A person's newest batches shown; more are in `/partner requests`."""
ACTIVITY = 5
"""Audit lines shown: a glance at what happened last, not the audit trail."""
TREND_DAYS = 7


@dataclass(frozen=True, slots=True)
class ProductBalance:
    """One product's main balance now, with its week and how long it lasts at that pace."""

    product: Product
    balance: Decimal | None
    """None when the vendor could not be read (`failure` says why)."""
    failure: PartnerFailure | None
    sparkline: str
    """The last 7 days' closing balances, '' without history."""
    days_left: Decimal | None
    """At the last week's pace; None without spending to extrapolate from."""
    stale_age: float | None = None


@dataclass(frozen=True, slots=True)
class MyRequest:
    request: RequestSnapshot
    cancellable: bool


@dataclass(frozen=True, slots=True)
class WorkspaceSettings:
    """What an admin sees of the workspace's set-up. Keys by fingerprint only."""

    keys: tuple[KeyStatus, ...]
    admins: tuple[Subject, ...]
    approvers: tuple[Subject, ...]
    policy: Policy
    alerts_channel_id: str | None
    digests: tuple[Subscription, ...]

    @property
    def approvals_channel_id(self) -> str | None:
        return self.policy.approvals_channel_id


@dataclass(frozen=True, slots=True)
class HomeSnapshot:
    team_id: str
    user_id: str
    taken_at: datetime
    is_admin: bool
    is_approver: bool
    balances: tuple[ProductBalance, ...]
    """Every configured product; empty on first run."""
    waiting: tuple[RequestSnapshot, ...]
    """Pending requests this person may decide, and those whose outcome is unknown (approvers
    only), oldest first."""
    waiting_capped: bool
    """True when the service's pending list was cut: more may wait than `waiting` holds."""
    mine: tuple[MyRequest, ...]
    activity: tuple[AuditRecord, ...]
    settings: WorkspaceSettings | None
    """Admins only."""
    controls: tuple[Control, ...] = ()
    """Frozen and capped subaccounts (approvers and admins)."""
    waiting_batches: BatchesAwaiting | None = None
    """Pending batches this approver may decide (bot.services.batches)."""
    my_batches: tuple[MyBatch, ...] = ()
    recurring: tuple[Series, ...] = ()
    """Active recurring and automatic top-ups: the viewer's own; every one for approvers and
    admins (bot.services.recurring)."""

    @property
    def first_run(self) -> bool:
        """No product has a key: the Home guides through setting up instead."""
        return not self.balances


class HomeService:
    PENDING_LIST_LIMIT = 50
    """What `Requests.pending` returns at most (its own page size)."""

    def __init__(
        self,
        *,
        database: Database,
        keys: PartnerKeys,
        partner: PartnerAccess,
        roles: Roles,
        requests: Requests,
        snapshots: Snapshots,
        alerts: Alerts,
        digests: Digests,
        controls: SubaccountControls | None = None,
        recurring: Recurring | None = None,
        batches: Batches | None = None,
    ) -> None:
        self._database = database
        self._batches = batches
        self._controls = controls
        self._keys = keys
        self._partner = partner
        self._roles = roles
        self._requests = requests
        self._snapshots = snapshots
        self._alerts = alerts
        self._digests = digests
        self._recurring = recurring

    async def snapshot(self, team_id: str, user_id: str, directory: Directory) -> HomeSnapshot:
        is_admin = await self._roles.is_admin(team_id, user_id, directory)
        is_approver = await self._roles.is_approver(team_id, user_id, directory)
        statuses = await self._keys.statuses(team_id)
        balances = await self._balances(team_id) if statuses else ()
        waiting: tuple[RequestSnapshot, ...] = ()
        capped = False
        if is_approver:
            pending = await self._requests.pending(team_id)
            capped = len(pending) >= self.PENDING_LIST_LIMIT
            waiting = tuple(
                sorted(
                    (r for r in pending if may_decide(r, user_id)),
                    key=lambda r: (r.created_at, r.number),
                )
            )
        mine = tuple(
            MyRequest(r, cancellable=r.status is Status.PENDING)
            for r in await self._requests.of_requester(team_id, user_id, limit=MY_REQUESTS)
        )
        # Approvers and admins see the workspace's activity; anyone else only their own.
        sees_all = is_admin or is_approver
        activity = tuple(
            await audit.latest(
                self._database, team_id, ACTIVITY, about_user=None if sees_all else user_id
            )
        )
        settings = await self._settings(team_id, statuses) if is_admin else None
        controls = ()
        if sees_all and self._controls is not None:
            controls = tuple(await self._controls.of_team(team_id))
        recurring = ()
        if self._recurring is not None:
            recurring = tuple(
                s
                for s in await self._recurring.of_team(team_id, live_only=True)
                if s.state is SeriesState.ACTIVE and (sees_all or s.created_by == user_id)
            )
        waiting_batches, my_batches = None, ()
        if self._batches is not None:
            if is_approver:
                waiting_batches = await self._batches.awaiting(team_id, user_id, directory)
            my_batches = tuple(await self._batches.of_requester(team_id, user_id, MY_BATCHES))
        return HomeSnapshot(
            team_id=team_id,
            user_id=user_id,
            taken_at=utcnow(),
            is_admin=is_admin,
            is_approver=is_approver,
            balances=balances,
            waiting=waiting,
            waiting_capped=capped,
            mine=mine,
            activity=activity,
            settings=settings,
            controls=controls,
            recurring=recurring,
            waiting_batches=waiting_batches,
            my_batches=my_batches,
        )

    async def _balances(self, team_id: str) -> tuple[ProductBalance, ...]:
        readings = await read_balances(self._partner, team_id)
        now = utcnow()
        return tuple(await asyncio.gather(*(self._with_trend(team_id, r, now) for r in readings)))

    async def _with_trend(
        self, team_id: str, reading: BalanceReading, now: datetime
    ) -> ProductBalance:
        history = await self._snapshots.history(
            team_id, reading.product, now - timedelta(days=TREND_DAYS + 1)
        )
        if reading.account is None:
            return ProductBalance(reading.product, None, reading.failure, "", None)
        balance = reading.account.balance
        # Days left counts what the account owns (main and subaccounts, as the digest does):
        # the subaccounts as last recorded, since the Home does not read them all.
        held = history[-1].subaccount_total if history else None
        series = daily_series(history, end=now, days=TREND_DAYS)
        return ProductBalance(
            product=reading.product,
            balance=balance,
            failure=None,
            sparkline=sparkline(series),
            days_left=days_left(balance + (held or Decimal(0)), spending_per_day(history, now=now)),
            stale_age=reading.stale_age,
        )

    async def _settings(
        self, team_id: str, statuses: dict[Product, KeyStatus]
    ) -> WorkspaceSettings:
        return WorkspaceSettings(
            keys=tuple(statuses.values()),
            admins=tuple(await self._roles.members(team_id, Role.ADMIN)),
            approvers=tuple(await self._roles.members(team_id, Role.APPROVER)),
            policy=await get_policy(self._database, team_id),
            alerts_channel_id=(await self._alerts.config(team_id)).channel_id,
            digests=tuple(await self._digests.subscriptions(team_id)),
        )


VIEWER_DAYS = 30
"""A Home opened within this many days is kept up to date after changes."""


class HomeViewers:
    """Who has opened the Home tab: the only people whose Homes are worth publishing again
    after a change (the others have none to see, and each publish reads the vendor and Slack)."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def opened(self, team_id: str, user_id: str) -> None:
        try:
            async with self._database.session() as session:
                row = await session.get(HomeView, (team_id, user_id))
                if row is None:
                    session.add(HomeView(team_id=team_id, user_id=user_id))
                else:
                    row.opened_at = utcnow()
        except IntegrityError:  # the same person's two tabs at once: recorded by the other
            pass

    async def of(self, team_id: str) -> list[str]:
        """The workspace's Home viewers of the last `VIEWER_DAYS` days, oldest first: someone
        who stopped looking (or left) stops costing a publish a change."""
        since = utcnow() - timedelta(days=VIEWER_DAYS)
        async with self._database.session() as session:
            rows = await session.scalars(
                select(HomeView.user_id)
                .where(HomeView.team_id == team_id, HomeView.opened_at >= since)
                .order_by(HomeView.opened_at, HomeView.user_id)
            )
            return list(rows.all())
