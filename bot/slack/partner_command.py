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
from dataclasses import dataclass, field
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
from bot.slack.batches import listeners as batches
from bot.slack.batches.parsing import parse_batch
from bot.slack.commands import CommandError, shown, word
from bot.slack.context import SlashCommand
from bot.slack.digests import listeners as digests
from bot.slack.digests.parsing import parse_digest
from bot.slack.error_handler import answers_errors
from bot.slack.language.listeners import set_language
from bot.slack.language.parsing import parse_language
from bot.slack.lookups import help_texts as text
from bot.slack.lookups import listeners as lookups
from bot.slack.lookups import parsing as lookups_parsing
from bot.slack.lookups import usage_texts as usage
from bot.slack.lookups.help_views import usage_reply
from bot.slack.modals import defer_member_check, marked_opens_first
from bot.slack.replies import reply
from bot.slack.requests import asking, deciding
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
    usage: object = field(compare=False)  # a lazy text: not hashable
    """Its one usage line (a marked text, bot.slack.lookups.usage_texts), shown under a refusal."""
    alone: bool = False
    """Matches only with nothing after it; otherwise its first word alone is tried
    (`subaccount create acme` looks up a subaccount "create acme", as it always has)."""
    guests: Reads = _nothing
    """Whether a guest may run the parsed command: those that only read. Guests never ask,
    decide or change a setting (bot.slack.workspace_guard)."""


HELP = Subcommand(lookups_parsing.parse_help, lookups.show_help, usage.HELP, guests=_everything)
BALANCE = Subcommand(
    lookups_parsing.parse_balance, lookups.show_balance, usage.BALANCE, guests=_everything
)
SUBACCOUNTS = Subcommand(
    lookups_parsing.parse_subaccounts,
    lookups.list_subaccounts,
    usage.SUBACCOUNTS,
    guests=_everything,
)
DIGEST = Subcommand(parse_digest, digests.digest, usage.DIGEST, guests=_verbs("list", "preview"))
ALERT = Subcommand(parse_alert, alerts.alert, usage.ALERT, guests=_verbs("list"))
LANGUAGE = Subcommand(parse_language, set_language, usage.LANGUAGE)
ANOMALY = Subcommand(parse_anomaly, anomalies.anomaly, usage.ANOMALY)

