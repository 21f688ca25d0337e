"""The recurring drill: 20 series over 24 simulated months, across DST changes in Paris and New
York and a 5-day outage, run by three worker processes on one database that are SIGKILLed at
random moments and started again. Each (series, period) ends with exactly one final run, each
period made at most one vendor write, and the sandbox's balances moved by exactly the runs that
succeeded.

The clock is simulated: the drill writes `now` in a file the workers read
(tests/services/recurring_drill_worker.py), and moves it on once a worker has made a full pass
at it and no run is under way (a barrier, never a sleep)."""

from __future__ import annotations

import asyncio
import json
import os
import random
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from bot.db.models import AuditEntry, CreditRequest
from bot.db.recurring_models import RecurringRun, RecurringSeries
from bot.partner.models import Product
from bot.runtime import Runtime
from bot.services.recurring.model import Plan, Run, RunState, Series
from bot.services.recurring.schedule import Every, Frequency
from devkit.emulator import FakeSlack
from devkit.sandbox import DEMO_SMS_KEY, Sandbox
from devkit.sandbox.faults import Fault, FaultKind
from tests.services.request_world import APPROVER, REQUESTER, TEAM, People
from tests.slack.processes import AppProcess

START = datetime(2027, 10, 25)
# From the Monday before Europe's autumn change (31 October 2027), five months and ten days hold
# both DST changes on both sides of the Atlantic (Paris 31 October and 26 March, New York
# 7 November and 12 March 2028) and the outage; the spring-to-autumn way round took eight months
# for the same four changes. The full two years of the issue run with RECURRING_DRILL_MONTHS=24
# (docs/recurring.md) — in CI they would take most of its time on their own.
MONTHS = int(os.environ.get("RECURRING_DRILL_MONTHS", "5"))
OUTAGE_AT = datetime(2027, 12, 10, 12)
OUTAGE = timedelta(days=5)
KILLS = 9
# A step of the clock: no series has two periods in one (weekly is the most frequent), and
# none is ever 72 hours late (only the outage makes periods be missed); the longer the steps,
# the fewer the barriers the drill waits on.
STEP_HOURS = (48, 66)
ADD = "/subaccount/credit/add"

W, M = Every.WEEKLY, Every.MONTHLY
SERIES: list[tuple[Frequency, str, str]] = [
    # The clocks change on Sundays in Europe and North America: 02:30 and 02:00 in Paris do not
    # exist on the spring change and happen twice on the autumn one; 02:15 in New York does not
    # exist in spring, 01:30 happens twice in autumn.
    (Frequency(W, weekday=6), "02:30", "Europe/Paris"),
    (Frequency(W, weekday=6), "01:30", "America/New_York"),
    (Frequency(W, weekday=6), "02:15", "America/New_York"),
    (Frequency(W, weekday=6), "02:00", "Europe/Paris"),
    (Frequency(W, weekday=0), "09:00", "UTC"),
    (Frequency(W, weekday=2), "23:30", "America/New_York"),
    (Frequency(W, weekday=4), "00:00", "Europe/Paris"),
    (Frequency(W, weekday=5), "12:00", "Asia/Tokyo"),
    (Frequency(W, weekday=1), "06:30", "UTC"),
    (Frequency(W, weekday=3), "18:45", "Australia/Sydney"),
    (Frequency(M, day=26), "02:30", "Europe/Paris"),  # 26 March 2028: no 02:30
    (Frequency(M, day=1), "09:00", "UTC"),
    (Frequency(M, day=12), "02:15", "America/New_York"),  # 12 March 2028: no 02:15
    (Frequency(M, day=27), "23:59", "Pacific/Auckland"),
    (Frequency(M, day=15), "08:00", "Europe/London"),
    (Frequency(M, day=5), "07:00", "Asia/Kolkata"),
    (Frequency(M, day=10), "13:00", "America/Sao_Paulo"),
    (Frequency(M, day=20), "03:00", "Europe/Berlin"),
    (Frequency(M, day=25), "17:30", "America/Los_Angeles"),
    (Frequency(M, day=2), "04:45", "Africa/Johannesburg"),
]


