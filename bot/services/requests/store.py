"""The only SQL on credit requests.

Every status change is one `UPDATE … WHERE id = :id AND status = :from` (`move`); its row count
says who won. The vendor call is made only by whoever wins `approved → executing`, and only
once: no code path ever moves a request back to `approved`.

Longer than the package's other modules on purpose: all the SQL on requests is here, so the
rule above is kept in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.db.models import CreditRequest, RequestApproval, RequestNumbering, WorkspacePolicy
from bot.db.session import Database
from bot.partner.models import Product, Subaccount
from bot.services import audit
from bot.services.errors import NotFound
from bot.services.policy import (
    DAILY_CAP_WINDOW,
    Outcome,
    Policy,
    RequestFacts,
    Route,
    Why,
    decide_route,
    load_policy,
)
from bot.services.requests.errors import SameOrigin
from bot.services.requests.model import (
    COUNTS_TOWARD_CAP,
    KEY_CHANGED,
    STILL_COUNTS,
    Action,
    CardOwed,
    Click,
    RequestSnapshot,
    Status,
)

NUDGE_LEASE = timedelta(minutes=5)
"""How long a process sending a reminder or an escalation holds it: far more than its DMs take;
one a killed process left is sent again after this."""


@dataclass(frozen=True, slots=True)
class Waiting:
    """A pending request, and its workspace's reminder and escalation hours."""

    id: int
    created_at: datetime
    reminded_at: datetime | None
    escalated_at: datetime | None
    remind_hours: int | None
    escalate_hours: int | None


class RequestStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    # --- reading ------------------------------------------------------------------------------

    async def get(self, request_id: int) -> RequestSnapshot:
        """By internal id: for the worker and what the service itself holds, never for an id
        from Slack (see `by_number`)."""
        async with self._database.session() as session:
            found = await _read(session, CreditRequest.id == request_id)
            if found is None:
                raise NotFound("request", "(internal)")
            return found

    async def by_number(self, team_id: str, number: int) -> RequestSnapshot:
        """The request a Slack payload names: its number within the authorised workspace.
        The same number in another workspace is another request (or none)."""
        async with self._database.session() as session:
            found = await _read(
                session, CreditRequest.team_id == team_id, CreditRequest.number == number
            )
            if found is None:
                raise NotFound("request", f"#{number}")
            return found

    async def pending(
        self, team_id: str, *, session: AsyncSession | None = None
    ) -> list[RequestSnapshot]:
        """`session`: read in the caller's (`Database.joined`)."""
        return await self._list(
            CreditRequest.team_id == team_id,
            CreditRequest.status.in_([Status.PENDING.value, Status.UNKNOWN.value]),
            session=session,
        )

    async def of_requester(
        self, team_id: str, requester_id: str, limit: int = 20
    ) -> list[RequestSnapshot]:
        return await self._list(
            CreditRequest.team_id == team_id,
            CreditRequest.requester_id == requester_id,
            limit=limit,
        )

    async def _list(
        self, *conditions: Any, limit: int = 50, session: AsyncSession | None = None
    ) -> list[RequestSnapshot]:
        async with self._database.joined(session) as session:
            ids = (
                await session.scalars(
                    select(CreditRequest.id)
                    .where(*conditions)
                    .order_by(CreditRequest.created_at.desc(), CreditRequest.id.desc())
                    .limit(limit)
                )
            ).all()
            found = await _read_all(session, CreditRequest.id.in_(ids)) if ids else {}
        return [found[request_id] for request_id in ids if request_id in found]

    async def _ids(self, *conditions: Any) -> list[int]:
        async with self._database.session() as session:
            return list((await session.scalars(select(CreditRequest.id).where(*conditions))).all())

    async def due_to_expire(self) -> list[int]:
        return await self._ids(
            CreditRequest.status == Status.PENDING.value, CreditRequest.expires_at <= utcnow()
        )

    async def waiting_for_nudges(self, now: datetime) -> list[Waiting]:
        """Pending requests, not past expiry, of workspaces that remind or escalate."""
        async with self._database.session() as session:
            rows = await session.execute(
                select(
                    CreditRequest.id,
                    CreditRequest.created_at,
                    CreditRequest.reminded_at,
                    CreditRequest.escalated_at,
                    WorkspacePolicy.remind_hours,
                    WorkspacePolicy.escalate_hours,
                )
                .join(WorkspacePolicy, WorkspacePolicy.team_id == CreditRequest.team_id)
                .where(
                    CreditRequest.status == Status.PENDING.value,
                    CreditRequest.expires_at > now,
                    or_(
                        WorkspacePolicy.remind_hours.is_not(None),
                        WorkspacePolicy.escalate_hours.is_not(None),
                    ),
                )
                .order_by(CreditRequest.id)
            )
            return [Waiting(*row) for row in rows]

    async def claim_reminder(self, request_id: int, seen: datetime | None, now: datetime) -> bool:
        """Take the sending of a reminder (the lease `nudging_until`): one caller wins, and
        only while the request waits, no other process is sending one, and its last reminder
        is still the one `seen`."""
        last = (
            CreditRequest.reminded_at.is_(None)
            if seen is None
            else CreditRequest.reminded_at == seen
        )
        return await self._claim(request_id, now, last)

    async def claim_escalation(self, request_id: int, now: datetime) -> bool:
        """Take the sending of the escalation: once per request, while it waits."""
        return await self._claim(request_id, now, CreditRequest.escalated_at.is_(None))

    async def nudge_sent(self, request_id: int, claimed: datetime, **sent: datetime) -> None:
        """The reminder or escalation claimed at `claimed` was delivered: `sent` is
        `reminded_at=…` or `escalated_at=…`, and the lease is given back."""
        await self._end_lease(request_id, claimed, nudging_until=None, **sent)

    async def release_nudge(self, request_id: int, claimed: datetime) -> None:
        """Give back a claim not delivered: the next pass claims and sends it again."""
        await self._end_lease(request_id, claimed, nudging_until=None)

    async def _end_lease(self, request_id: int, claimed: datetime, **values: Any) -> None:
        async with self._database.session() as session:
            await session.execute(
                update(CreditRequest)
                .where(
                    CreditRequest.id == request_id,
                    CreditRequest.nudging_until == claimed + NUDGE_LEASE,
                )
                .values(**values)
            )

    async def _claim(self, request_id: int, now: datetime, *where: Any) -> bool:
        async with self._database.session() as session:
            result = await session.execute(
                update(CreditRequest)
                .where(
                    CreditRequest.id == request_id,
                    CreditRequest.status == Status.PENDING.value,
                    CreditRequest.expires_at > now,
                    or_(
                        CreditRequest.nudging_until.is_(None),
                        CreditRequest.nudging_until <= now,
                    ),
                    *where,
                )
                .values(nudging_until=now + NUDGE_LEASE)
            )
            return (result.rowcount or 0) == 1  # type: ignore[attr-defined]

    async def is_past_expiry(self, request_id: int) -> bool:
        async with self._database.session() as session:
            row = await session.get(CreditRequest, request_id)
            return row is not None and row.expires_at <= utcnow()

    async def approved_before(self, cutoff: datetime) -> list[int]:
        return await self._ids(
            CreditRequest.status == Status.APPROVED.value, CreditRequest.updated_at <= cutoff
        )

    async def executing_since_before(self, cutoff: datetime, status: Status) -> list[int]:
        return await self._ids(
            CreditRequest.status == status.value, CreditRequest.executing_since <= cutoff
        )

    async def credit_moved(
        self, team_id: str, product: Product, after: datetime, until: datetime
    ) -> dict[str, Decimal]:
        """Credit the app moved into each subaccount (by token; negative for a removal) by
        requests that succeeded with their vendor call made in (after, until]: what the spend
        ledger takes out of the balances' fall. The call's time is when it was sent
        (`executing_since`): a reconciled request is counted when it ran, not when it was judged."""
        sign = {Action.CREDIT_ADD.value: Decimal(1), Action.CREDIT_REMOVE.value: Decimal(-1)}
        made_at = func.coalesce(CreditRequest.executing_since, CreditRequest.finished_at)
        async with self._database.session() as session:
            rows = await session.execute(
                select(
                    CreditRequest.action, CreditRequest.subaccount_token, CreditRequest.amount
                ).where(
                    CreditRequest.team_id == team_id,
                    CreditRequest.product == product.value,
                    CreditRequest.status == Status.SUCCEEDED.value,
                    CreditRequest.action.in_(tuple(sign)),
                    made_at > after,
                    made_at <= until,
                )
            )
            moved: dict[str, Decimal] = {}
            for action, token, amount in rows:
                if token is not None and amount is not None:
                    moved[token] = moved.get(token, Decimal(0)) + sign[action] * amount
        return moved

    async def credit_moves(
        self, team_id: str, product: Product, after: datetime, until: datetime
    ) -> list[tuple[str, datetime, Decimal]]:
        """Each succeeded credit move of `product` made in (after, until], as (token, when the
        vendor call was made, amount: negative for a removal), oldest first: the app's own
        moves a usage statement lists apart, timed as `credit_moved` times them."""
        sign = {Action.CREDIT_ADD.value: Decimal(1), Action.CREDIT_REMOVE.value: Decimal(-1)}
        made_at = func.coalesce(CreditRequest.executing_since, CreditRequest.finished_at)
        async with self._database.session() as session:
            rows = await session.execute(
                select(
                    CreditRequest.action,
                    CreditRequest.subaccount_token,
                    made_at,
                    CreditRequest.amount,
                )
                .where(
                    CreditRequest.team_id == team_id,
                    CreditRequest.product == product.value,
                    CreditRequest.status == Status.SUCCEEDED.value,
                    CreditRequest.action.in_(tuple(sign)),
                    made_at > after,
                    made_at <= until,
                )
                .order_by(made_at)
            )
            return [
                (token, at, sign[action] * amount)
                for action, token, at, amount in rows
                if token is not None and amount is not None and at is not None
            ]

    async def open_with_other_key(
        self, team_id: str, product: Product, key_id: str | None
    ) -> list[int]:
        """Pending and approved requests of `product` made with a key other than `key_id`
        (None: no key now), oldest first; those made before keys were recorded too."""
        other = (
            CreditRequest.id.is_not(None)  # no key now: every one of them
            if key_id is None
            else (CreditRequest.key_id.is_(None) | (CreditRequest.key_id != key_id))
        )
        async with self._database.session() as session:
            return list(
                (
                    await session.scalars(
                        select(CreditRequest.id)
                        .where(
                            CreditRequest.team_id == team_id,
                            CreditRequest.product == product.value,
                            CreditRequest.status.in_([Status.PENDING.value, Status.APPROVED.value]),
                            other,
                        )
                        .order_by(CreditRequest.id)
                    )
                ).all()
            )

    async def made_from(self, team_id: str, origin: str) -> RequestSnapshot | None:
        """The request a Slack form (`origin`) already made, if any."""
        async with self._database.session() as session:
            request_id = await session.scalar(
                select(CreditRequest.id).where(
                    CreditRequest.team_id == team_id, CreditRequest.origin_key == origin
                )
            )
        return await self.get(request_id) if request_id is not None else None

    async def similar_recent(
        self,
        team_id: str,
        requester_id: str,
        product: Product,
        action: Action,
        subaccount: str | None,
        amount: Decimal | None,
        since: datetime,
    ) -> RequestSnapshot | None:
        """The newest request by the same person, for the same thing (product, action,
        subaccount token or new email, amount), made since `since` and still live or done."""
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
                    CreditRequest.status.in_([s.value for s in STILL_COUNTS]),
                )
                .order_by(CreditRequest.created_at.desc(), CreditRequest.id.desc())
                .limit(1)
            )
        return await self.get(request_id) if request_id is not None else None

    async def auto_approved_since(
        self, team_id: str, requester_id: str, since: datetime
    ) -> Decimal:
        async with self._database.session() as session:
            return await _auto_approved_since(session, team_id, requester_id, since)

    # --- writing ------------------------------------------------------------------------------

    async def insert(
        self,
        row: CreditRequest,
        facts: RequestFacts,
        similar_number: int | None,
        accept: Callable[[Policy, Route], None],
    ) -> tuple[RequestSnapshot, Policy]:
        """Number the new request in its workspace, decide its route, store it and audit its
        creation, in one transaction; returns it with the policy that routed it. Raises
        SameOrigin when its form already made a request, and whatever `accept` raises on the
        route (nothing is then recorded).

        The route is decided here, not when the request was first read: the workspace's
        numbering row, taken first, holds every other request of the workspace back until
        this one commits (on every process). So the policy, and the requester's auto-approved
        total that the daily cap is checked against, are read after every request made before
        this one is recorded: any number of requests arriving at once are routed as if they
        came one after another, and what is auto-approved never exceeds the cap."""
        try:
            async with self._database.session() as session:
                # First in the transaction: on SQLite it takes the writer lock before any read.
                row.number = await self._next_number(session, row.team_id)
                policy, route = await _route_now(session, row, facts)
                accept(policy, route)
                auto = route.runs_now
                row.status = (Status.APPROVED if auto else Status.PENDING).value
                row.auto_approved = auto
                row.approvals_needed = max(route.approvers, 1)
                row.expires_at = row.created_at + timedelta(hours=policy.expiry_hours)
                session.add(row)
                await session.flush()
                await _audit_created(session, row, policy, route, similar_number)
        except IntegrityError:
            origin = row.origin_key
            made = await self.made_from(row.team_id, origin) if origin is not None else None
            if made is None:
                raise
            raise SameOrigin(made) from None
        return await self.get(row.id), policy

    async def insert_sweep(
        self,
        team_id: str,
        product: Product,
        subaccount: Subaccount,
        amount: Decimal,
        actor_id: str,
        why: str,
        key_id: str,
    ) -> RequestSnapshot:
        """A removal an approver's click decided by itself (a freeze, a sweep of what is over
        a cap): the money goes back to the main account, so it needs no other approval and
        counts toward nobody's daily cap. Stored approved, numbered like any request, and
        audited as made and approved by the clicker, in one transaction."""
        now = utcnow()
        row = CreditRequest(
            team_id=team_id,
            product=product.value,
            action=Action.CREDIT_REMOVE.value,
            requester_id=actor_id,
            subaccount_token=subaccount.token,
            subaccount_email=subaccount.email,
            subaccount_id=subaccount.id,
            amount=amount,
            reason=why,
            details={"sweep": why, "sub_at_request": f"{subaccount.balance:f}"},
            created_at=now,
            updated_at=now,
            key_id=key_id,
        )
        async with self._database.session() as session:
            row.number = await self._next_number(session, row.team_id)
            policy = await load_policy(session, row.team_id)
            row.status = Status.APPROVED.value
            row.auto_approved = False
            row.approvals_needed = 1
            row.decided_by = row.requester_id
            row.expires_at = row.created_at + timedelta(hours=policy.expiry_hours)
            session.add(row)
            await session.flush()
            await _audit_created(
                session, row, policy, Route(Outcome.NEEDS_APPROVAL, Why.NO_AUTO_APPROVAL, 1), None
            )
            await audit.record(
                session,
                row.team_id,
                "approved",
                row.requester_id,
                request_id=row.id,
                product=row.product,
                amount=row.amount,
                sweep=why,
            )
        return await self.get(row.id)

    async def number_in(self, session: AsyncSession, team_id: str) -> int:
        """The workspace's next request number, in the caller's transaction (a recurring run
        inserts its request with its run: bot.services.recurring.store)."""
        return await self._next_number(session, team_id)

    async def _next_number(self, session: AsyncSession, team_id: str) -> int:
        """The workspace's next request number, taken in the caller's transaction.

        One upsert on the workspace's counter row: concurrent requests queue on its row lock
        (PostgreSQL) or the writer lock (SQLite) until the taker commits or rolls back, so no
        two requests get the same number and none is lost to a request that was not made.
        (`max(number) + 1` would need retries on the unique key under PostgreSQL.) The same
        queue is what lets `insert` route each request after the ones before it."""
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

    async def transition(
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
        row = await self._transition(request_id, from_, to, event, actor_id, values, details)
        return row is not None

    async def advance(
        self,
        request: RequestSnapshot,
        from_: Status,
        to: Status,
        event: str,
        actor_id: str,
        *,
        values: dict[str, Any] | None = None,
        **details: Any,
    ) -> RequestSnapshot | None:
        """`transition` for a request past its approvals (approved or later): the request as
        the move left it, or None if it was not in `from_` (anymore). Its approvers are those
        `request` holds: they are counted only while a request is pending, so they cannot have
        changed since."""
        assert request.status is not Status.PENDING and from_ is not Status.PENDING
        row = await self._transition(request.id, from_, to, event, actor_id, values, details)
        if row is None:
            return None
        return _snapshot(row, request.approvers, request.similar_to_number)

    async def _transition(
        self,
        request_id: int,
        from_: Status,
        to: Status,
        event: str,
        actor_id: str,
        values: dict[str, Any] | None,
        details: dict[str, Any],
    ) -> CreditRequest | None:
        values = dict(values or {})
        if to.is_final:
            values.setdefault("finished_at", utcnow())
        async with self._database.session() as session:
            row = await _move(session, request_id, from_, to, **values)
            if row is None:
                return None
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
        return row

    async def refuse_approval(self, request: RequestSnapshot, approver_id: str, why: str) -> None:
        """A click on Approve refused before counting, audited like one not counted."""
        async with self._database.session() as session:
            await audit.record(
                session,
                request.team_id,
                "approval_not_counted",
                approver_id,
                why=why,
                request_id=request.id,
                product=request.product.value,
                amount=request.amount,
            )

    async def withdraw_for_key(self, request: RequestSnapshot, from_: Status) -> bool:
        """`from_` (pending or approved) → cancelled, on the system's behalf: the product's key
        is no longer the one the request was made with. True if this call made the move."""
        return await self.transition(
            request.id,
            from_,
            Status.CANCELLED,
            "withdrawn",
            audit.SYSTEM,
            values={"details": {**request.details, "withdrawn": KEY_CHANGED}},
            why=KEY_CHANGED,
        )

    async def count_approval(
        self, request: RequestSnapshot, approver_id: str
    ) -> tuple[Click, RequestSnapshot | None]:
        """One click on Approve, in one transaction, audited as counted or not; with the
        request as the click left it when it was counted (None when not: read it again).

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
            row = await _move(session, request.id, Status.PENDING, Status.PENDING)
            if row is None:
                await audit.record(
                    session,
                    request.team_id,
                    "approval_not_counted",
                    approver_id,
                    why="already decided",
                    **facts,
                )
                return Click.LATE, None
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
                return Click.REPEATED, None
            approvers = tuple(
                (
                    await session.scalars(
                        select(RequestApproval.approver_id)
                        .where(RequestApproval.request_id == request.id)
                        .order_by(RequestApproval.approved_at, RequestApproval.id)
                    )
                ).all()
            )
            count = len(approvers)
            await audit.record(
                session,
                request.team_id,
                "approval_counted",
                approver_id,
                approvers=f"{count} of {request.approvals_needed}",
                **facts,
            )
            if count < request.approvals_needed:
                return Click.COUNTED, _snapshot(row, approvers, request.similar_to_number)
            # The row is ours until commit: this move cannot lose.
            moved = await _move(
                session, request.id, Status.PENDING, Status.APPROVED, decided_by=approver_id
            )
            assert moved is not None, "the request changed under its row lock"
            await audit.record(
                session, request.team_id, "approved", approver_id, approvers=count, **facts
            )
            return Click.COMPLETED, _snapshot(moved, approvers, request.similar_to_number)

    async def mark_undecidable(self, request: RequestSnapshot, note: str) -> None:
        """An unknown outcome the balances cannot settle: flagged for a person (no move)."""
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

    async def set_card(self, request_id: int, channel_id: str, ts: str) -> None:
        async with self._database.session() as session:
            await session.execute(
                update(CreditRequest)
                .where(CreditRequest.id == request_id)
                .values(card_channel_id=channel_id, card_ts=ts)
            )

    async def claim_card(self, request_id: int) -> bool:
        """Take the posting of a pending request's card: True for the one caller that took it
        (the asking process, or maintenance when that process died first)."""
        async with self._database.session() as session:
            result = await session.execute(
                update(CreditRequest)
                .where(
                    CreditRequest.id == request_id,
                    CreditRequest.status == Status.PENDING.value,
                    CreditRequest.card_claimed_at.is_(None),
                )
                .values(card_claimed_at=utcnow())
            )
            return bool(result.rowcount)

    async def card_unknown(self, request_id: int, channel_id: str) -> bool:
        """A post with no known outcome, its requester told (or about to be): the channel it
        went to, without a ts. True for the one caller that recorded it."""
        async with self._database.session() as session:
            result = await session.execute(
                update(CreditRequest)
                .where(
                    CreditRequest.id == request_id,
                    CreditRequest.status == Status.PENDING.value,
                    CreditRequest.card_channel_id.is_(None),
                    CreditRequest.card_ts.is_(None),
                )
                .values(card_channel_id=channel_id)
            )
            return bool(result.rowcount)

    async def cards_owed(self) -> list[CardOwed]:
        """Pending requests with no card and no known outcome of its post."""
        async with self._database.session() as session:
            rows = await session.execute(
                select(
                    CreditRequest.id,
                    CreditRequest.team_id,
                    CreditRequest.created_at,
                    CreditRequest.card_claimed_at,
                ).where(
                    CreditRequest.status == Status.PENDING.value,
                    CreditRequest.card_channel_id.is_(None),
                    CreditRequest.card_ts.is_(None),
                )
            )
            return [CardOwed(*row) for row in rows.all()]

    async def claim_telling(self, request_id: int, status: Status) -> bool:
        """Take the telling of `status` (the card redrawn, the requester's DM): True for the
        one caller that took it, while the request still is in `status`."""
        async with self._database.session() as session:
            result = await session.execute(
                update(CreditRequest)
                .where(
                    CreditRequest.id == request_id,
                    CreditRequest.status == status.value,
                    or_(
                        CreditRequest.told_status.is_(None),
                        CreditRequest.told_status != status.value,
                    ),
                )
                .values(told_status=status.value)
            )
            return bool(result.rowcount)

    async def untold(self, statuses: frozenset[Status], changed_before: datetime) -> list[int]:
        """Requests in one of `statuses` since before `changed_before`, that status not told."""
        return await self._ids(
            CreditRequest.status.in_([s.value for s in statuses]),
            or_(
                CreditRequest.told_status.is_(None),
                CreditRequest.told_status != CreditRequest.status,
            ),
            CreditRequest.updated_at <= changed_before,
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


async def _move(
    session: AsyncSession, request_id: int, from_: Status, to: Status, **values: Any
) -> CreditRequest | None:
    """The one way a status changes: conditional on the status it had. The row as the move
    left it (RETURNING: no second read) if we won, None if not."""
    return await session.scalar(
        update(CreditRequest)
        .where(CreditRequest.id == request_id, CreditRequest.status == from_.value)
        .values(status=to.value, updated_at=utcnow(), **values)
        .returning(CreditRequest)
        .execution_options(populate_existing=True)
    )


async def _route_now(
    session: AsyncSession, row: CreditRequest, facts: RequestFacts
) -> tuple[Policy, Route]:
    """The policy's route for `row`, read under the workspace's numbering lock (see `insert`)."""
    policy = await load_policy(session, row.team_id)
    if facts.amount is not None and policy.daily_auto_approve_cap is not None:
        used = await _auto_approved_since(
            session, row.team_id, row.requester_id, utcnow() - DAILY_CAP_WINDOW
        )
        facts = replace(facts, auto_approved_last_24h=used)
    return policy, decide_route(policy, facts)


async def _auto_approved_since(
    session: AsyncSession, team_id: str, requester_id: str, since: datetime
) -> Decimal:
    """What the requester had auto-approved since `since` that counts toward the daily cap."""
    used = await session.scalar(
        # Summed by the database in thousandths; the Money type brings it back exact.
        select(func.sum(CreditRequest.amount)).where(
            CreditRequest.team_id == team_id,
            CreditRequest.requester_id == requester_id,
            CreditRequest.auto_approved.is_(True),
            CreditRequest.created_at >= since,
            CreditRequest.status.in_([s.value for s in COUNTS_TOWARD_CAP]),
        )
    )
    return used if used is not None else Decimal(0)


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


async def _read(session: AsyncSession, *where: Any) -> RequestSnapshot | None:
    """The one request `where` names, with its approvers (`_read_all`)."""
    return next(iter((await _read_all(session, *where)).values()), None)


async def _read_all(session: AsyncSession, *where: Any) -> dict[int, RequestSnapshot]:
    """The requests `where` names by id, with their approvers in the same statement (one row
    per approval, outer-joined: one with none when it has none), and the numbers of the
    requests they resemble in one more: a list of fifty costs two statements, not fifty."""
    rows = (
        await session.execute(
            select(CreditRequest, RequestApproval.approver_id)
            .outerjoin(RequestApproval, RequestApproval.request_id == CreditRequest.id)
            .where(*where)
            .order_by(RequestApproval.approved_at, RequestApproval.id)
            .execution_options(populate_existing=True)
        )
    ).all()
    requests: dict[int, CreditRequest] = {}
    approvers: dict[int, list[str]] = {}
    for request, approver in rows:
        requests[request.id] = request
        if approver is not None:
            approvers.setdefault(request.id, []).append(approver)
    resembled = {r.similar_to for r in requests.values() if r.similar_to is not None}
    numbers: dict[tuple[int, str], int] = {}
    if resembled:
        found = await session.execute(
            select(CreditRequest.id, CreditRequest.team_id, CreditRequest.number).where(
                CreditRequest.id.in_(resembled)
            )
        )
        numbers = {(id_, team_id): number for id_, team_id, number in found}
    return {
        request_id: _snapshot(
            request,
            tuple(approvers.get(request_id, ())),
            # Only a request of the same workspace is named.
            numbers.get((request.similar_to, request.team_id))
            if request.similar_to is not None
            else None,
        )
        for request_id, request in requests.items()
    }


def _snapshot(
    row: CreditRequest, approvers: tuple[str, ...], similar_number: int | None
) -> RequestSnapshot:
    columns = {
        name: getattr(row, name)
        for name in RequestSnapshot.__dataclass_fields__
        if name not in ("product", "action", "status", "details", "approvers")
        and name != "similar_to_number"
    }
    return RequestSnapshot(
        **columns,
        product=Product(row.product),
        action=Action(row.action),
        status=Status(row.status),
        details=dict(row.details or {}),
        approvers=approvers,
        similar_to_number=similar_number,
    )