SETUP = Subcommand(parse_setup, open_setup, usage.SETUP)
SUBACCOUNT = Subcommand(
    lookups_parsing.parse_subaccount, lookups.show_subaccount, usage.SUBACCOUNT, guests=_everything
)
SUBACCOUNT_CREATE = Subcommand(
    requests_parsing.parse_create_subaccount,
    asking.subaccount_create,
    usage.SUBACCOUNT_CREATE,
    alone=True,
)
SUBACCOUNT_DELETE = Subcommand(
    requests_parsing.parse_delete_subaccount, asking.subaccount_delete, usage.SUBACCOUNT_DELETE
)
CREDIT = Subcommand(requests_parsing.refuse_credit, asking.credit_move, usage.CREDIT)
CREDIT_ADD = Subcommand(requests_parsing.parse_credit_add, asking.credit_move, usage.CREDIT_ADD)
CREDIT_REMOVE = Subcommand(
    requests_parsing.parse_credit_remove, asking.credit_move, usage.CREDIT_REMOVE
)
BATCH = Subcommand(parse_batch, batches.open_batch, usage.BATCH)
APPROVALS = Subcommand(requests_parsing.parse_approvals, asking.pending_approvals, usage.APPROVALS)
APPROVE = Subcommand(requests_parsing.parse_approve, deciding.approve_command, usage.APPROVE)
REJECT = Subcommand(requests_parsing.parse_reject, deciding.reject_command, usage.REJECT)
REQUESTS = Subcommand(
    requests_parsing.parse_requests, asking.my_requests, usage.REQUESTS, guests=_everything
)
APPROVERS = Subcommand(
    admin_parsing.parse_approvers, admin.manage_role, usage.APPROVERS, guests=_verbs("list")
)
ADMINS = Subcommand(
    admin_parsing.parse_admins, admin.manage_role, usage.ADMINS, guests=_verbs("list")
)
APPROVALS_CHANNEL = Subcommand(
    admin_parsing.parse_approvals_channel, admin.set_approvals_channel, usage.APPROVALS_CHANNEL
)
POLICY = Subcommand(
    admin_parsing.parse_policy,
    admin.policy,
    usage.POLICY,
    guests=lambda parsed: isinstance(parsed, admin_parsing.ShowPolicy),
)
AUDIT = Subcommand(admin_parsing.parse_audit, admin.audit_trail, usage.AUDIT)

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
    "batch": BATCH,
    "approvals": APPROVALS,
    "approve": APPROVE,
    "reject": REJECT,
    "requests": REQUESTS,
    "approvers": APPROVERS,
    "admins": ADMINS,
    "approvals-channel": APPROVALS_CHANNEL,
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
    # French words, as a French user would try them; matched with or without their accents
    # (bot.slack.commands.word), so `sous-compte creer` is `sous-compte créer`.
    "aide": HELP,
    "config": SETUP,
    "configurer": SETUP,
    "configuration": SETUP,
    "solde": BALANCE,
    "soldes": BALANCE,
    "sous-comptes": SUBACCOUNTS,
    "sous-compte": SUBACCOUNT,
    "sous-compte créer": SUBACCOUNT_CREATE,
    "sous-compte supprimer": SUBACCOUNT_DELETE,
    "crédit": CREDIT,
    "crédit ajouter": CREDIT_ADD,
    "crédit retirer": CREDIT_REMOVE,
    "lot": BATCH,
    "approbations": APPROVALS,
    "approuver": APPROVE,
    "refuser": REJECT,
    "demandes": REQUESTS,
    "approbateurs": APPROVERS,
    "approbateur": APPROVERS,
    "administrateurs": ADMINS,
    "administrateur": ADMINS,
    "canal-approbations": APPROVALS_CHANNEL,
    "canal-des-approbations": APPROVALS_CHANNEL,
    "règles": POLICY,
    "règle": POLICY,
    "politique": POLICY,
    "journal": AUDIT,
    "récapitulatif": DIGEST,
    "récapitulatifs": DIGEST,
    "récap": DIGEST,
    "résumé": DIGEST,
    "alerte": ALERT,
    "alertes": ALERT,
    "anomalie": ANOMALY,
}

WORDS = tuple(dict.fromkeys(key.split()[0] for key in SUBCOMMANDS))
"""The first words of the table, for telling a mistyped product and suggesting a subcommand."""
_TABLE = {" ".join(word(part) for part in key.split()): entry for key, entry in SUBCOMMANDS.items()}
_FIRST_WORDS = frozenset(key.split()[0] for key in _TABLE)


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
        if len(words) > 1 and word(words[1]) in _FIRST_WORDS:
            raise CommandError(text.UNKNOWN_PRODUCT.format(name=shown(name)))
        raise CommandError(unknown_subcommand(name))
    entry, args = entry_and_args
    try:
        return Parsed(entry.parse(product, args), entry)
    except CommandError as refused:
        # The asker gets the reason and this subcommand's usage, not the whole help.
        if refused.usage is None:
            refused.usage = entry.usage
        raise


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


def _key(typed: str) -> str:
    # "é" may come composed or as "e" + a combining accent, depending on the keyboard.
    return unicodedata.normalize("NFC", typed.lower())


def _lookup(words: list[str]) -> tuple[Subcommand, list[str]] | None:
    two = " ".join(word(typed) for typed in words[:2])
    entry = _TABLE.get(two) if len(words) >= 2 else None
    if entry is not None and not (entry.alone and len(words) > 2):
        return entry, words[2:]
    entry = _TABLE.get(word(words[0]))
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
        await reply(respond, usage_reply(*_refusal(typed)))
        return
    # A refusal or failure raised from here is answered to the asker by the app's error
    # handler (bot.slack.error_handler).
    await parsed.subcommand.handle(parsed.command, call)


def _refusal(typed: str) -> tuple[str, str | None]:
    try:
        parse(typed)
    except CommandError as error:
        return error.message, None if error.usage is None else str(error.usage)
    raise AssertionError("a text refused once is refused again: parsing is pure")


def register(app: AsyncApp) -> None:
    app.command("/partner")(answers_errors(partner))