class DrillWorker(AppProcess):
    """`python -m tests.services.recurring_drill_worker`, with the app's environment, forked
    from the zygote (tests/zygote.py): the drill kills and restarts it, nothing more."""

    def __init__(self, name: str, clock: Path, *args: object, **settings: str) -> None:
        super().__init__(name, *args, forked=True, **settings)  # type: ignore[arg-type]
        self.passes = self.log_path.with_suffix(".pass")
        self._clock = clock

    async def start(self) -> None:
        await self.launch(
            ["-m", "tests.services.recurring_drill_worker", str(self._clock), str(self.passes)]
        )

    def passed(self) -> int:
        try:
            return int(json.loads(self.passes.read_text())["tick"])
        except (FileNotFoundError, ValueError, KeyError):
            return -1

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None


async def under_way(runtime: Runtime) -> int:
    """Runs under way, or waiting to be tried again (the main balance is never too low here:
    only a run cut short with nothing moved waits, and the next pass tries it)."""
    async with runtime.database.session() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(RecurringRun)
                .where(RecurringRun.state.in_([RunState.RUNNING.value, RunState.WAITING.value]))
            )
            or 0
        )


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as running:  # only its URL: the workers tell nobody
        yield running


async def make_series(runtime: Runtime, sandbox: Sandbox) -> list[Series]:
    account = sandbox.accounts[DEMO_SMS_KEY]
    account.balance = Decimal(1_000_000)
    made = []
    for n, (frequency, at, zone) in enumerate(SERIES):
        sub = account.subaccounts[n + 5]
        amount = Decimal(n % 3 + 1) + Decimal("0.25")
        hour, minute = map(int, at.split(":"))
        plan = Plan(
            Product.SMS, sub.token, amount, None, frequency, time(hour, minute), zone, None, None
        )
        series, _ = await runtime.recurring.propose(TEAM, REQUESTER, plan, People())
        approved, complete = await runtime.recurring.approve(
            TEAM, series.number, APPROVER, People()
        )
        assert complete
        made.append(approved)
    async with runtime.database.session() as session:  # as if approved at the drill's start
        await session.execute(update(RecurringSeries).values(starts_at=START))
    return [await runtime.recurring.store.get(s.id) for s in made]


