"""`/partner digest subscribe|unsubscribe|list|now|preview`, and the words of a subscription,
`subscribe [HH:MM] [Area/City] [days] [products]` (read once the reader's zone is known: the
schedule's grammar, here with every other of the feature's words). Pure."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import time
from functools import cache
from zoneinfo import available_timezones

from bot.i18n import N_, _
from bot.partner.models import Product
from bot.services.schedule import ALL_DAYS, PRODUCTS, DigestSchedule, SubscriptionSpec
from bot.slack.commands import CommandError, word, words_table
from bot.slack.texts import help as text


@dataclass(frozen=True, slots=True)
class DigestSubscribe:
    words: tuple[str, ...]
    """Parsed by `parse_subscription` once the user's zone
    is known."""


@dataclass(frozen=True, slots=True)
class DigestCommand:
    verb: str  # "unsubscribe" | "list" | "now" | "preview"


FRENCH_VERBS = words_table(
    {
        "abonner": "subscribe",
        "s'abonner": "subscribe",
        "désabonner": "unsubscribe",
        "se-désabonner": "unsubscribe",
        "liste": "list",
        "lister": "list",
        "maintenant": "now",
        "aperçu": "preview",
    }
)


def parse_digest(product: Product | None, args: list[str]) -> DigestSubscribe | DigestCommand:
    if not args:
        raise CommandError(text.DIGEST_USAGE)
    verb = FRENCH_VERBS.get(word(args[0]), args[0].lower())
    if verb == "subscribe":
        words = args[1:]
        if product is not None:
            words = [*words, product.value]
        return DigestSubscribe(tuple(words))
    if verb in ("unsubscribe", "list", "now", "preview") and len(args) == 1:
        return DigestCommand(verb)
    raise CommandError(text.DIGEST_USAGE)


# ---- a subscription's words -------------------------------------------------------------------


class SpecError(ValueError):
    """The subscribe command's words cannot be understood. `str(error)` is a message fit to show
    the user (one or two sentences, says what to type), worded when shown, in the current
    language (the schedule is parsed before anything else knows the reader); `word` is the
    culprit if one."""

    def __init__(self, message: str, culprit: str | None = None, **fields: str) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields
        self.word = culprit

    def __str__(self) -> str:
        return _(self.message).format(**self.fields)


# ---- reading them ------------------------------------------------------------------------------

_DAY_NAMES: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("mon", "monday", "lun", "lundi"),
            ("tue", "tues", "tuesday", "mar", "mardi"),
            ("wed", "wednesday", "mer", "mercredi"),
            ("thu", "thur", "thurs", "thursday", "jeu", "jeudi"),
            ("fri", "friday", "ven", "vendredi"),
            ("sat", "saturday", "sam", "samedi"),
            ("sun", "sunday", "dim", "dimanche"),
        )
    )
    for name in names
}

_DAY_SETS: dict[str, frozenset[int]] = {
    "daily": ALL_DAYS,
    "everyday": ALL_DAYS,
    "every-day": ALL_DAYS,
    "weekdays": frozenset(range(5)),
    "weekday": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
    "weekend": frozenset({5, 6}),
    # What a French reader types (docs/glossary.md).
    "quotidien": ALL_DAYS,
    "tous-les-jours": ALL_DAYS,
    "semaine": frozenset(range(5)),
    "week-end": frozenset({5, 6}),
}

_TIME_24 = re.compile(r"(\d{1,2})(?:[:h](\d{2})|h)")
_TIME_12 = re.compile(r"(\d{1,2})(?::(\d{2}))?(am|pm)")

_KEYWORDS = (*_DAY_NAMES, *_DAY_SETS, *PRODUCTS, "all")


@cache
def _zones() -> dict[str, str]:
    """Lower-cased IANA name → canonical name. `localtime` is the host's own setting, not a
    place, so it is left out."""
    names = available_timezones() - {"localtime"}
    return {name.lower(): name for name in names | {"UTC"}}


def _parse_time(word: str) -> time | None:
    """ "9:00", "09:00", "9h", "9h30", "21:15", "9am", "9:30pm"; None if impossible."""
    if match := _TIME_24.fullmatch(word):
        hour, minute = int(match[1]), int(match[2] or 0)
    elif match := _TIME_12.fullmatch(word):
        hour, minute = int(match[1]), int(match[2] or 0)
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match[3] == "pm" else 0)
    else:
        return None
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _parse_days(word: str) -> frozenset[int] | None:
    """A day list such as "mon,wed,fri", "tue-thu", "weekdays", "lun-ven"; None if the word is
    not one. Ranges wrap around the week ("fri-mon" is Fri, Sat, Sun, Mon)."""
    days: set[int] = set()
    for item in word.replace("–", "-").split(","):
        if not item:
            continue  # "mon,wed," is forgiven
        if item in _DAY_SETS:
            days |= _DAY_SETS[item]
        elif item in _DAY_NAMES:
            days.add(_DAY_NAMES[item])
        elif (bounds := item.split("-")) and len(bounds) == 2 and set(bounds) <= _DAY_NAMES.keys():
            start, end = _DAY_NAMES[bounds[0]], _DAY_NAMES[bounds[1]]
            days.update((start + step) % 7 for step in range((end - start) % 7 + 1))
        else:
            return None
    return frozenset(days)


def _parse_products(word: str) -> set[str] | None:
    """ "sms", "mail,voice", "all"; None if the word is not a product list."""
    items = {item for item in word.split(",") if item}
    if not items or not items <= {*PRODUCTS, "all"}:
        return None
    return items


def _unknown_word(word: str) -> SpecError:
    lowered = word.lower()
    if "/" in word:
        close = difflib.get_close_matches(lowered, _zones(), n=1)
        if close:
            return SpecError(
                N_(
                    "I don't know the time zone “{word}” (did you mean {zone}?). Type an "
                    "Area/City name such as Europe/Paris or America/New_York, or UTC."
                ),
                word,
                word=word,
                zone=_zones()[close[0]],
            )
        return SpecError(
            N_(
                "I don't know the time zone “{word}”. Type an Area/City name such as "
                "Europe/Paris or America/New_York, or UTC."
            ),
            word,
            word=word,
        )
    cities = sorted(name for key, name in _zones().items() if key.rsplit("/", 1)[-1] == lowered)
    if cities:
        return SpecError(
            N_(
                "I don't understand “{word}” (for a time zone, type {zone}). Type something "
                "like `/partner digest subscribe 09:00 Europe/Paris mon-fri sms` (every part is "
                "optional)."
            ),
            word,
            word=word,
            zone=cities[0],
        )
    if close := difflib.get_close_matches(lowered, _KEYWORDS, n=1):
        return SpecError(
            N_(
                "I don't understand “{word}” (did you mean “{close}”?). Type something like "
                "`/partner digest subscribe 09:00 Europe/Paris mon-fri sms` (every part is "
                "optional)."
            ),
            word,
            word=word,
            close=close[0],
        )
    return SpecError(
        N_(
            "I don't understand “{word}”. Type something like `/partner digest subscribe 09:00 "
            "Europe/Paris mon-fri sms` (every part is optional)."
        ),
        word,
        word=word,
    )


def parse_subscription(words: list[str], *, default_zone: str) -> SubscriptionSpec:
    """The arguments of `/partner digest subscribe [HH:MM] [Area/City] [days] [products]`.

    Any order, each optional; defaults are 09:00, `default_zone` (the subscriber's Slack time
    zone), every day, all products. Anything ambiguous is refused rather than guessed: two
    times, two zones or two day specs each raise `SpecError`, as does any word that is none of
    these, since a digest at a time nobody asked for is worse than a second try.
    """
    at: tuple[str, time] | None = None
    zone: tuple[str, str] | None = None
    days: tuple[str, frozenset[int]] | None = None
    products: set[str] = set()
    for raw in words:
        word = raw.strip()
        lowered = word.lower()
        if not word:
            continue
        if lowered[0].isdigit():
            parsed_time = _parse_time(lowered)
            if parsed_time is None:
                raise SpecError(
                    N_(
                        "“{word}” is not a time I can use. Type a time such as 09:00, 21:15, "
                        "9h30 or 9:30pm."
                    ),
                    word,
                    word=word,
                )
            if at is not None:
                raise SpecError(
                    N_("You gave two times, “{first}” and “{word}”. Type just one, such as 09:00."),
                    word,
                    first=at[0],
                    word=word,
                )
            at = (word, parsed_time)
        elif (parsed_days := _parse_days(lowered)) is not None:
            if not parsed_days:
                raise SpecError(
                    N_("“{word}” names no day. Type days such as daily, mon-fri or mon,wed,fri."),
                    word,
                    word=word,
                )
            if days is not None:
                raise SpecError(
                    N_(
                        "You gave the days twice, “{first}” and “{word}”. Type them as one "
                        "word, such as mon-fri or mon,wed,fri."
                    ),
                    word,
                    first=days[0],
                    word=word,
                )
            days = (word, parsed_days)
        elif (parsed_products := _parse_products(lowered)) is not None:
            products |= parsed_products
        elif lowered in _zones():
            if zone is not None:
                raise SpecError(
                    N_(
                        "You gave two time zones, “{first}” and “{word}”. Type just one, such "
                        "as Europe/Paris."
                    ),
                    word,
                    first=zone[0],
                    word=word,
                )
            zone = (word, _zones()[lowered])
        else:
            raise _unknown_word(word)

    if zone is not None:
        zone_name = zone[1]
    elif default_zone.lower() in _zones():
        zone_name = _zones()[default_zone.lower()]
    else:
        raise SpecError(
            N_(
                "I can't use your Slack time zone (“{zone}”). Add one to the command, such as "
                "Europe/Paris or UTC."
            ),
            zone=default_zone,
        )
    schedule = DigestSchedule(
        at=at[1] if at else time(9, 0),
        zone=zone_name,
        weekdays=days[1] if days else ALL_DAYS,
    )
    chosen = (
        None if not products or "all" in products else tuple(p for p in PRODUCTS if p in products)
    )
    return SubscriptionSpec(schedule=schedule, products=chosen)
