"""`/partner …` text → one typed command, or a refusal that says what to type: every form."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.partner.models import Product
from bot.services.roles import Subject, SubjectKind
from bot.slack.admin.parsing import (
    ExportAudit,
    ManageRole,
    SetApprovalsChannel,
    SetPolicy,
    ShowAudit,
    ShowPolicy,
)
from bot.slack.alerts.parsing import AlertCommand, SetAlert
from bot.slack.commands import CommandError
from bot.slack.digests.parsing import DigestCommand, DigestSubscribe
from bot.slack.lookups.parsing import Balance, Help, ListSubaccounts, ShowSubaccount
from bot.slack.partner_command import parse_command
from bot.slack.requests.parsing import (
    CreateSubaccount,
    CreditMove,
    DeleteSubaccount,
    MyRequests,
    PendingApprovals,
)
from bot.slack.setup.parsing import Setup

SMS, MAIL, VOICE = Product.SMS, Product.MAIL, Product.VOICE

UNDERSTOOD = [
    ("", Help()),
    ("help", Help()),
    ("help credit", Help("credit")),
    ("setup", Setup()),
    ("balance", Balance()),
    ("balance mail", Balance(MAIL)),
    ("voice balance", Balance(VOICE)),
    ("mail", Balance(MAIL)),
    ("subaccounts", ListSubaccounts(SMS, "")),
    ("mail subaccounts acme", ListSubaccounts(MAIL, "acme")),
    ("subaccount client@example.com", ShowSubaccount(SMS, "client@example.com")),
    ("subaccount create", CreateSubaccount(SMS)),
    ("mail subaccount create", CreateSubaccount(MAIL)),
    ("subaccount delete a@b.co", DeleteSubaccount(SMS, "a@b.co", None)),
    ("subaccount delete a@b.co client left", DeleteSubaccount(SMS, "a@b.co", "client left")),
    ("credit add a@b.co 12", CreditMove(SMS, True, "a@b.co", Decimal(12), None)),
    ("credit add a@b.co 12,50 top-up", CreditMove(SMS, True, "a@b.co", Decimal("12.5"), "top-up")),
    ("credit add a@b.co 1 000,50 €", CreditMove(SMS, True, "a@b.co", Decimal("1000.5"), None)),
    ("mail credit remove 42 3 back", CreditMove(MAIL, False, "42", Decimal(3), "back")),
    ("approvals", PendingApprovals()),
    ("requests", MyRequests()),
    ("approvers list", ManageRole("approver", "list")),
    ("approvers add <@U1>", ManageRole("approver", "add", Subject(SubjectKind.USER, "U1"))),
    ("admins remove <@U2|bob>", ManageRole("admin", "remove", Subject(SubjectKind.USER, "U2"))),
    (
        "approvers add <!subteam^S1|@finance>",
        ManageRole("approver", "add", Subject(SubjectKind.USERGROUP, "S1")),
    ),
    ("approvals-channel", SetApprovalsChannel()),
    ("policy", ShowPolicy()),
    ("policy auto-approve 50", SetPolicy("auto_approve_limit", Decimal(50))),
    ("policy daily-cap none", SetPolicy("daily_auto_approve_cap", None)),
    ("policy two-approvers 1 000", SetPolicy("two_approver_threshold", Decimal(1000))),
    ("policy expiry 48h", SetPolicy("expiry_hours", 48)),
    ("audit", ShowAudit(7)),
    ("audit 30", ShowAudit(30)),
    ("audit export 90", ExportAudit(90)),
    ("digest subscribe 08:30 Europe/Paris", DigestSubscribe(("08:30", "Europe/Paris"))),
    ("digest preview", DigestCommand("preview")),
    ("alert main 500 100", SetAlert(SMS, "main", Decimal(500), Decimal(100))),
    ("alert subaccounts 10", SetAlert(SMS, "subaccounts", Decimal(10))),
    ("alert subaccount a@b.co 5", SetAlert(SMS, "subaccount", Decimal(5), ref="a@b.co")),
    ("alert channel", AlertCommand("channel")),
]


@pytest.mark.parametrize(
    ("text", "expected"), UNDERSTOOD, ids=[t or "(empty)" for t, _ in UNDERSTOOD]
)
def test_understood(text: str, expected: object) -> None:
    assert parse_command(text) == expected


REFUSED = [
    ("frobnicate", "I don't know"),
    ("balance sms mail", "at most a product"),
    ("subaccount", "Which subaccount?"),
    ("subaccount delete", "Which subaccount?"),
    ("credit", "credit add|remove"),
    ("credit add a@b.co", "credit add|remove"),
    ("credit add a@b.co zero", "not an amount"),
    ("credit add a@b.co 12 50", "ambiguous"),
    ("credit add a@b.co -5", "greater than 0"),
    ("credit add a@b.co 1,2345", "3 decimals"),
    ("approvers add", "approvers add|remove"),
    ("policy nonsense 5", "policy"),
    ("policy expiry 1000h", "between 1 and 336"),
    ("audit 9999", "1 to 366 days"),
    ("audit INF", "1 to 366 days"),  # found by hypothesis: Decimal("inf") overflowed int()
    ("audit 1e3", "1 to 366 days"),
    ("audit export nan", "1 to 366 days"),
    ("alert main 100 500", "below the warning"),
    ("smss balance", "is not a product"),
]


@pytest.mark.parametrize(("text", "message"), REFUSED, ids=[t for t, _ in REFUSED])
def test_refused_with_what_to_type(text: str, message: str) -> None:
    with pytest.raises(CommandError) as refused:
        parse_command(text)
    assert message.lower() in refused.value.message.lower()
