"""`/partner recurring …` and `/partner auto-topup …` (French `récurrent …`, `recharge-auto …`).

recurring add <subaccount> [up-to] <amount> daily|weekly <weekday>|monthly <1-28>
          [HH:MM] [Area/City] [until YYYY-MM-DD] [reason…]
recurring list | pause|resume|cancel <n> | approve|reject <n>
recurring change <n> <amount> | change <n> until YYYY-MM-DD
auto-topup <subaccount> below <amount> add <amount> [max <amount> per month]
auto-topup list | cancel <n>
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.partner.models import Product
from bot.services.recurring.schedule import Every, Frequency
from bot.slack.commands import CommandError, amount, reason, shown, take_amount, word
from bot.slack.recurring import texts as text

DEFAULT_TIME = time(9, 0)
_TIME = re.compile(r"^([01]?\d|2[0-3])[:h]([0-5]\d)$")

VERBS = {
    "add": "add", "ajouter": "add",
    "list": "list", "liste": "list", "lister": "list",
    "pause": "pause", "suspendre": "pause",
    "resume": "resume", "reprendre": "resume",
    "cancel": "cancel", "annuler": "cancel",
    "approve": "approve", "approuver": "approve",
    "reject": "reject", "refuser": "reject",
    "change": "change", "modifier": "change",
}  # fmt: skip
EVERY = {
    "daily": Every.DAILY, "quotidien": Every.DAILY, "quotidienne": Every.DAILY,
    "weekly": Every.WEEKLY, "hebdomadaire": Every.WEEKLY,
    "monthly": Every.MONTHLY, "mensuel": Every.MONTHLY, "mensuelle": Every.MONTHLY,
}  # fmt: skip
WEEKDAYS = {
    **{name: i for i, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
    **{name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{name: i for i, name in enumerate(
        ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"))},
}  # fmt: skip
UP_TO = {"up-to", "upto", "jusqu'a", "niveau"}
UNTIL = {"until", "jusqu'au", "fin"}
BELOW = {"below", "sous"}
ADD = {"add", "ajouter"}
MAX = {"max", "maximum"}


@dataclass(frozen=True, slots=True)
class AddSeries:
    product: Product
    ref: str
    amount: Decimal | None
    level: Decimal | None
    frequency: Frequency
    at: time
    zone: str | None
    """None: the asker's Slack time zone."""
    until: date | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class AddAuto:
    product: Product
    ref: str
    below: Decimal
    add: Decimal
    monthly_max: Decimal | None


@dataclass(frozen=True, slots=True)
class ListSeries:
    auto: bool = False


@dataclass(frozen=True, slots=True)
class OnSeries:
    verb: str
    """pause · resume · cancel · approve · reject"""
    number: int


@dataclass(frozen=True, slots=True)
class ChangeSeries:
    number: int
    amount: Decimal | None
    until: date | None


RecurringCommand = AddSeries | AddAuto | ListSeries | OnSeries | ChangeSeries


def parse_recurring(product: Product | None, args: list[str]) -> RecurringCommand:
    verb = VERBS.get(word(args[0])) if args else "list"
    rest = args[1:]
    if verb == "list" and not rest:
        return ListSeries()
    if verb in ("pause", "resume", "cancel", "approve", "reject") and len(rest) == 1:
        return OnSeries(verb, _number(rest[0]))
    if verb == "change" and len(rest) >= 2:
        return _change(rest)
    if verb == "add" and len(rest) >= 3:
        return _add(product or Product.SMS, rest)
    raise CommandError(text.USAGE)


