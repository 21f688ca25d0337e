"""The audit trail's lines, as people read them: people and channels as mentions, codes in
words, one line per approval, counts of days and entries in the right number — in English and
French. The end-to-end side is tests/slack/test_audit_trail.py."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from bot.i18n import language
from bot.services.audit import SYSTEM, AuditRecord
from bot.slack.admin.audit_views import audit_line, audit_reply, merged

AT = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
ALICE, BOB, CAROL = "U0ALICE", "U0BOB", "W0CAROL"


def entry(
    action: str,
    actor: str | None = ALICE,
    *,
    id: int = 1,
    request: int | None = None,
    product: str | None = None,
    amount: Decimal | None = None,
    **details: Any,
) -> AuditRecord:
    return AuditRecord(
        id=id,
        at=AT + timedelta(seconds=id),
        actor_id=actor,
        action=action,
        request_id=request + 100 if request is not None else None,
        request_number=request,
        product=product,
        amount=amount,
        details=details,
    )


def with_details(record: AuditRecord, **details: Any) -> AuditRecord:
    return replace(record, details=details)


def plain(text: str) -> str:
    """French sets no-break spaces before `:` and inside numbers: compared as spaces here."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


# (entry, language, what its line says, what it must not say)
LINES = [
    (
        entry("request_created", request=3, product="sms", request_action="credit_add"),
        "en",
        ["<@U0ALICE> made a request — request #3 · SMS Partner", "what: Credit top-up"],
        ["credit_add"],
    ),
    (
        entry("request_created", request=3, product="sms", request_action="credit_add"),
        "fr",
        ["<@U0ALICE> a fait une demande", "objet : Ajout de crédit"],
        ["credit_add"],
    ),
    (
        entry("approval_counted", BOB, request=3, approvers="1 of 2"),
        "en",
        ["<@U0BOB> approved (1 of 2) — request #3"],
        ["counted", "approvals"],
    ),
    (
        entry("approval_counted", BOB, request=3, approvers="1 of 2"),
        "fr",
        ["<@U0BOB> a approuvé (1 sur 2) — demande n° 3"],
        ["compté", "1 of 2"],
    ),
    (
        entry("approval_not_counted", CAROL, request=3, why="appointed by the requester"),
        "en",
        ["<@W0CAROL> clicked Approve (not counted)", "made an approver by the requester"],
        [],
    ),
    (
        entry(
            "setting_change_confirmed",
            BOB,
            change="#2",
            asked_by=ALICE,
            setting="daily_auto_approve_cap",
            old="200.000",
            new="none",
        ),
        "en",
        ["<@U0BOB> confirmed a setting change", "asked by: <@U0ALICE>", "€200.00 → none"],
        ["daily_auto_approve_cap", "asked by: U0ALICE"],
    ),
    (
        entry(
            "setting_change_proposed",
            change="#4",
            setting="approver",
            subject=f"user:{BOB}",
            old="no",
            new="yes",
        ),
        "fr",
        ["— <@U0BOB> — approbateur : non → oui", "changement de réglage : #4"],
        ["user:", "approver"],
    ),
    (
        with_details(
            entry("setting_change_not_confirmed", CAROL),
            change="#5",
            asked_by=ALICE,
            why="appointed by the asker",
            setting="partner_key",
            product="sms",  # a detail here (`audited`), not the entry's column
            old="…2e7b",
            new="…9f01",
        ),
        "en",
        ["asked by: <@U0ALICE>", "Partner API key: `…2e7b` → `…9f01`", "product: SMS Partner"],
        ["partner_key", "appointed by the asker"],
    ),
    (
        entry("withdrawn", SYSTEM, request=3, why="key_changed"),
        "en",
        ["system withdrew — request #3", "why: the Partner API key changed"],
        ["key_changed"],
    ),
    (
        entry("alert_channel_set", channel="C0ALERTS"),
        "en",
        ["<@U0ALICE> chose the alerts channel — channel: <#C0ALERTS>"],
        [],
    ),
    (
        entry(
            "alert_threshold_set",
            product="sms",
            scope="main",
            warn="100.000",
            critical="20.000",
        ),
        "en",
        ["set an alert threshold — SMS Partner", "warn below: €100.00", "critical below: €20.00"],
        ["main;", "100.000"],
    ),
    (
        entry("alert_snoozed", product="mail", subject="main", hours=24),
        "fr",
        ["a mis une alerte en pause — Mail Partner — compte principal", "pour : 24 heures"],
        ["main"],
    ),
    (
        entry("alert_fired", SYSTEM, product="sms", subject="acme-ops", level="critical"),
        "en",
        ["system raised a balance alert", "acme-ops", "level: critical"],
        [],
    ),
    (
        entry("partner_key_saved", product="voice", fingerprint="…2e7b", replaced=True),
        "fr",
        ["a enregistré", "remplacée : oui"],
        ["True"],
    ),
    (
        entry("language_set", language="fr", channel="C0HERE"),
        "en",
        ["set the language", "language: French", "channel: <#C0HERE>"],
        ["language: fr"],
    ),
    (
        entry(
            "digest_subscribed", channel="C0OPS", schedule="08:30 UTC, every day", products="all"
        ),
        "en",
        ["subscribed a channel to the digest", "products: all products", "<#C0OPS>"],
        [],
    ),
    (
        entry("digest_subscribed", channel="C0OPS", products="sms,mail"),
        "en",
        ["products: SMS Partner; Mail Partner"],
        ["sms,mail"],
    ),
    (
        entry("cross_workspace_refused", CAROL, kind="/partner", claimed=["T0OTHER"]),
        "en",
        ["<@W0CAROL> was refused: the request named another workspace", "named: T0OTHER"],
        ["['T0OTHER']"],
    ),
]


