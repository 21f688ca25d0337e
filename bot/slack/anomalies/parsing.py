"""`/partner anomaly floor <EUR per hour>`, `/partner [product] anomaly export [days]`, and
`/partner anomaly` alone (the floor and how to use it). French: `anomalie plancher|exporter`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.partner.models import Product
from bot.services.anomalies.incidents import EXPORT_DAYS, MAX_EXPORT_DAYS
from bot.slack.anomalies import texts as text
from bot.slack.commands import CommandError, amount


@dataclass(frozen=True, slots=True)
class SetFloor:
    floor: Decimal


@dataclass(frozen=True, slots=True)
class ExportLedger:
    product: Product
    days: int


@dataclass(frozen=True, slots=True)
class ShowFloor:
    pass


AnomalyCommand = SetFloor | ExportLedger | ShowFloor

VERBS = {"plancher": "floor", "exporter": "export"}


def parse_anomaly(product: Product | None, args: list[str]) -> AnomalyCommand:
    if not args:
        return ShowFloor()
    verb = VERBS.get(args[0].lower(), args[0].lower())
    if verb == "floor" and len(args) >= 2:
        # One amount may take several words ("1 000,50 €"); the amount rule refuses 0.
        return SetFloor(amount(" ".join(args[1:]), text.USAGE))
    if verb == "export" and len(args) <= 2:
        days = EXPORT_DAYS
        if len(args) == 2:
            if not args[1].isdigit() or not 1 <= int(args[1]) <= MAX_EXPORT_DAYS:
                raise CommandError(text.USAGE)
            days = int(args[1])
        chosen = product or Product.SMS
        if not chosen.has_subaccounts:
            raise CommandError(text.USAGE)
        return ExportLedger(chosen, days)
    raise CommandError(text.USAGE)
