"""`/partner …` text → one typed command, or a refusal that says what to type: every form."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.partner.models import Product
from bot.services.roles import Subject, SubjectKind
from bot.slack.admin import listeners as admin
from bot.slack.admin.parsing import (
    ExportAudit,
    ManageRole,
    SetApprovalsChannel,
    SetPolicy,
    ShowAudit,
    ShowPolicy,
)
from bot.slack.alerts import listeners as alerts
from bot.slack.alerts.parsing import AlertCommand, SetAlert
from bot.slack.anomalies import listeners as anomalies
from bot.slack.anomalies.parsing import ExportLedger, SetFloor, ShowFloor
from bot.slack.batches.parsing import OpenBatch
from bot.slack.commands import CommandError
from bot.slack.controls import listeners as controls
from bot.slack.controls.parsing import Freeze, ListControls, SetCap, Unfreeze
from bot.slack.digests import listeners as digests
from bot.slack.digests.parsing import DigestCommand, DigestSubscribe
from bot.slack.language.parsing import Language
from bot.slack.lookups import listeners as lookups
from bot.slack.lookups.parsing import Balance, Help, ListSubaccounts, ShowSubaccount
from bot.slack.partner_command import SUBCOMMANDS, parse, parse_command
from bot.slack.recurring.parsing import ListSeries, OnSeries
from bot.slack.requests import asking, deciding
from bot.slack.requests.parsing import (
    CreateSubaccount,
    CreditMove,
    Decide,
    DeleteSubaccount,
    MyRequests,
    PendingApprovals,
)
from bot.slack.setup import listeners as setup
from bot.slack.setup.parsing import Setup
from bot.slack.usage.parsing import UsageStatement

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
    ("batch", OpenBatch(SMS)),
    ("recurring", ListSeries()),
    ("recurring pause 3", OnSeries("pause", 3)),
    ("récurrent annuler 4", OnSeries("cancel", 4)),
    ("récurrents", ListSeries()),
    ("auto-topup", ListSeries(auto=True)),
    ("recharge-auto annuler 2", OnSeries("cancel", 2)),
    ("mail lot", OpenBatch(MAIL)),
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
    # Every other word and alias of the table, and the forms around them.
    ("?", Help()),
    ("? policy", Help("policy")),
    ("balances", Balance()),
    ("BALANCE", Balance()),
    ("Mail Balances", Balance(MAIL)),
    ("voice subaccounts", ListSubaccounts(VOICE, "")),
    ("subaccount create acme", ShowSubaccount(SMS, "create acme")),  # only `create` alone creates
    ("subaccount Delete a@b.co", DeleteSubaccount(SMS, "a@b.co", None)),
    ("voice subaccount delete 7 <@U1|max> asked", DeleteSubaccount(VOICE, "7", "@max asked")),
    ("credit ADD a@b.co €12", CreditMove(SMS, True, "a@b.co", Decimal(12), None)),
    (
        "voice credit remove a@b.co 5 eur back",
        CreditMove(VOICE, False, "a@b.co", Decimal(5), "back"),
    ),
    ("approvals anything", PendingApprovals()),
    ("approve 3", Decide(3)),
    ("approve #3", Decide(3)),
    ("approuver 12", Decide(12)),
    ("reject 3 over budget", Decide(3, "over budget")),
    ("refuser #4 budget dépassé", Decide(4, "budget dépassé")),
    ("requests", MyRequests()),
    ("admins list", ManageRole("admin", "list")),
    ("admins", ManageRole("admin", "list")),
    ("approvers", ManageRole("approver", "list")),
    ("policy auto-approve off", SetPolicy("auto_approve_limit", Decimal(0))),
    ("policy two-approvers off", SetPolicy("two_approver_threshold", None)),
    ("policy expiry 24", SetPolicy("expiry_hours", 24)),
    ("policy requesters everyone", SetPolicy("requesters_usergroup_id", None)),
    ("politique daily-cap aucun", SetPolicy("daily_auto_approve_cap", None)),
    ("politique auto-approve aucun", SetPolicy("auto_approve_limit", Decimal(0))),
    ("politique requesters tous", SetPolicy("requesters_usergroup_id", None)),
    (
        "policy requesters <!subteam^S9|@sales>",
        SetPolicy("requesters_usergroup_id", Subject(SubjectKind.USERGROUP, "S9", "sales")),
    ),
    ("audit 30d", ShowAudit(30)),
    ("audit export", ExportAudit(90)),
    ("digests list", DigestCommand("list")),
    ("digest unsubscribe", DigestCommand("unsubscribe")),
    ("digest now", DigestCommand("now")),
    ("mail digest subscribe 09:00", DigestSubscribe(("09:00", "mail"))),
    ("alerts list", AlertCommand("list")),
    ("mail alert main 500", SetAlert(MAIL, "main", Decimal(500))),
    ("alert subaccounts 1 000,50 €", SetAlert(SMS, "subaccounts", Decimal("1000.5"))),
    ("language fr here", Language("fr", here=True)),
    ("langue anglais", Language("en")),
    # French words: one line per alias of the table.
    ("aide", Help()),
    ("config", Setup()),
    ("configurer", Setup()),
    ("solde", Balance()),
    ("mail solde", Balance(MAIL)),
    ("solde voice", Balance(VOICE)),
    ("sous-comptes acme", ListSubaccounts(SMS, "acme")),
    ("mail sous-comptes", ListSubaccounts(MAIL, "")),
    ("sous-compte client@example.com", ShowSubaccount(SMS, "client@example.com")),
    ("sous-compte créer", CreateSubaccount(SMS)),
    ("Sous-Compte CRÉER", CreateSubaccount(SMS)),
    ("sous-compte supprimer a@b.co parti", DeleteSubaccount(SMS, "a@b.co", "parti")),
    (
        "crédit ajouter a@b.co 12,50 recharge",
        CreditMove(SMS, True, "a@b.co", Decimal("12.5"), "recharge"),
    ),
    ("cre\u0301dit ajouter a@b.co 5", CreditMove(SMS, True, "a@b.co", Decimal(5), None)),
    ("credit ajouter a@b.co 1 000,50 €", CreditMove(SMS, True, "a@b.co", Decimal("1000.5"), None)),
    ("mail crédit retirer 42 3 retour", CreditMove(MAIL, False, "42", Decimal(3), "retour")),
    ("credit retirer a@b.co 7.25", CreditMove(SMS, False, "a@b.co", Decimal("7.25"), None)),
    ("approbations", PendingApprovals()),
    ("demandes", MyRequests()),
    ("approbateurs add <@U1>", ManageRole("approver", "add", Subject(SubjectKind.USER, "U1"))),
    ("politique", ShowPolicy()),
    ("règles expiry 24h", SetPolicy("expiry_hours", 24)),
    ("journal 30", ShowAudit(30)),
    ("résumé maintenant", DigestCommand("now")),
    ("résumé abonner 08:30", DigestSubscribe(("08:30",))),
    ("recap désabonner", DigestCommand("unsubscribe")),
    ("recap liste", DigestCommand("list")),
    ("résumé aperçu", DigestCommand("preview")),
    ("alerte principal 500 100", SetAlert(SMS, "main", Decimal(500), Decimal(100))),
    ("alertes sous-comptes 10", SetAlert(SMS, "subaccounts", Decimal(10))),
    ("alerte sous-compte a@b.co 5", SetAlert(SMS, "subaccount", Decimal(5), ref="a@b.co")),
    ("alerte canal", AlertCommand("channel")),
    ("alertes liste", AlertCommand("list")),
    ("configuration", Setup()),
    ("soldes", Balance()),
    ("administrateurs ajouter <@U2>", ManageRole("admin", "add", Subject(SubjectKind.USER, "U2"))),
    ("canal-approbations", SetApprovalsChannel()),
    ("canal-des-approbations", SetApprovalsChannel()),
    ("récapitulatif maintenant", DigestCommand("now")),
    ("récapitulatifs liste", DigestCommand("list")),
    ("récap aperçu", DigestCommand("preview")),
    ("approbateur liste", ManageRole("approver", "list")),
    ("administrateur liste", ManageRole("admin", "list")),
    ("règle", ShowPolicy()),
    ("anomaly", ShowFloor()),
    ("anomaly floor 20", SetFloor(Decimal(20))),
    ("anomalies floor 12,5", SetFloor(Decimal("12.5"))),
    ("anomaly export", ExportLedger(SMS, 7)),
    ("mail anomaly export 30", ExportLedger(MAIL, 30)),
    ("anomalie plancher 1 000 €", SetFloor(Decimal(1000))),
    ("anomalie exporter 3", ExportLedger(SMS, 3)),
    ("usage", UsageStatement((SMS, MAIL), None, None)),
    ("mail usage 2026-02 a@b.co", UsageStatement((MAIL,), date(2026, 2, 1), "a@b.co")),
    ("usage a@b.co 2026-02", UsageStatement((SMS, MAIL), date(2026, 2, 1), "a@b.co")),
    ("consommation 2026-12", UsageStatement((SMS, MAIL), date(2026, 12, 1), None)),
    ("consommation a@b.co", UsageStatement((SMS, MAIL), None, "a@b.co")),
    ("freeze acme@x.co", Freeze(SMS, "acme@x.co")),
    ("mail geler acme@x.co", Freeze(MAIL, "acme@x.co")),
    ("unfreeze acme@x.co", Unfreeze(SMS, "acme@x.co")),
    ("degeler acme@x.co", Unfreeze(SMS, "acme@x.co")),
    ("dégeler acme@x.co", Unfreeze(SMS, "acme@x.co")),
    ("cap acme@x.co 100", SetCap(SMS, "acme@x.co", Decimal(100))),
    ("caps acme@x.co 1 000,50 €", SetCap(SMS, "acme@x.co", Decimal("1000.50"))),
    ("cap acme@x.co off", SetCap(SMS, "acme@x.co", None)),
    ("plafond acme@x.co aucun", SetCap(SMS, "acme@x.co", None)),
    ("plafonds acme@x.co 12,5", SetCap(SMS, "acme@x.co", Decimal("12.5"))),
    ("cap list", ListControls(None)),
    ("mail plafond liste", ListControls(MAIL)),
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
    ("batch acme", "takes nothing after it"),
    ("crédit", "credit add|remove"),
    ("crédit ajouter a@b.co", "credit add|remove"),
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
    ("balanse", "Did you mean `/partner balance`"),
    ("alrt list", "Did you mean `/partner alert`"),
    ("anomaly floor", "anomaly floor"),
    ("anomaly floor 0", "greater than 0"),
    ("anomaly floor lots", "not an amount"),
    ("anomaly export 36", "1 to 35 days"),
    ("anomaly export 0", "1 to 35 days"),
    ("anomaly export week", "1 to 35 days"),
    ("voice anomaly export", "anomaly export"),
    ("anomaly freeze", "anomaly floor"),
    ("usage 2026-13", "not a month"),
    ("usage 2026-1", "not a month"),
    ("usage 11/2026", "not a month"),
    ("usage 2026-11 a@b.co c@d.co", "usage [YYYY-MM]"),
    ("usage 2026-11 2026-12", "usage [YYYY-MM]"),
    ("usage a@b.co 2026-13", "not a month"),
    ("voice usage", "no subaccounts"),
    ("freeze", "freeze &lt;subaccount&gt;"),
    ("freeze a@b.co now", "freeze &lt;subaccount&gt;"),
    ("voice freeze a@b.co", "no subaccounts"),
    ("unfreeze", "unfreeze &lt;subaccount&gt;"),
    ("cap a@b.co", "cap &lt;subaccount&gt; &lt;amount&gt;"),
    ("cap a@b.co 0", "greater than 0"),
    ("cap a@b.co lots", "not an amount"),
    ("credit move a@b.co 5", "credit add|remove"),
    ("credit add a@b.co 12 50 €", "ambiguous"),
    ("mail subaccount", "Which subaccount?"),
    ("admins add <!subteam^S1|@finance>", "admins add|remove"),
    ("approvers add bob", "approvers add|remove"),
    ("approvers promote <@U1>", "approvers add|remove"),
    ("policy auto-approve", "policy"),
    ("policy expiry 24 hours", "policy"),
    ("policy auto-approve lots", "not an amount"),
    ("policy requesters <@U1>", "user group"),
    ("audit 0", "1 to 366 days"),
    ("digest", "digest subscribe"),
    ("digest list now", "digest subscribe"),
    ("alert", "alert main"),
    ("alert main", "alert main"),
    ("alert main 10 5 1", "alert main"),
    ("alert subaccount a@b.co", "alert main"),
    ("alert main ten", "not an amount"),
    ("approve", "Which request?"),
    ("approve 3 4", "Which request?"),
    ("approve three", "not a request number"),
    ("approve 0", "not a request number"),
    ("approve 99999999999999999999999", "not a request number"),
    ("approve ３", "not a request number"),  # a full-width digit is not ours
    ("reject", "Which request?"),
    ("reject 3", "Say why"),
    ("refuser x trop cher", "not a request number"),
]


@pytest.mark.parametrize(("text", "message"), REFUSED, ids=[t for t, _ in REFUSED])
def test_refused_with_what_to_type(text: str, message: str) -> None:
    with pytest.raises(CommandError) as refused:
        parse_command(text)
    assert message.lower() in refused.value.message.lower()


# Every key of the table is tried by a form above: a new word or alias needs its line.
def test_every_word_of_the_table_is_tried_above() -> None:
    tried = [_without_product(text.lower()) for text, _ in [*UNDERSTOOD, *REFUSED]]
    untried = [
        key
        for key in SUBCOMMANDS
        if not any(words[: len(key.split())] == key.split() for words in tried)
    ]
    assert untried == []


def _without_product(text: str) -> list[str]:
    words = text.split()
    return words[1:] if words and words[0] in set(Product) else words

    raise AssertionError


# Which handler each subcommand reaches: dispatched once, from the table.
DISPATCHED = [
    ("", lookups.show_help),
    ("?", lookups.show_help),
    ("mail", lookups.show_balance),
    ("balances", lookups.show_balance),
    ("subaccounts", lookups.list_subaccounts),
    ("subaccount a@b.co", lookups.show_subaccount),
    ("subaccount create acme", lookups.show_subaccount),
    ("setup", setup.open_setup),
    ("approvers add <@U1>", admin.manage_role),
    ("admins", admin.manage_role),
    ("approvals-channel", admin.set_approvals_channel),
    ("policy", admin.policy),
    ("policy expiry 4", admin.policy),
    ("audit export", admin.audit_trail),
    ("digests preview", digests.digest),
    ("alerts list", alerts.alert),
    ("subaccount create", asking.subaccount_create),
    ("subaccount delete a@b.co", asking.subaccount_delete),
    ("credit add a@b.co 5", asking.credit_move),
    ("credit remove a@b.co 5", asking.credit_move),
    ("approvals", asking.pending_approvals),
    ("approve 3", deciding.approve_command),
    ("reject 3 no", deciding.reject_command),
    ("requests", asking.my_requests),
    ("solde", lookups.show_balance),
    ("sous-comptes", lookups.list_subaccounts),
    ("sous-compte créer", asking.subaccount_create),
    ("crédit ajouter a@b.co 5", asking.credit_move),
    ("aide", lookups.show_help),
    ("résumé maintenant", digests.digest),
    ("alerte liste", alerts.alert),
    ("journal", admin.audit_trail),
    ("anomaly floor 5", anomalies.anomaly),
    ("anomalie exporter", anomalies.anomaly),
    ("freeze a@b.co", controls.freeze),
    ("dégeler a@b.co", controls.unfreeze),
    ("plafond liste", controls.cap),
]


@pytest.mark.parametrize(
    ("text", "handler"), DISPATCHED, ids=[t or "(empty)" for t, _ in DISPATCHED]
)
def test_dispatched_to(text: str, handler: object) -> None:
    reached = parse(text).subcommand.handle
    assert reached is handler
