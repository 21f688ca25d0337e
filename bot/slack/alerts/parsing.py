"""`/partner [product] alert main|subaccounts|subaccount|channel|list`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.partner.models import Product
from bot.slack.commands import CommandError, amount, word, words_table
from bot.slack.texts import help as text


@dataclass(frozen=True, slots=True)
class SetAlert:
    product: Product
    scope: str  # "main" | "subaccounts" | "subaccount"
    warn: Decimal
    critical: Decimal | None = None
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class AlertCommand:
    verb: str  # "channel" | "list"


FRENCH_VERBS = words_table(
    {
        "principal": "main",
        "compte-principal": "main",
        "sous-comptes": "subaccounts",
        "sous-compte": "subaccount",
        "canal": "channel",
        "liste": "list",
        "lister": "list",
    }
)


def parse_alert(product: Product | None, args: list[str]) -> SetAlert | AlertCommand:
    product = product or Product.SMS
    verb = FRENCH_VERBS.get(word(args[0]), args[0].lower()) if args else ""
    if verb in ("channel", "list") and len(args) == 1:
        return AlertCommand(verb)
    if verb == "main" and len(args) in (2, 3):
        warn = amount(args[1], text.ALERT_USAGE)
        critical = amount(args[2], text.ALERT_USAGE) if len(args) == 3 else None
        if critical is not None and critical > warn:
            raise CommandError(text.ALERT_CRITICAL_ABOVE_WARN)
        return SetAlert(product, "main", warn, critical)
    # One amount at the end may take several words ("1 000,50 €"); "main" has two amounts,
    # so there each is one word.
    if verb == "subaccounts" and len(args) >= 2:
        return SetAlert(product, "subaccounts", amount(" ".join(args[1:]), text.ALERT_USAGE))
    if verb == "subaccount" and len(args) >= 3:
        warn = amount(" ".join(args[2:]), text.ALERT_USAGE)
        return SetAlert(product, "subaccount", warn, ref=args[1])
    raise CommandError(text.ALERT_USAGE)
