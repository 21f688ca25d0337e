"""A workspace's way to the vendor: its keys plus the process's one transport."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import SecretStr

from bot.partner.client import PartnerClient, SubaccountClient, client_for
from bot.partner.keys import key_id
from bot.partner.models import Account, Product
from bot.partner.transport import PartnerTransport
from bot.services.errors import NotConfigured, ServiceError
from bot.services.partner_keys import PartnerKeys


class NoSubaccounts(ServiceError):
    """The product has no subaccounts (Voice Partner)."""

    def __init__(self, product: Product) -> None:
        self.product = product
        super().__init__(f"{product.value} has no subaccounts")


class PartnerAccess:
    def __init__(
        self,
        keys: PartnerKeys,
        transport: PartnerTransport,
        base_urls: Mapping[Product, str],
    ) -> None:
        self.keys = keys
        self._transport = transport
        self._base_urls = dict(base_urls)

    def client_with(self, product: Product, api_key: SecretStr | str) -> PartnerClient:
        return client_for(product, self._transport, api_key, self._base_urls.get(product))

    async def client(
        self, team_id: str, product: Product, *, for_display: bool = False
    ) -> PartnerClient:
        """`for_display`: the call only reads what is shown (a balance, a subaccount list, a
        digest, whose reading is also kept as history), and may use keys kept in memory
        (PartnerKeys.kept_keys) instead of reading the row; what moves money or decides
        anything always reads it."""
        if for_display:
            key = (await self.keys.kept_keys(team_id)).get(product)
        else:
            key = await self.keys.key(team_id, product)
        if key is None:
            raise NotConfigured([product])
        return self.client_with(product, key)

    async def clients(
        self, team_id: str, *, for_display: bool = False
    ) -> dict[Product, PartnerClient]:
        """A client for each product the workspace has set up (as `configured_products` lists
        them), from one read of its keys (`for_display`: as `client`)."""
        if for_display:
            keys = await self.keys.kept_keys(team_id)
        else:
            keys = await self.keys.keys(team_id)
        return {product: self.client_with(product, key) for product, key in keys.items()}

    async def key_id(self, team_id: str, product: Product) -> str | None:
        """Which key the workspace's `product` calls with now (a hash; None: no key)."""
        key = await self.keys.key(team_id, product)
        return key_id(key) if key is not None else None

    async def subaccount_client(
        self, team_id: str, product: Product, *, for_display: bool = False
    ) -> SubaccountClient:
        if not product.has_subaccounts:
            raise NoSubaccounts(product)
        client = await self.client(team_id, product, for_display=for_display)
        assert isinstance(client, SubaccountClient)
        return client

    async def configured_products(self, team_id: str) -> list[Product]:
        return list(await self.keys.statuses(team_id))

    async def check_key(self, product: Product, api_key: str) -> Account:
        """Read the main account with a candidate key; raises the vendor's error if it is bad."""
        return await self.client_with(product, api_key).me()
