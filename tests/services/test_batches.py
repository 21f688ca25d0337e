"""Batches on a real database and the vendor sandbox: all-or-nothing checks, one approval for
the total, each row carried out once (balance running out, timeouts, a runner that dies)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from bot.db.batch_models import Batch
from bot.db.models import AuditEntry
from bot.db.session import Database
from bot.i18n import language
from bot.partner.models import Product
from bot.runtime import Runtime
from bot.services.batches.errors import BatchDecided, BatchInvalid, BatchQuestions, OwnBatch
from bot.services.batches.model import BatchStatus, Question, RowStatus
from bot.services.batches.results import results_csv
from bot.services.errors import NotAllowed
from bot.services.policy import change_policy
from bot.services.roles import Role, Subject, SubjectKind
from devkit.emulator import FakeSlack
from devkit.sandbox import DEMO_SMS_KEY, Fault, FaultKind, Sandbox
from tests.services.request_world import ADMIN, APPROVER, REQUESTER, TEAM, People
from tests.slack.harness import HANG_TIMEOUT, settings_for

ADD = "/subaccount/credit/add"


@pytest.fixture
async def runtime(database: Database, sandbox: Sandbox) -> AsyncIterator[Runtime]:
    async with FakeSlack() as fake:  # only its URL: no Slack call is made here
        settings = settings_for(
            fake, sandbox, database.url, partner_total_timeout=HANG_TIMEOUT,
            execution_lease_seconds=60,
        )  # fmt: skip
        runtime = await Runtime.start(settings, migrate=False)
        try:
            await change_policy(database, TEAM, ADMIN, approvals_channel_id="C0APPR")
            await runtime.roles.grant(
                TEAM, Role.APPROVER, Subject(SubjectKind.USER, APPROVER), ADMIN
            )
            yield runtime
        finally:
            await runtime.close()


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox() as running:
        yield running


def subs(sandbox: Sandbox, count: int) -> list:
    return sandbox.accounts[DEMO_SMS_KEY].subaccounts[:count]


async def approved(runtime: Runtime, text: str, **ask: object) -> int:
    batch = await runtime.batches.ask(TEAM, REQUESTER, Product.SMS, text, "pasted", People(), **ask)
    await runtime.batches.approve(TEAM, batch.number, APPROVER, People())
    return batch.id


async def test_every_problem_is_listed_and_nothing_is_made(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    one, two = subs(sandbox, 2)
    text = "\n".join(
        [
            f"{one.email},add,5",
            "nobody@nowhere.example,add,5",
            f"{two.email},remove,{int(two.balance) + 2}",
            f"{one.email},give,5",
        ]
    )
    with pytest.raises(BatchInvalid) as caught:
        await runtime.batches.ask(TEAM, REQUESTER, Product.SMS, text, "pasted", People())
    # the rows' shapes are checked first, all rows at once; then the subaccounts
    assert [p.line for p in caught.value.problems] == [4]
    fixed = text.replace("give", "add")
    with pytest.raises(BatchInvalid) as caught:
        await runtime.batches.ask(TEAM, REQUESTER, Product.SMS, fixed, "pasted", People())
    with language("fr"):
        said = {p.line: str(p) for p in caught.value.problems}
    assert sorted(said) == [2, 3]
    assert "nobody@nowhere.example" in said[2]
    async with runtime.database.session() as session:
        assert (await session.scalars(select(Batch))).all() == []


async def test_one_approval_then_each_row_once_with_totals_to_the_cent(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    account = sandbox.accounts[DEMO_SMS_KEY]
    main_before, total_before = account.balance, account.total()
    one, two, three = subs(sandbox, 3)
    before = {s.token: s.balance for s in (one, two, three)}
    text = (
        "subaccount,action,amount,reason,row_id\n"
        f'{one.email},add,"10,5",March,r1\n{two.email},add,2.5,,r2\n'
        f"{three.email},remove,0.125,,r3\n"
    )
    batch = await runtime.batches.ask(TEAM, REQUESTER, Product.SMS, text, "march.csv", People())
    assert (batch.status, batch.row_count, batch.approvals_needed) == (BatchStatus.PENDING, 3, 1)
    assert (batch.total_add, batch.total_remove) == (Decimal("13.000"), Decimal("0.125"))
    assert batch.main_balance_after == main_before - Decimal("12.875")
    with pytest.raises(OwnBatch):
        await runtime.batches.approve(TEAM, batch.number, REQUESTER, People())
    with pytest.raises(NotAllowed):
        await runtime.batches.approve(TEAM, batch.number, ADMIN, People())
    await runtime.batches.approve(TEAM, batch.number, APPROVER, People())

    done = await runtime.batches.run(batch.id)

    assert done.status is BatchStatus.DONE
    rows = await runtime.batches.rows(batch.id)
    assert [r.status for r in rows] == [RowStatus.SUCCEEDED] * 3
    assert one.balance == before[one.token] + Decimal("10.5")
    assert two.balance == before[two.token] + Decimal("2.5")
    assert three.balance == before[three.token] - Decimal("0.125")
    assert account.balance == main_before - Decimal("12.875")
    assert account.total() == total_before
    assert len(sandbox.calls(endpoint=ADD)) == 2
    # again: nothing more is sent
    await runtime.batches.run(batch.id)
    assert len(sandbox.calls(endpoint=ADD)) == 2
    lines = results_csv(rows).splitlines()
    assert lines[0].startswith("row,subaccount,action,amount,row_id,result")
    assert lines[1].startswith(f"2,{one.email},add,10.5,r1,done")
    async with runtime.database.session() as session:
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert actions.count("batch_row_succeeded") == 3
    assert {"batch_created", "batch_approved", "batch_finished"} <= set(actions)


async def test_the_total_decides_two_approvers_and_a_batch_is_never_auto_approved(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    await change_policy(
        runtime.database, TEAM, ADMIN, auto_approve_limit=Decimal(100),
        two_approver_threshold=Decimal(150),
    )  # fmt: skip
    one, two = subs(sandbox, 2)
    small = await runtime.batches.ask(
        TEAM, REQUESTER, Product.SMS, f"{one.email},add,1", "pasted", People()
    )
    assert (small.status, small.approvals_needed) == (BatchStatus.PENDING, 1)
    # each row under the two-approver amount, the total above it
    big = await runtime.batches.ask(
        TEAM, REQUESTER, Product.SMS, f"{one.email},add,80\n{two.email},add,80", "p", People()
    )
    assert big.approvals_needed == 2
    after = await runtime.batches.approve(TEAM, big.number, APPROVER, People())
    assert after.status is BatchStatus.PENDING


async def test_same_rows_row_ids_done_and_repeats_are_asked_first(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    one, two = subs(sandbox, 2)
    text = f"{one.email},add,1,,id-1\n{two.email},add,1,,id-2"
    batch_id = await approved(runtime, text)
    await runtime.batches.run(batch_id)
    with pytest.raises(BatchQuestions) as caught:
        await runtime.batches.ask(TEAM, REQUESTER, Product.SMS, text, "again.csv", People())
    asked = dict(caught.value.questions)
    assert set(asked) == {Question.SAME_FILE, Question.ROW_IDS_DONE}
    assert asked[Question.ROW_IDS_DONE] == ["1", "2"]
    with pytest.raises(BatchQuestions) as caught:
        await runtime.batches.ask(
            TEAM, REQUESTER, Product.SMS, f"{one.email},add,3\n{one.email},add,3", "p", People()
        )
    assert dict(caught.value.questions) == {Question.REPEATED_ROWS: ["2"]}
    # the question kept a draft: nobody sees it until its requester confirms
    draft = caught.value.draft
    assert draft.status is BatchStatus.DRAFT
    with pytest.raises(BatchDecided):
        await runtime.batches.approve(TEAM, draft.number, APPROVER, People())
    with pytest.raises(NotAllowed):
        await runtime.batches.confirm(TEAM, draft.number, APPROVER)
    confirmed = await runtime.batches.confirm(TEAM, draft.number, REQUESTER)
    assert confirmed.status is BatchStatus.PENDING
    with pytest.raises(BatchDecided):
        await runtime.batches.confirm(TEAM, draft.number, REQUESTER)


async def test_when_the_main_balance_runs_out_the_rest_fail_before_any_vendor_call(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    account = sandbox.accounts[DEMO_SMS_KEY]
    rows = subs(sandbox, 5)
    batch_id = await approved(runtime, "\n".join(f"{s.email},add,10" for s in rows))
    account.balance = Decimal("25")  # spent elsewhere after the approval

    await runtime.batches.run(batch_id)

    states = [r.status for r in await runtime.batches.rows(batch_id)]
    assert states == [RowStatus.SUCCEEDED] * 2 + [RowStatus.FAILED] * 3
    assert len(sandbox.calls(endpoint=ADD)) == 2
    assert account.balance == Decimal("5")
    notes = [r.outcome_note for r in await runtime.batches.rows(batch_id)][2:]
    assert all(note and "ran out" in note for note in notes)


async def test_timeouts_are_reconciled_never_sent_again(runtime: Runtime, sandbox: Sandbox) -> None:
    account = sandbox.accounts[DEMO_SMS_KEY]
    total = account.total()
    rows = subs(sandbox, 6)
    batch_id = await approved(runtime, "\n".join(f"{s.email},add,1" for s in rows))
    # a hang: nothing applied; a drop after applying: applied, the answer lost
    sandbox.inject(Fault(FaultKind.HANG, endpoint=ADD, times=1))
    sandbox.inject(Fault(FaultKind.DROP_AFTER_APPLY, endpoint=ADD, times=1))

    await runtime.batches.run(batch_id)

    done = await runtime.batches.rows(batch_id)
    assert [r.status for r in done] == [
        RowStatus.FAILED, RowStatus.SUCCEEDED, RowStatus.SUCCEEDED, RowStatus.SUCCEEDED,
        RowStatus.SUCCEEDED, RowStatus.SUCCEEDED,
    ]  # fmt: skip
    assert "nothing moved" in (done[0].outcome_note or "")
    assert "confirmed from the balances" in (done[1].outcome_note or "")
    assert len(sandbox.calls(endpoint=ADD)) == 6
    assert account.total() == total


async def test_a_runner_that_dies_mid_row_is_taken_over_once_its_lease_passes(
    runtime: Runtime, sandbox: Sandbox
) -> None:
    rows = subs(sandbox, 4)
    batch_id = await approved(runtime, "\n".join(f"{s.email},add,1" for s in rows))

    async def die_at_row_two(row) -> None:
        if row.line == 2:
            raise SystemExit("killed")  # the process is gone between the move and the call

    runtime.batches.running._before_call = die_at_row_two
    with pytest.raises(SystemExit):
        await runtime.batches.run(batch_id)
    runtime.batches.running._before_call = None
    assert await runtime.batches.run_due(no_events) == []  # its lease still holds
    async with runtime.database.session() as session:
        await session.execute(update(Batch).values(runner_until=None))  # the lease passed

    [done] = await runtime.batches.run_due(no_events)

    assert done.status is BatchStatus.DONE
    states = [r.status for r in await runtime.batches.rows(batch_id)]
    assert states == [
        RowStatus.SUCCEEDED,
        RowStatus.FAILED,
        RowStatus.SUCCEEDED,
        RowStatus.SUCCEEDED,
    ]
    assert len(sandbox.calls(endpoint=ADD)) == 3
    async with runtime.database.session() as session:
        actions = (await session.scalars(select(AuditEntry.action))).all()
    assert actions.count("batch_row_abandoned") == 1
    assert actions.count("batch_row_reconciled_failed") == 1


async def no_events(team_id: str) -> None:
    return None
