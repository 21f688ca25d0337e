"""Recurring top-ups through Slack: `/partner recurring …` as signed requests to the running
app, the card in the approvals channel, its buttons, and the owner's DMs, on the Slack
emulator and the vendor sandbox. The worker is handed a simulated `now`."""

from __future__ import annotations

import asyncio
from datetime import time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from bot.clock import utcnow
from bot.db.anomaly_models import LedgerReading
from bot.db.models import CreditRequest
from bot.db.recurring_models import RecurringSeries
from bot.partner.models import Product
from bot.periodic import run_every
from bot.services.recurring.model import Plan, RunState, SeriesState
from bot.services.recurring.schedule import Every, Frequency
from bot.slack.clients import WorkspaceClients
from bot.slack.maintenance import Maintenance
from bot.slack.recurring.notices import SlackRecurringNotices
from devkit.emulator import Message
from devkit.sandbox.faults import Fault, FaultKind
from tests.services.recurring_world import first_due
from tests.services.request_world import People
from tests.slack.approvals import (
    APPROVALS,
    APPROVERS,
    a_subaccount,
    buttons,
    card_text,
    click,
    dms_to,
    set_up_approvals,
)
from tests.slack.digests import scheduler
from tests.slack.harness import MEMBER, Harness, eventually, reply_text
from tests.slack.test_home import open_home, text_of

A1, A2, _A3 = APPROVERS
ADD = "/subaccount/credit/add"


async def newest(h: Harness):  # type: ignore[no-untyped-def]
    return (await h.runtime.recurring.of_team(h.team_id))[-1]


def card(h: Harness, series) -> Message:  # type: ignore[no-untyped-def]
    assert series.card is not None, "the series has no card"
    message = h.fake.find_message(APPROVALS, series.card[1])
    assert message is not None
    return message


async def approved(h: Harness, approver: str, series):  # type: ignore[no-untyped-def]
    """`approver` clicks Approve on the series' card: the series once it is active."""
    await click(h, approver, "recurring_approve", card(h, series))

    async def state() -> SeriesState:
        return (await newest(h)).state

    await eventually(state, SeriesState.ACTIVE)
    return await newest(h)


async def run_due(h: Harness, now) -> None:  # type: ignore[no-untyped-def]
    clients = WorkspaceClients(h.runtime, None)

    async def notices_for(team_id: str) -> SlackRecurringNotices | None:
        client = await clients.for_team(team_id)
        return None if client is None else SlackRecurringNotices(client, h.runtime.user_locales)

    await h.runtime.recurring.run_due(now, notices_for)


