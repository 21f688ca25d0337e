"""`/partner …` text → one small typed command, or a `CommandError` with a helpful message.

Grammar: `/partner [sms|mail|voice] <subcommand> [arguments]`. The product word is optional
(default SMS, or every product for `balance`). The manifest sets `should_escape`, so people
and groups arrive as `<@U123|name>` and `<!subteam^S123|@group>`: `parse_command` takes the
text after `bot.slack.text.from_slack`, which keeps those tokens and turns everything else back
into what was typed.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from decimal import Decimal

from bot.money import CURRENCY_WORDS, InvalidAmount, parse_user_amount
from bot.partner.models import Product
from bot.services.roles import Subject, SubjectKind
from bot.slack.text import escape, mentions_as_typed
from bot.slack.texts import help as text
from bot.slack.texts import language as language_text

MAX_SEARCH = 200
MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class Help:
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class Setup:
    pass


@dataclass(frozen=True, slots=True)
class Balance:
    product: Product | None = None


@dataclass(frozen=True, slots=True)
class ListSubaccounts:
    product: Product
    search: str = ""


@dataclass(frozen=True, slots=True)
class ShowSubaccount:
    product: Product
    ref: str


@dataclass(frozen=True, slots=True)
class CreditMove:
    product: Product
    add: bool
    ref: str
    amount: Decimal
    reason: str | None


@dataclass(frozen=True, slots=True)
class CreateSubaccount:
    product: Product


@dataclass(frozen=True, slots=True)
class DeleteSubaccount:
    product: Product
    ref: str
    reason: str | None


@dataclass(frozen=True, slots=True)
class PendingApprovals:
    pass


@dataclass(frozen=True, slots=True)
class MyRequests:
    pass


@dataclass(frozen=True, slots=True)
class ManageRole:
    """`/partner approvers|admins add|remove|list [@user|@group]`."""

    role: str  # "approver" | "admin"
    verb: str  # "add" | "remove" | "list"
    subject: Subject | None = None


@dataclass(frozen=True, slots=True)
class SetApprovalsChannel:
    pass


@dataclass(frozen=True, slots=True)
class ShowPolicy:
    pass


@dataclass(frozen=True, slots=True)
class SetPolicy:
    """One policy setting: `field` is a `bot.services.policy.Policy` field name."""

    field: str
    value: Decimal | int | Subject | None
    """A user group `Subject` for `requesters_usergroup_id`; checked with Slack before use."""


@dataclass(frozen=True, slots=True)
class ShowAudit:
    days: int


@dataclass(frozen=True, slots=True)
class ExportAudit:
    days: int


@dataclass(frozen=True, slots=True)
class DigestSubscribe:
    words: tuple[str, ...]
    """Parsed by `bot.services.schedule.parse_subscription` once the user's zone is known."""


@dataclass(frozen=True, slots=True)
class DigestCommand:
    verb: str  # "unsubscribe" | "list" | "now" | "preview"


@dataclass(frozen=True, slots=True)
class SetAlert:
    product: Product
    scope: str  # "main" | "subaccounts" | "subaccount"
    warn: Decimal
    critical: Decimal | None = None
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class AlertCommand:
    verb: str  # "channel" | "list"


@dataclass(frozen=True, slots=True)
class Language:
    """`/partner language fr|en [here]` (also `langue`, `ici`); no language: show them."""

    language: str | None = None
    here: bool = False


Command = (
    Help
    | Setup
    | Balance
    | ListSubaccounts
    | ShowSubaccount
    | CreditMove
    | CreateSubaccount
    | DeleteSubaccount
    | PendingApprovals
    | MyRequests
    | ManageRole
    | SetApprovalsChannel
    | ShowPolicy
    | SetPolicy
    | ShowAudit
    | ExportAudit
    | Language
)

SUBCOMMANDS = (
    "help",
    "setup",
    "balance",
    "subaccounts",
    "subaccount",
    "credit",
    "approvals",
    "requests",
    "approvers",
    "admins",
    "approvals-channel",
    "policy",
    "audit",
)

_USER = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_GROUP = re.compile(r"^<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>$")
# A word that continues an amount: a group of exactly 3 digits after a space ("1 000,50"),
# possibly with the decimals and a currency sign glued on.
_THOUSANDS_GROUP = re.compile(r"^\d{3}(?:[.,]\d+)?(?:€|eur(?:os?)?)?$", re.IGNORECASE)
_GROUP_HEAD = re.compile(r"(?:€|eur)?[+-]?\d{1,3}", re.IGNORECASE)
_NUMERIC = re.compile(r"^[+-]?[\d.,]*\d[\d.,]*$")
POLICY_SETTINGS = {
    "auto-approve": "auto_approve_limit",
    "daily-cap": "daily_auto_approve_cap",
    "two-approvers": "two_approver_threshold",
    "expiry": "expiry_hours",
    "requesters": "requesters_usergroup_id",
}
MAX_AUDIT_DAYS = 366