async def test_twenty_series_two_years_dst_an_outage_and_killed_workers(
    runtime: Runtime, sandbox: Sandbox, fake: FakeSlack, tmp_path: Path
) -> None:
    rng = random.Random(21)
    series = await make_series(runtime, sandbox)
    account = sandbox.accounts[DEMO_SMS_KEY]
    balances = {
        s.subaccount_token: account.find_subaccount(s.subaccount_token).balance for s in series
    }  # type: ignore[union-attr]
    main_before = account.balance

    clock = tmp_path / "clock.json"
    tick, now = 0, START

    def set_clock() -> None:
        written = clock.with_suffix(".tmp")
        written.write_text(json.dumps({"tick": tick, "now": now.isoformat()}))
        written.replace(clock)

    set_clock()
    settings = {
        "execution_lease_seconds": "1",
        "reconcile_settle_seconds": "0.2",
        "partner_total_timeout": "30",
    }
    workers = [
        DrillWorker(f"drill-{n}", clock, runtime.database.url, fake, sandbox, tmp_path, **settings)
        for n in range(3)
    ]
    end = START + timedelta(days=30 * MONTHS + 10)
    fewest_ticks = int((end - START - OUTAGE) / timedelta(hours=STEP_HOURS[1] + 1))
    kill_at = set(rng.sample(range(5, fewest_ticks), KILLS))
    killed = 0
    outage_done = False
    outage_from = outage_to = START
    try:
        await asyncio.gather(*(w.start() for w in workers))
        while now < end:
            tick += 1
            if not outage_done and now >= OUTAGE_AT:
                for worker in workers:  # nothing runs for 5 days
                    worker.kill()
                outage_from = now
                now += OUTAGE
                outage_to = now
                outage_done = True
                set_clock()
                await asyncio.gather(*(w.start() for w in workers))
            else:
                now += timedelta(hours=rng.randint(*STEP_HOURS), minutes=rng.randint(0, 59))
                set_clock()
            if tick in kill_at:  # at a random moment of the pass this tick starts
                await asyncio.sleep(rng.random() * 0.3)
                victim = rng.choice(workers)
                victim.kill()
                killed += 1
                await victim.start()
            await barrier(runtime, workers, tick)
    finally:
        for worker in workers:
            worker.stop()
    assert killed == KILLS and outage_done

    moved = Decimal(0)
    cut_short = 0
    adds = Counter(call.params["tokenSubaccount"] for call in sandbox.calls(endpoint=ADD))
    for s in series:
        runs = await runtime.recurring.runs_of(s.id)
        expected = [o.period for o in s.schedule().between(START - timedelta(seconds=1), now)]
        periods = [r.period for r in runs]
        assert sorted(periods) == sorted(expected), s.number  # every period once, none extra
        assert {r.state for r in runs} <= {RunState.SUCCEEDED, RunState.SKIPPED, RunState.FAILED}
        # A run killed before the vendor heard (nothing moved, as the balances show once the
        # lease and the settle time have passed) is tried again by a later pass: none fails.
        assert RunState.FAILED not in {r.state for r in runs}, s.number
        tried_again = [r for r in runs if r.attempt > 1]  # the main balance is never too low
        assert all([await killed_before_the_vendor_heard(runtime, s, r) for r in tried_again])
        assert all(r.state is RunState.SUCCEEDED for r in tried_again), s.number
        cut_short += len(tried_again)
        skipped = [r for r in runs if r.state is RunState.SKIPPED]
        assert all(r.note == "missed" and outage_from < r.due_at <= outage_to for r in skipped)
        succeeded = [r for r in runs if r.state is RunState.SUCCEEDED]
        # at most one vendor write a period: exactly one for each run that succeeded
        assert adds[s.subaccount_token] == len(succeeded), s.number
        added = sum((r.amount for r in succeeded if r.amount is not None), Decimal(0))
        sub = account.find_subaccount(s.subaccount_token)
        assert sub is not None and sub.balance == balances[s.subaccount_token] + added, s.number
        moved += added
    assert account.balance == main_before - moved
    assert cut_short <= KILLS
    # the DST days ran once each, in both zones: the Sunday series, and the monthly ones whose
    # day is a spring change
    paris = ("2027-10-31", "2028-03-26", "2028-10-29", "2029-03-25", "2029-10-28")
    new_york = ("2027-11-07", "2028-03-12", "2028-11-05", "2029-03-11", "2029-11-04")
    dst = {0: paris, 1: new_york, 2: new_york, 3: paris, 10: paris, 12: new_york}
    drilled = 0
    for index, days in dst.items():
        periods = [r.period for r in await runtime.recurring.runs_of(series[index].id)]
        for day in days:
            if START.date().isoformat() <= day < now.date().isoformat() and (
                index < 10 or day.endswith(("-03-26", "-03-12"))
            ):
                assert periods.count(day) == 1, (index, day)
                drilled += 1
    assert drilled >= 4 * 2 + 2
    # however short the drill, it holds a change each way on both sides of the Atlantic
    assert START.date().isoformat() < "2027-10-31" and now.date().isoformat() > "2028-03-26"
    # the outage: periods more than 72 hours late were skipped, and said; the others ran
    in_outage = []
    for s in series:
        in_outage += [
            r for r in await runtime.recurring.runs_of(s.id) if outage_from < r.due_at <= outage_to
        ]
    assert {r.state for r in in_outage} == {RunState.SKIPPED, RunState.SUCCEEDED}
    assert all(
        (r.state is RunState.SKIPPED) == (outage_to - r.due_at > timedelta(hours=72))
        for r in in_outage
    )


