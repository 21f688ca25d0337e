"""Credit moves and subaccount changes, approved by people and executed exactly once.

Every status change is one `UPDATE … WHERE id = :id AND status = :from`; its row count says
who won. The vendor call is made only by whoever wins `approved → executing`, and only once:
no code path ever moves a request back to `approved`. When the outcome of that call is
unknown, nothing is retried: `reconcile` looks at the balances and decides, or says it cannot.

```
pending ──approve(1 or 2)──▶ approved ──claim──▶ executing ──▶ succeeded | failed | unknown
   ├──reject──▶ rejected                                         unknown ──reconcile──▶ …
   ├──expire──▶ expired                                                  └─ an approver marks it
   └──cancel──▶ cancelled
```
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.db.models import CreditRequest, RequestApproval, RequestNumbering
from bot.db.session import Database
from bot.money import format_money, validate_amount
from bot.partner.client import SubaccountClient
from bot.partner.errors import (
    PartnerError,
    PartnerFailure,
    PartnerOutcomeUnknown,
    PartnerUnavailable,
)
from bot.partner.models import Product, Subaccount, SubaccountType
from bot.services import audit
from bot.services.directory import Directory
from bot.services.errors import NotAllowed, NotFound, ServiceError
from bot.services.partner_access import PartnerAccess
from bot.services.policy import (
    Policy,
    RequestFacts,
    Route,
    Why,
    decide_route,
    load_policy,
    lockout_fixed,
    lockout_to_tell,
)
from bot.services.roles import Role, Roles, SubjectKind
from bot.services.subaccounts import pick_subaccount

log = logging.getLogger(__name__)


class Action(StrEnum):
    CREDIT_ADD = "credit_add"
    CREDIT_REMOVE = "credit_remove"
    SUBACCOUNT_CREATE = "subaccount_create"
    SUBACCOUNT_DELETE = "subaccount_delete"


class Status(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    EXECUTING = "executing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    UNKNOWN = "unknown"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in _FINAL


_FINAL = {Status.SUCCEEDED, Status.FAILED, Status.REJECTED, Status.EXPIRED, Status.CANCELLED}
_STILL_COUNTS = {
    Status.PENDING,
    Status.APPROVED,
    Status.EXECUTING,
    Status.SUCCEEDED,
    Status.UNKNOWN,
}
"""Requests that did or may still do what they asked: a new one just like them is a repeat."""


@dataclass(frozen=True, slots=True)
class RequestSnapshot:
    """A request as it stood when read: what every caller renders or decides from."""

    id: int
    """Internal (database keys, the worker): never shown, never in a Slack payload."""
    team_id: str
    number: int
    """Its number in its workspace (`#12`): what people see and Slack payloads carry."""
    product: Product
    action: Action
    status: Status
    requester_id: str
    subaccount_token: str | None
    subaccount_email: str | None
    subaccount_id: int | None
    amount: Decimal | None
    reason: str | None
    details: dict[str, Any]
    approvals_needed: int
    approvers: tuple[str, ...]
    auto_approved: bool
    created_at: datetime
    expires_at: datetime
    finished_at: datetime | None
    executing_since: datetime | None
    decided_by: str | None
    rejection_reason: str | None
    outcome_note: str | None
    main_balance_before: Decimal | None
    subaccount_balance_before: Decimal | None
    main_balance_after: Decimal | None
    subaccount_balance_after: Decimal | None
    created_token: str | None
    card_channel_id: str | None
    card_ts: str | None
    similar_to: int | None = None
    """An earlier request just like this one that the requester confirmed they meant to repeat
    (its internal id; `similar_to_number` is the number people know it by)."""
    similar_to_number: int | None = None

    @property
    def moves_money(self) -> bool:
        return self.amount is not None

    @property
    def needed_no_approval(self) -> bool:
        """Ran at once because it moves no money (a new subaccount without credit)."""
        return self.auto_approved and self.amount is None

    @property
    def needs_a_person(self) -> bool:
        """Unknown and not decidable from the balances: an approver must look and mark it."""
        return self.status is Status.UNKNOWN and bool(self.details.get("undecidable"))


class RequestRefused(ServiceError):
    """The request cannot be made as asked; `message` says why, with the real figures."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotARequester(NotAllowed):
    """The policy names a requesters group and the requester is not in it.

    `locked_out`: the group has nobody in it (emptied or deleted), so nobody can ask.
    `tell_admins`: who to tell about that lock-out; set only for the one refusal that noticed
    it first, so the admins hear it once until it is fixed and breaks again."""

    def __init__(
        self,
        group_id: str,
        group_label: str | None,
        *,
        locked_out: bool,
        tell_admins: tuple[str, ...] = (),
    ) -> None:
        super().__init__("make requests", "members of the requesters group")
        self.group_id = group_id
        self.group_label = group_label
        self.locked_out = locked_out
        self.tell_admins = tell_admins


class OwnRequest(ServiceError):
    """An approver (or admin) tried to approve a request they asked for themselves."""

    def __init__(self, request: RequestSnapshot) -> None:
        super().__init__(f"request #{request.number} was asked for by this approver")
        self.request = request


class SimilarRequest(ServiceError):
    """The requester asked for the same thing moments ago (`earlier`, not rejected, failed,
    cancelled or expired): nothing is made until they confirm they mean it twice."""

    def __init__(self, earlier: RequestSnapshot) -> None:
        super().__init__(f"request #{earlier.number} is just like this one")
        self.earlier = earlier


class ApprovalsNotSetUp(ServiceError):
    """Nobody could approve this: no approvals channel, or no approvers."""

    def __init__(self, missing: str) -> None:
        super().__init__(missing)
        self.missing = missing