def _language(args: list[str]) -> Language:
    words = [word.lower() for word in args]
    here = bool(words) and words[-1] in ("here", "ici")
    if here:
        words.pop()
    names = {"fr": "fr", "french": "fr", "français": "fr", "francais": "fr"}
    names |= {"en": "en", "english": "en", "anglais": "en"}
    if not words and not here:
        return Language()
    if len(words) != 1 or words[0] not in names:
        raise CommandError(str(language_text.USAGE))
    return Language(names[words[0]], here)


class CommandError(Exception):
    """The text is not a command we understand; `message` says what to type instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_command(raw: str) -> Command:
    words = raw.split()
    product: Product | None = None
    if words and words[0].lower() in Product.__members__.values():
        product = Product(words.pop(0).lower())
    if not words:
        return Balance(product) if product else Help()
    name, args = words[0].lower(), words[1:]
    rest = " ".join(args)

    match name:
        case "help" | "?":
            return Help(args[0].lower() if args else None)
        case "setup":
            return Setup()
        case "balance" | "balances":
            if product is None and len(args) == 1 and args[0].lower() in set(Product):
                product = Product(args[0].lower())
            elif args:
                raise CommandError(text.BALANCE_ARGS)
            return Balance(product)
        case "subaccounts":
            return ListSubaccounts(product or Product.SMS, rest[:MAX_SEARCH])
        case "subaccount":
            return _subaccount(product or Product.SMS, args)
        case "credit":
            return _credit(product or Product.SMS, args)
        case "approvals":
            return PendingApprovals()
        case "requests":
            return MyRequests()
        case "approvers" | "admins":
            return _role("approver" if name == "approvers" else "admin", args)
        case "approvals-channel":
            return SetApprovalsChannel()
        case "policy":
            return _policy(args)
        case "audit":
            return _audit(args)
        case "digest" | "digests":
            return _digest(product, args)
        case "alert" | "alerts":
            return _alert(product or Product.SMS, args)
        case "language" | "langue":
            return _language(args)
    if args and args[0].lower() in SUBCOMMANDS:
        raise CommandError(text.UNKNOWN_PRODUCT.format(name=_shown(name)))
    raise CommandError(unknown_subcommand(name))


def _subaccount(product: Product, args: list[str]) -> Command:
    if not args:
        raise CommandError(text.SUBACCOUNT_NEEDS_REF)
    verb = args[0].lower()
    if verb == "create" and len(args) == 1:
        return CreateSubaccount(product)
    if verb == "delete":
        if len(args) < 2:
            raise CommandError(text.DELETE_NEEDS_REF)
        return DeleteSubaccount(product, args[1], _reason(args[2:]))
    return ShowSubaccount(product, " ".join(args)[:MAX_SEARCH])


def _credit(product: Product, args: list[str]) -> CreditMove:
    if not args or args[0].lower() not in ("add", "remove"):
        raise CommandError(text.CREDIT_USAGE)
    if len(args) < 3:
        raise CommandError(text.CREDIT_USAGE)
    ref = args[1]
    amount_words, reason_words = take_amount(args[2:], text.CREDIT_USAGE)
    try:
        amount = parse_user_amount(" ".join(amount_words))
    except InvalidAmount as error:
        raise CommandError(escape(str(error)) + " " + text.CREDIT_USAGE) from None
    return CreditMove(product, args[0].lower() == "add", ref, amount, _reason(reason_words))


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
        raise CommandError(text.AMOUNT_AMBIGUOUS.format(typed=escape(shown)) + " " + usage)
    return words[:position], words[position:]


def _role(role: str, args: list[str]) -> ManageRole:
    usage = text.APPROVERS_USAGE if role == "approver" else text.ADMINS_USAGE
    if not args or args[0].lower() == "list":
        return ManageRole(role, "list")
    verb = args[0].lower()
    if verb not in ("add", "remove") or len(args) != 2:
        raise CommandError(usage)
    subject = parse_subject(args[1])
    if subject is None or (role == "admin" and subject.kind is SubjectKind.USERGROUP):
        raise CommandError(usage)
    return ManageRole(role, verb, subject)


def parse_subject(word: str) -> Subject | None:
    """`<@U123|name>` → a user, `<!subteam^S123|@group>` → a user group, with its handle
    ("group") as the label until Slack's own list confirms it."""
    if match := _USER.match(word):
        return Subject(SubjectKind.USER, match.group(1))
    if match := _GROUP.match(word):
        label = word[word.index("|") + 1 : -1].removeprefix("@") if "|" in word else None
        return Subject(SubjectKind.USERGROUP, match.group(1), label or None)
    return None


