"""A recurring run cut short during its vendor call (the answer never came) whose balances then
show that nothing moved: the period is still owed, so the worker's next pass tries it again
with a new request — up to three times, then it fails and the owner is told why. A refusal by
the vendor still fails the period (trying it again would be refused again); a retry is
skipped, as a due run is, under a freeze or 72 hours late. An automatic top-up's failed run
re-arms it for the next low reading. The vendor drops the connection
before applying the add (the sandbox's `drop_before_apply`), which the client reports as an
unknown outcome; reconciliation's settle time is 0 here so the balances are read at once."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.db.models import CreditRequest
from bot.partner.models import Product
from bot.runtime import Runtime
from bot.services.recurring.model import RunState
from bot.services.recurring.notices import Told
from bot.services.requests import RequestSnapshot, Status
from devkit.sandbox import DEMO_SMS_KEY, Sandbox
from devkit.sandbox.faults import Fault, FaultKind
from tests.services.recurring_world import (
    ADD,
    Owner,
    active_series,
    adds,
    first_due,
    notices,
    plan,
    reading,
    topped_up,
)
from tests.services.request_world import APPROVER, REQUESTER, TEAM, People


@pytest.fixture
def runtime_settings() -> dict[str, object]:
    return {"reconcile_settle_seconds": 0}


def drop_adds(sandbox: Sandbox, times: int | None) -> None:
    """The next `times` adds are never applied and never answered."""
    sandbox.inject(Fault(FaultKind.DROP_BEFORE_APPLY, endpoint=ADD, method="POST", times=times))


async def test_a_run_cut_short_with_nothing_moved_is_tried_again_and_adds_once(
    runtime: Runtime, sandbox: Sandbox, owner: Owner
) -> None:
    sub = topped_up(sandbox)
    before = sub.balance
    series = await active_series(runtime, sandbox)
    drop_adds(sandbox, times=1)
    await runtime.recurring.run_due(first_due(series), notices(owner))
    (run,) = await runtime.recurring.runs_of(series.id)
    assert (run.state, run.note) == (RunState.WAITING, "interrupted")
    await runtime.recurring.run_due(first_due(series) + timedelta(minutes=1), notices(owner))
    assert adds(sandbox) == 2 and sub.balance == before + 7  # the dropped one, then the new one
    (run,) = await runtime.recurring.runs_of(series.id)
    assert (run.state, run.attempt) == (RunState.SUCCEEDED, 2)
    first, second = await requests_of(runtime)
    assert first.status is Status.FAILED and first.proven_unmoved
    assert second.status is Status.SUCCEEDED and not second.proven_unmoved
    assert owner.news == []  # done in the end: nothing to tell


async def test_cut_short_at_every_try_the_period_fails_and_says_why(
    runtime: Runtime, sandbox: Sandbox, owner: Owner
) -> None:
    sub = topped_up(sandbox)
    before = sub.balance
    series = await active_series(runtime, sandbox)
    drop_adds(sandbox, times=None)
    for minutes in range(4):  # the run, then a new try at each pass
        await runtime.recurring.run_due(
            first_due(series) + timedelta(minutes=minutes), notices(owner)
        )
    (run,) = await runtime.recurring.runs_of(series.id)
    assert (run.state, run.note, run.attempt) == (RunState.FAILED, "interrupted", 4)
    assert adds(sandbox) == 4 and sub.balance == before  # the run and three new tries
    assert [n.why for n in owner.told_of(Told.FAILED)] == ["interrupted"]
    # a later pass tries nothing more for that period
    await runtime.recurring.run_due(first_due(series) + timedelta(hours=2), notices(owner))
    assert adds(sandbox) == 4


@pytest.mark.parametrize("meanwhile", ["frozen", "four days late"])
async def test_a_run_to_be_tried_again_is_skipped_for_what_skips_a_due_run(
    runtime: Runtime, sandbox: Sandbox, owner: Owner, meanwhile: str
) -> None:
    """Frozen before the next pass, the retry is skipped and said (it used to wait, and top up
    whenever the freeze ended); and a retry more than 72 hours late is skipped as missed."""
    sub = topped_up(sandbox)
    before = sub.balance
    series = await active_series(runtime, sandbox)
    drop_adds(sandbox, times=1)
    due_at = first_due(series)
    await runtime.recurring.run_due(due_at, notices(owner))
    later = due_at + timedelta(minutes=1)
    if meanwhile == "frozen":
        await runtime.controls.freeze(TEAM, Product.SMS, sub.token, sub.email, APPROVER)
        why = "frozen"
    else:
        later = due_at + timedelta(days=4)
        why = "missed"
    await runtime.recurring.run_due(later, notices(owner))
    first = (await runtime.recurring.runs_of(series.id))[0]
    assert (first.period, first.state, first.note) == (
        due_at.date().isoformat(),
        RunState.SKIPPED,
        why,
    )
    assert due_at.date().isoformat() in {p for n in owner.told_of(Told.SKIPPED) for p in n.periods}
    if meanwhile == "frozen":
        assert adds(sandbox) == 1 and sub.balance == before  # only the add that was cut short


async def test_a_run_the_vendor_refused_is_not_tried_again(
    runtime: Runtime, sandbox: Sandbox, owner: Owner
) -> None:
    account = sandbox.accounts[DEMO_SMS_KEY]
    series = await active_series(runtime, sandbox)
    account.subaccounts_enabled = False  # the vendor answers the add with a refusal
    await runtime.recurring.run_due(first_due(series), notices(owner))
    (run,) = await runtime.recurring.runs_of(series.id)
    assert (run.state, run.note, run.attempt) == (RunState.FAILED, "vendor", 1)
    assert adds(sandbox) == 1
    (request,) = await requests_of(runtime)
    assert request.status is Status.FAILED and not request.proven_unmoved
    assert [n.why for n in owner.told_of(Told.FAILED)] == ["vendor"]


async def test_an_automatic_top_up_cut_short_fails_and_the_next_low_reading_tops_up(
    runtime: Runtime, sandbox: Sandbox, owner: Owner
) -> None:
    """An automatic top-up has no retries of its own: the run fails and re-arms the series, so
    the next reading below the threshold tops up. Before, the failed run left the series
    disarmed while the subaccount stayed below: no top-up until someone else raised it."""
    sub = topped_up(sandbox)
    sub.balance = Decimal(5)
    auto, _ = await runtime.recurring.propose(
        TEAM, REQUESTER, plan(sub.token, "50"), People(), below=Decimal(10)
    )
    await runtime.recurring.approve(TEAM, auto.number, APPROVER, People())
    at = datetime(2027, 5, 3, 10)
    drop_adds(sandbox, times=1)
    await runtime.recurring.on_reading(TEAM, Product.SMS, reading(sub, "5"), at, notices(owner))
    (run,) = await runtime.recurring.runs_of(auto.id)
    assert (run.state, run.note) == (RunState.FAILED, "interrupted")
    assert [n.why for n in owner.told_of(Told.FAILED)] == ["interrupted"]
    later = at + timedelta(minutes=10)
    await runtime.recurring.on_reading(TEAM, Product.SMS, reading(sub, "5"), later, notices(owner))
    assert [r.state for r in await runtime.recurring.runs_of(auto.id)] == [
        RunState.FAILED,
        RunState.SUCCEEDED,
    ]
    assert adds(sandbox) == 2 and sub.balance == 55


async def test_an_automatic_top_up_the_main_balance_could_not_pay_is_tried_at_the_next_low_reading(
    runtime: Runtime, sandbox: Sandbox, owner: Owner
) -> None:
    account = sandbox.accounts[DEMO_SMS_KEY]
    sub = account.subaccounts[3]
    sub.balance = Decimal(5)
    auto, _ = await runtime.recurring.propose(
        TEAM, REQUESTER, plan(sub.token, "50"), People(), below=Decimal(10)
    )
    await runtime.recurring.approve(TEAM, auto.number, APPROVER, People())
    at = datetime(2027, 5, 3, 10)
    saved, account.balance = account.balance, Decimal(3)
    await runtime.recurring.on_reading(TEAM, Product.SMS, reading(sub, "5"), at, notices(owner))
    assert adds(sandbox) == 0
    assert [n.why for n in owner.told_of(Told.FAILED)] == ["main_too_low"]
    account.balance = saved  # money is back: the next low reading tops up
    later = at + timedelta(minutes=10)
    await runtime.recurring.on_reading(TEAM, Product.SMS, reading(sub, "5"), later, notices(owner))
    assert adds(sandbox) == 1 and sub.balance == 55


async def requests_of(runtime: Runtime) -> list[RequestSnapshot]:
    """Every request of the workspace, oldest first: here, the runs' own."""
    async with runtime.database.session() as session:
        ids = (
            await session.scalars(
                select(CreditRequest.id)
                .where(CreditRequest.team_id == TEAM)
                .order_by(CreditRequest.id)
            )
        ).all()
    return [await runtime.requests.get(i) for i in ids]
