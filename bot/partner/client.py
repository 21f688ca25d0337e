"""Clients for SMS Partner, Mail Partner and Voice Partner, one object per product and API key.

They turn the vendor's JSON into the typed objects of `bot.partner.models`; all HTTP, retry
and error sorting lives in `transport`. A client is cheap: build one per call site from the
process's single `PartnerTransport`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import SecretStr
from yarl import URL

from bot.money import api_amount, validate_amount
from bot.partner import documents
from bot.partner.errors import Endpoint, PartnerOutcomeUnknown, PartnerUnavailable
from bot.partner.models import (
    Account,
    CreatedSubaccount,
    CreditMove,
    MailAccount,
    Product,
    SmsAccount,
    Subaccount,
    SubaccountPage,
    SubaccountType,
    VoiceAccount,
)
from bot.partner.page_walk import walk_pages
from bot.partner.transport import (
    PartnerRequest,
    PartnerTransport,
    PathNotServed,
    fingerprint,
    key_id,
)

T = TypeVar("T")

DEFAULT_BASE_URLS: Mapping[Product, str] = {
    Product.SMS: "https://api.smspartner.fr/v1",
    Product.MAIL: "https://api.mailpartner.fr/v1",
    Product.VOICE: "https://api.voicepartner.fr/v1",
}

VOICE_ME_RATE_LIMIT = (5, 60.0)
"""Voice Partner documents 5 `/me` requests a minute per key."""


@dataclass(frozen=True, slots=True)
class Fetched(Generic[T]):
    """A value read from the vendor, and how old the answer behind it is."""

    value: T
    age: float = 0.0
    """Seconds since the vendor gave the answer (a display read may be a few seconds old)."""
    stale: bool = False
    """Older than a display read may be: shown only because the vendor may not be asked now
    (its rate limit is spent). Whoever shows it must show its age."""


class PartnerClient:
    """What every product offers: its main account's balance."""

    product: ClassVar[Product]

    def __init__(
        self,
        transport: PartnerTransport,
        api_key: SecretStr | str,
        base_url: str | None = None,
    ) -> None:
        self._transport = transport
        self._api_key = api_key if isinstance(api_key, SecretStr) else SecretStr(api_key)
        self.base_url = (base_url or DEFAULT_BASE_URLS[self.product]).rstrip("/")

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, "
            f"api_key={fingerprint(self._api_key)!r})"
        )

    @property
    def key_id(self) -> str:
        """Which key this client calls with (a hash, never the key)."""
        return key_id(self._api_key)

    async def me(self, *, fresh: bool = False) -> Account:
        """The main account. `fresh=True` for money decisions: never a cached or shared answer."""
        return (await self.fetch_me(fresh=fresh)).value

    async def fetch_me(self, *, fresh: bool = False) -> Fetched[Account]:
        raise NotImplementedError

    def _url(self, *parts: str) -> str:
        url = URL(self.base_url)
        for part in parts:
            url = url / part
        return str(url)

    def _get_request(
        self,
        endpoint: Endpoint,
        *,
        query: Mapping[str, str] | None = None,
        url: str | None = None,
        rate_limit: tuple[int, float] | None = None,
        key_in_path: bool = False,
    ) -> PartnerRequest:
        key_query = {} if key_in_path else {"apiKey": self._api_key.get_secret_value()}
        return PartnerRequest(
            product=self.product,
            method="GET",
            endpoint=endpoint,
            url=url or self._url(endpoint.lstrip("/")),
            api_key=self._api_key,
            query={**key_query, **(query or {})},
            rate_limit=rate_limit,
        )

    async def _send(
        self, method: str, endpoint: Endpoint, body: Mapping[str, Any]
    ) -> dict[str, Any]:
        return await self._transport.call(
            PartnerRequest(
                product=self.product,
                method=method,
                endpoint=endpoint,
                url=self._url(endpoint.lstrip("/")),
                api_key=self._api_key,
                body={"apiKey": self._api_key.get_secret_value(), **body},
            )
        )

    def _garbled(self, endpoint: Endpoint, problem: documents.Malformed) -> PartnerUnavailable:
        return PartnerUnavailable(
            self.product, endpoint, f"the answer did not have the documented shape ({problem})"
        )