async def test_a_series_asked_approved_once_and_run_once_a_period(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    before = sub.balance
    post = await slack.ask(f"recurring add {sub.email} 7 daily 06:30 UTC nightly float")
    assert "waiting for approval in <#C0APPROVALS>" in reply_text(post)
    series = await newest(slack)
    assert (series.state, series.zone, series.reason) == (
        SeriesState.PENDING,
        "UTC",
        "nightly float",
    )
    shown = card_text(card(slack, series))
    for expected in (
        f"<@{MEMBER}>",
        sub.email,
        "€7.00",
        "every day at 06:30 (UTC)",
        "€217.00",
        "nightly float",
    ):
        assert expected in shown, expected
    assert shown.count("06:30") >= 4  # the cadence and the next three runs
    assert buttons(card(slack, series)) == ["recurring_approve", "recurring_reject"]

    # the asker's own click does not count
    await click(slack, MEMBER, "recurring_approve", card(slack, series))
    await slack.fake.wait_for(
        lambda: any("approve your own" in reply_text(p) for p in slack.fake.responses)
    )
    assert (await newest(slack)).state is SeriesState.PENDING

    await approved(slack, A1, series)
    await slack.fake.wait_for(lambda: "Approved by" in card_text(card(slack, series)))
    assert buttons(card(slack, series)) == []

    due_at = first_due(await newest(slack))
    await run_due(slack, due_at)
    await run_due(slack, due_at + timedelta(minutes=5))
    assert len(slack.sandbox.calls(endpoint=ADD)) == 1 and sub.balance == before + 7
    listed = reply_text(await slack.ask("recurring list"))
    assert f"*#{series.number}* active" in listed and "last: done" in listed
    home = text_of(await open_home(slack, MEMBER))
    assert "Recurring and automatic top-ups" in home and f"*#{series.number}*" in home
    assert f"last: done ({due_at.date().isoformat()})" in home
    assert slack.block_kit_violations() == []


async def test_the_zone_defaults_to_the_askers_and_french_words(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    await slack.ask(f"récurrent ajouter {sub.email} jusqu'à 100 hebdomadaire lundi 08:15")
    series = await newest(slack)
    assert series.zone == "Europe/Paris"  # the emulator's users.info tz for the asker
    assert series.level == 100 and series.amount is None
    assert series.frequency is not None and series.frequency.weekday == 0
    assert series.at is not None and series.at.strftime("%H:%M") == "08:15"
    await slack.ask(f"recurring pause {series.number}")
    # pending cannot be paused: said, and nothing changes
    assert (await newest(slack)).state is SeriesState.PENDING
    assert "cannot be" in reply_text(slack.fake.responses[-1])


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("recurring add {email} 7 weekly funday", "not a day of the week"),
        ("recurring add {email} 7 monthly 31", "from 1 to 28"),
        ("recurring add {email} 7 daily 25:00", "not a time of day"),
        ("recurring add {email} 7 daily 06:30 Mars/Olympus", "not a time zone"),
        ("recurring add {email} 7 daily until 2026-13-01", "not a date"),
        ("recurring add {email} 7,1234 daily", "decimals"),
        ("recurring add {email} 7 hourly", "How often?"),
        ("recurring add {email} 7 daily until 2020-01-01", "already past"),
        ("recurring pause three", "not a number"),
    ],
)
async def test_bad_input_is_refused_and_nothing_stored(
    slack: Harness, typed: str, said: str
) -> None:
    await set_up_approvals(slack)
    post = await slack.ask(typed.format(email=a_subaccount(slack).email))
    assert said in reply_text(post)
    assert await slack.runtime.recurring.of_team(slack.team_id) == []


