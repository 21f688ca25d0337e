"""`/partner approvers|admins`, `approvals-channel`, `policy`, `audit`: the admin commands."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.partner.models import Product
from bot.services.roles import Subject, SubjectKind
from bot.slack.commands import CommandError, amount, parse_subject
from bot.slack.lookups import help_texts as text

POLICY_SETTINGS = {
    "auto-approve": "auto_approve_limit",
    "daily-cap": "daily_auto_approve_cap",
    "two-approvers": "two_approver_threshold",
    "expiry": "expiry_hours",
    "requesters": "requesters_usergroup_id",
}
_AMOUNT_SETTINGS = ("auto_approve_limit", "daily_auto_approve_cap", "two_approver_threshold")
MAX_AUDIT_DAYS = 366


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
    if not args or args[0].lower() == "list":
        return ManageRole(role, "list")
    verb = args[0].lower()
    if verb not in ("add", "remove") or len(args) != 2:
        raise CommandError(usage)
    subject = parse_subject(args[1])
    if subject is None or (role == "admin" and subject.kind is SubjectKind.USERGROUP):
        raise CommandError(usage)
    return ManageRole(role, verb, subject)


_NONE = ("none", "aucun", "aucune", "off")
"""No limit, in either language (`/partner politique plafond-auto aucun`)."""


def parse_approvals_channel(_product: Product | None, _args: list[str]) -> SetApprovalsChannel:
    return SetApprovalsChannel()


def parse_policy(_product: Product | None, args: list[str]) -> ShowPolicy | SetPolicy:
    if not args:
        return ShowPolicy()
    if len(args) < 2 or args[0].lower() not in POLICY_SETTINGS:
        raise CommandError(text.POLICY_USAGE)
    setting, value = POLICY_SETTINGS[args[0].lower()], " ".join(args[1:])
    if len(args) > 2 and setting not in _AMOUNT_SETTINGS:
        raise CommandError(text.POLICY_USAGE)
    lowered = value.lower()
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
            if not hours.isdigit() or not 1 <= int(hours) <= 24 * 14:
                raise CommandError(text.POLICY_EXPIRY)
            return SetPolicy(setting, int(hours))
        case _:
            if lowered in ("everyone", "all", "tous", *_NONE[:-1]):
                return SetPolicy(setting, None)
            subject = parse_subject(value)
            if subject is None or subject.kind is not SubjectKind.USERGROUP:
                raise CommandError(text.POLICY_REQUESTERS)
            return SetPolicy(setting, subject)


def parse_audit(_product: Product | None, args: list[str]) -> ShowAudit | ExportAudit:
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