@pytest.mark.parametrize(("record", "lang", "says", "never"), LINES)
def test_a_line_says_it_in_words(
    record: AuditRecord, lang: str, says: list[str], never: list[str]
) -> None:
    with language(lang):
        line = plain(audit_line(record))
    for expected in says:
        assert expected in line, line
    for code in never:
        assert code not in line, line


def test_a_completed_approval_is_one_line() -> None:
    """The completing click wrote `approval_counted` then `approved`: one line, the count on it.
    Another approver's earlier click keeps its own line; other requests are left alone."""
    entries = [  # newest first, as the trail reads them
        entry("vendor_call_sent", SYSTEM, id=6, request=3),
        entry("approved", CAROL, id=5, request=3, approvers=2),
        entry("approval_counted", CAROL, id=4, request=3, approvers="2 of 2"),
        entry("approval_counted", BOB, id=3, request=3, approvers="1 of 2"),
        entry("approval_counted", CAROL, id=2, request=7, approvers="1 of 2"),
        entry("request_created", ALICE, id=1, request=3),
    ]
    events = merged(entries)
    assert [e.id for e in events] == [6, 5, 3, 2, 1]
    with language("en"):
        lines = [audit_line(e) for e in events]
    assert "<@W0CAROL> approved (2 of 2) — request #3" in lines[1]
    assert "<@U0BOB> approved (1 of 2) — request #3" in lines[2]
    assert "<@W0CAROL> approved (1 of 2) — request #7" in lines[3]
    assert sum("approved" in line for line in lines) == 3


def test_an_approved_entry_alone_still_reads() -> None:
    """Its counted twin fell out of the period: the line says approved, and how many."""
    with language("en"):
        line = audit_line(merged([entry("approved", BOB, request=3, approvers=1)])[0])
    assert "<@U0BOB> approved — request #3" in line and "approvals: 1" in line


# (days, entries, language, what the summary says, what it must not say)
COUNTS = [
    (1, 1, "en", "1 entry in the last 1 day.", "days"),
    (7, 1, "en", "1 entry in the last 7 days.", "entries"),
    (1, 2, "en", "2 entries in the last 1 day, newest first.", "1 days"),
    (1, 1, "fr", "1 entrée sur la période (1 j).", "jours"),
    (30, 3, "fr", "3 entrées sur la période (30 j)", "jour."),
]


@pytest.mark.parametrize(("days", "count", "lang", "says", "never"), COUNTS)
def test_counts_of_days_and_entries_agree(
    days: int, count: int, lang: str, says: str, never: str
) -> None:
    entries = [
        entry("policy_changed", id=n, setting="expiry_hours", old="24", new="48")
        for n in range(1, count + 1)
    ]
    with language(lang):
        reply = audit_reply(entries, days)
    summary = plain(str(reply.blocks[1].to_dict()["elements"][0]["text"]))  # type: ignore[index]
    assert says in summary
    assert never not in summary
    assert not re.search(r"\b1 (days|jours|entries|entrées)\b", plain(reply.text))


@pytest.mark.parametrize(
    ("days", "lang", "says"), [(1, "en", "in the last 1 day."), (1, "fr", "sur la période (1 j).")]
)
def test_an_empty_trail_counts_its_day(days: int, lang: str, says: str) -> None:
    with language(lang):
        assert says in plain(audit_reply([], days).text)