class AlreadyDecided(ServiceError):
    """Somebody else got there first (or the request had moved on).

    `expired_now` is True when this very call found the request past its time and expired it:
    the caller then owns telling the requester, as it would after any transition it won.
    """

    def __init__(self, request: RequestSnapshot, *, expired_now: bool = False) -> None:
        super().__init__(f"request #{request.number} is {request.status}")
        self.request = request
        self.expired_now = expired_now


class AlreadyApprovedByYou(ServiceError):
    def __init__(self, request: RequestSnapshot) -> None:
        super().__init__(f"request #{request.number} already approved by this approver")
        self.request = request


@dataclass(frozen=True, slots=True)
class Submitted:
    request: RequestSnapshot
    approvals_channel_id: str | None
    """Where its card goes (None when it runs at once)."""
    repeated: bool = False
    """The same Slack form was submitted again: this is the request the first submission
    made, already being handled; nothing more is to be done."""

    @property
    def runs_now(self) -> bool:
        """Auto-approved (or moving no money): execute at once, no card."""
        return self.request.status is Status.APPROVED


class _SameOrigin(Exception):
    """The Slack form was already turned into `request`."""

    def __init__(self, request: RequestSnapshot) -> None:
        super().__init__(f"form already made request #{request.number}")
        self.request = request


class _Click(StrEnum):
    """What one click on Approve did."""

    COUNTED = "counted"
    COMPLETED = "completed"  # the approval that made the request approved
    REPEATED = "repeated"  # this approver had approved already
    LATE = "late"  # the request was decided (or cancelled, expired) before the click


@dataclass(frozen=True, slots=True)
class Approval:
    request: RequestSnapshot
    complete: bool
    """True when this approval was the one that made the request approved."""


@dataclass(frozen=True, slots=True)
class NewSubaccount:
    kind: SubaccountType
    email: str | None
    is_buyer: bool
    firstname: str | None = None
    lastname: str | None = None
    credit: Decimal | None = None


