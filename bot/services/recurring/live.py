"""The balances one pass of the recurring runner reads (bot.services.recurring.running): once
per workspace and product, fresh from the vendor, however many series they serve."""

from __future__ import annotations

from decimal import Decimal

from bot.partner.models import Product, Subaccount
from bot.services.partner_access import PartnerAccess


class Live:
    """The balances one pass reads, once per workspace and product."""

    def __init__(self, partner: PartnerAccess) -> None:
        self._partner = partner
        self._read: dict[tuple[str, Product], tuple[Decimal, dict[str, Subaccount], str]] = {}

    async def of(
        self, team_id: str, product: Product
    ) -> tuple[Decimal, dict[str, Subaccount], str]:
        key = (team_id, product)
        if key not in self._read:
            client = await self._partner.subaccount_client(team_id, product)
            main = (await client.me(fresh=True)).balance
            subaccounts = await client.all_subaccounts(fresh=True)
            self._read[key] = (main, {s.token: s for s in subaccounts}, client.key_id)
        return self._read[key]