async def killed_before_the_vendor_heard(runtime: Runtime, series: Series, run: Run) -> bool:
    """Why a run of the drill is tried again (docs/recurring.md, "during the vendor call"): its
    worker was SIGKILLed after recording the call as sent, before the vendor had it; past the
    lease that request was abandoned and the balances showed nothing moved. Its run then made
    a new request, which did the add (the adds are counted against the runs that succeeded)."""
    async with runtime.database.session() as session:
        actions = set(
            await session.scalars(
                select(AuditEntry.action).where(
                    AuditEntry.team_id == TEAM,
                    AuditEntry.request_id.in_(
                        select(CreditRequest.id).where(
                            CreditRequest.details["recurring"].as_integer() == series.number,
                            CreditRequest.details["period"].as_string() == run.period,
                            CreditRequest.id != run.request_id,
                        )
                    ),
                )
            )
        )
    return {"vendor_call_sent", "execution_abandoned", "reconciled_failed"} <= actions


async def barrier(
    runtime: Runtime, workers: list[DrillWorker], tick: int, within: float = 60
) -> None:
    """A full pass of some worker started at `tick`, and nothing under way."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        for worker in workers:
            assert worker.alive(), worker.log()
        if any(w.passed() >= tick for w in workers) and await under_way(runtime) == 0:
            return
        assert asyncio.get_running_loop().time() < deadline, f"tick {tick} never settled"
        await asyncio.sleep(0.01)


@pytest.mark.parametrize("killed_when", ["run_recorded", "vendor_called", "vendor_hanging"])
async def test_a_daily_series_due_in_a_minute_killed_just_after_adds_once(
    runtime: Runtime, sandbox: Sandbox, fake: FakeSlack, tmp_path: Path, killed_when: str
) -> None:
    """The real-process test: a daily series due a minute after `now`, the worker killed just
    after that minute (once its run is recorded, once the vendor saw the add, or while the
    vendor holds the add without applying it), started again: exactly one add. Held, the add
    never happened: past the lease the balances show it, and the run is tried again."""
    account = sandbox.accounts[DEMO_SMS_KEY]
    sub = account.subaccounts[5]
    before = sub.balance
    plan = Plan(
        Product.SMS,
        sub.token,
        Decimal(7),
        None,
        Frequency(Every.DAILY),
        time(6, 30),
        "UTC",
        None,
        "nightly float",
    )
    series, _ = await runtime.recurring.propose(TEAM, REQUESTER, plan, People())
    await runtime.recurring.approve(TEAM, series.number, APPROVER, People())
    async with runtime.database.session() as session:
        await session.execute(update(RecurringSeries).values(starts_at=datetime(2027, 3, 2)))
    due_at = datetime(2027, 3, 2, 6, 30)

    clock = tmp_path / "clock.json"

    def set_clock(tick: int, now: datetime) -> None:
        written = clock.with_suffix(".tmp")
        written.write_text(json.dumps({"tick": tick, "now": now.isoformat()}))
        written.replace(clock)

    set_clock(1, due_at - timedelta(minutes=1))
    settings = {"execution_lease_seconds": "1", "reconcile_settle_seconds": "0.2"}
    worker = DrillWorker("minute", clock, runtime.database.url, fake, sandbox, tmp_path, **settings)
    try:
        await worker.start()
        await barrier(runtime, [worker], 1)
        assert not sandbox.calls(endpoint=ADD) and await runtime.recurring.runs_of(series.id) == []

        if killed_when == "vendor_hanging":
            sandbox.inject(Fault(FaultKind.HANG, endpoint=ADD))
        set_clock(2, due_at + timedelta(seconds=1))  # the minute has passed
        for _ in range(20_000):
            if killed_when.startswith("vendor_") and sandbox.calls(endpoint=ADD):
                break
            if killed_when == "run_recorded" and await runtime.recurring.runs_of(series.id):
                break
            await asyncio.sleep(0.001)
        worker.kill()
        await worker.start()
        await barrier(runtime, [worker], 2)
    finally:
        worker.stop()
    applied = [call.applied for call in sandbox.calls(endpoint=ADD)]
    assert applied == ([False, True] if killed_when == "vendor_hanging" else [True])
    (run,) = await runtime.recurring.runs_of(series.id)
    assert run.state is RunState.SUCCEEDED and sub.balance == before + 7
    assert run.attempt == len(applied)
