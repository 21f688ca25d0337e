"""`/partner credit add|remove`, `subaccount create|delete`, `approvals`, `requests`: asking
for money moves and subaccounts, and the lists of what was asked; `approve|reject <n>`:
deciding one by its number."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.partner.models import Product
from bot.slack.commands import CommandError, amount, later, reason, shown, take_amount
from bot.slack.minted import LARGEST_RECORD_NUMBER
from bot.slack.texts import help as text


@dataclass(frozen=True, slots=True)
class CreditMove:
    product: Product
    add: bool
    ref: str
    amount: Decimal
    reason: str | None


@dataclass(frozen=True, slots=True)
class CreateSubaccount:
    product: Product


@dataclass(frozen=True, slots=True)
class DeleteSubaccount:
    product: Product
    ref: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class PendingApprovals:
    pass


@dataclass(frozen=True, slots=True)
class MyRequests:
    pass


@dataclass(frozen=True, slots=True)
class Decide:
    """`approve <n>` (no reason) or `reject <n> <reason…>`."""

    number: int
    reason: str | None = None


def parse_credit_add(product: Product | None, args: list[str]) -> CreditMove:
    return _credit(product, args, add=True)


def parse_credit_remove(product: Product | None, args: list[str]) -> CreditMove:
    return _credit(product, args, add=False)


def refuse_credit(_product: Product | None, _args: list[str]) -> CreditMove:
    """`credit` without `add` or `remove`: say how to write it."""
    raise CommandError(text.CREDIT_USAGE)


def _credit(product: Product | None, args: list[str], *, add: bool) -> CreditMove:
    """`<subaccount> <amount> [reason…]`, the amount possibly in several words (`1 000,50 €`)."""
    if len(args) < 2:
        raise CommandError(text.CREDIT_USAGE)
    amount_words, reason_words = take_amount(args[1:], text.CREDIT_USAGE)
    moved = amount(" ".join(amount_words), text.CREDIT_USAGE)
    return CreditMove(product or Product.SMS, add, args[0], moved, reason(reason_words))


def parse_create_subaccount(product: Product | None, _args: list[str]) -> CreateSubaccount:
    return CreateSubaccount(product or Product.SMS)


def parse_delete_subaccount(product: Product | None, args: list[str]) -> DeleteSubaccount:
    if not args:
        raise CommandError(text.DELETE_NEEDS_REF)
    return DeleteSubaccount(product or Product.SMS, args[0], reason(args[1:]))


def parse_approvals(_product: Product | None, _args: list[str]) -> PendingApprovals:
    return PendingApprovals()


def parse_requests(_product: Product | None, _args: list[str]) -> MyRequests:
    return MyRequests()


def parse_approve(_product: Product | None, args: list[str]) -> Decide:
    if len(args) != 1:
        raise CommandError(text.APPROVE_NEEDS_NUMBER)
    return Decide(_number(args[0]))


def parse_reject(_product: Product | None, args: list[str]) -> Decide:
    if not args:
        raise CommandError(text.REJECT_NEEDS_NUMBER)
    number = _number(args[0])
    said = reason(args[1:])
    if said is None:
        # A rejection always says why: the requester reads it.
        raise CommandError(later(lambda: text.REJECT_NEEDS_REASON.format(id=number)))
    return Decide(number, said)


def _number(word: str) -> int:
    """`3` or `#3`, as the cards and lists show it."""
    digits = word.removeprefix("#")
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 10) or not (
        1 <= int(digits) <= LARGEST_RECORD_NUMBER
    ):
        typed = shown(word)
        raise CommandError(later(lambda: text.NOT_A_REQUEST_NUMBER.format(typed=typed)))
    return int(digits)
