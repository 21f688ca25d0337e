"""`/partner`: one table of subcommands, and the parse of a text against it.

Each subcommand is one entry (`Subcommand`): its words, English and French (aliases too),
    parse(product, args) -> the typed command, or CommandError saying what to type
    handle(parsed, call: SlashCommand) -> None, answering the asker
its usage line, who may run it (`guests`), whether it opens a modal first (`opens_first`).
A key of two words (`credit add`) is tried before its first word alone, so a verb can have its
own parser and its aliases too (`crédit ajouter`). Grammar and shared parsing:
bot.slack.commands.

The door (bot.slack.partner_listener `read_command`, the listener middleware of `/partner`)
decodes and parses the text once and puts what it read (`Parsed`, or the CommandError) on
Bolt's context under `COMMAND`; the membership check (guests: bot.slack.workspace_guard), the
modal-first decision and the refusal all read that one entry. Adding a read-only subcommand
is one entry (its words, `guests=everything`) in `ENTRIES` and its handler
(tests/unit/test_command_table.py).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

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
from bot.slack.commands import CommandError, later, shown, word
from bot.slack.controls import listeners as controls
from bot.slack.controls import parsing as controls_parsing
from bot.slack.digests import listeners as digests
from bot.slack.digests.parsing import parse_digest
from bot.slack.language.listeners import set_language
from bot.slack.language.parsing import parse_language
from bot.slack.lookups import listeners as lookups
from bot.slack.lookups import parsing as lookups_parsing
from bot.slack.recurring import listeners as recurring
from bot.slack.recurring import parsing as recurring_parsing
from bot.slack.requests import asking, deciding
from bot.slack.requests import parsing as requests_parsing
from bot.slack.setup.listeners import open_setup
from bot.slack.setup.parsing import parse_setup
from bot.slack.subcommand import Subcommand, everything, verbs
from bot.slack.texts import help as text
from bot.slack.texts import usage
from bot.slack.usage.listeners import usage_statement
from bot.slack.usage.parsing import parse_usage

HELP = Subcommand(
    ("help", "?"),
    ("aide",),
    lookups_parsing.parse_help,
    lookups.show_help,
    usage.HELP,
    guests=everything,
)
SETUP = Subcommand(
    ("setup",),
    ("config", "configurer", "configuration"),
    parse_setup,
    open_setup,
    usage.SETUP,
    opens_first=True,
)
BALANCE = Subcommand(
    ("balance", "balances"),
    ("solde", "soldes"),
    lookups_parsing.parse_balance,
    lookups.show_balance,
    usage.BALANCE,
    guests=everything,
)
SUBACCOUNTS = Subcommand(
    ("subaccounts",),
    ("sous-comptes",),
    lookups_parsing.parse_subaccounts,
    lookups.list_subaccounts,
    usage.SUBACCOUNTS,
    guests=everything,
)
SUBACCOUNT = Subcommand(
    ("subaccount",),
    ("sous-compte",),
    lookups_parsing.parse_subaccount,
    lookups.show_subaccount,
    usage.SUBACCOUNT,
    guests=everything,
)
SUBACCOUNT_CREATE = Subcommand(
    ("subaccount create",),
    ("sous-compte créer",),
    requests_parsing.parse_create_subaccount,
    asking.subaccount_create,
    usage.SUBACCOUNT_CREATE,
    alone=True,
    opens_first=True,
)
SUBACCOUNT_DELETE = Subcommand(
    ("subaccount delete",),
    ("sous-compte supprimer",),
    requests_parsing.parse_delete_subaccount,
    asking.subaccount_delete,
    usage.SUBACCOUNT_DELETE,
)
CREDIT = Subcommand(
    ("credit",), ("crédit",), requests_parsing.refuse_credit, asking.credit_move, usage.CREDIT
)
CREDIT_ADD = Subcommand(
    ("credit add",),
    ("crédit ajouter",),
    requests_parsing.parse_credit_add,
    asking.credit_move,
    usage.CREDIT_ADD,
)
CREDIT_REMOVE = Subcommand(
    ("credit remove",),
    ("crédit retirer",),
    requests_parsing.parse_credit_remove,
    asking.credit_move,
    usage.CREDIT_REMOVE,
)
APPROVALS = Subcommand(
    ("approvals",),
    ("approbations",),
    requests_parsing.parse_approvals,
    asking.pending_approvals,
    usage.APPROVALS,
)
APPROVE = Subcommand(
    ("approve",),
    ("approuver",),
    requests_parsing.parse_approve,
    deciding.approve_command,
    usage.APPROVE,
)
REJECT = Subcommand(
    ("reject",),
    ("refuser",),
    requests_parsing.parse_reject,
    deciding.reject_command,
    usage.REJECT,
)
REQUESTS = Subcommand(
    ("requests",),
    ("demandes",),
    requests_parsing.parse_requests,
    asking.my_requests,
    usage.REQUESTS,
    guests=everything,
)
APPROVERS = Subcommand(
    ("approvers",),
    ("approbateurs", "approbateur"),
    admin_parsing.parse_approvers,
    admin.manage_role,
    usage.APPROVERS,
    guests=verbs("list"),
)
ADMINS = Subcommand(
    ("admins",),
    ("administrateurs", "administrateur"),
    admin_parsing.parse_admins,
    admin.manage_role,
    usage.ADMINS,
    guests=verbs("list"),
)
APPROVALS_CHANNEL = Subcommand(
    ("approvals-channel",),
    ("canal-approbations", "canal-des-approbations"),
    admin_parsing.parse_approvals_channel,
    admin.set_approvals_channel,
    usage.APPROVALS_CHANNEL,
)
POLICY = Subcommand(
    ("policy",),
    ("règles", "règle", "politique"),
    admin_parsing.parse_policy,
    admin.policy,
    usage.POLICY,
    guests=lambda parsed: isinstance(parsed, admin_parsing.ShowPolicy),
)
AUDIT = Subcommand(
    ("audit",), ("journal",), admin_parsing.parse_audit, admin.audit_trail, usage.AUDIT
)
DIGEST = Subcommand(
    ("digest", "digests"),
    ("récapitulatif", "récapitulatifs", "récap", "résumé"),
    parse_digest,
    digests.digest,
    usage.DIGEST,
    guests=verbs("list", "preview"),
)
ALERT = Subcommand(
    ("alert", "alerts"),
    ("alerte", "alertes"),
    parse_alert,
    alerts.alert,
    usage.ALERT,
    guests=verbs("list"),
)
LANGUAGE = Subcommand(("language",), ("langue",), parse_language, set_language, usage.LANGUAGE)
ANOMALY = Subcommand(
    ("anomaly", "anomalies"), ("anomalie",), parse_anomaly, anomalies.anomaly, usage.ANOMALY
)
FREEZE = Subcommand(
    ("freeze",), ("geler",), controls_parsing.parse_freeze, controls.freeze, usage.FREEZE
)
UNFREEZE = Subcommand(
    ("unfreeze",), ("dégeler",), controls_parsing.parse_unfreeze, controls.unfreeze, usage.UNFREEZE
)
CAP = Subcommand(
    ("cap", "caps"),
    ("plafond", "plafonds"),
    controls_parsing.parse_cap,
    controls.cap,
    usage.CAP,
    guests=lambda parsed: isinstance(parsed, controls_parsing.ListControls),
)
RECURRING = Subcommand(
    ("recurring",),
    ("récurrent", "récurrents"),
    recurring_parsing.parse_recurring,
    recurring.recurring,
    usage.RECURRING,
    guests=lambda parsed: isinstance(parsed, recurring_parsing.ListSeries),
)
AUTO_TOPUP = Subcommand(
    ("auto-topup",),
    ("recharge-auto",),
    recurring_parsing.parse_auto_topup,
    recurring.recurring,
    usage.AUTO_TOPUP,
    guests=lambda parsed: isinstance(parsed, recurring_parsing.ListSeries),
)
BATCH = Subcommand(
    ("batch",), ("lot",), parse_batch, batches.open_batch, usage.BATCH, opens_first=True
)
USAGE = Subcommand(
    ("usage",), ("consommation",), parse_usage, usage_statement, usage.USAGE_STATEMENT
)

ENTRIES = (
    HELP,
    SETUP,
    BALANCE,
    SUBACCOUNTS,
    SUBACCOUNT,
    SUBACCOUNT_CREATE,
    SUBACCOUNT_DELETE,
    CREDIT,
    CREDIT_ADD,
    CREDIT_REMOVE,
    APPROVALS,
    APPROVE,
    REJECT,
    REQUESTS,
    APPROVERS,
    ADMINS,
    APPROVALS_CHANNEL,
    POLICY,
    AUDIT,
    DIGEST,
    ALERT,
    LANGUAGE,
    ANOMALY,
    USAGE,
    FREEZE,
    UNFREEZE,
    CAP,
    RECURRING,
    AUTO_TOPUP,
    BATCH,
)
"""The table: every subcommand, once."""

SUBCOMMANDS: dict[str, Subcommand] = {
    **{key: entry for entry in ENTRIES for key in entry.english},
    **{key: entry for entry in ENTRIES for key in entry.french},
}
"""Every word of the table (English first) → its entry."""

WORDS = tuple(dict.fromkeys(key.split()[0] for key in SUBCOMMANDS))
"""The first words of the table, for telling a mistyped product and suggesting a subcommand."""
_TABLE = {" ".join(word(part) for part in key.split()): entry for key, entry in SUBCOMMANDS.items()}
_FIRST_WORDS = frozenset(key.split()[0] for key in _TABLE)


COMMAND = "partner_command"
"""Context key of what the door read of `/partner`'s text: `Parsed`, or the CommandError."""


