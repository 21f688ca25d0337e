"""Main-account balances of every product a workspace has set up, read side by side."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.partner.client import PartnerClient
from bot.partner.errors import PartnerFailure
from bot.partner.models import Account, Product
from bot.services.errors import NotConfigured
from bot.services.partner_access import PartnerAccess


@dataclass(frozen=True, slots=True)
class BalanceReading:
    """One product's balance, or why it could not be read (one product down spoils no other)."""

    product: Product
    account: Account | None = None
    failure: PartnerFailure | None = None
    stale_age: float | None = None
    """Seconds since the vendor gave this figure, when it is an older one shown because the
    vendor may not be asked again yet (its rate limit is spent). None: read just now."""


async def read_balances(
    access: PartnerAccess, team_id: str, only: Product | None = None
) -> list[BalanceReading]:
    if only is not None:  # NotConfigured([only]) when it has no key
        clients = {only: await access.client(team_id, only, for_display=True)}
    else:
        # One read of the keys for every product, or none: only shown, so kept keys will do.
        clients = await access.clients(team_id, for_display=True)
    if not clients:
        raise NotConfigured(list(Product))
    return list(await asyncio.gather(*(_read(c, p) for p, c in clients.items())))


async def _read(client: PartnerClient, product: Product) -> BalanceReading:
    try:
        fetched = await client.fetch_me()
        return BalanceReading(
            product, account=fetched.value, stale_age=fetched.age if fetched.stale else None
        )
    except PartnerFailure as failure:
        return BalanceReading(product, failure=failure)
