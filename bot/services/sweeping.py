"""Freeze a subaccount, or sweep what is over its cap: its balance back to the main account.

Each pass is one removal through the request state machine (`Requests.sweep`: stored, then
executed exactly once; an unknown outcome reconciled from the balances, never tried blind).
A subaccount being drained spends while the removal is asked: the vendor refuses a removal
larger than the balance at the moment of the call, so each pass leaves what the subaccount
spends in `HEADROOM_SECONDS` at the rate seen between two readings, then reads again and
repeats while something is worth removing, at most `MAX_PASSES` times.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from decimal import Decimal

from bot.partner.errors import PartnerFailure
from bot.partner.models import Product, Subaccount
from bot.services.partner_access import PartnerAccess
from bot.services.requests import Requests
from bot.services.requests.model import RequestSnapshot, Status
from bot.services.subaccount_controls import (
    Control,
    SubaccountControls,
    plan_pass,
    spend_rate,
)
from bot.services.subaccounts import pick_subaccount

log = logging.getLogger(__name__)

MAX_PASSES = 3
HEADROOM_SECONDS = Decimal(1)
FREEZE = "freeze"
OVER_CAP = "over_cap"


@dataclass(frozen=True, slots=True)
class Swept:
    """What a freeze or a sweep did."""

    control: Control
    newly_frozen: bool
    removals: tuple[RequestSnapshot, ...]
    balance: Decimal | None
    """The subaccount's balance at the last reading (None: it could not be read)."""
    stopped: str = ""
    """Why the passes stopped early: "unknown" (an outcome the balances could not tell)."""
    errors: tuple[str, ...] = field(default=())

    @property
    def moved(self) -> Decimal:
        return sum(
            (r.amount or Decimal(0) for r in self.removals if r.status is Status.SUCCEEDED),
            Decimal(0),
        )


class Sweeping:
    def __init__(
        self, partner: PartnerAccess, requests: Requests, controls: SubaccountControls
    ) -> None:
        self._partner = partner
        self._requests = requests
        self._controls = controls

    async def find(self, team_id: str, product: Product, ref: str) -> Subaccount:
        client = await self._partner.subaccount_client(team_id, product)
        return pick_subaccount(await client.all_subaccounts(fresh=True), ref)

    async def freeze(self, team_id: str, product: Product, ref: str, actor_id: str) -> Swept:
        """Mark the subaccount frozen first (from then on every add is refused), then move
        its whole balance back. The caller checked `actor_id` may (an approver or admin)."""
        first = await self._read(team_id, product, ref)
        control, newly = await self._controls.freeze(
            team_id, product, first[0].token, first[0].email, actor_id
        )
        return await self._passes(control, newly, first, Decimal(0), actor_id, FREEZE)

    async def sweep_excess(
        self, team_id: str, product: Product, ref: str, actor_id: str
    ) -> Swept | None:
        """Remove what is over the subaccount's cap; None when it has no cap."""
        first = await self._read(team_id, product, ref)
        control = await self._controls.get(team_id, product, first[0].token)
        if control is None or control.cap is None:
            return None
        return await self._passes(control, False, first, control.cap, actor_id, OVER_CAP)

    async def _read(
        self, team_id: str, product: Product, ref: str
    ) -> tuple[Subaccount, float, str]:
        client = await self._partner.subaccount_client(team_id, product)
        found = pick_subaccount(await client.all_subaccounts(fresh=True), ref)
        return found, time.monotonic(), client.key_id

    async def _passes(
        self,
        control: Control,
        newly: bool,
        first: tuple[Subaccount, float, str],
        keep: Decimal,
        actor_id: str,
        why: str,
    ) -> Swept:
        team_id, product = control.team_id, control.product
        (before, read_at, key_id), removed = first, Decimal(0)
        balance: Decimal | None = before.balance
        removals: list[RequestSnapshot] = []
        stopped = ""
        for _ in range(MAX_PASSES):
            try:
                now, now_at, key_id = await self._read(team_id, product, before.token)
            except PartnerFailure as failure:
                log.warning("sweep of %s: balance not read: %s", control.email, failure)
                balance, stopped = None, "unread"
                break
            balance = now.balance
            rate = spend_rate(before.balance, now.balance, now_at - read_at, removed)
            amount = plan_pass(now.balance, keep, rate, HEADROOM_SECONDS)
            if amount is None:
                break
            done = await self._requests.sweep(team_id, product, now, amount, actor_id, why, key_id)
            removals.append(done)
            if done.status is Status.UNKNOWN:
                stopped = "unknown"  # never a second removal over one that may have run
                break
            removed = amount if done.status is Status.SUCCEEDED else Decimal(0)
            if done.subaccount_balance_after is not None:
                balance = done.subaccount_balance_after
            before, read_at = now, now_at
        return Swept(control, newly, tuple(removals), balance, stopped)
