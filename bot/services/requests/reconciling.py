"""When nobody knows what happened: an unknown outcome is decided from the live balances, never
by calling the vendor again, or left to an approver to mark; requests a dead process left
behind are picked up."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from bot.clock import utcnow
from bot.money import format_money
from bot.partner.errors import PartnerFailure
from bot.partner.models import Subaccount
from bot.services import audit
from bot.services.errors import ServiceError
from bot.services.partner_access import PartnerAccess
from bot.services.requests.executing import describe
from bot.services.requests.model import NOTHING_MOVED, Action, RequestSnapshot, Status
from bot.services.requests.store import RequestStore


class Reconciling:
    def __init__(
        self, store: RequestStore, partner: PartnerAccess, lease: timedelta, settle: timedelta
    ) -> None:
        self._store = store
        self._partner = partner
        self.lease = lease
        """How long a request may sit in `executing` before its process is presumed dead.
        Longer than any vendor call can take (the client's total timeout)."""
        self.settle = settle
        """After an unknown outcome, how long to wait before "nothing changed" counts as
        proof that nothing will: the vendor may still be working on a request we gave up on."""

    async def reconcile(self, request_id: int) -> RequestSnapshot:
        """Decide an unknown outcome from the evidence, never by calling the vendor again."""
        request = await self._store.get(request_id)
        if request.status is not Status.UNKNOWN:
            return request
        try:
            client = await self._partner.subaccount_client(request.team_id, request.product)
            subaccounts = await client.all_subaccounts(fresh=True)
        except (PartnerFailure, ServiceError) as problem:
            return await self._undecidable(
                request, f"the balances could not be read to find out ({describe(problem)})"
            )
        verdict, note, values = judge(request, subaccounts)
        if verdict is None:
            return await self._undecidable(request, note)
        if verdict is Status.FAILED and not self._settled(request):
            # "Nothing changed" is only evidence once the vendor has had time to finish what
            # it may still be doing: look again later (see reconcile_due).
            return request
        if verdict is Status.FAILED:
            # Said in a field of its own: a recurring run then tries its period again, where a
            # move the vendor refused fails it (bot.services.recurring.running).
            values["details"] = {**request.details, "reconciled": NOTHING_MOVED}
        await self._store.transition(
            request_id,
            Status.UNKNOWN,
            verdict,
            f"reconciled_{verdict.value}",
            audit.SYSTEM,
            values={"outcome_note": note, **values},
            note=note,
        )
        return await self._store.get(request_id)

    def _settled(self, request: RequestSnapshot) -> bool:
        since = request.executing_since
        return since is None or utcnow() - since >= self.settle

    async def reconcile_due(self) -> list[RequestSnapshot]:
        """Unknown outcomes whose settle time has passed, reconciled; returns those decided."""
        unknown = await self._store.executing_since_before(utcnow() - self.settle, Status.UNKNOWN)
        decided = []
        for request_id in unknown:
            request = await self._store.get(request_id)
            if request.needs_a_person:
                continue
            after = await self.reconcile(request_id)
            if after.status is not Status.UNKNOWN or after.needs_a_person:
                decided.append(after)
        return decided

    async def _undecidable(self, request: RequestSnapshot, note: str) -> RequestSnapshot:
        await self._store.mark_undecidable(request, note)
        return await self._store.get(request.id)

    async def recover_abandoned(
        self, execute: Callable[[int], Awaitable[RequestSnapshot]]
    ) -> list[RequestSnapshot]:
        """Requests a process that died left behind, returned once settled here:
        - `approved` for longer than the lease (it died between the deciding click and the
          vendor call): carried out now — `execute` lets one caller make the call;
        - `executing` for longer than the lease: unknown, then reconciled from the balances."""
        cutoff = utcnow() - self.lease
        approved = await self._store.approved_before(cutoff)
        stuck = await self._store.executing_since_before(cutoff, Status.EXECUTING)
        resumed = [await execute(request_id) for request_id in approved]
        note = "the process carrying it out stopped before the answer came"
        reconciled = [
            await self.reconcile(request_id)
            for request_id in stuck
            if await self._store.transition(
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


def judge(
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
