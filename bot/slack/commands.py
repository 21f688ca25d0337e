"""`/partner …` text → one small typed command, or a `CommandError` with a helpful message.

Grammar: `/partner [sms|mail|voice] <subcommand> [arguments]`. The product word is optional
(default SMS, or every product for `balance`).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from bot.partner.models import Product
from bot.slack.blocks import escape
from bot.slack.texts import help as text

MAX_SEARCH = 200


@dataclass(frozen=True, slots=True)
class Help:
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class Setup:
    pass


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


Command = Help | Setup | Balance | ListSubaccounts | ShowSubaccount

SUBCOMMANDS = ("help", "setup", "balance", "subaccounts", "subaccount")


class CommandError(Exception):
    """The text is not a command we understand; `message` says what to type instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_command(raw: str) -> Command:
    words = raw.split()
    product: Product | None = None
    if words and words[0].lower() in Product.__members__.values():
        product = Product(words.pop(0).lower())
    if not words:
        return Balance(product) if product else Help()
    name, args = words[0].lower(), words[1:]
    rest = " ".join(args)

    match name:
        case "help" | "?":
            return Help(args[0].lower() if args else None)
        case "setup":
            return Setup()
        case "balance" | "balances":
            if product is None and len(args) == 1 and args[0].lower() in set(Product):
                product = Product(args[0].lower())
            elif args:
                raise CommandError(text.BALANCE_ARGS)
            return Balance(product)
        case "subaccounts":
            return ListSubaccounts(product or Product.SMS, rest[:MAX_SEARCH])
        case "subaccount":
            if not args:
                raise CommandError(text.SUBACCOUNT_NEEDS_REF)
            return ShowSubaccount(product or Product.SMS, rest[:MAX_SEARCH])
    if args and args[0].lower() in SUBCOMMANDS:
        raise CommandError(text.UNKNOWN_PRODUCT.format(name=_shown(name)))
    raise CommandError(unknown_subcommand(name))


def _shown(word: str) -> str:
    """A word of the user's, fit to echo in mrkdwn inside backticks."""
    word = word.replace("`", "'")
    return escape(word if len(word) <= 40 else word[:40] + "…")


def unknown_subcommand(name: str) -> str:
    close = difflib.get_close_matches(name.lower(), SUBCOMMANDS, n=1, cutoff=0.5)
    message = text.UNKNOWN_SUBCOMMAND.format(name=_shown(name))
    if close:
        message += text.DID_YOU_MEAN.format(suggestion=close[0])
    return message
