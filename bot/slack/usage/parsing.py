"""`/partner [product] usage [YYYY-MM] [subaccount]` (French: `consommation`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.partner.models import Product
from bot.slack.commands import CommandError, shown
from bot.slack.usage import texts as text

_MONTH_LIKE = re.compile(r"^\d{4}-\d{1,2}$|^\d{1,2}/\d{4}$|^\d{4}/\d{1,2}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, slots=True)
class UsageStatement:
    products: tuple[Product, ...]
    month: date | None  # its first day; None: the current month
    subaccount: str | None


def parse_usage(product: Product | None, args: list[str]) -> UsageStatement:
    if product is Product.VOICE:
        raise CommandError(text.NO_SUBACCOUNTS)
    products = (product,) if product else (Product.SMS, Product.MAIL)
    month = None
    if args and _MONTH_LIKE.match(args[0]):
        month = parse_month(args.pop(0))
    if len(args) > 1:
        raise CommandError(text.USAGE)
    return UsageStatement(products, month, args[0] if args else None)


def parse_month(typed: str) -> date:
    """`2026-11` → 1 November 2026; anything else month-like is refused, saying how to write it."""
    found = _MONTH.match(typed)
    if found is None or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 2000:
        raise CommandError(text.NOT_A_MONTH.format(typed=shown(typed)))
    return date(int(found.group(1)), int(found.group(2)), 1)
