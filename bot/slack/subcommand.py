"""One `/partner` subcommand as the table holds it (bot.slack.partner_command): its words, its
parser and handler, its usage line, who may run it and whether it opens a modal first."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.partner.models import Product
from bot.slack.context import SlashCommand

Parser = Callable[[Product | None, list[str]], Any]
Handler = Callable[[Any, SlashCommand], Awaitable[None]]
Reads = Callable[[Any], bool]


def nothing(_parsed: Any) -> bool:
    return False


def everything(_parsed: Any) -> bool:
    return True


def verbs(*verbs: str) -> Reads:
    def reads(parsed: Any) -> bool:
        return getattr(parsed, "verb", None) in verbs

    return reads


@dataclass(frozen=True, slots=True)
class Subcommand:
    """One `/partner` subcommand: everything about it that is not its parser's or handler's
    own code lives here, and only here."""

    english: tuple[str, ...]
    """Its words (aliases too), the first the one the usage line shows; two words (`credit
    add`) are tried before the first alone."""
    french: tuple[str, ...]
    """Its French words, as a French user would try them; matched with or without their
    accents (bot.slack.commands.word), so `sous-compte creer` is `sous-compte créer`."""
    parse: Parser
    handle: Handler
    usage: object = field(compare=False)  # a lazy text: not hashable
    """Its one usage line (a marked text, bot.slack.texts.usage), shown under a refusal."""
    alone: bool = False
    """Matches only with nothing after it; otherwise its first word alone is tried
    (`subaccount create acme` looks up a subaccount "create acme", as it always has)."""
    guests: Reads = nothing
    """Whether a guest may run the parsed command: those that only read. Guests never ask,
    decide or change a setting (bot.slack.workspace_guard)."""
    opens_first: bool = False
    """Its handler opens a modal (bot.slack.modals.open_first): the command's trigger_id goes
    to views.open before the membership check, which runs once the modal is open."""
