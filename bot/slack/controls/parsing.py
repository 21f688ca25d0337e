"""`/partner [product] freeze <subaccount>`, `unfreeze <subaccount>`, `cap <subaccount>
<amount>|off`, `cap list`. French: `geler`, `dégeler`, `plafond … aucun`, `plafond liste`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.partner.models import Product
from bot.slack.commands import CommandError, amount, word
from bot.slack.controls import texts as text

OFF_WORDS = frozenset({"off", "none", "aucun", "aucune", "retirer", "non"})
LIST_WORDS = frozenset({"list", "liste"})


@dataclass(frozen=True, slots=True)
class Freeze:
    product: Product
    ref: str


@dataclass(frozen=True, slots=True)
class Unfreeze:
    product: Product
    ref: str


@dataclass(frozen=True, slots=True)
class SetCap:
    product: Product
    ref: str
    cap: Decimal | None
    """None: remove the cap."""


@dataclass(frozen=True, slots=True)
class ListControls:
    product: Product | None


def _product(product: Product | None) -> Product:
    chosen = product or Product.SMS
    if not chosen.has_subaccounts:
        raise CommandError(text.NO_SUBACCOUNTS.format(product=chosen.label))
    return chosen


def parse_freeze(product: Product | None, args: list[str]) -> Freeze:
    if len(args) != 1:
        raise CommandError(text.FREEZE_USAGE)
    return Freeze(_product(product), args[0])


def parse_unfreeze(product: Product | None, args: list[str]) -> Unfreeze:
    if len(args) != 1:
        raise CommandError(text.UNFREEZE_USAGE)
    return Unfreeze(_product(product), args[0])


def parse_cap(product: Product | None, args: list[str]) -> SetCap | ListControls:
    if len(args) == 1 and word(args[0]) in LIST_WORDS:
        return ListControls(product)
    if len(args) < 2:
        raise CommandError(text.CAP_USAGE)
    ref, rest = args[0], args[1:]
    if len(rest) == 1 and word(rest[0]) in OFF_WORDS:
        return SetCap(_product(product), ref, None)
    # One amount may take several words ("1 000,50 €"); the amount rule refuses 0.
    return SetCap(_product(product), ref, amount(" ".join(rest), str(text.CAP_USAGE)))