def parse_auto_topup(product: Product | None, args: list[str]) -> RecurringCommand:
    verb = VERBS.get(word(args[0])) if args else "list"
    if verb == "list" and len(args) <= 1:
        return ListSeries(auto=True)
    if verb == "cancel" and len(args) == 2:
        return OnSeries("cancel", _number(args[1]))
    if verb == "approve" and len(args) == 2:
        return OnSeries("approve", _number(args[1]))
    # <subaccount> below <amount> add <amount> [max <amount> per month]
    if len(args) < 5 or word(args[1]) not in BELOW:
        raise CommandError(text.AUTO_USAGE)
    below_words, rest = take_amount(args[2:], text.AUTO_USAGE)
    if not rest or word(rest[0]) not in ADD:
        raise CommandError(text.AUTO_USAGE)
    add_words, rest = take_amount(rest[1:], text.AUTO_USAGE)
    monthly_max = None
    if rest:
        if word(rest[0]) not in MAX:
            raise CommandError(text.AUTO_USAGE)
        max_words, tail = take_amount(rest[1:], text.AUTO_USAGE)
        if [word(w) for w in tail] not in (["per", "month"], ["par", "mois"], []):
            raise CommandError(text.AUTO_USAGE)
        monthly_max = amount(" ".join(max_words), text.AUTO_USAGE)
    return AddAuto(
        product or Product.SMS,
        args[0],
        amount(" ".join(below_words), text.AUTO_USAGE),
        amount(" ".join(add_words), text.AUTO_USAGE),
        monthly_max,
    )


def _add(product: Product, args: list[str]) -> AddSeries:
    ref, rest = args[0], args[1:]
    up_to = word(rest[0]) in UP_TO
    if up_to:
        rest = rest[1:]
    amount_words, rest = take_amount(rest, text.USAGE)
    value = amount(" ".join(amount_words), text.USAGE)
    if not rest or word(rest[0]) not in EVERY:
        raise CommandError(text.NEEDS_FREQUENCY)
    every, rest = EVERY[word(rest[0])], rest[1:]
    if every is Every.DAILY:
        frequency = Frequency(every)
    elif every is Every.WEEKLY:
        if not rest or word(rest[0]) not in WEEKDAYS:
            raise CommandError(text.BAD_WEEKDAY.format(day=shown(rest[0] if rest else "")))
        frequency, rest = Frequency(every, weekday=WEEKDAYS[word(rest[0])]), rest[1:]
    elif every is Every.MONTHLY:
        if not rest or not rest[0].isdigit() or not 1 <= int(rest[0]) <= 28:
            raise CommandError(text.BAD_DAY)
        frequency, rest = Frequency(every, day=int(rest[0])), rest[1:]
    at = DEFAULT_TIME
    if rest and (match := _TIME.match(rest[0])):
        at, rest = time(int(match.group(1)), int(match.group(2))), rest[1:]
    elif rest and re.match(r"^\d{1,2}[:h]\d", rest[0]):
        raise CommandError(text.BAD_TIME.format(time=shown(rest[0])))
    zone = None
    if rest and ("/" in rest[0] or rest[0].upper() == "UTC"):
        zone, rest = _zone(rest[0]), rest[1:]
    until = None
    if rest and word(rest[0]) in UNTIL:
        if len(rest) < 2:
            raise CommandError(text.BAD_DATE.format(date=""))
        until, rest = _date(rest[1]), rest[2:]
    return AddSeries(
        product,
        ref,
        None if up_to else value,
        value if up_to else None,
        frequency,
        at,
        zone,
        until,
        reason(rest),
    )


def _change(args: list[str]) -> ChangeSeries:
    number = _number(args[0])
    if word(args[1]) in UNTIL:
        if len(args) != 3:
            raise CommandError(text.USAGE)
        return ChangeSeries(number, None, _date(args[2]))
    return ChangeSeries(number, amount(" ".join(args[1:]), text.USAGE), None)


def _number(typed: str) -> int:
    cleaned = typed.removeprefix("#")
    if not cleaned.isdigit() or len(cleaned) > 9:
        raise CommandError(text.BAD_NUMBER.format(number=shown(typed)))
    return int(cleaned)


def _zone(typed: str) -> str:
    name = "UTC" if typed.upper() == "UTC" else typed
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise CommandError(text.BAD_ZONE.format(zone=shown(typed))) from None
    return name


def _date(typed: str) -> date:
    try:
        return date.fromisoformat(typed)
    except ValueError:
        raise CommandError(text.BAD_DATE.format(date=shown(typed))) from None
