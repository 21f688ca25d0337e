"""`/partner language [fr|en] [here]` (also `langue … ici`)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.partner.models import Product
from bot.slack.commands import CommandError, word
from bot.slack.language import texts as text

NAMES = {"fr": "fr", "french": "fr", "français": "fr", "francais": "fr"} | {
    "en": "en",
    "english": "en",
    "anglais": "en",
}
HERE = ("here", "ici")


@dataclass(frozen=True, slots=True)
class Language:
    """No language: show the current ones."""

    language: str | None = None
    here: bool = False


def parse_language(_product: Product | None, args: list[str]) -> Language:
    words = [word(typed) for typed in args]
    here = bool(words) and words[-1] in HERE
    if here:
        words.pop()
    if not words and not here:
        return Language()
    if len(words) != 1 or words[0] not in NAMES:
        raise CommandError(text.USAGE)
    return Language(NAMES[words[0]], here)
