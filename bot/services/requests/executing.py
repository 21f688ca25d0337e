"""Executing: carrying out an approved request with one vendor call, made only by whoever wins
`approved → executing`. When its outcome is unknown nothing is retried (see reconciling)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from bot.clock import utcnow
from bot.money import format_money
from bot.partner.client import SubaccountClient
from bot.partner.errors import (
    PartnerError,
    PartnerFailure,
    PartnerOutcomeUnknown,
    PartnerUnavailable,
)
from bot.partner.models import Subaccount, SubaccountType
from bot.services import audit
from bot.services.errors import NotConfigured, NotFound
from bot.services.partner_access import PartnerAccess
from bot.services.requests.guarded import refused_at_call
from bot.services.requests.model import Action, RequestSnapshot, Status
from bot.services.requests.store import RequestStore
from bot.services.subaccount_controls import SubaccountControls

log = logging.getLogger(__name__)


class Executing:
    def __init__(
        self,
        store: RequestStore,
        partner: PartnerAccess,
        reconcile: Callable[[int], Awaitable[RequestSnapshot]],
        controls: SubaccountControls,
    ) -> None:
        self._store = store
        self._controls = controls
        self._partner = partner
        self._reconcile = reconcile

    async def execute(self, request_id: int) -> RequestSnapshot:
        """Carry out an approved request: re-check the balances, then call the vendor once.

        Safe to call from any number of places at once: only the caller that wins
        `approved → executing` calls the vendor; the others get the request as it stands.
        An unknown outcome is reconciled from the balances at once, never by calling again.
        """
        return await self.carry_out(await self._store.get(request_id))

    async def carry_out(self, request: RequestSnapshot) -> RequestSnapshot:
        """`execute` with the request as its caller has just read it (or made it): not read
        again. Read before another process moved it, it is only as stale as any read: the
        move `approved → executing` still decides who calls the vendor."""
        request_id = request.id
        if request.status is not Status.APPROVED:
            return request
        product = request.product
        try:
            client = await self._partner.subaccount_client(request.team_id, product)
        except NotConfigured:
            if request.key_id is None:
                raise
            client = None  # the key it was made with is gone (an uninstall)
        if request.key_id is not None and (client is None or client.key_id != request.key_id):
            # Another key may be another vendor account: approvers approved a move in the
            # account the request was read from, so it runs there or nowhere.
            return await self._withdraw_for_key(request)
        assert client is not None
        try:
            main, subaccount = await self._read_balances(client, request)
        except (PartnerFailure, NotFound) as problem:
            return await self._fail_before_call(request, describe(problem))
        refusal = insufficient(request, main, subaccount)
        if refusal:
            return await self._fail_before_call(request, refusal)
        if request.action is Action.CREDIT_ADD and subaccount is not None:
            # Frozen or capped since it was asked (or asked by a path that did not check):
            # the last word before the money moves.
            assert request.amount is not None
            blocked = await self._controls.add_refusal(
                request.team_id, product, subaccount.token, subaccount.balance, request.amount
            )
            if blocked is not None:
                return await self._fail_before_call(request, refused_at_call(blocked))

        executing = await self._store.advance(
            request,
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
        if executing is None:
            return await self._store.get(request_id)
        # From here the vendor call is ours alone, and is made exactly once.
        try:
            values = await self._call_vendor(client, request)
        except PartnerOutcomeUnknown as unknown:
            await self._finish(executing, Status.UNKNOWN, outcome_note=describe(unknown))
            return await self._reconcile(request_id)
        except (PartnerError, PartnerUnavailable) as failure:
            return await self._finish(executing, Status.FAILED, outcome_note=describe(failure))
        return await self._finish(executing, Status.SUCCEEDED, **values)

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

    async def _withdraw_for_key(self, request: RequestSnapshot) -> RequestSnapshot:
        await self._store.withdraw_for_key(request, Status.APPROVED)
        return await self._store.get(request.id)

    async def _fail_before_call(self, request: RequestSnapshot, note: str) -> RequestSnapshot:
        failed = await self._store.advance(
            request,
            Status.APPROVED,
            Status.FAILED,
            "failed_before_vendor_call",
            audit.SYSTEM,
            values={"outcome_note": note},
            note=note,
        )
        return failed or await self._store.get(request.id)

    async def _finish(self, request: RequestSnapshot, to: Status, **values: Any) -> RequestSnapshot:
        finished = await self._store.advance(
            request,
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
        return finished or await self._store.get(request.id)


def insufficient(
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


def describe(problem: BaseException) -> str:
    if isinstance(problem, PartnerError):
        return problem.explanation + (
            f" ({problem.vendor_message})" if problem.vendor_message else ""
        )
    if isinstance(problem, PartnerFailure):
        return problem.detail
    return str(problem)
