"""What every `/partner` subcommand's parser shares: the refusal, people and groups, amounts,
free-text reasons.

Grammar: `/partner [sms|mail|voice] <subcommand> [arguments]`; the table that maps each
subcommand word to its parser and handler is bot.slack.partner_command. The manifest sets
`should_escape`, so people and groups arrive as `<@U123|name>` and `<!subteam^S123|@group>`:
parsers get the words of the text after `bot.slack.slack_text.from_slack`, which keeps those tokens
and turns everything else back into what was typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal

from babel.support import LazyProxy

from bot.money import CURRENCY_WORDS, InvalidAmount, parse_user_amount
from bot.services.requests import MAX_REASON
from bot.services.roles import Subject, SubjectKind
from bot.slack.slack_text import escape, mentions_as_typed
from bot.slack.texts import help as text

MAX_SEARCH = 200

_USER = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_GROUP = re.compile(r"^<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>$")
# A word that continues an amount: a group of exactly 3 digits after a space ("1 000,50"),
# possibly with the decimals and a currency sign glued on.
_THOUSANDS_GROUP = re.compile(r"^\d{3}(?:[.,]\d+)?(?:€|eur(?:os?)?)?$", re.IGNORECASE)
_GROUP_HEAD = re.compile(r"(?:€|eur)?[+-]?\d{1,3}", re.IGNORECASE)
_NUMERIC = re.compile(r"^[+-]?[\d.,]*\d[\d.,]*$")


class CommandError(Exception):
    """The text is not a command we understand; `message` says what to type instead.

    Raised while parsing, before the asker's language is known: a catalog text (`_l`) is kept
    as it is and worded when `message` is read, in the language of that moment."""

    def __init__(self, message: object, usage: object | None = None) -> None:
        super().__init__(message)
        self._message = message
        self.usage = usage
        """The usage line of the subcommand that refused (bot.slack.partner_command adds it)."""

    @property
    def message(self) -> str:
        return str(self._message)


def later(words: Callable[[], str]) -> LazyProxy:
    """A refusal made of catalog texts (formatted, joined), worded when it is read: the text
    is parsed once, at the door, before the asker's language is known; the refusal is read
    after their membership check has set it (bot.slack.partner_command)."""
    return LazyProxy(words, enable_cache=False)


def word(typed: str) -> str:
    """A command word as the tables hold it: lower case, accents off (`Créer`, `creer` and a
    keyboard's `cre` + combining accent all give `creer`). The one place French words are
    matched, so every parser accepts them with or without their accents."""
    decomposed = unicodedata.normalize("NFKD", typed.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("’", "'")


def words_table(table: dict[str, str]) -> dict[str, str]:
    """`table` (command words as people read them, accents included) keyed by `word`."""
    return {word(key): value for key, value in table.items()}


def take_amount(words: list[str], usage: str) -> tuple[list[str], list[str]]:
    """Split `1 000,50 € top-up for May` into the amount's words and the reason's.

    The amount is: an optional currency word, a number, then every following word that is a
    group of exactly 3 digits (thousands after a space), then an optional currency word. A
    number right after that (`12 50 …`) is refused as ambiguous rather than read as the start of
    the reason: was it 1250, 12,50, or 12 for a reason "50 …"? After a currency word the reason
    may start with anything (`12 € 50 SMS campaigns`).
    """
    position = 0
    if words and words[0].lower() in CURRENCY_WORDS:
        position += 1
    if position >= len(words):
        raise CommandError(usage)
    position += 1
    while (
        position < len(words)
        and _THOUSANDS_GROUP.match(words[position])
        and _GROUP_HEAD.fullmatch(words[position - 1])
    ):
        position += 1
    if position < len(words) and words[position].lower() in CURRENCY_WORDS:
        position += 1
    elif position < len(words) and _NUMERIC.match(words[position]):
        typed = " ".join(words[: position + 1])
        shown = typed if len(typed) <= 30 else typed[:30] + "…"
        said = escape(shown)
        raise CommandError(later(lambda: text.AMOUNT_AMBIGUOUS.format(typed=said) + f" {usage}"))
    return words[:position], words[position:]


def amount(value: str, usage: str) -> Decimal:
    """One amount as typed, or a refusal that says why and what to type."""
    try:
        return parse_user_amount(value)
    except InvalidAmount as error:
        refused = error  # `error` is unbound once the except block ends
        raise CommandError(later(lambda: f"{escape(str(refused))} {usage}")) from None


def parse_subject(word: str) -> Subject | None:
    """`<@U123|name>` → a user, `<!subteam^S123|@group>` → a user group, with its handle
    ("group") as the label until Slack's own list confirms it."""
    if match := _USER.match(word):
        return Subject(SubjectKind.USER, match.group(1))
    if match := _GROUP.match(word):
        label = word[word.index("|") + 1 : -1].removeprefix("@") if "|" in word else None
        return Subject(SubjectKind.USERGROUP, match.group(1), label or None)
    return None


def reason(words: list[str]) -> str | None:
    """Free text: a mention in it is kept as the name it showed (`@max`), never an id to ping."""
    said = mentions_as_typed(" ".join(words)).strip()
    return said[:MAX_REASON] or None


def shown(word: str) -> str:
    """A word of the user's, fit to echo in mrkdwn inside backticks."""
    word = word.replace("`", "'")
    return escape(word if len(word) <= 40 else word[:40] + "…")