@dataclass(frozen=True, slots=True)
class Parsed:
    command: Any
    subcommand: Subcommand

    @property
    def guests_may(self) -> bool:
        return self.subcommand.guests(self.command)


Read = Parsed | CommandError


def parse(raw: str) -> Parsed:
    """`[product] <subcommand> [arguments]` (text as typed, see bot.slack.slack_text.from_slack)."""
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
            raise CommandError(later(lambda: text.UNKNOWN_PRODUCT.format(name=shown(name))))
        raise CommandError(later(lambda: unknown_subcommand(name)))
    entry, args = entry_and_args
    try:
        return Parsed(entry.parse(product, args), entry)
    except CommandError as refused:
        # The asker gets the reason and this subcommand's usage, not the whole help.
        if refused.usage is None:
            refused.usage = entry.usage
        raise


def read(raw: str) -> Read:
    """What `/partner raw` (text as typed) asks for, or why it is refused: pure, so it runs
    at the door before the ack; a refusal is worded when read (bot.slack.commands.later)."""
    try:
        return parse(raw)
    except CommandError as refused:
        return refused


def parse_command(raw: str) -> Any:
    """The typed command `raw` asks for (or CommandError): what the parsers alone say."""
    return parse(raw).command


def guests_may(read: Read | None) -> bool:
    """Whether a guest may run what the door read, as its table entry says. A text refused is
    answered with the usage, which anyone may read; nothing read (not `/partner`): no."""
    if isinstance(read, CommandError):
        return True
    return read is not None and read.guests_may


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