async def test_what_goes_wrong_is_told_to_the_owner(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    await slack.ask(f"recurring add {sub.email} 7 daily 06:30 UTC")
    series = await newest(slack)
    due_at = first_due(await approved(slack, A2, series))
    account = slack.sandbox.accounts[next(iter(slack.sandbox.accounts))]
    owner = next(a for a in slack.sandbox.accounts.values() if a.find_subaccount(sub.token))
    owner.subaccounts.remove(sub)
    await run_due(slack, due_at + timedelta(days=4))
    await slack.fake.wait_for(lambda: len(dms_to(slack, MEMBER)) >= 2)
    told = "\n".join(dms_to(slack, MEMBER))
    assert "has ended: its subaccount no longer exists" in told, told
    assert "skipped" in told  # the days missed before the ending one
    assert (await newest(slack)).state is SeriesState.ENDED
    assert account is not None and not slack.sandbox.calls(endpoint=ADD)
    runs = await slack.runtime.recurring.runs_of(series.id)
    assert all(r.state is RunState.SKIPPED for r in runs)
    assert Decimal(0) == sum((r.amount or 0 for r in runs), Decimal(0))


async def test_a_run_cut_short_is_listed_to_be_tried_again_then_done(slack: Harness) -> None:
    """The add's answer never came; once the settle time has passed, the balances show nothing
    moved and the run waits to be tried again (the vendor's /me too busy to start the new try):
    the list and the Home say so, not "waiting for money". The next pass adds once."""
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    before = sub.balance
    await slack.ask(f"recurring add {sub.email} 7 daily 06:30 UTC")
    series = await newest(slack)
    due_at = first_due(await approved(slack, A1, series))
    slack.sandbox.inject(Fault(FaultKind.DROP_BEFORE_APPLY, endpoint=ADD, method="POST"))
    await run_due(slack, due_at)
    assert "last: running" in reply_text(await slack.ask("recurring list"))
    async with slack.runtime.database.session() as session:  # the settle time has passed
        await session.execute(
            update(CreditRequest).values(executing_since=utcnow() - timedelta(minutes=5))
        )
    (reconciled,) = await slack.runtime.requests.reconcile_due()
    assert reconciled.proven_unmoved
    slack.sandbox.inject(Fault(FaultKind.HTTP_429, endpoint="/me", times=None, retry_after="0"))
    await run_due(slack, due_at + timedelta(minutes=1))
    listed = reply_text(await slack.ask("recurring list"))
    assert "last: to be tried again" in listed and "waiting for money" not in listed, listed
    home = text_of(await open_home(slack, MEMBER))
    assert f"to be tried again ({due_at.date().isoformat()})" in home
    slack.sandbox.clear_faults()
    await run_due(slack, due_at + timedelta(minutes=2))
    assert "last: done" in reply_text(await slack.ask("recurring list"))
    assert sub.balance == before + 7
    assert [c.applied for c in slack.sandbox.calls(endpoint=ADD)] == [False, True]
    assert not [dm for dm in dms_to(slack, MEMBER) if "failed" in dm]


async def test_a_card_slack_refuses_leaves_nothing_waiting(slack: Harness) -> None:
    await set_up_approvals(slack)
    slack.fake.fail("chat.postMessage", "not_in_channel", channel=APPROVALS)
    post = await slack.ask(f"recurring add {a_subaccount(slack).email} 7 daily")
    assert "could not be posted" in reply_text(post) and "not_in_channel" in reply_text(post)
    (series,) = await slack.runtime.recurring.of_team(slack.team_id)
    assert series.state is SeriesState.CANCELLED


async def test_an_automatic_top_up_is_asked_and_listed(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    await slack.ask(f"recharge-auto {sub.email} sous 10 ajouter 50 max 200 par mois")
    series = await newest(slack)
    assert (series.kind, series.below, series.amount, series.monthly_max) == ("auto", 10, 50, 200)
    shown = card_text(card(slack, series))
    assert "Automatic top-up" in shown and "when a reading finds it below €10.00" in shown
    assert "€200.00" in shown
    await approved(slack, A1, series)
    listed = reply_text(await slack.ask("auto-topup list"))
    assert f"*#{series.number}* active" in listed and sub.email in listed
    assert "No recurring" in reply_text(await slack.ask("recurring list"))  # series only


async def test_a_series_whose_process_died_before_its_card_gets_one_card(slack: Harness) -> None:
    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    plan = Plan(
        Product.SMS, sub.token, Decimal(7), None, Frequency(Every.DAILY), time(9), "UTC", None, None
    )
    # what the asking process stored before it died: the series, no card
    await slack.runtime.recurring.propose(slack.team_id, MEMBER, plan, People())
    async with slack.runtime.database.session() as session:
        await session.execute(
            update(RecurringSeries).values(created_at=utcnow() - timedelta(minutes=1))
        )
    maintenance = Maintenance(slack.runtime, WorkspaceClients(slack.runtime, None))
    await asyncio.gather(maintenance.run_once(), maintenance.run_once())
    await maintenance.run_once()
    cards = [m for m in slack.fake.messages.get(APPROVALS, []) if "Recurring top-up" in m.text]
    assert len(cards) == 1
    assert (await newest(slack)).card is not None


@pytest.mark.parametrize("balance_read_seconds", [0.5])  # it counts periods, of any length
async def test_the_workers_balance_reading_tops_up_an_automatic_series_once(quick: Harness) -> None:
    """The worker's own ledger reading (every half second here) triggers the automatic top-up:
    one add when a reading finds the balance below the threshold, then none while it stays
    above."""
    await set_up_approvals(quick)
    sub = a_subaccount(quick)
    below = int(sub.balance) + 10  # the first reading finds it below
    asked = await quick.ask(f"auto-topup {sub.email} below {below} add 50")
    assert "waiting for approval" in reply_text(asked), reply_text(asked)
    series = await newest(quick)
    await approved(quick, A1, series)

    async def adds() -> int:
        return len(quick.sandbox.calls(endpoint=ADD))

    stopping = asyncio.Event()
    worker = asyncio.create_task(run_every(0.2, scheduler(quick).run_once, "scheduler", stopping))
    try:
        await eventually(adds, 1, within=30)
        assert sub.balance >= below  # risen above: re-armed only once it falls below again
        # Two more readings after the add (barrier: the ledger's own rows), still one add.
        seen = await readings(quick)

        async def two_more() -> bool:
            return await readings(quick) >= seen + 2

        await eventually(two_more, True, within=30)
        assert await adds() == 1
    finally:
        stopping.set()
        await worker


async def readings(h: Harness) -> int:
    async with h.runtime.database.session() as session:
        counted = await session.scalar(
            select(func.count())
            .select_from(LedgerReading)
            .where(LedgerReading.team_id == h.team_id)
        )
    return int(counted or 0)
