"""`/partner audit` and `/partner audit export` as people read them, over signed HTTP: one
line per approval with mentions, and a CSV with names and words — the variant French Excel
opens in columns for a French reader, the standard one otherwise."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from decimal import Decimal

from sqlalchemy import select

from bot.db.models import AuditEntry
from bot.services import audit
from tests.slack.approvals import (
    APPROVERS,
    a_subaccount,
    card_of,
    click,
    latest_request,
    set_up_approvals,
)
from tests.slack.barriers import app_settled
from tests.slack.harness import ADMIN, MEMBER, Harness, reply_text
from tests.slack.test_home import open_home, text_of

A1 = APPROVERS[0]
BOM = b"\xef\xbb\xbf"


async def an_approved_request(slack: Harness) -> int:
    """A top-up asked by MEMBER and approved by A1 (one approver needed); its number."""
    await set_up_approvals(slack)
    await slack.ask(f"credit add {a_subaccount(slack).email} 50,5 top-up")
    request = await latest_request(slack)
    await click(slack, A1, "request_approve", await card_of(slack, request.id))
    await app_settled(slack)
    return request.number


async def table(slack: Harness) -> list[AuditEntry]:
    async with slack.runtime.database.session() as session:
        rows = await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.team_id == slack.team_id)
            .order_by(AuditEntry.at, AuditEntry.id)
        )
        return list(rows.all())


async def test_an_approval_is_one_line_with_mentions(slack: Harness) -> None:
    number = await an_approved_request(slack)
    actions = [e.action for e in await table(slack)]
    assert "approval_counted" in actions and "approved" in actions  # the table keeps both

    post = await slack.ask("audit", user=ADMIN)
    text = reply_text(post)
    sections = [b["text"]["text"] for b in post.body["blocks"] if b["type"] == "section"]
    # The sections hold the lines, each starting with its time in the reader's words.
    lines = [line for t in sections for line in t.split("\n") if line.strip()]
    approvals = [line for line in lines if "approved" in line]
    assert len(approvals) == 1, approvals
    assert f"<@{A1}> approved (1 of 1) — request #{number} · SMS Partner · €50.50" in approvals[0]
    made = next(line for line in lines if "made a request" in line)
    assert f"<@{MEMBER}> made a request — request #{number}" in made
    assert "what: Credit top-up" in made
    assert "counted" not in text and "credit_add" not in text
    assert f"added an approver — <@{A1}>" in text
    # Lines, not table rows, are what the summary counts.
    assert f"{len(lines)} entries in the last 7 days" in text
    assert len(lines) == len(actions) - 1


async def test_a_french_reader_gets_the_csv_french_excel_opens(slack: Harness) -> None:
    slack.fake.users[ADMIN].locale = "fr-FR"
    await an_approved_request(slack)
    asked_before = len(slack.fake.calls_to("users.info"))

    answer = reply_text(await slack.ask("audit export", user=ADMIN)).replace("\u00a0", " ")
    entries = await table(slack)
    sent = f"le journal d’audit de la période (90 j) en fichier CSV : {len(entries)} entrées"
    assert sent in answer

    [sent] = slack.fake.files
    assert sent.content.startswith(BOM)
    content = sent.content.decode("utf-8-sig")
    assert content.splitlines()[0].split(";") == list(audit.CSV_COLUMNS)
    rows = list(csv.DictReader(io.StringIO(content), delimiter=";"))
    assert len(rows) == len(entries)
    for row, entry in zip(rows, entries, strict=True):
        assert row["action"] == entry.action
        assert row["at_utc"] == entry.at.strftime("%d/%m/%Y %H:%M")
        assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", row["at_utc"])
        if entry.amount is None:
            assert row["amount_eur"] == ""
        else:  # a `,` decimal mark, and the very amount once read back
            assert "," in row["amount_eur"] and "." not in row["amount_eur"]
            assert Decimal(row["amount_eur"].replace(",", ".")) == entry.amount
    amounts = {Decimal(r["amount_eur"].replace(",", ".")) for r in rows if r["amount_eur"]}
    assert amounts == {Decimal("50.5")}

    made = next(r for r in rows if r["action"] == "request_created")
    assert (made["actor"], made["actor_name"]) == (MEMBER, "Max Member")
    assert made["action_words"] == "a fait une demande"
    approved = next(r for r in rows if r["action"] == "approved")
    assert (approved["actor_name"], approved["action_words"]) == ("Approver 1", "a approuvé")
    system = next(r for r in rows if r["actor"] == audit.SYSTEM)
    assert system["actor_name"] == ""

    # Names cost one users.info per person named, at most; the asker's was known already.
    asked = Counter(c.args["user"] for c in slack.fake.calls_to("users.info")[asked_before:])
    assert set(asked.values()) == {1}
    assert set(asked) <= {e.actor_id for e in entries} | set(APPROVERS)


async def test_an_english_reader_gets_the_standard_csv(slack: Harness) -> None:
    await an_approved_request(slack)
    answer = reply_text(await slack.ask("audit export 1", user=ADMIN))
    assert "audit trail of the last 1 day (" in answer and "1 days" not in answer

    [sent] = slack.fake.files
    assert not sent.content.startswith(BOM)
    assert sent.title == "Partner Ops audit, last 1 day"
    content = sent.content.decode()
    assert content.splitlines()[0] == ",".join(audit.CSV_COLUMNS)
    rows = list(csv.DictReader(io.StringIO(content)))
    entries = await table(slack)
    assert [r["at_utc"] for r in rows] == [e.at.strftime("%Y-%m-%d %H:%M:%S") for e in entries]
    [moved] = {r["amount_eur"] for r in rows if r["amount_eur"]}
    assert "." in moved and Decimal(moved) == Decimal("50.5")
    made = next(r for r in rows if r["action"] == "request_created")
    assert (made["actor_name"], made["action_words"]) == ("Max Member", "made a request")
    added = next(r for r in rows if r["action"] == "approver_added")
    assert added["action_words"] == "added an approver"


async def test_the_requesters_home_shows_the_approval_once(slack: Harness) -> None:
    number = await an_approved_request(slack)
    text = text_of(await open_home(slack, MEMBER))
    assert text.count(f"<@{A1}> approved (1 of 1) — request #{number}") == 1
    assert "approvals: 1" not in text
