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
    # The month where it is typed: `usage a@b.co 2026-11` is as clear as the other order.
    months = [a for a in args if _MONTH_LIKE.match(a)]
    if len(months) > 1:
        raise CommandError(text.USAGE)
    month = parse_month(months[0]) if months else None
    args = [a for a in args if not _MONTH_LIKE.match(a)]
    if len(args) > 1:
        raise CommandError(text.USAGE)
    return UsageStatement(products, month, args[0] if args else None)


def parse_month(typed: str) -> date:
    """`2026-11` → 1 November 2026; anything else month-like is refused, saying how to write it."""
    found = _MONTH.match(typed)
    if found is None or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 2000:
        raise CommandError(text.NOT_A_MONTH.format(typed=shown(typed)))
    return date(int(found.group(1)), int(found.group(2)), 1)
