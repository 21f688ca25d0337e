"""Asking for a series and deciding on it: one approval covers every run.

The policy is applied to the most one run can move (two approvers above the two-approver
amount); a series is never auto-approved, whatever the auto-approve limit. The four-eyes rule
is the one of requests (bot.services.four_eyes). Raising what a series moves (its amount, level
or end) waits for a second person; lowering it, pausing and cancelling apply at once.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from bot.clock import utcnow
from bot.db.recurring_models import RecurringSeries
from bot.db.session import Database
from bot.i18n import _
from bot.money import validate_amount
from bot.services import audit
from bot.services.directory import Directory
from bot.services.errors import NotAllowed
from bot.services.four_eyes import AppointedByAsker, Eyes, second_eyes
from bot.services.partner_access import PartnerAccess
from bot.services.policy import load_policy
from bot.services.recurring.model import (
    KIND_AUTO,
    KIND_SERIES,
    Plan,
    Series,
    SeriesNotChangeable,
    SeriesState,
)
from bot.services.recurring.store import SeriesStore
from bot.services.requests.errors import ApprovalsNotSetUp, NotARequester
from bot.services.roles import Role, Roles, SubjectKind
from bot.services.subaccounts import pick_subaccount


class AlreadyApprovedByYou(NotAllowed):
    def __init__(self) -> None:
        super().__init__(_("approve the same series twice"), _("another approver"))


class SeriesDecisions:
    def __init__(
        self, database: Database, store: SeriesStore, partner: PartnerAccess, roles: Roles
    ) -> None:
        self._database = database
        self._store = store
        self._partner = partner
        self._roles = roles

    async def propose(
        self,
        team_id: str,
        user_id: str,
        plan: Plan,
        directory: Directory,
        *,
        below: Decimal | None = None,
        monthly_max: Decimal | None = None,
    ) -> tuple[Series, str]:
        """Store the series, pending its approval; returns it and the approvals channel."""
        per_run = validate_amount(plan.amount if plan.amount is not None else plan.level)  # type: ignore[arg-type]
        channel, approvers = await self._route(team_id, user_id, per_run, directory)
        client = await self._partner.subaccount_client(team_id, plan.product)
        subaccount = pick_subaccount(await client.all_subaccounts(), plan.ref)
        now = utcnow()
        auto = below is not None
        row = RecurringSeries(
            team_id=team_id,
            kind=KIND_AUTO if auto else KIND_SERIES,
            product=plan.product.value,
            subaccount_token=subaccount.token,
            subaccount_email=subaccount.email,
            key_id=client.key_id,
            amount=plan.amount,
            level=plan.level,
            below=below,
            monthly_max=monthly_max,
            every=None if auto else plan.frequency.every.value,
            weekday=None if auto else plan.frequency.weekday,
            day=None if auto else plan.frequency.day,
            at_time=None if auto else plan.at.strftime("%H:%M"),
            zone=None if auto else plan.zone,
            until=plan.until,
            reason=plan.reason or None,
            state=SeriesState.PENDING.value,
            approvals_needed=approvers,
            approvers=[],
            created_by=user_id,
            created_at=now,
            updated_at=now,
            failures_in_a_row=0,
            armed=True,
        )
        return await self._store.insert(row), channel

    async def _route(
        self, team_id: str, user_id: str, per_run: Decimal, directory: Directory
    ) -> tuple[str, int]:
        async with self._database.session() as session:
            policy = await load_policy(session, team_id)
        access = await self._roles.requester_access(team_id, user_id, policy, directory)
        if not access.allowed:
            assert policy.requesters_usergroup_id is not None
            raise NotARequester(
                policy.requesters_usergroup_id,
                policy.requesters_usergroup_label,
                locked_out=access.locked_out,
                team_id=team_id,
            )
        if policy.approvals_channel_id is None:
            raise ApprovalsNotSetUp("channel")
        if not await self._roles.has_approvers(team_id):
            raise ApprovalsNotSetUp("approvers")
        threshold = policy.two_approver_threshold
        return (
            policy.approvals_channel_id,
            2 if threshold is not None and per_run > threshold else 1,
        )

    async def approve(
        self, team_id: str, number: int, approver_id: str, directory: Directory
    ) -> tuple[Series, bool]:
        """Count `approver_id` on the pending series (or on the raise waiting on an active or
        paused one); True when this approval completed it."""
        for _attempt in range(5):
            series = await self._store.by_number(team_id, number)
            raise_ = series.proposed
            if series.state is not SeriesState.PENDING and raise_ is None:
                raise SeriesNotChangeable(series, "approve")
            asker, asked_at = _asked(series)
            await self._check_eyes(series, team_id, approver_id, asker, asked_at, directory)
            if raise_ is not None:
                values = _applied(raise_)
                if await self._store.update(
                    series, "recurring_raise_approved", approver_id, {**values, "proposed": None}
                ):
                    return await self._store.get(series.id), True
                continue
            if approver_id in series.approvers:
                raise AlreadyApprovedByYou()
            approvers = [*series.approvers, approver_id]
            complete = len(approvers) >= series.approvals_needed
            values: dict[str, Any] = {"approvers": approvers}
            if complete:
                values |= {"state": SeriesState.ACTIVE.value, "starts_at": utcnow()}
            event = "recurring_approved" if complete else "recurring_approval_counted"
            if await self._store.update(series, event, approver_id, values):
                return await self._store.get(series.id), complete
        raise SeriesNotChangeable(series, "approve")

    async def reject(
        self, team_id: str, number: int, approver_id: str, directory: Directory
    ) -> Series:
        """An approver says no: a pending series is cancelled, a waiting raise dropped (the
        series runs on as it was)."""
        series = await self._store.by_number(team_id, number)
        if not await self._roles.is_approver(team_id, approver_id, directory):
            raise NotAllowed(_("reject recurring top-ups"), _("approvers"))
        if series.proposed is not None:
            await self._store.update(
                series, "recurring_raise_rejected", approver_id, {"proposed": None}
            )
        elif series.state is SeriesState.PENDING:
            if not await self._store.move(
                series, SeriesState.CANCELLED, "recurring_rejected", approver_id
            ):
                raise SeriesNotChangeable(await self._store.get(series.id), "reject")
        else:
            raise SeriesNotChangeable(series, "reject")
        return await self._store.get(series.id)

    async def _check_eyes(
        self,
        series: Series,
        team_id: str,
        approver_id: str,
        asker: str,
        asked_at: datetime,
        directory: Directory,
    ) -> None:
        appointments = await self._roles.approver_appointments(team_id, approver_id, directory)
        match second_eyes(approver_id, asker, asked_at, appointments):
            case Eyes.ASKER:
                raise NotAllowed(_("approve your own series"), _("another approver"))
            case Eyes.NOT_APPROVER:
                raise NotAllowed(_("approve recurring top-ups"), _("approvers"))
            case Eyes.APPOINTED_BY_ASKER:
                raise AppointedByAsker(asker, series.number, change=False)

    async def set_state(
        self, team_id: str, number: int, user_id: str, to: SeriesState, directory: Directory
    ) -> Series:
        """Pause, resume or cancel (its owner, an approver or an admin): at once. Resuming
        starts afresh: periods that fell while paused are not caught up."""
        allowed = {
            SeriesState.PAUSED: {SeriesState.ACTIVE},
            SeriesState.ACTIVE: {SeriesState.PAUSED},
            SeriesState.CANCELLED: {SeriesState.PENDING, SeriesState.ACTIVE, SeriesState.PAUSED},
        }[to]
        event = {
            SeriesState.PAUSED: "recurring_paused",
            SeriesState.ACTIVE: "recurring_resumed",
            SeriesState.CANCELLED: "recurring_cancelled",
        }[to]
        for _attempt in range(5):
            series = await self._store.by_number(team_id, number)
            await self._may_steer(series, user_id, directory)
            if series.state not in allowed:
                raise SeriesNotChangeable(series, to.value)
            values: dict[str, Any] = {"why": None}
            if to is SeriesState.ACTIVE:
                values |= {"starts_at": utcnow(), "failures_in_a_row": 0}
            if await self._store.move(series, to, event, user_id, values=values):
                return await self._store.get(series.id)
        raise SeriesNotChangeable(series, to.value)

    async def change(
        self,
        team_id: str,
        number: int,
        user_id: str,
        directory: Directory,
        *,
        amount: Decimal | None = None,
        until: date | None = None,
    ) -> tuple[Series, bool]:
        """Change the amount (the level of an up-to series) or the end. True when it applied
        at once (lower, sooner); False when it is a raise waiting for a second person."""
        series = await self._store.by_number(team_id, number)
        await self._may_steer(series, user_id, directory)
        if series.state in (SeriesState.CANCELLED, SeriesState.ENDED):
            raise SeriesNotChangeable(series, "change")
        field = "level" if series.level is not None else "amount"
        values: dict[str, Any] = {}
        raised = False
        if amount is not None:
            amount = validate_amount(amount)
            values[field] = amount
            raised = amount > series.per_run
        if until is not None:
            values["until"] = until
            raised = raised or series.until is None or until > series.until
        if not raised or series.state is SeriesState.PENDING:
            # Pending: nothing ran yet, and its approvers will see the new figures.
            await self._store.update(series, "recurring_lowered", user_id, values)
            return await self._store.get(series.id), True
        proposed = {
            k: (f"{v:f}" if isinstance(v, Decimal) else v.isoformat()) for k, v in values.items()
        }
        asked = {"by": user_id, "at": utcnow().isoformat()}
        await self._store.update(
            series, "recurring_raise_proposed", user_id, {"proposed": proposed | asked}
        )
        return await self._store.get(series.id), False

    async def withdraw(self, series_id: int) -> Series:
        """A pending series whose card Slack refused: nobody can see it, so it does not wait."""
        series = await self._store.get(series_id)
        if series.state is SeriesState.PENDING:
            await self._store.move(
                series,
                SeriesState.CANCELLED,
                "recurring_cancelled",
                audit.SYSTEM,
                values={"why": "card_refused"},
            )
        return await self._store.get(series_id)

    async def _may_steer(self, series: Series, user_id: str, directory: Directory) -> None:
        if user_id == series.created_by:
            return
        admin, approver = await asyncio.gather(
            self._is_admin(series.team_id, user_id),
            self._roles.is_approver(series.team_id, user_id, directory),
        )
        if not (admin or approver):
            raise NotAllowed(_("change someone else's recurring top-up"), _("approvers"))

    async def _is_admin(self, team_id: str, user_id: str) -> bool:
        return any(
            s.kind is SubjectKind.USER and s.id == user_id
            for s in await self._roles.members(team_id, Role.ADMIN)
        )


def _asked(series: Series) -> tuple[str, datetime]:
    """Who asked for what waits for approval, and when: the raise waiting, else the series.
    A raise proposed before its time was kept is judged from the series' creation, which is
    stricter: more of the asker's appointments fall within the 24 hours before it."""
    raise_ = series.proposed
    if raise_ is None:
        return series.created_by, series.created_at
    at = raise_.get("at")
    return raise_["by"], datetime.fromisoformat(at) if at else series.created_at


def _applied(proposed: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in proposed.items():
        if key in ("amount", "level"):
            values[key] = Decimal(value)
        elif key == "until":
            values[key] = date.fromisoformat(value)
    return values