def _policy(args: list[str]) -> ShowPolicy | SetPolicy:
    if not args:
        return ShowPolicy()
    if len(args) < 2 or args[0].lower() not in POLICY_SETTINGS:
        raise CommandError(text.POLICY_USAGE)
    setting, value = POLICY_SETTINGS[args[0].lower()], " ".join(args[1:])
    if len(args) > 2 and setting not in (
        "auto_approve_limit",
        "daily_auto_approve_cap",
        "two_approver_threshold",
    ):
        raise CommandError(text.POLICY_USAGE)
    lowered = value.lower()
    match setting:
        case "auto_approve_limit":
            return SetPolicy(
                setting, Decimal(0) if lowered in ("0", "none", "off") else _policy_amount(value)
            )
        case "daily_auto_approve_cap" | "two_approver_threshold":
            return SetPolicy(setting, None if lowered in ("none", "off") else _policy_amount(value))
        case "expiry_hours":
            hours = lowered.removesuffix("h")
            if not hours.isdigit() or not 1 <= int(hours) <= 24 * 14:
                raise CommandError(text.POLICY_EXPIRY)
            return SetPolicy(setting, int(hours))
        case _:
            if lowered in ("everyone", "all", "none"):
                return SetPolicy(setting, None)
            subject = parse_subject(value)
            if subject is None or subject.kind is not SubjectKind.USERGROUP:
                raise CommandError(text.POLICY_REQUESTERS)
            return SetPolicy(setting, subject)


def _policy_amount(value: str) -> Decimal:
    try:
        return parse_user_amount(value)
    except InvalidAmount as error:
        raise CommandError(escape(str(error)) + " " + text.POLICY_USAGE) from None


def _audit(args: list[str]) -> ShowAudit | ExportAudit:
    export = bool(args) and args[0].lower() == "export"
    rest = args[1:] if export else args
    days = 90 if export else 7
    if rest:
        words = rest[0].lower().removesuffix("d")
        if not (words.isascii() and words.isdigit() and len(words) <= 3):
            raise CommandError(text.AUDIT_USAGE)  # "inf", "1e9", "٣": a number of days only
        days = int(words)
        if not 1 <= days <= MAX_AUDIT_DAYS:
            raise CommandError(text.AUDIT_USAGE)
    return ExportAudit(days) if export else ShowAudit(days)


def _digest(product: Product | None, args: list[str]) -> DigestSubscribe | DigestCommand:
    if not args:
        raise CommandError(text.DIGEST_USAGE)
    verb = args[0].lower()
    if verb == "subscribe":
        words = args[1:]
        if product is not None:
            words = [*words, product.value]
        return DigestSubscribe(tuple(words))
    if verb in ("unsubscribe", "list", "now", "preview") and len(args) == 1:
        return DigestCommand(verb)
    raise CommandError(text.DIGEST_USAGE)


def _alert(product: Product, args: list[str]) -> SetAlert | AlertCommand:
    verb = args[0].lower() if args else ""
    if verb in ("channel", "list") and len(args) == 1:
        return AlertCommand(verb)
    if verb == "main" and len(args) in (2, 3):
        warn = _alert_amount(args[1])
        critical = _alert_amount(args[2]) if len(args) == 3 else None
        if critical is not None and critical > warn:
            raise CommandError(text.ALERT_CRITICAL_ABOVE_WARN)
        return SetAlert(product, "main", warn, critical)
    # One amount at the end may take several words ("1 000,50 €"); "main" has two amounts,
    # so there each is one word.
    if verb == "subaccounts" and len(args) >= 2:
        return SetAlert(product, "subaccounts", _alert_amount(" ".join(args[1:])))
    if verb == "subaccount" and len(args) >= 3:
        return SetAlert(product, "subaccount", _alert_amount(" ".join(args[2:])), ref=args[1])
    raise CommandError(text.ALERT_USAGE)


def _alert_amount(value: str) -> Decimal:
    try:
        return parse_user_amount(value)
    except InvalidAmount as error:
        raise CommandError(escape(str(error)) + " " + text.ALERT_USAGE) from None


def _reason(words: list[str]) -> str | None:
    """Free text: a mention in it is kept as the name it showed (`@max`), never an id to ping."""
    reason = mentions_as_typed(" ".join(words)).strip()
    return reason[:MAX_REASON] or None


def _shown(word: str) -> str:
    """A word of the user's, fit to echo in mrkdwn inside backticks."""
    word = word.replace("`", "'")
    return escape(word if len(word) <= 40 else word[:40] + "…")


def unknown_subcommand(name: str) -> str:
    close = difflib.get_close_matches(name.lower(), SUBCOMMANDS, n=1, cutoff=0.5)
    message = text.UNKNOWN_SUBCOMMAND.format(name=_shown(name))
    if close:
        message += text.DID_YOU_MEAN.format(suggestion=close[0])
    return message
