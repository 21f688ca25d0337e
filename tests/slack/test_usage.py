"""`/partner usage`: a month's statement from the spend ledger, by DM, end to end — the
worker's real readings of the sandbox, a real credit move, the file's content checked."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import select

from bot.clock import utcnow
from bot.db.anomaly_models import AnomalyTrack, LedgerHour, LedgerReading
from bot.db.models import AuditEntry
from devkit.sandbox import DEMO_SMS_KEY
from tests.slack.approvals import a_subaccount, set_up_approvals
from tests.slack.digests import scheduler
from tests.slack.harness import ADMIN, Harness, reply_text

PARIS = ZoneInfo("Europe/Paris")  # the harness's users' Slack zone


def rows_of(h: Harness) -> list[dict[str, str]]:
    [sent] = h.fake.files
    return list(csv.DictReader(io.StringIO(sent.content.decode())))


def rows_of_last(h: Harness) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(h.fake.files[-1].content.decode())))


async def test_the_statement_lists_spend_moves_and_outside_top_ups_apart(slack: Harness) -> None:
    await set_up_approvals(slack, auto_approve_limit=Decimal(100))
    spender, topped = a_subaccount(slack, 1), a_subaccount(slack, 2)
    # An earlier reading this month: `spender` has spent 30.25 since, `topped` was bought 100
    # of credit outside the app.
    earlier = utcnow() - timedelta(seconds=1)
    async with slack.runtime.database.session() as session:
        session.add(
            LedgerReading(
                team_id=slack.team_id,
                product="sms",
                taken_at=earlier,
                balances={
                    spender.token: [f"{spender.balance + Decimal('30.25'):f}", "0"],
                    topped.token: [f"{topped.balance - 100:f}", "0"],
                },
            )
        )
    opening = spender.balance + Decimal("30.25")
    assert "done" in reply_text(await slack.ask(f"credit add {spender.email} 12.5")).lower()
    await scheduler(slack).run_ledger()  # the real reading, after the move

    refused = reply_text(await slack.ask("usage"))
    assert "Only Partner Ops admins and approvers" in refused and slack.fake.files == []

    post = reply_text(await slack.ask("sms usage", user=ADMIN))
    assert "direct message" in post and "to date" in post and "Europe/Paris" in post
    [sent] = slack.fake.files
    assert sent.channel_id == f"D{ADMIN}" and sent.filename.endswith(".csv")
    assert sent.initial_comment and "Europe/Paris" in sent.initial_comment
    assert " subaccount lines and a totals row" in sent.initial_comment
    rows = {r["subaccount"]: r for r in rows_of(slack)}
    assert rows[spender.email] == {
        "subaccount": spender.email,
        "product": "sms",
        "opening_balance": f"{opening:.2f}",
        "app_added": "12.50",
        "app_removed": "0.00",
        "outside_topups": "0.00",
        "spent": "30.25",
        "closing_balance": f"{spender.balance:.2f}",
        "unknown_intervals": "0",
    }
    assert rows[topped.email]["outside_topups"] == "100.00"
    assert rows[topped.email]["spent"] == "0.00"
    assert rows[topped.email]["unknown_intervals"] == "1"
    total = rows["TOTAL"]
    assert Decimal(total["spent"]) == Decimal("30.25")
    assert Decimal(total["app_added"]) == Decimal("12.50")
    # Every subaccount read this month has its line: only the two had an earlier reading,
    # the others open at the worker's reading.
    sms = slack.sandbox.accounts[DEMO_SMS_KEY].subaccounts
    assert set(rows) == {s.email for s in sms} | {"TOTAL"}

    async with slack.runtime.database.session() as session:
        [audited] = await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "usage_statement_sent")
        )
    assert audited.actor_id == ADMIN and audited.details["zone"] == "Europe/Paris"


async def test_one_subaccount_of_a_past_month_with_the_french_word(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack, 4)
    month = date(2026, 11, 1)
    start = datetime(2026, 11, 1, tzinfo=PARIS).astimezone(UTC).replace(tzinfo=None)
    # A client chose a name a spreadsheet would run: the CSV finance opens keeps it as text.
    formula = '=HYPERLINK("http://evil.example")<!channel>@example.com'
    async with slack.runtime.database.session() as session:
        for token, email in [(sub.token, sub.email), ("formula-token", formula)]:
            session.add(
                AnomalyTrack(
                    team_id=slack.team_id,
                    product="sms",
                    subaccount=token,
                    email=email,
                    state={},
                    read_at=start,
                )
            )
        # Hourly aggregates: one just before the month opens it, one on its 10th, its 20th.
        for when, balance in [
            (start - timedelta(minutes=15), "500"),
            (start + timedelta(days=10), "420.004"),
            (start + timedelta(days=20), "400"),
        ]:
            session.add(
                LedgerHour(
                    team_id=slack.team_id,
                    product="sms",
                    hour=when.replace(minute=0),
                    last_at=when,
                    balances={sub.token: [balance, "0"], "formula-token": ["7", "0"]},
                )
            )
    # The 5th of the next month: the ledger still holds the month's opening reading.
    with time_machine.travel(datetime(2026, 12, 5, 20, 0, tzinfo=PARIS), tick=True):
        typo = sub.email.replace("@", "x@", 1)
        unknown = reply_text(await slack.ask(f"usage {month:%Y-%m} {typo}", user=ADMIN))
        assert "Did you mean" in unknown and sub.email in unknown
        assert slack.fake.files == []

        post = reply_text(await slack.ask(f"consommation {month:%Y-%m} {sub.email}", user=ADMIN))
        assert "direct message" in post
        [row, total] = rows_of(slack)
        assert (row["subaccount"], row["opening_balance"], row["spent"]) == (
            sub.email,
            "500.00",
            "100.00",
        )
        assert row["closing_balance"] == "400.00" and total["subaccount"] == "TOTAL"
        assert ": 1 subaccount line and a totals row" in (slack.fake.files[0].initial_comment or "")

        await slack.ask(f"usage {month:%Y-%m}", user=ADMIN)
        rows = [r["subaccount"] for r in rows_of_last(slack)]
        assert rows == [f"'{formula}", sub.email, "TOTAL"]

        # Named in the DM's comment, the name pings nobody.
        await slack.ask(f"usage {month:%Y-%m} formula-token", user=ADMIN)
        comment = slack.fake.files[-1].initial_comment or ""
        assert "&lt;!channel&gt;" in comment and "<!channel>" not in comment

    # Days later its first readings are gone: refused, saying why, rather than stated short.
    with time_machine.travel(datetime(2026, 12, 7, 0, 30, tzinfo=PARIS), tick=True):
        gone = reply_text(await slack.ask(f"usage {month:%Y-%m}", user=ADMIN))
        assert "November 2026 can no longer be stated" in gone and "36 days" in gone
        assert "first 5 days of the following month" in gone
    assert len(slack.fake.files) == 3


async def test_bad_months_and_empty_months_are_said(slack: Harness) -> None:
    await set_up_approvals(slack)
    assert "not a month" in reply_text(await slack.ask("usage 2026-13", user=ADMIN))
    assert "not a month" in reply_text(await slack.ask("usage 2026-1", user=ADMIN))
    assert "has not begun" in reply_text(await slack.ask("usage 2999-01", user=ADMIN))
    assert "no subaccounts" in reply_text(await slack.ask("voice usage", user=ADMIN))
    old = reply_text(await slack.ask("usage 2020-01", user=ADMIN))
    assert "January 2020 can no longer be stated" in old
    empty = reply_text(await slack.ask("usage", user=ADMIN))  # the ledger has read nothing yet
    assert "No readings for" in empty and "to date" in empty
    assert slack.fake.files == []
