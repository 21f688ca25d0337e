"""`/partner usage`: a month's statement from the spend ledger, by DM, end to end — the
worker's real readings of the sandbox, a real credit move, the file's content checked."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

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


def month_before(now: datetime) -> date:
    local = now.replace(tzinfo=UTC).astimezone(PARIS)
    return date(local.year - (local.month == 1), (local.month - 2) % 12 + 1, 1)


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
    month = month_before(utcnow())
    start = datetime(month.year, month.month, 1, tzinfo=PARIS).astimezone(UTC)
    start = start.replace(tzinfo=None)
    async with slack.runtime.database.session() as session:
        session.add(
            AnomalyTrack(
                team_id=slack.team_id,
                product="sms",
                subaccount=sub.token,
                email=sub.email,
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
                    balances={sub.token: [balance, "0"]},
                )
            )
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


async def test_bad_months_and_empty_months_are_said(slack: Harness) -> None:
    await set_up_approvals(slack)
    assert "not a month" in reply_text(await slack.ask("usage 2026-13", user=ADMIN))
    assert "not a month" in reply_text(await slack.ask("usage 2026-1", user=ADMIN))
    assert "has not begun" in reply_text(await slack.ask("usage 2999-01", user=ADMIN))
    assert "no subaccounts" in reply_text(await slack.ask("voice usage", user=ADMIN))
    empty = reply_text(await slack.ask("usage 2020-01", user=ADMIN))
    assert "No readings for January 2020" in empty
    assert slack.fake.files == []