class Requests:
    def __init__(
        self,
        database: Database,
        partner: PartnerAccess,
        roles: Roles,
        *,
        lease_seconds: float = 120.0,
        settle_seconds: float = 60.0,
        similar_window_seconds: float = 900.0,
    ) -> None:
        self._database = database
        self._partner = partner
        self._roles = roles
        self.lease = timedelta(seconds=lease_seconds)
        """How long a request may sit in `executing` before its process is presumed dead.
        Longer than any vendor call can take (the client's total timeout)."""
        self.settle = timedelta(seconds=settle_seconds)
        """After an unknown outcome, how long to wait before "nothing changed" counts as
        proof that nothing will: the vendor may still be working on a request we gave up on."""
        self.similar_window = timedelta(seconds=similar_window_seconds)
        """A request just like one the same person made this recently asks them to confirm."""

    # --- asking -------------------------------------------------------------------------------

    async def request_credit(
        self,
        team_id: str,
        requester_id: str,
        product: Product,
        action: Action,
        ref: str,
        amount: Decimal,
        reason: str | None,
        directory: Directory,
        *,
        confirmed_similar: int | None = None,
    ) -> Submitted:
        """`confirmed_similar`: the number of the earlier request the requester saw and still
        wants this one besides (see `SimilarRequest`)."""
        assert action in (Action.CREDIT_ADD, Action.CREDIT_REMOVE)
        amount = validate_amount(amount)
        policy, route = await self._route(team_id, requester_id, directory, amount=amount)
        subaccounts, main = await self._read_live(team_id, product)
        subaccount = pick_subaccount(subaccounts, ref)
        if action is Action.CREDIT_ADD and amount > main:
            raise RequestRefused(
                f"The main account holds {format_money(main)}: it cannot give "
                f"{format_money(amount)}."
            )
        if action is Action.CREDIT_REMOVE and amount > subaccount.balance:
            raise RequestRefused(
                f"{subaccount.email or subaccount.token} holds "
                f"{format_money(subaccount.balance)}: {format_money(amount)} cannot be removed."
            )
        request = await self._insert(
            team_id,
            requester_id,
            product,
            action,
            policy,
            route,
            subaccount=subaccount,
            amount=amount,
            reason=reason,
            details=_at_request(main, subaccount),
            confirmed_similar=confirmed_similar,
        )
        return Submitted(request, policy.approvals_channel_id)

    async def request_new_subaccount(
        self,
        team_id: str,
        requester_id: str,
        product: Product,
        new: NewSubaccount,
        reason: str | None,
        directory: Directory,
        *,
        origin: str | None = None,
        confirmed_similar: int | None = None,
    ) -> Submitted:
        """`origin` names the Slack form the request comes from (`view:<id>`): submitted
        twice, it makes one request, and the repeat gets `Submitted.repeated`."""
        if origin is not None:
            made = await self._made_from(team_id, origin)
            if made is not None:
                return Submitted(made, None, repeated=True)
        amount = validate_amount(new.credit) if new.credit else None
        policy, route = await self._route(team_id, requester_id, directory, amount=amount)
        if new.kind is SubaccountType.ADVANCED and not new.email:
            raise RequestRefused("An advanced subaccount needs an email address.")
        existing, main = await self._read_live(team_id, product)
        if new.email and any(s.email.lower() == new.email.lower() for s in existing):
            raise RequestRefused(f"A subaccount with the email {new.email} already exists.")
        if amount is not None and amount > main:
            raise RequestRefused(
                f"The main account holds {format_money(main)}: it cannot give "
                f"{format_money(amount)} to a new subaccount."
            )
        details = {
            "type": new.kind.value,
            "email": new.email,
            "is_buyer": new.is_buyer,
            "firstname": new.firstname,
            "lastname": new.lastname,
            **_at_request(main, None),
        }
        try:
            request = await self._insert(
                team_id,
                requester_id,
                product,
                Action.SUBACCOUNT_CREATE,
                policy,
                route,
                subaccount=None,
                amount=amount,
                reason=reason,
                details={k: v for k, v in details.items() if v is not None},
                email=new.email,
                origin=origin,
                confirmed_similar=confirmed_similar,
            )
        except _SameOrigin as same:  # a second submission of the form won no race
            return Submitted(same.request, None, repeated=True)
        return Submitted(request, policy.approvals_channel_id)

    async def request_deletion(
        self,
        team_id: str,
        requester_id: str,
        product: Product,
        ref: str,
        reason: str | None,
        directory: Directory,
        *,
        confirmed_similar: int | None = None,
    ) -> Submitted:
        policy, route = await self._route(team_id, requester_id, directory, deletion=True)
        subaccounts, main = await self._read_live(team_id, product)
        subaccount = pick_subaccount(subaccounts, ref)
        request = await self._insert(
            team_id,
            requester_id,
            product,
            Action.SUBACCOUNT_DELETE,
            policy,
            route,
            subaccount=subaccount,
            amount=None,
            reason=reason,
            details=_at_request(main, subaccount),
            confirmed_similar=confirmed_similar,
        )
        return Submitted(request, policy.approvals_channel_id)

    async def _read_live(self, team_id: str, product: Product) -> tuple[list[Subaccount], Decimal]:
        """The live subaccount list and the main balance, read side by side."""
        client = await self._partner.subaccount_client(team_id, product)
        subaccounts, account = await asyncio.gather(client.all_subaccounts(), client.me())
        return subaccounts, account.balance

    async def _route(
        self,
        team_id: str,
        requester_id: str,
        directory: Directory,
        *,
        amount: Decimal | None = None,
        deletion: bool = False,
    ) -> tuple[Policy, Route]:
        """The policy and the route it gives this request, before anything else is read:
        somebody who may not ask learns nothing about the subaccounts."""
        async with self._database.session() as session:
            policy = await load_policy(session, team_id)
        access = await self._roles.requester_access(team_id, requester_id, policy, directory)
        used = Decimal(0)
        if access.allowed and amount is not None and policy.daily_auto_approve_cap is not None:
            used = await self._auto_approved_since(team_id, requester_id, hours=24)
        route = decide_route(
            policy,
            RequestFacts(
                requester_allowed=access.allowed,
                is_deletion=deletion,
                amount=amount,
                auto_approved_last_24h=used,
            ),
        )
        if route.refused:
            assert policy.requesters_usergroup_id is not None
            tell: tuple[str, ...] = ()
            if access.locked_out:
                setter = await lockout_to_tell(self._database, team_id)
                if setter is not None:
                    admins = [
                        s.id
                        for s in await self._roles.members(team_id, Role.ADMIN)
                        if s.kind is SubjectKind.USER
                    ]
                    tell = tuple(dict.fromkeys([*admins, *setter]))
            raise NotARequester(
                policy.requesters_usergroup_id,
                policy.requesters_usergroup_label,
                locked_out=access.locked_out,
                tell_admins=tell,
            )
        if policy.requesters_usergroup_id is not None:
            await lockout_fixed(self._database, team_id)
        return policy, route

    async def _auto_approved_since(self, team_id: str, requester_id: str, hours: int) -> Decimal:
        since = utcnow() - timedelta(hours=hours)
        async with self._database.session() as session:
            used = await session.scalar(
                # Summed by the database in thousandths; the Money type brings it back exact.
                select(func.sum(CreditRequest.amount)).where(
                    CreditRequest.team_id == team_id,
                    CreditRequest.requester_id == requester_id,
                    CreditRequest.auto_approved.is_(True),
                    CreditRequest.created_at >= since,
                    CreditRequest.status.not_in([Status.FAILED.value]),
                )
            )
        return used if used is not None else Decimal(0)

    async def _insert(
        self,
        team_id: str,
        requester_id: str,
        product: Product,
        action: Action,
        policy: Policy,
        route: Route,
        *,
        subaccount: Subaccount | None,
        amount: Decimal | None,
        reason: str | None,
        details: dict[str, Any],
        email: str | None = None,
        origin: str | None = None,
        confirmed_similar: int | None = None,
    ) -> RequestSnapshot:
        auto = route.runs_now
        if not auto:
            if policy.approvals_channel_id is None:
                raise ApprovalsNotSetUp("channel")
            if not await self._roles.has_approvers(team_id):
                raise ApprovalsNotSetUp("approvers")
        similar = await self._similar_recent(
            team_id,
            requester_id,
            product,
            action,
            subaccount.token if subaccount else (email or "").lower() or None,
            amount,
        )
        if similar is not None and origin is not None:
            # The same form submitted twice at once: the other submission just made it.
            made = await self._made_from(team_id, origin)
            if made is not None:
                raise _SameOrigin(made)
        if similar is not None and similar.number != confirmed_similar:
            raise SimilarRequest(similar)
        now = utcnow()
        row = CreditRequest(
            team_id=team_id,
            product=product.value,
            action=action.value,
            status=(Status.APPROVED if auto else Status.PENDING).value,
            requester_id=requester_id,
            subaccount_token=subaccount.token if subaccount else None,
            subaccount_email=subaccount.email if subaccount else email,
            subaccount_id=subaccount.id if subaccount else None,
            amount=amount,
            reason=reason or None,
            details=details,
            approvals_needed=max(route.approvers, 1),
            auto_approved=auto,
            created_at=now,
            updated_at=now,
            expires_at=now + timedelta(hours=policy.expiry_hours),
            origin_key=origin,
            similar_to=similar.id if similar is not None else None,
        )
        try:
            async with self._database.session() as session:
                # First in the transaction: on SQLite it takes the writer lock before any read.
                row.number = await self._next_number(session, team_id)
                session.add(row)
                await session.flush()
                await self._audit_created(
                    session, row, policy, route, similar.number if similar is not None else None
                )
        except IntegrityError:
            made = await self._made_from(team_id, origin) if origin is not None else None
            if made is None:
                raise
            raise _SameOrigin(made) from None
        return await self.get(row.id)

    async def _next_number(self, session: AsyncSession, team_id: str) -> int:
        """The workspace's next request number, taken in the caller's transaction.

        One upsert on the workspace's counter row: concurrent requests queue on its row lock
        (PostgreSQL) or the writer lock (SQLite) until the taker commits or rolls back, so no
        two requests get the same number and none is lost to a request that was not made.
        (`max(number) + 1` would need retries on the unique key under PostgreSQL.)"""
        insert = sqlite_insert if self._database.is_sqlite else pg_insert
        statement = (
            insert(RequestNumbering)
            .values(team_id=team_id, last_number=1)
            .on_conflict_do_update(
                index_elements=[RequestNumbering.team_id],
                set_={"last_number": RequestNumbering.last_number + 1},
            )
            .returning(RequestNumbering.last_number)
        )
        return int((await session.execute(statement)).scalar_one())

    @staticmethod
    async def _audit_created(
        session: AsyncSession,
        row: CreditRequest,
        policy: Policy,
        route: Route,
        similar_number: int | None,
    ) -> None:
        await audit.record(
            session,
            row.team_id,
            "request_created",
            row.requester_id,
            request_id=row.id,
            product=row.product,
            amount=row.amount,
            request_action=row.action,
            subaccount=row.subaccount_email or row.subaccount_token,
            reason=row.reason,
            similar_to=f"#{similar_number}" if similar_number is not None else None,
        )
        if route.why is Why.MOVES_NO_MONEY:
            await audit.record(
                session,
                row.team_id,
                "no_approval_needed",
                audit.SYSTEM,
                request_id=row.id,
                product=row.product,
            )
        elif route.runs_now:
            await audit.record(
                session,
                row.team_id,
                "auto_approved",
                audit.SYSTEM,
                request_id=row.id,
                product=row.product,
                amount=row.amount,
                limit=policy.auto_approve_limit,
            )

    async def _made_from(self, team_id: str, origin: str) -> RequestSnapshot | None:
        """The request a Slack form (`origin`) already made, if any."""
        async with self._database.session() as session:
            request_id = await session.scalar(
                select(CreditRequest.id).where(
                    CreditRequest.team_id == team_id, CreditRequest.origin_key == origin
                )
            )
        return await self.get(request_id) if request_id is not None else None

    async def _similar_recent(
        self,
        team_id: str,
        requester_id: str,
        product: Product,
        action: Action,
        subaccount: str | None,
        amount: Decimal | None,
    ) -> RequestSnapshot | None:
        """The newest request by the same person, for the same thing (product, action,
        subaccount token or new email, amount), made within the window and still live or done:
        typing a command twice or double-submitting a form is likelier than meaning it."""
        since = utcnow() - self.similar_window
        subaccount_column = (
            func.lower(CreditRequest.subaccount_email)
            if action is Action.SUBACCOUNT_CREATE
            else CreditRequest.subaccount_token
        )
        async with self._database.session() as session:
            request_id = await session.scalar(
                select(CreditRequest.id)
                .where(
                    CreditRequest.team_id == team_id,
                    CreditRequest.requester_id == requester_id,
                    CreditRequest.product == product.value,
                    CreditRequest.action == action.value,
                    (subaccount_column == subaccount)
                    if subaccount is not None
                    else subaccount_column.is_(None),
                    (CreditRequest.amount == amount)
                    if amount is not None
                    else CreditRequest.amount.is_(None),
                    CreditRequest.created_at >= since,
                    CreditRequest.status.in_([s.value for s in _STILL_COUNTS]),
                )
                .order_by(CreditRequest.created_at.desc(), CreditRequest.id.desc())
                .limit(1)
            )
        return await self.get(request_id) if request_id is not None else None

    # --- deciding -----------------------------------------------------------------------------

    async def approve(
        self, number: int, team_id: str, approver_id: str, directory: Directory
    ) -> Approval:
        """`number`: the request's number in `team_id` (as a Slack payload names it)."""
        request = await self._decidable(await self.by_number(team_id, number))
        if approver_id == request.requester_id:
            raise OwnRequest(request)
        if not await self._roles.is_approver(team_id, approver_id, directory):
            raise NotAllowed("approve requests", "approvers")
        outcome = await self._count_approval(request, approver_id)
        current = await self.get(request.id)
        if outcome is _Click.LATE:
            raise AlreadyDecided(current)
        if outcome is _Click.REPEATED:
            raise AlreadyApprovedByYou(current)
        return Approval(current, complete=outcome is _Click.COMPLETED)

    async def _count_approval(self, request: RequestSnapshot, approver_id: str) -> _Click:
        """One click on Approve, in one transaction, audited as counted or not.

        The transaction first takes the request's row with a conditional UPDATE (a row lock on
        PostgreSQL, the writer lock on SQLite), so clicks on one request are counted one after
        another: the count sees every approval committed before this one, the click that
        completes the approvals is the one that moves the request to `approved`, and a click
        that arrives after the decision is audited as not counted rather than as an approval.
        """
        insert = sqlite_insert if self._database.is_sqlite else pg_insert
        facts = {
            "request_id": request.id,
            "product": request.product.value,
            "amount": request.amount,
        }
        async with self._database.session() as session:
            if not await self._move(session, request.id, Status.PENDING, Status.PENDING):
                await audit.record(
                    session,
                    request.team_id,
                    "approval_not_counted",
                    approver_id,
                    why="already decided",
                    **facts,
                )
                return _Click.LATE
            added = (
                await session.execute(
                    insert(RequestApproval)
                    .values(request_id=request.id, approver_id=approver_id, approved_at=utcnow())
                    .on_conflict_do_nothing()
                )
            ).rowcount or 0
            if not added:
                await audit.record(
                    session,
                    request.team_id,
                    "approval_not_counted",
                    approver_id,
                    why="already approved by them",
                    **facts,
                )
                return _Click.REPEATED
            count = await session.scalar(
                select(func.count()).where(RequestApproval.request_id == request.id)
            )
            await audit.record(
                session,
                request.team_id,
                "approval_counted",
                approver_id,
                approvers=f"{count} of {request.approvals_needed}",
                **facts,
            )
            if count < request.approvals_needed:
                return _Click.COUNTED
            # The row is ours until commit: this move cannot lose.
            moved = await self._move(
                session, request.id, Status.PENDING, Status.APPROVED, decided_by=approver_id
            )
            assert moved, "the request changed under its row lock"
            await audit.record(
                session, request.team_id, "approved", approver_id, approvers=count, **facts
            )
            return _Click.COMPLETED

    async def reject(
        self, number: int, team_id: str, approver_id: str, reason: str, directory: Directory
    ) -> RequestSnapshot:
        request_id = (await self._decidable(await self.by_number(team_id, number))).id
        if not await self._roles.is_approver(team_id, approver_id, directory):
            raise NotAllowed("reject requests", "approvers")
        if not await self._transition(
            request_id,
            Status.PENDING,
            Status.REJECTED,
            "rejected",
            approver_id,
            values={"decided_by": approver_id, "rejection_reason": reason},
            reason=reason,
        ):
            raise AlreadyDecided(await self.get(request_id))
        return await self.get(request_id)

    async def cancel(self, number: int, team_id: str, user_id: str) -> RequestSnapshot:
        request = await self.by_number(team_id, number)
        request_id = request.id
        if user_id != request.requester_id:
            raise NotAllowed("cancel this request", "the person who asked")
        if not await self._transition(
            request_id,
            Status.PENDING,
            Status.CANCELLED,
            "cancelled",
            user_id,
            values={"decided_by": user_id},
        ):
            raise AlreadyDecided(await self.get(request_id))
        return await self.get(request_id)

    async def withdraw(self, request_id: int, note: str) -> RequestSnapshot:
        """Cancel a pending request on the system's behalf (its card could not be shown)."""
        await self._transition(
            request_id,
            Status.PENDING,
            Status.CANCELLED,
            "withdrawn",
            audit.SYSTEM,
            values={"outcome_note": note},
            note=note,
        )
        return await self.get(request_id)

    async def expire_due(self) -> list[RequestSnapshot]:
        """Pending requests past their expiry become expired; returns those this call moved."""
        async with self._database.session() as session:
            due = (
                await session.scalars(
                    select(CreditRequest.id).where(
                        CreditRequest.status == Status.PENDING.value,
                        CreditRequest.expires_at <= utcnow(),
                    )
                )
            ).all()
        return [expired for request_id in due if (expired := await self._expire(request_id))]

    async def _expire(self, request_id: int) -> RequestSnapshot | None:
        async with self._database.session() as session:
            row = await session.get(CreditRequest, request_id)
            due = row is not None and row.expires_at <= utcnow()
        if not due or not await self._transition(
            request_id, Status.PENDING, Status.EXPIRED, "expired", audit.SYSTEM
        ):
            return None
        return await self.get(request_id)

    async def _decidable(self, request: RequestSnapshot) -> RequestSnapshot:
        """The request, if it can still be decided; expired on the spot when its time is up."""
        if request.status is Status.PENDING and request.expires_at <= utcnow():
            expired = await self._expire(request.id)
            if expired is not None:
                raise AlreadyDecided(expired, expired_now=True)
            request = await self.get(request.id)
        if request.status is not Status.PENDING:
            raise AlreadyDecided(request)
        return request

    # --- executing ----------------------------------------------------------------------------

    async def execute(self, request_id: int) -> RequestSnapshot:
        """Carry out an approved request: re-check the balances, then call the vendor once.

        Safe to call from any number of places at once: only the caller that wins
        `approved → executing` calls the vendor; the others get the request as it stands.
        """
        request = await self.get(request_id)
        if request.status is not Status.APPROVED:
            return request
        product = request.product
        try:
            client = await self._partner.subaccount_client(request.team_id, product)
            main, subaccount = await self._read_balances(client, request)
        except (PartnerFailure, NotFound) as problem:
            return await self._fail_before_call(request, _describe(problem))
        refusal = _insufficient(request, main, subaccount)
        if refusal:
            return await self._fail_before_call(request, refusal)

        won = await self._transition(
            request_id,
            Status.APPROVED,
            Status.EXECUTING,
            "vendor_call_sent",
            audit.SYSTEM,
            values={
                "executing_since": utcnow(),
                "main_balance_before": main,
                "subaccount_balance_before": subaccount.balance if subaccount else None,
            },
            request_action=request.action.value,
        )
        if not won:
            return await self.get(request_id)
        # From here the vendor call is ours alone, and is made exactly once.
        try:
            values = await self._call_vendor(client, request)
        except PartnerOutcomeUnknown as unknown:
            await self._finish(request, Status.UNKNOWN, outcome_note=_describe(unknown))
            return await self.reconcile(request_id)
        except (PartnerError, PartnerUnavailable) as failure:
            return await self._finish(request, Status.FAILED, outcome_note=_describe(failure))
        return await self._finish(request, Status.SUCCEEDED, **values)

    async def _read_balances(
        self, client: SubaccountClient, request: RequestSnapshot
    ) -> tuple[Decimal, Subaccount | None]:
        # Money decisions read fresh: never a cached display answer.
        main = (await client.me(fresh=True)).balance
        if request.subaccount_token is None:
            return main, None
        subaccounts = await client.all_subaccounts(fresh=True)
        found = [s for s in subaccounts if s.token == request.subaccount_token]
        if not found:
            raise NotFound("subaccount", request.subaccount_email or request.subaccount_token)
        return main, found[0]

    async def _call_vendor(
        self, client: SubaccountClient, request: RequestSnapshot
    ) -> dict[str, Any]:
        match request.action:
            case Action.CREDIT_ADD | Action.CREDIT_REMOVE:
                assert request.amount is not None and request.subaccount_token is not None
                move = (
                    client.add_credit
                    if request.action is Action.CREDIT_ADD
                    else (client.remove_credit)
                )
                result = await move(request.subaccount_token, request.amount)
                return {
                    "main_balance_after": result.main_balance,
                    "subaccount_balance_after": result.subaccount_balance,
                }
            case Action.SUBACCOUNT_CREATE:
                details = request.details
                created = await client.create_subaccount(
                    SubaccountType(details["type"]),
                    email=details.get("email"),
                    is_buyer=bool(details.get("is_buyer")),
                    credit=request.amount,
                    firstname=details.get("firstname"),
                    lastname=details.get("lastname"),
                )
                return {
                    "created_token": created.token,
                    "subaccount_email": created.email,
                    "subaccount_token": created.token,
                }
            case Action.SUBACCOUNT_DELETE:
                assert request.subaccount_token is not None
                await client.delete_subaccount(request.subaccount_token)
                # The subaccount's credit goes back to the main account; the answer does not
                # say how much, so the main balance is read again to report what happened.
                try:
                    return {"main_balance_after": (await client.me(fresh=True)).balance}
                except PartnerFailure as failure:
                    log.warning("main balance not read after deletion: %s", failure)
                    return {}
        raise AssertionError(request.action)  # pragma: no cover

    async def _fail_before_call(self, request: RequestSnapshot, note: str) -> RequestSnapshot:
        await self._transition(
            request.id,
            Status.APPROVED,
            Status.FAILED,
            "failed_before_vendor_call",
            audit.SYSTEM,
            values={"outcome_note": note},
            note=note,
        )
        return await self.get(request.id)

    async def _finish(self, request: RequestSnapshot, to: Status, **values: Any) -> RequestSnapshot:
        await self._transition(
            request.id,
            Status.EXECUTING,
            to,
            f"vendor_{to.value}",
            audit.SYSTEM,
            values=values,
            note=values.get("outcome_note"),
            main_after=values.get("main_balance_after"),
            subaccount_after=values.get("subaccount_balance_after"),
            token=values.get("created_token"),
        )
        return await self.get(request.id)

    # --- when nobody knows what happened ------------------------------------------------------

    async def reconcile(self, request_id: int) -> RequestSnapshot:
        """Decide an unknown outcome from the evidence, never by calling the vendor again."""
        request = await self.get(request_id)
        if request.status is not Status.UNKNOWN:
            return request
        try:
            client = await self._partner.subaccount_client(request.team_id, request.product)
            subaccounts = await client.all_subaccounts(fresh=True)
        except (PartnerFailure, ServiceError) as problem:
            return await self._undecidable(
                request, f"the balances could not be read to find out ({_describe(problem)})"
            )
        verdict, note, values = _judge(request, subaccounts)
        if verdict is None:
            return await self._undecidable(request, note)
        if verdict is Status.FAILED and not self._settled(request):
            # "Nothing changed" is only evidence once the vendor has had time to finish what
            # it may still be doing: look again later (see reconcile_due).
            return request
        await self._transition(
            request_id,
            Status.UNKNOWN,
            verdict,
            f"reconciled_{verdict.value}",
            audit.SYSTEM,
            values={"outcome_note": note, **values},
            note=note,
        )
        return await self.get(request_id)

    def _settled(self, request: RequestSnapshot) -> bool:
        since = request.executing_since
        return since is None or utcnow() - since >= self.settle

    async def reconcile_due(self) -> list[RequestSnapshot]:
        """Unknown outcomes whose settle time has passed, reconciled; returns those decided."""
        async with self._database.session() as session:
            unknown = (
                await session.scalars(
                    select(CreditRequest.id).where(
                        CreditRequest.status == Status.UNKNOWN.value,
                        CreditRequest.executing_since <= utcnow() - self.settle,
                    )
                )
            ).all()
        decided = []
        for request_id in unknown:
            request = await self.get(request_id)
            if request.needs_a_person:
                continue
            after = await self.reconcile(request_id)
            if after.status is not Status.UNKNOWN or after.needs_a_person:
                decided.append(after)
        return decided

    async def _undecidable(self, request: RequestSnapshot, note: str) -> RequestSnapshot:
        async with self._database.session() as session:
            row = await session.get(CreditRequest, request.id, with_for_update=True)
            if row is not None and row.status == Status.UNKNOWN.value:
                row.details = {**row.details, "undecidable": True}
                row.outcome_note = note
                row.updated_at = utcnow()
                await audit.record(
                    session,
                    request.team_id,
                    "reconciliation_undecided",
                    audit.SYSTEM,
                    request_id=request.id,
                    product=request.product.value,
                    amount=request.amount,
                    note=note,
                )
        return await self.get(request.id)

    async def mark_outcome(
        self, number: int, team_id: str, approver_id: str, done: bool, directory: Directory
    ) -> RequestSnapshot:
        """An approver who checked the vendor's dashboard says what happened."""
        request_id = (await self.by_number(team_id, number)).id
        if not await self._roles.is_approver(team_id, approver_id, directory):
            raise NotAllowed("settle requests", "approvers")
        word = "done" if done else "failed"
        if not await self._transition(
            request_id,
            Status.UNKNOWN,
            Status.SUCCEEDED if done else Status.FAILED,
            f"marked_{word}",
            approver_id,
            values={"decided_by": approver_id, "outcome_note": f"marked {word} by an approver"},
        ):
            raise AlreadyDecided(await self.get(request_id))
        return await self.get(request_id)

    async def recover_abandoned(self) -> list[RequestSnapshot]:
        """Requests a process that died left behind, returned once settled here:
        - `approved` for longer than the lease (it died between the deciding click and the
          vendor call): carried out now — `execute` lets one caller make the call;
        - `executing` for longer than the lease: unknown, then reconciled from the balances."""
        cutoff = utcnow() - self.lease
        async with self._database.session() as session:
            approved = (
                await session.scalars(
                    select(CreditRequest.id).where(
                        CreditRequest.status == Status.APPROVED.value,
                        CreditRequest.updated_at <= cutoff,
                    )
                )
            ).all()
            stuck = (
                await session.scalars(
                    select(CreditRequest.id).where(
                        CreditRequest.status == Status.EXECUTING.value,
                        CreditRequest.executing_since <= cutoff,
                    )
                )
            ).all()
        resumed = [await self.execute(request_id) for request_id in approved]
        note = "the process carrying it out stopped before the answer came"
        reconciled = [
            await self.reconcile(request_id)
            for request_id in stuck
            if await self._transition(
                request_id,
                Status.EXECUTING,
                Status.UNKNOWN,
                "execution_abandoned",
                audit.SYSTEM,
                values={"outcome_note": note},
            )
        ]
        # Only what this call settled: a request another process is carrying out is theirs to
        # announce.
        return [r for r in resumed if r.status.is_final or r.status is Status.UNKNOWN] + reconciled

    # --- reading ------------------------------------------------------------------------------

    async def get(self, request_id: int) -> RequestSnapshot:
        """By internal id: for the worker and what the service itself holds, never for an id
        from Slack (see `by_number`)."""
        async with self._database.session() as session:
            row = await session.get(CreditRequest, request_id, populate_existing=True)
            if row is None:
                raise NotFound("request", "(internal)")
            return await self._snapshot_of(session, row)

    async def by_number(self, team_id: str, number: int) -> RequestSnapshot:
        """The request a Slack payload names: its number within the authorised workspace.
        The same number in another workspace is another request (or none)."""
        async with self._database.session() as session:
            row = await session.scalar(
                select(CreditRequest)
                .where(CreditRequest.team_id == team_id, CreditRequest.number == number)
                .execution_options(populate_existing=True)
            )
            if row is None:
                raise NotFound("request", f"#{number}")
            return await self._snapshot_of(session, row)

    @staticmethod
    async def _snapshot_of(session: AsyncSession, row: CreditRequest) -> RequestSnapshot:
        request_id = row.id
        similar_number = None
        if row.similar_to is not None:
            similar_number = await session.scalar(
                select(CreditRequest.number).where(
                    CreditRequest.id == row.similar_to, CreditRequest.team_id == row.team_id
                )
            )
        approvers = (
            await session.scalars(
                select(RequestApproval.approver_id)
                .where(RequestApproval.request_id == request_id)
                .order_by(RequestApproval.approved_at, RequestApproval.id)
            )
        ).all()
        return _snapshot(row, tuple(approvers), similar_number)

    async def pending(self, team_id: str) -> list[RequestSnapshot]:
        return await self._list(
            CreditRequest.team_id == team_id,
            CreditRequest.status.in_([Status.PENDING.value, Status.UNKNOWN.value]),
        )

    async def of_requester(
        self, team_id: str, requester_id: str, limit: int = 20
    ) -> list[RequestSnapshot]:
        return await self._list(
            CreditRequest.team_id == team_id,
            CreditRequest.requester_id == requester_id,
            limit=limit,
        )

    async def _list(self, *conditions: Any, limit: int = 50) -> list[RequestSnapshot]:
        async with self._database.session() as session:
            ids = (
                await session.scalars(
                    select(CreditRequest.id)
                    .where(*conditions)
                    .order_by(CreditRequest.created_at.desc(), CreditRequest.id.desc())
                    .limit(limit)
                )
            ).all()
        return [await self.get(request_id) for request_id in ids]

    async def set_card(self, request_id: int, channel_id: str, ts: str) -> None:
        async with self._database.session() as session:
            await session.execute(
                update(CreditRequest)
                .where(CreditRequest.id == request_id)
                .values(card_channel_id=channel_id, card_ts=ts)
            )

    async def adopt_card(self, number: int, team_id: str, channel_id: str, ts: str) -> bool:
        """Record where a request's card is when posting it had no known outcome (the answer
        with its ts was lost) and a click on it just told us: only while nothing is recorded,
        so a known card is never replaced. `number`: as the clicked button names it."""
        async with self._database.session() as session:
            result = await session.execute(
                update(CreditRequest)
                .where(
                    CreditRequest.number == number,
                    CreditRequest.team_id == team_id,
                    CreditRequest.card_ts.is_(None),
                )
                .values(card_channel_id=channel_id, card_ts=ts)
            )
            return bool(result.rowcount)

    async def _transition(
        self,
        request_id: int,
        from_: Status,
        to: Status,
        event: str,
        actor_id: str,
        *,
        values: dict[str, Any] | None = None,
        **details: Any,
    ) -> bool:
        """Move one request from one status to another and audit it, in one transaction.
        True if this call made the move; False if the request was not in `from_` (anymore)."""
        values = dict(values or {})
        if to.is_final:
            values.setdefault("finished_at", utcnow())
        async with self._database.session() as session:
            if not await self._move(session, request_id, from_, to, **values):
                return False
            row = await session.get(CreditRequest, request_id)
            assert row is not None
            await audit.record(
                session,
                row.team_id,
                event,
                actor_id,
                request_id=request_id,
                product=row.product,
                amount=row.amount,
                **details,
            )
        return True

    @staticmethod
    async def _move(
        session: AsyncSession, request_id: int, from_: Status, to: Status, **values: Any
    ) -> bool:
        """The one way a status changes: conditional on the status it had. True if we won."""
        result = await session.execute(
            update(CreditRequest)
            .where(CreditRequest.id == request_id, CreditRequest.status == from_.value)
            .values(status=to.value, updated_at=utcnow(), **values)
        )
        return (result.rowcount or 0) == 1


