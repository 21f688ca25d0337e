"""Recurring top-ups on a real database and the vendor sandbox (bot.services.recurring): one
approval covers the series, each period runs once through an approved request, and what goes
wrong (a low main balance, an anomaly, a deleted subaccount, missed periods) is handled and
told. Time is simulated: the worker is handed `now`."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from bot.clock import utcnow
from bot.db.anomaly_models import AnomalyIncident
from bot.partner.models import Product
from bot.runtime import Runtime
from bot.services.errors import NotAllowed
from bot.services.policy import change_policy
from bot.services.recurring.model import RunState, SeriesState
from bot.services.recurring.notices import Told
from bot.services.requests import Status
from bot.services.roles import Role, Subject, SubjectKind
from devkit.sandbox import DEMO_SMS_KEY, Sandbox
from tests.services.recurring_world import (
    Owner,
    active_series,
    adds,
    first_due,
    notices,
    plan,
    reading,
    topped_up,
)
from tests.services.request_world import ADMIN, APPROVER, REQUESTER, TEAM, People

SMS = Product.SMS
SECOND = "USECOND"


async def test_one_approval_covers_the_series_and_each_period_runs_once(
    runtime: Runtime, sandbox: Sandbox, owner: Owner
) -> None:
    sub = topped_up(sandbox)
    before = sub.balance
    series = await active_series(runtime, sandbox)
    due_at = first_due(series)

    await runtime.recurring.run_due(due_at - timedelta(minutes=1), notices(owner))
    assert adds(sandbox) == 0
    # three workers at once, then again: one run, one add
    await asyncio.gather(*(runtime.recurring.run_due(due_at, notices(owner)) for _ in range(3)))
    await runtime.recurring.run_due(due_at + timedelta(hours=1), notices(owner))
    assert adds(sandbox) == 1
    assert sub.balance == before + 7
    (run,) = await runtime.recurring.runs_of(series.id)
    assert run.state is RunState.SUCCEEDED and run.period == due_at.date().isoformat()
    request = await runtime.requests.get(run.request_id)  # type: ignore[arg-type]
    assert request.status is Status.SUCCEEDED and request.amount == 7
    assert request.details["recurring"] == series.number

    # the next day's period: a second add
    await runtime.recurring.run_due(due_at + timedelta(days=1), notices(owner))
    assert adds(sandbox) == 2 and sub.balance == before + 14
    assert owner.news == []


async def test_the_asker_cannot_approve_and_two_approvers_above_the_amount(
    runtime: Runtime, sandbox: Sandbox, database
) -> None:  # type: ignore[no-untyped-def]
    await change_policy(
        database, TEAM, ADMIN, two_approver_threshold=Decimal(50), auto_approve_limit=Decimal(50)
    )
    await runtime.roles.grant(TEAM, Role.APPROVER, Subject(SubjectKind.USER, SECOND), ADMIN)
    sub = topped_up(sandbox)
    small, _ = await runtime.recurring.propose(TEAM, REQUESTER, plan(sub.token, "50"), People())
    assert small.approvals_needed == 1  # never auto-approved, even under the auto-approve limit
    assert small.state is SeriesState.PENDING
    big, _ = await runtime.recurring.propose(TEAM, REQUESTER, plan(sub.token, "51"), People())
    assert big.approvals_needed == 2
    with pytest.raises(NotAllowed):
        await runtime.recurring.approve(TEAM, big.number, REQUESTER, People())
    once, complete = await runtime.recurring.approve(TEAM, big.number, APPROVER, People())
    assert not complete and once.state is SeriesState.PENDING
    with pytest.raises(NotAllowed):
        await runtime.recurring.approve(TEAM, big.number, APPROVER, People())
    twice, complete = await runtime.recurring.approve(TEAM, big.number, SECOND, People())
    assert complete and twice.state is SeriesState.ACTIVE


async def test_raising_waits_for_a_second_person_lowering_applies_at_once(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    series = await active_series(runtime, sandbox)
    lowered, applied = await runtime.recurring.change(
        TEAM, series.number, REQUESTER, People(), amount=Decimal(5)
    )
    assert applied and lowered.amount == 5
    raised, applied = await runtime.recurring.change(
        TEAM, series.number, REQUESTER, People(), amount=Decimal(9)
    )
    assert not applied and raised.amount == 5 and raised.proposed is not None
    with pytest.raises(NotAllowed):
        await runtime.recurring.approve(TEAM, series.number, REQUESTER, People())
    done, applied = await runtime.recurring.approve(TEAM, series.number, APPROVER, People())
    assert applied and done.amount == 9 and done.proposed is None
    later, applied = await runtime.recurring.change(
        TEAM, series.number, REQUESTER, People(), until=date(2099, 1, 1)
    )
    assert not applied and later.until is None  # an end that comes later is a raise too


async def test_up_to_adds_what_is_missing(runtime: Runtime, sandbox: Sandbox, owner: Owner) -> None:
    sub = topped_up(sandbox)
    sub.balance = Decimal(40)
    series = await active_series(runtime, sandbox, amount=None, level="100")
    await runtime.recurring.run_due(first_due(series), notices(owner))
    assert sub.balance == 100
    # already at the level: nothing added, the period skipped
    await runtime.recurring.run_due(first_due(series) + timedelta(days=1), notices(owner))
    assert adds(sandbox) == 1 and sub.balance == 100
    runs = await runtime.recurring.runs_of(series.id)
    assert [(r.state, r.note) for r in runs] == [
        (RunState.SUCCEEDED, None),
        (RunState.SKIPPED, "full"),
    ]


async def test_a_low_main_balance_is_retried_then_fails_and_three_failures_pause(
    runtime: Runtime, sandbox: Sandbox, owner: Owner
) -> None:
    account = sandbox.accounts[DEMO_SMS_KEY]
    series = await active_series(runtime, sandbox)
    due_at = first_due(series)
    account.balance = Decimal(3)
    # the day before: the owner is warned once
    for minutes in (0, 10):
        await runtime.recurring.run_due(
            due_at - timedelta(hours=23, minutes=minutes), notices(owner)
        )
    assert len(owner.told_of(Told.LOW_MAIN)) == 1
    for day in range(3):
        start = due_at + timedelta(days=day)
        for hours in (0, 1, 6, 24):
            await runtime.recurring.run_due(start + timedelta(hours=hours), notices(owner))
        runs = await runtime.recurring.runs_of(series.id)
        assert runs[day].state is RunState.FAILED and runs[day].attempt == 4, runs
    assert adds(sandbox) == 0
    assert len(owner.told_of(Told.FAILED)) == 3
    assert owner.told_of(Told.PAUSED)[0].why == "failures"
    assert (await runtime.recurring.by_number(TEAM, series.number)).state is SeriesState.PAUSED


async def test_money_back_in_time_lets_the_retry_run(
    runtime: Runtime, sandbox: Sandbox, owner: Owner
) -> None:
    account = sandbox.accounts[DEMO_SMS_KEY]
    sub = account.subaccounts[3]
    before = sub.balance
    series = await active_series(runtime, sandbox)
    due_at = first_due(series)
    saved, account.balance = account.balance, Decimal(3)
    await runtime.recurring.run_due(due_at, notices(owner))
    account.balance = saved
    await runtime.recurring.run_due(due_at + timedelta(minutes=30), notices(owner))
    assert adds(sandbox) == 0  # the retry is at +1 h
    await runtime.recurring.run_due(due_at + timedelta(hours=1), notices(owner))
    assert adds(sandbox) == 1 and sub.balance == before + 7
    (run,) = await runtime.recurring.runs_of(series.id)
    assert (run.state, run.attempt) == (RunState.SUCCEEDED, 2)


async def test_an_open_anomaly_skips_the_run_and_says_why(
    runtime: Runtime, sandbox: Sandbox, owner: Owner
) -> None:
    series = await active_series(runtime, sandbox)
    async with runtime.database.session() as session:
        session.add(
            AnomalyIncident(
                ref="r1",
                team_id=TEAM,
                product="sms",
                subaccount=series.subaccount_token,
                email="x@example.com",
                opened_at=utcnow(),
                window="1h",
                spent=Decimal(50),
                expected=Decimal(1),
            )
        )
    await runtime.recurring.run_due(first_due(series), notices(owner))
    assert adds(sandbox) == 0
    assert [n.why for n in owner.told_of(Told.SKIPPED)] == ["anomaly"]


async def test_a_deleted_subaccount_ends_the_series(
    runtime: Runtime, sandbox: Sandbox, owner: Owner
) -> None:
    series = await active_series(runtime, sandbox)
    account = sandbox.accounts[DEMO_SMS_KEY]
    account.subaccounts.remove(account.find_subaccount(series.subaccount_token))  # type: ignore[arg-type]
    await runtime.recurring.run_due(first_due(series), notices(owner))
    assert adds(sandbox) == 0
    assert [n.why for n in owner.told_of(Told.ENDED)] == ["deleted"]
    assert (await runtime.recurring.by_number(TEAM, series.number)).state is SeriesState.ENDED


async def test_after_an_outage_only_the_latest_period_runs(
    runtime: Runtime, sandbox: Sandbox, owner: Owner
) -> None:
    series = await active_series(runtime, sandbox)
    await runtime.recurring.run_due(first_due(series) + timedelta(days=5, hours=1), notices(owner))
    assert adds(sandbox) == 1
    (skipped,) = owner.told_of(Told.SKIPPED)
    assert skipped.why == "missed" and len(skipped.periods) == 5
    states = [r.state for r in await runtime.recurring.runs_of(series.id)]
    assert states == [RunState.SKIPPED] * 5 + [RunState.SUCCEEDED]


async def test_pause_resume_cancel(runtime: Runtime, sandbox: Sandbox, owner: Owner) -> None:
    series = await active_series(runtime, sandbox)
    paused = await runtime.recurring.set_state(
        TEAM, series.number, REQUESTER, SeriesState.PAUSED, People()
    )
    await runtime.recurring.run_due(first_due(series), notices(owner))
    assert paused.state is SeriesState.PAUSED and adds(sandbox) == 0
    with pytest.raises(NotAllowed):
        await runtime.recurring.set_state(
            TEAM, series.number, "USTRANGER", SeriesState.CANCELLED, People()
        )
    resumed = await runtime.recurring.set_state(
        TEAM, series.number, APPROVER, SeriesState.ACTIVE, People()
    )
    assert resumed.state is SeriesState.ACTIVE
    cancelled = await runtime.recurring.set_state(
        TEAM, series.number, REQUESTER, SeriesState.CANCELLED, People()
    )
    assert cancelled.state is SeriesState.CANCELLED


async def test_an_automatic_top_up_once_below_then_rearmed_never_past_the_month(
    runtime: Runtime, sandbox: Sandbox, owner: Owner
) -> None:
    sub = topped_up(sandbox)
    sub.balance = Decimal(5)
    auto = plan(sub.token, "50")
    series, _ = await runtime.recurring.propose(
        TEAM, REQUESTER, auto, People(), below=Decimal(10), monthly_max=Decimal(100)
    )
    assert series.kind == "auto" and series.state is SeriesState.PENDING
    await runtime.recurring.approve(TEAM, series.number, APPROVER, People())
    at = datetime(2027, 5, 3, 10)
    # two workers read the same low balance at once, then a later reading before it rose: one add
    await asyncio.gather(
        runtime.recurring.on_reading(TEAM, SMS, reading(sub, "5"), at, notices(owner)),
        runtime.recurring.on_reading(TEAM, SMS, reading(sub, "5"), at, notices(owner)),
    )
    await runtime.recurring.on_reading(
        TEAM, SMS, reading(sub, "5"), at + timedelta(minutes=5), notices(owner)
    )
    assert adds(sandbox) == 1 and sub.balance == 55
    # risen above: re-armed; low again: a second add; a third would pass the month's 100
    await runtime.recurring.on_reading(
        TEAM, SMS, reading(sub, "55"), at + timedelta(hours=1), notices(owner)
    )
    await runtime.recurring.on_reading(
        TEAM, SMS, reading(sub, "3"), at + timedelta(hours=2), notices(owner)
    )
    await runtime.recurring.on_reading(
        TEAM, SMS, reading(sub, "53"), at + timedelta(hours=3), notices(owner)
    )
    for hours in (4, 5):
        await runtime.recurring.on_reading(
            TEAM, SMS, reading(sub, "2"), at + timedelta(hours=hours), notices(owner)
        )
    assert adds(sandbox) == 2
    assert [n.why for n in owner.told_of(Told.SKIPPED)] == ["monthly_max"]  # said once
    # a new month: it tops up again
    await runtime.recurring.on_reading(
        TEAM, SMS, reading(sub, "2"), datetime(2027, 6, 1, 1), notices(owner)
    )
    assert adds(sandbox) == 3


async def test_no_automatic_top_up_under_an_open_anomaly(
    runtime: Runtime, sandbox: Sandbox, owner: Owner
) -> None:
    sub = topped_up(sandbox)
    series, _ = await runtime.recurring.propose(
        TEAM, REQUESTER, plan(sub.token, "50"), People(), below=Decimal(10)
    )
    await runtime.recurring.approve(TEAM, series.number, APPROVER, People())
    async with runtime.database.session() as session:
        session.add(
            AnomalyIncident(
                ref="r2",
                team_id=TEAM,
                product="sms",
                subaccount=sub.token,
                email="x@example.com",
                opened_at=utcnow(),
                window="1h",
                spent=Decimal(50),
                expected=Decimal(1),
            )
        )
    await runtime.recurring.on_reading(
        TEAM, SMS, reading(sub, "1"), datetime(2027, 5, 3, 10), notices(owner)
    )
    assert adds(sandbox) == 0
    assert [n.why for n in owner.told_of(Told.SKIPPED)] == ["anomaly"]