class SubaccountClient(PartnerClient):
    """SMS and Mail Partner share the subaccount endpoints and their shapes."""

    async def list_subaccounts(self, page: int = 1, *, fresh: bool = False) -> SubaccountPage:
        if page < 1:
            raise ValueError("pages start at 1")
        served = await self._transport.read(
            self._get_request(Endpoint.SUBACCOUNT_LIST, query={"page": str(page)}), fresh=fresh
        )
        try:
            return documents.subaccount_page(served.document)
        except documents.Malformed as problem:
            raise self._garbled(Endpoint.SUBACCOUNT_LIST, problem) from None

    async def all_subaccounts(self, *, fresh: bool = False) -> list[Subaccount]:
        """Every subaccount, every page read (`bot.partner.page_walk`: the pages the account
        had at its last walk are asked for beside page 1)."""
        seen, key = self._transport.pages_seen, self.key_id
        found, pages = await walk_pages(
            lambda number: self.list_subaccounts(number, fresh=fresh),
            pages_seen=seen.get(key),
            ahead_at_most=self._transport.per_key_concurrency,
            fault=self._paging_fault,
        )
        seen.put(key, pages)
        return found

    async def create_subaccount(
        self,
        kind: SubaccountType | str,
        *,
        email: str | None = None,
        is_buyer: bool | None = None,
        credit: Decimal | None = None,
        title: str | None = None,
        firstname: str | None = None,
        lastname: str | None = None,
    ) -> CreatedSubaccount:
        """Create a `simple` or `advanced` subaccount and return its token.

        `credit` (creditToAttribute) is taken from the main account.
        """
        kind = SubaccountType(kind)
        parameters: dict[str, Any] = {}
        if kind is SubaccountType.ADVANCED:
            if not email:
                raise ValueError("An advanced subaccount needs an email address.")
            # Sent even when false: the vendor treats a missing isBuyer as an error (code 3).
            parameters["isBuyer"] = 1 if is_buyer else 0
        elif is_buyer is not None:
            parameters["isBuyer"] = 1 if is_buyer else 0
        if email:
            parameters["email"] = email
        if credit is not None:
            parameters["creditToAttribute"] = api_amount(validate_amount(credit))
        for name, value in (("title", title), ("firstname", firstname), ("lastname", lastname)):
            if value:
                parameters[name] = value
        document = await self._send(
            "POST",
            Endpoint.SUBACCOUNT_CREATE,
            {"type": kind.value, "parameters": parameters},
        )
        created = document.get("subaccount")
        if not isinstance(created, dict) or not created.get("token"):
            # The vendor said yes, so the subaccount exists, but we cannot name it.
            raise PartnerOutcomeUnknown(
                self.product,
                Endpoint.SUBACCOUNT_CREATE,
                "the subaccount was created but the answer did not give its token",
            )
        return CreatedSubaccount(
            email=str(created.get("email") or email or ""),
            token=str(created["token"]),
            confirmation_sent_to=documents.optional_str(document.get("sendConfirmMailTo")),
            parent_email=documents.optional_str(document.get("parent_email")),
        )

    async def add_credit(self, token: str, amount: Decimal) -> CreditMove:
        """Move `amount` EUR from the main account to the subaccount. Never retried."""
        return await self._move_credit(Endpoint.CREDIT_ADD, token, amount)

    async def remove_credit(self, token: str, amount: Decimal) -> CreditMove:
        """Move `amount` EUR from the subaccount back to the main account. Never retried."""
        return await self._move_credit(Endpoint.CREDIT_REMOVE, token, amount)

    async def _move_credit(self, endpoint: Endpoint, token: str, amount: Decimal) -> CreditMove:
        amount = validate_amount(amount)
        if not token:
            raise ValueError("A subaccount token is required.")
        document = await self._send(
            "POST", endpoint, {"credit": api_amount(amount), "tokenSubaccount": token}
        )
        # The move is done once the vendor says success; balances we cannot read are reported
        # as unknown rather than turning a completed move into an error.
        return CreditMove(
            main_balance=documents.optional_amount(document.get("credit")),
            subaccount_balance=documents.optional_amount(document.get("subaccountCredit")),
            currency=documents.currency(document.get("currency")),
        )

    async def delete_subaccount(self, token: str) -> None:
        """Delete a subaccount. Uses `/subaccount/delete`, or `/subaccount/remove` where the
        server does not serve the first path (HTTP 404/405 for the route, not a vendor error).
        """
        if not token:
            raise ValueError("A subaccount token is required.")
        try:
            await self._send("DELETE", Endpoint.SUBACCOUNT_DELETE, {"token": token})
        except PathNotServed:
            await self._send("DELETE", Endpoint.SUBACCOUNT_REMOVE, {"token": token})

    def _paging_fault(self, detail: str) -> PartnerUnavailable:
        return PartnerUnavailable(
            self.product, Endpoint.SUBACCOUNT_LIST, f"the server pages inconsistently: {detail}"
        )