def _at_request(main: Decimal, subaccount: Subaccount | None) -> dict[str, str]:
    """The balances when the request was made, kept for its card."""
    figures = {"main_at_request": f"{main:f}"}
    if subaccount is not None:
        figures["sub_at_request"] = f"{subaccount.balance:f}"
    return figures


# --- pure decisions -----------------------------------------------------------------------------


def _insufficient(
    request: RequestSnapshot, main: Decimal, subaccount: Subaccount | None
) -> str | None:
    """Why the move cannot be made with the balances as they are now, with the figures."""
    amount = request.amount
    if amount is None:
        return None
    if request.action in (Action.CREDIT_ADD, Action.SUBACCOUNT_CREATE) and amount > main:
        return f"the main account now holds {format_money(main)}, less than {format_money(amount)}"
    if request.action is Action.CREDIT_REMOVE and subaccount and amount > subaccount.balance:
        return (
            f"the subaccount now holds {format_money(subaccount.balance)}, less than "
            f"{format_money(amount)}"
        )
    return None


def _judge(
    request: RequestSnapshot, subaccounts: list[Subaccount]
) -> tuple[Status | None, str, dict[str, Any]]:
    """From the live list, did the request's change happen? (None: cannot tell.)"""
    by_token = {s.token: s for s in subaccounts}
    match request.action:
        case Action.CREDIT_ADD | Action.CREDIT_REMOVE:
            sub = by_token.get(request.subaccount_token or "")
            before = request.subaccount_balance_before
            if sub is None or before is None or request.amount is None:
                return None, "the subaccount is no longer listed", {}
            expected = request.amount if request.action is Action.CREDIT_ADD else -request.amount
            moved = sub.balance - before
            if moved == expected:
                return (
                    Status.SUCCEEDED,
                    f"confirmed from the balances: the subaccount went from "
                    f"{format_money(before)} to {format_money(sub.balance)}",
                    {"subaccount_balance_after": sub.balance},
                )
            if moved == 0:
                return (
                    Status.FAILED,
                    f"confirmed from the balances: the subaccount still holds "
                    f"{format_money(sub.balance)}, nothing moved",
                    {"subaccount_balance_after": sub.balance},
                )
            return (
                None,
                f"the subaccount's balance changed by {format_money(moved)} (expected "
                f"{format_money(expected)} or nothing): something else moved it too",
                {},
            )
        case Action.SUBACCOUNT_CREATE:
            email = (request.details.get("email") or "").lower()
            if not email:
                return None, "a subaccount without an email cannot be looked up", {}
            found = [s for s in subaccounts if s.email.lower() == email]
            if found:
                return (
                    Status.SUCCEEDED,
                    "confirmed: the subaccount exists",
                    {"created_token": found[0].token, "subaccount_token": found[0].token},
                )
            return Status.FAILED, "confirmed: no subaccount with that email exists", {}
        case Action.SUBACCOUNT_DELETE:
            if request.subaccount_token in by_token:
                return Status.FAILED, "confirmed: the subaccount is still there", {}
            return Status.SUCCEEDED, "confirmed: the subaccount is gone", {}
    raise AssertionError(request.action)  # pragma: no cover


