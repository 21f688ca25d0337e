"""Typed views of what the Partner APIs answer.

These objects are what the rest of Partner Ops sees of the vendor. They never carry a
subaccount's own API key: `subaccount/list` returns one per row and the client drops it
while parsing, so no later layer can show or log it by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class Product(StrEnum):
    SMS = "sms"
    MAIL = "mail"
    VOICE = "voice"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def has_subaccounts(self) -> bool:
        return self is not Product.VOICE


_LABELS = {
    Product.SMS: "SMS Partner",
    Product.MAIL: "Mail Partner",
    Product.VOICE: "Voice Partner",
}


class SubaccountType(StrEnum):
    SIMPLE = "simple"
    ADVANCED = "advanced"


@dataclass(frozen=True, slots=True)
class AccountUser:
    username: str
    firstname: str | None = None
    lastname: str | None = None


@dataclass(frozen=True, slots=True)
class SmsAccount:
    """`GET /me` on SMS Partner: the main account's balance and what it buys."""

    user: AccountUser
    balance: Decimal
    currency: str
    credit_sms: int
    credit_sms_eco: int
    credit_hlr: int
    to_send: int
    product: Product = field(default=Product.SMS, init=False)


@dataclass(frozen=True, slots=True)
class MailAccount:
    """`GET /me` on Mail Partner."""

    user: AccountUser
    balance: Decimal
    currency: str
    credit_mail: int
    product: Product = field(default=Product.MAIL, init=False)


@dataclass(frozen=True, slots=True)
class VoiceDuration:
    hours: int
    minutes: int
    seconds: int


@dataclass(frozen=True, slots=True)
class VoiceAccount:
    """`GET /me/{apiKey}` on Voice Partner: a different shape (no `code`, credit as text)."""

    balance: Decimal
    currency: str
    tts: VoiceDuration | None
    tts_fixe: VoiceDuration | None
    voice_messages: int | None
    product: Product = field(default=Product.VOICE, init=False)


Account = SmsAccount | MailAccount | VoiceAccount


@dataclass(frozen=True, slots=True)
class Subaccount:
    """One row of `subaccount/list`, without the subaccount's API key."""

    id: int
    email: str
    type: str
    token: str
    created_at: datetime | None
    balance: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class SubaccountPage:
    page: int
    nb_per_page: int
    total: int
    items: tuple[Subaccount, ...]

    @property
    def is_last(self) -> bool:
        return self.page * self.nb_per_page >= self.total


@dataclass(frozen=True, slots=True)
class CreatedSubaccount:
    email: str
    token: str
    confirmation_sent_to: str | None
    parent_email: str | None


@dataclass(frozen=True, slots=True)
class CreditMove:
    """Balances the vendor reports right after a credit add/remove."""

    main_balance: Decimal | None
    subaccount_balance: Decimal | None
    currency: str
