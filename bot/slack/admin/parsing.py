"""`/partner approvers|admins`, `approvals-channel`, `policy`, `audit`: the admin commands."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.partner.models import Product
from bot.services.audit import MAX_DAYS as MAX_AUDIT_DAYS
from bot.services.policy import MAX_EXPIRY_HOURS, MAX_REMIND_HOURS
from bot.services.roles import Subject, SubjectKind
from bot.slack.commands import CommandError, amount, later, parse_subject, word, words_table
from bot.slack.texts import help as text

POLICY_SETTINGS = words_table(
    {
        "auto-approve": "auto_approve_limit",
        "daily-cap": "daily_auto_approve_cap",
        "two-approvers": "two_approver_threshold",
        "expiry": "expiry_hours",
        "requesters": "requesters_usergroup_id",
        "remind": "remind_hours",
        "escalate": "escalate_hours",
        # French (docs/glossary.md), the first of each the one help shows.
        "approbation-auto": "auto_approve_limit",
        "approbation-automatique": "auto_approve_limit",
        "plafond-quotidien": "daily_auto_approve_cap",
        "plafond-journalier": "daily_auto_approve_cap",
        "plafond-auto": "daily_auto_approve_cap",
        "deux-approbateurs": "two_approver_threshold",
        "expiration": "expiry_hours",
        "délai": "expiry_hours",
        "demandeurs": "requesters_usergroup_id",
        "rappel": "remind_hours",
        "rappeler": "remind_hours",
        "escalade": "escalate_hours",
        "escalader": "escalate_hours",
    }
)
ROLE_VERBS = words_table(
    {
        "add": "add",
        "remove": "remove",
        "list": "list",
        "ajouter": "add",
        "retirer": "remove",
        "enlever": "remove",
        "supprimer": "remove",
        "liste": "list",
        "lister": "list",
    }
)
EXPORT = frozenset(words_table({"export": "", "exporter": ""}))
_AMOUNT_SETTINGS = ("auto_approve_limit", "daily_auto_approve_cap", "two_approver_threshold")


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


def parse_approvers(_product: Product | None, args: list[str]) -> ManageRole:
    return _role("approver", args)


def parse_admins(_product: Product | None, args: list[str]) -> ManageRole:
    return _role("admin", args)


def _role(role: str, args: list[str]) -> ManageRole:
    usage = text.APPROVERS_USAGE if role == "approver" else text.ADMINS_USAGE
    verb = ROLE_VERBS.get(word(args[0]), "") if args else "list"
    if verb == "list":
        return ManageRole(role, "list")
    if verb not in ("add", "remove") or len(args) != 2:
        raise CommandError(usage)
    subject = parse_subject(args[1])
    if subject is None or (role == "admin" and subject.kind is SubjectKind.USERGROUP):
        raise CommandError(usage)
    return ManageRole(role, verb, subject)


_NONE = ("none", "aucun", "aucune", "sans", "off")
"""No limit, in either language (`/partner règles plafond-quotidien aucun`)."""
_EVERYONE = ("everyone", "all", "tous", "tout-le-monde", "none", "aucun", "aucune", "sans")
"""No requesters group: anyone may ask."""


def parse_approvals_channel(_product: Product | None, _args: list[str]) -> SetApprovalsChannel:
    return SetApprovalsChannel()


def parse_policy(_product: Product | None, args: list[str]) -> ShowPolicy | SetPolicy:
    if not args:
        return ShowPolicy()
    if len(args) < 2 or word(args[0]) not in POLICY_SETTINGS:
        raise CommandError(text.POLICY_USAGE)
    setting, value = POLICY_SETTINGS[word(args[0])], " ".join(args[1:])
    if len(args) > 2 and setting not in _AMOUNT_SETTINGS:
        raise CommandError(text.POLICY_USAGE)
    lowered = word(value)
    match setting:
        case "auto_approve_limit":
            return SetPolicy(
                setting,
                Decimal(0) if lowered in ("0", *_NONE) else amount(value, text.POLICY_USAGE),
            )
        case "daily_auto_approve_cap" | "two_approver_threshold":
            return SetPolicy(
                setting, None if lowered in _NONE else amount(value, text.POLICY_USAGE)
            )
        case "expiry_hours":
            hours = lowered.removesuffix("h")
            if not hours.isdigit() or not 1 <= int(hours) <= MAX_EXPIRY_HOURS:
                raise CommandError(later(lambda: text.POLICY_EXPIRY.format(most=MAX_EXPIRY_HOURS)))
            return SetPolicy(setting, int(hours))
        case "remind_hours" | "escalate_hours":
            if lowered in _NONE:
                return SetPolicy(setting, None)
            hours = lowered.removesuffix("h")
            if not hours.isdigit() or not 1 <= int(hours) <= MAX_REMIND_HOURS:
                raise CommandError(
                    later(lambda: text.POLICY_REMINDERS.format(most=MAX_REMIND_HOURS))
                )
            return SetPolicy(setting, int(hours))
        case _:
            if lowered in _EVERYONE:
                return SetPolicy(setting, None)
            subject = parse_subject(value)
            if subject is None or subject.kind is not SubjectKind.USERGROUP:
                raise CommandError(text.POLICY_REQUESTERS)
            return SetPolicy(setting, subject)


def parse_audit(_product: Product | None, args: list[str]) -> ShowAudit | ExportAudit:
    export = bool(args) and word(args[0]) in EXPORT
    rest = args[1:] if export else args
    days = 90 if export else 7
    if rest:
        # `30`, `30d`, and in French `30j`
        words = rest[0].lower().removesuffix("d").removesuffix("j")
        # "inf", "1e9", "٣": a number of days only
        if not (words.isascii() and words.isdigit() and len(words) <= 3):
            raise CommandError(later(lambda: text.AUDIT_USAGE.format(most=MAX_AUDIT_DAYS)))
        days = int(words)
        if not 1 <= days <= MAX_AUDIT_DAYS:
            raise CommandError(later(lambda: text.AUDIT_USAGE.format(most=MAX_AUDIT_DAYS)))
    return ExportAudit(days) if export else ShowAudit(days)
