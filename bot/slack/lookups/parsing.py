"""`/partner help`, `balance`, `subaccounts [search]`, `subaccount <ref>`: what anyone may read."""

from __future__ import annotations

from dataclasses import dataclass

from bot.partner.models import Product
from bot.slack.commands import MAX_SEARCH, CommandError
from bot.slack.texts import help as text


@dataclass(frozen=True, slots=True)
class Help:
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class Balance:
    product: Product | None = None


@dataclass(frozen=True, slots=True)
class ListSubaccounts:
    product: Product
    search: str = ""


@dataclass(frozen=True, slots=True)
class ShowSubaccount:
    product: Product
    ref: str


def parse_help(_product: Product | None, args: list[str]) -> Help:
    return Help(args[0].lower() if args else None)


def parse_balance(product: Product | None, args: list[str]) -> Balance:
    """Every product, or one: `/partner mail balance` or `/partner balance mail`."""
    if product is None and len(args) == 1 and args[0].lower() in set(Product):
        product = Product(args[0].lower())
    elif args:
        raise CommandError(text.BALANCE_ARGS)
    return Balance(product)


def parse_subaccounts(product: Product | None, args: list[str]) -> ListSubaccounts:
    return ListSubaccounts(product or Product.SMS, " ".join(args)[:MAX_SEARCH])


def parse_subaccount(product: Product | None, args: list[str]) -> ShowSubaccount:
    if not args:
        raise CommandError(text.SUBACCOUNT_NEEDS_REF)
    return ShowSubaccount(product or Product.SMS, " ".join(args)[:MAX_SEARCH])
