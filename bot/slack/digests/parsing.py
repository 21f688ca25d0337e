"""`/partner digest subscribe|unsubscribe|list|now|preview`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.partner.models import Product
from bot.slack.commands import CommandError, word, words_table
from bot.slack.texts import help as text


@dataclass(frozen=True, slots=True)
class DigestSubscribe:
    words: tuple[str, ...]
    """Parsed by `bot.slack.digests.schedule_parsing.parse_subscription` once the user's zone
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
