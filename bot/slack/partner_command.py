"""`/partner`: acknowledge at once, parse with the subcommand's parser, run its handler.

One table maps every subcommand word (aliases are one line each) to a parser and a handler:
    parse(product, args) -> the typed command, or CommandError saying what to type
    handle(parsed, call: SlashCommand) -> None, answering the asker
A key of two words (`credit add`) is tried before its first word alone, so a verb can have its
own parser and its aliases too (`crédit ajouter`). Grammar and shared parsing:
bot.slack.commands.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.partner.models import Product
from bot.services.suggestions import close_matches
from bot.slack.admin import listeners as admin
from bot.slack.admin import parsing as admin_parsing
from bot.slack.alerts import listeners as alerts
from bot.slack.alerts.parsing import parse_alert
from bot.slack.anomalies import listeners as anomalies
from bot.slack.anomalies.parsing import parse_anomaly
from bot.slack.commands import CommandError, shown
from bot.slack.context import SlashCommand
from bot.slack.digests import listeners as digests
from bot.slack.digests.parsing import parse_digest
from bot.slack.error_handler import answers_errors
from bot.slack.language.listeners import set_language
from bot.slack.language.parsing import parse_language
from bot.slack.lookups import help_texts as text
from bot.slack.lookups import listeners as lookups
from bot.slack.lookups import parsing as lookups_parsing
from bot.slack.lookups.help_views import help_reply
from bot.slack.modals import defer_member_check, marked_opens_first
from bot.slack.replies import reply
from bot.slack.requests import asking
from bot.slack.requests import parsing as requests_parsing
from bot.slack.setup.listeners import open_setup
from bot.slack.setup.parsing import parse_setup
from bot.slack.text import from_slack

Parser = Callable[[Product | None, list[str]], Any]
Handler = Callable[[Any, SlashCommand], Awaitable[None]]
Reads = Callable[[Any], bool]


def _nothing(_parsed: Any) -> bool:
    return False


def _everything(_parsed: Any) -> bool:
    return True


def _verbs(*verbs: str) -> Reads:
    def reads(parsed: Any) -> bool:
        return getattr(parsed, "verb", None) in verbs

    return reads


@dataclass(frozen=True, slots=True)
class Subcommand:
    parse: Parser
    handle: Handler
    alone: bool = False
    """Matches only with nothing after it; otherwise its first word alone is tried
    (`subaccount create acme` looks up a subaccount "create acme", as it always has)."""
    guests: Reads = _nothing
    """Whether a guest may run the parsed command: those that only read. Guests never ask,
    decide or change a setting (bot.slack.workspace_guard)."""


HELP = Subcommand(lookups_parsing.parse_help, lookups.show_help, guests=_everything)
BALANCE = Subcommand(lookups_parsing.parse_balance, lookups.show_balance, guests=_everything)
SUBACCOUNTS = Subcommand(
    lookups_parsing.parse_subaccounts, lookups.list_subaccounts, guests=_everything
)
DIGEST = Subcommand(parse_digest, digests.digest, guests=_verbs("list", "preview"))
ALERT = Subcommand(parse_alert, alerts.alert, guests=_verbs("list"))
LANGUAGE = Subcommand(parse_language, set_language)
ANOMALY = Subcommand(parse_anomaly, anomalies.anomaly)

SETUP = Subcommand(parse_setup, open_setup)
SUBACCOUNT = Subcommand(
    lookups_parsing.parse_subaccount, lookups.show_subaccount, guests=_everything
)
SUBACCOUNT_CREATE = Subcommand(
    requests_parsing.parse_create_subaccount, asking.subaccount_create, alone=True
)
SUBACCOUNT_DELETE = Subcommand(requests_parsing.parse_delete_subaccount, asking.subaccount_delete)
CREDIT = Subcommand(requests_parsing.refuse_credit, asking.credit_move)
CREDIT_ADD = Subcommand(requests_parsing.parse_credit_add, asking.credit_move)
CREDIT_REMOVE = Subcommand(requests_parsing.parse_credit_remove, asking.credit_move)
APPROVALS = Subcommand(requests_parsing.parse_approvals, asking.pending_approvals)
REQUESTS = Subcommand(requests_parsing.parse_requests, asking.my_requests, guests=_everything)
APPROVERS = Subcommand(admin_parsing.parse_approvers, admin.manage_role, guests=_verbs("list"))
POLICY = Subcommand(
    admin_parsing.parse_policy,
    admin.policy,
    guests=lambda parsed: isinstance(parsed, admin_parsing.ShowPolicy),
)
AUDIT = Subcommand(admin_parsing.parse_audit, admin.audit_trail)

SUBCOMMANDS: dict[str, Subcommand] = {
    "help": HELP,
    "?": HELP,
    "setup": SETUP,
    "balance": BALANCE,
    "balances": BALANCE,
    "subaccounts": SUBACCOUNTS,
    "subaccount": SUBACCOUNT,
    "subaccount create": SUBACCOUNT_CREATE,
    "subaccount delete": SUBACCOUNT_DELETE,
    "credit": CREDIT,
    "credit add": CREDIT_ADD,
    "credit remove": CREDIT_REMOVE,
    "approvals": APPROVALS,
    "requests": REQUESTS,
    "approvers": APPROVERS,
    "admins": Subcommand(admin_parsing.parse_admins, admin.manage_role, guests=_verbs("list")),
    "approvals-channel": Subcommand(
        admin_parsing.parse_approvals_channel, admin.set_approvals_channel
    ),
    "policy": POLICY,
    "audit": AUDIT,
    "digest": DIGEST,
    "digests": DIGEST,
    "alert": ALERT,
    "alerts": ALERT,
    "language": LANGUAGE,
    "langue": LANGUAGE,
    "anomaly": ANOMALY,
    "anomalies": ANOMALY,
    # French words (help lists them for French readers).
    "aide": HELP,
    "config": SETUP,
    "configurer": SETUP,
    "solde": BALANCE,
    "sous-comptes": SUBACCOUNTS,
    "sous-compte": SUBACCOUNT,
    "sous-compte créer": SUBACCOUNT_CREATE,
    "sous-compte supprimer": SUBACCOUNT_DELETE,
    "crédit": CREDIT,
    "crédit ajouter": CREDIT_ADD,
    "credit ajouter": CREDIT_ADD,
    "crédit retirer": CREDIT_REMOVE,
    "credit retirer": CREDIT_REMOVE,
    "approbations": APPROVALS,
    "demandes": REQUESTS,
    "approbateurs": APPROVERS,
    "politique": POLICY,
    "règles": POLICY,
    "journal": AUDIT,
    "résumé": DIGEST,
    "recap": DIGEST,
    "alerte": ALERT,
    "alertes": ALERT,
    "anomalie": ANOMALY,
}

WORDS = tuple(dict.fromkeys(key.split()[0] for key in SUBCOMMANDS))
"""The first words of the table, for telling a mistyped product and suggesting a subcommand."""


@dataclass(frozen=True, slots=True)
class Parsed:
    command: Any
    subcommand: Subcommand


def parse(raw: str) -> Parsed:
    """`[product] <subcommand> [arguments]` (text as typed, see bot.slack.text.from_slack)."""
    words = raw.split()
    product: Product | None = None
    if words and words[0].lower() in Product.__members__.values():
        product = Product(words.pop(0).lower())
    if not words:
        entry, args = (BALANCE, []) if product else (HELP, [])
        return Parsed(entry.parse(product, args), entry)
    entry_and_args = _lookup(words)
    if entry_and_args is None:
        name = words[0]
        if len(words) > 1 and words[1].lower() in WORDS:
            raise CommandError(text.UNKNOWN_PRODUCT.format(name=shown(name)))
        raise CommandError(unknown_subcommand(name))
    entry, args = entry_and_args
    return Parsed(entry.parse(product, args), entry)


def parse_command(raw: str) -> Any:
    """The typed command `raw` asks for (or CommandError): what the parsers alone say."""
    return parse(raw).command


def guests_may_run(raw: str) -> bool:
    """Whether a guest may run `/partner raw` (text as typed), as its table entry says. A text
    that parses to nothing is answered with the usage, which anyone may read."""
    try:
        parsed = parse(raw)
    except CommandError:
        return True
    return parsed.subcommand.guests(parsed.command)


def _key(word: str) -> str:
    # "é" may come composed or as "e" + a combining accent, depending on the keyboard.
    return unicodedata.normalize("NFC", word.lower())


def _lookup(words: list[str]) -> tuple[Subcommand, list[str]] | None:
    two = " ".join(_key(word) for word in words[:2])
    entry = SUBCOMMANDS.get(two) if len(words) >= 2 else None
    if entry is not None and not (entry.alone and len(words) > 2):
        return entry, words[2:]
    entry = SUBCOMMANDS.get(_key(words[0]))
    return (entry, words[1:]) if entry is not None else None


def unknown_subcommand(name: str) -> str:
    close = close_matches(_key(name), WORDS)
    message = text.UNKNOWN_SUBCOMMAND.format(name=shown(name))
    if close:
        message += text.DID_YOU_MEAN.format(suggestion=close[0])
    return message


async def partner(
    ack: AsyncAck,
    command: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    # The one door: Slack's formatting off, back to what was typed (bot.slack.text).
    typed = from_slack(command.get("text") or "")
    try:
        parsed: Parsed | None = parse(typed)  # pure: nothing waits on Slack or the database
    except CommandError:
        parsed = None
    if parsed is not None and marked_opens_first(parsed.subcommand.handle):
        defer_member_check(context)  # its trigger_id must reach views.open first
    await ack()
    call = SlashCommand(command, respond, client, context)
    if parsed is None:
        # Worded again here, in the asker's language (set at the door when the ack went out).
        await reply(respond, help_reply(prefix=_refusal(typed)))
        return
    # A refusal or failure raised from here is answered to the asker by the app's error
    # handler (bot.slack.error_handler).
    await parsed.subcommand.handle(parsed.command, call)


def _refusal(typed: str) -> str:
    try:
        parse(typed)
    except CommandError as error:
        return error.message
    raise AssertionError("a text refused once is refused again: parsing is pure")


def register(app: AsyncApp) -> None:
    app.command("/partner")(answers_errors(partner))