class SmsClient(SubaccountClient):
    product = Product.SMS

    async def fetch_me(self, *, fresh: bool = False) -> Fetched[Account]:
        served = await self._transport.read(self._get_request(Endpoint.ME), fresh=fresh)
        document = served.document
        try:
            credits = documents.json_object(document, "credits")
            eco = credits.get("creditSmsECO", credits.get("creditSmsLowCost", 0))
            account = SmsAccount(
                user=documents.account_user(document),
                balance=documents.amount(credits, "balance"),
                currency=documents.currency(credits.get("currency")),
                credit_sms=documents.count(credits.get("creditSms", 0)),
                credit_sms_eco=documents.count(eco),
                credit_hlr=documents.count(credits.get("creditHlr", 0)),
                to_send=documents.count(credits.get("toSend", 0)),
            )
        except documents.Malformed as problem:
            raise self._garbled(Endpoint.ME, problem) from None
        return Fetched(account, served.age, served.stale)


class MailClient(SubaccountClient):
    product = Product.MAIL

    async def fetch_me(self, *, fresh: bool = False) -> Fetched[Account]:
        served = await self._transport.read(self._get_request(Endpoint.ME), fresh=fresh)
        document = served.document
        try:
            credits = documents.json_object(document, "credits")
            account = MailAccount(
                user=documents.account_user(document),
                balance=documents.amount(credits, "balance"),
                currency=documents.currency(credits.get("currency")),
                credit_mail=documents.count(credits.get("creditMail", 0)),
            )
        except documents.Malformed as problem:
            raise self._garbled(Endpoint.ME, problem) from None
        return Fetched(account, served.age, served.stale)


class VoiceClient(PartnerClient):
    product = Product.VOICE

    async def fetch_me(self, *, fresh: bool = False) -> Fetched[Account]:
        # Every vendor example puts the key in the path (the page header says query string).
        request = self._get_request(
            Endpoint.ME,
            url=self._url("me", self._api_key.get_secret_value()),
            rate_limit=VOICE_ME_RATE_LIMIT,
            key_in_path=True,
        )
        served = await self._transport.read(request, fresh=fresh)
        document = served.document
        try:
            details = document.get("details") or {}
            if not isinstance(details, dict):
                raise documents.Malformed("details is not an object")
            voice = details.get("voice") or {}
            account = VoiceAccount(
                balance=documents.amount(document, "credit"),
                currency=documents.currency(document.get("currency")),
                tts=documents.duration(details.get("tts")),
                tts_fixe=documents.duration(details.get("tts_fixe")),
                voice_messages=documents.count(voice["message"]) if "message" in voice else None,
            )
        except documents.Malformed as problem:
            raise self._garbled(Endpoint.ME, problem) from None
        return Fetched(account, served.age, served.stale)


CLIENTS: Mapping[Product, type[PartnerClient]] = {
    Product.SMS: SmsClient,
    Product.MAIL: MailClient,
    Product.VOICE: VoiceClient,
}


def client_for(
    product: Product,
    transport: PartnerTransport,
    api_key: SecretStr | str,
    base_url: str | None = None,
) -> PartnerClient:
    return CLIENTS[product](transport, api_key, base_url)