def _describe(problem: BaseException) -> str:
    if isinstance(problem, PartnerError):
        return problem.explanation + (
            f" ({problem.vendor_message})" if problem.vendor_message else ""
        )
    if isinstance(problem, PartnerFailure):
        return problem.detail
    return str(problem)


def _snapshot(
    row: CreditRequest, approvers: tuple[str, ...], similar_number: int | None
) -> RequestSnapshot:
    return RequestSnapshot(
        id=row.id,
        team_id=row.team_id,
        number=row.number,
        product=Product(row.product),
        action=Action(row.action),
        status=Status(row.status),
        requester_id=row.requester_id,
        subaccount_token=row.subaccount_token,
        subaccount_email=row.subaccount_email,
        subaccount_id=row.subaccount_id,
        amount=row.amount,
        reason=row.reason,
        details=dict(row.details or {}),
        approvals_needed=row.approvals_needed,
        approvers=approvers,
        auto_approved=row.auto_approved,
        created_at=row.created_at,
        expires_at=row.expires_at,
        finished_at=row.finished_at,
        executing_since=row.executing_since,
        decided_by=row.decided_by,
        rejection_reason=row.rejection_reason,
        outcome_note=row.outcome_note,
        main_balance_before=row.main_balance_before,
        subaccount_balance_before=row.subaccount_balance_before,
        main_balance_after=row.main_balance_after,
        subaccount_balance_after=row.subaccount_balance_after,
        created_token=row.created_token,
        card_channel_id=row.card_channel_id,
        card_ts=row.card_ts,
        similar_to=row.similar_to,
        similar_to_number=similar_number,
    )
