"""The batch drill: 500 rows, about 10 % of the vendor calls timing out, and 5 real processes
killed (SIGKILL) while the batch runs. Each row ends in exactly one final state, the vendor
was sent each row at most once, the balances add up to the cent, it ran at more than a row a
second end to end, and the same file uploaded again is flagged."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from decimal import Decimal

from sqlalchemy import func, select

from bot.db.batch_models import Batch, BatchRowState
from bot.db.session import Database
from bot.services.batches.model import BatchStatus, RowStatus
from devkit.emulator import FakeSlack
from devkit.sandbox import DEMO_SMS_KEY, Fault, FaultKind, Sandbox
from tests.slack.approvals import APPROVALS, APPROVERS
from tests.slack.harness import MEMBER, TEAM
from tests.slack.modals import filled_modal
from tests.slack.processes import AppProcess
from tests.slack.test_processes import world  # noqa: F401 - the fixture

ROWS = 500
KILLS = 5
ADD = "/subaccount/credit/add"
# Every kill lands on the runner, which the next one takes over once its lease has passed
# (2 s, renewed every 2/3 s: a row takes at most a timeout and a balance read); each of the 50
# timeouts waits out the client's 0.15 s, ten times what a call to the sandbox takes.
SETTINGS = {
    "execution_lease_seconds": "2",
    "maintenance_interval_seconds": "0.2",
    "partner_total_timeout": "0.15",
}


async def batch_row(database: Database) -> Batch | None:
    async with database.session() as session:
        return (await session.scalars(select(Batch).order_by(Batch.id.desc()))).first()


async def row_states(database: Database) -> list[BatchRowState]:
    async with database.session() as session:
        return list(
            (await session.scalars(select(BatchRowState).order_by(BatchRowState.line))).all()
        )


async def finished_rows(database: Database) -> int:
    # Counted by the database: the test's loop also serves the sandbox and the fake Slack,
    # and loading the 500 rows at every poll took CPU from them.
    finished = [RowStatus.SUCCEEDED, RowStatus.FAILED, RowStatus.UNKNOWN]
    async with database.session() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(BatchRowState)
                .where(BatchRowState.status.in_([s.value for s in finished]))
            )
            or 0
        )


async def time_out_one_call_in_ten(sandbox: Sandbox, stop: asyncio.Event) -> None:
    """A hang (the client times out; the vendor applies nothing) on every tenth credit call."""
    injected = calls = read = 0
    while not stop.is_set():
        # Only the journal's new entries: it grows to thousands, read every 5 ms.
        journal = sandbox.journal
        calls += sum(1 for entry in journal[read:] if entry.endpoint == ADD)
        read = len(journal)
        if calls // 10 >= injected and not any(f.times for f in sandbox.faults):
            sandbox.inject(Fault(FaultKind.HANG, endpoint=ADD, times=1))
            injected += 1
        await asyncio.sleep(0.005)


async def send_file(process: AppProcess, fake: FakeSlack, file_id: str) -> None:
    async with process.driver(fake) as driver:
        await driver.command("batch", team_id=TEAM, user_id=MEMBER)
        modal = await filled_modal(fake, MEMBER, "file", timeout=15)
        await driver.submit_view(
            modal, team_id=TEAM, user_id=MEMBER, values={"file": {"file": [file_id]}}
        )


async def test_500_rows_timeouts_and_five_kills_each_row_once(world) -> None:  # noqa: F811
    database, fake, sandbox, logs = world
    account = sandbox.accounts[DEMO_SMS_KEY]
    account.subaccounts.extend(sandbox.state.realistic_subaccounts(account.product, ROWS))
    account.balance = Decimal("100000")
    targets = account.subaccounts[-ROWS:]
    before = {s.token: s.balance for s in targets}
    main_before, total_before = account.balance, account.total()
    amounts = [Decimal(n % 97 + 1) + Decimal(n % 100) / 100 for n in range(ROWS)]
    text = "subaccount,action,amount,reason,row_id\n" + "\n".join(
        f"{s.token},add,{a:.2f},monthly,m-{n}"
        for n, (s, a) in enumerate(zip(targets, amounts, strict=True))
    )
    file = fake.user_upload(TEAM, MEMBER, "month.csv", text)
    generation = 0

    def process() -> AppProcess:
        nonlocal generation
        generation += 1
        return AppProcess(
            f"web-{generation}", database.url, fake, sandbox, logs, forked=True, **SETTINGS
        )

    alive = [process(), process()]
    stop = asyncio.Event()
    faults = asyncio.create_task(time_out_one_call_in_ten(sandbox, stop))
    try:
        await asyncio.gather(*(p.start() for p in alive))
        await send_file(alive[0], fake, file.id)
        card = await fake.wait_for(
            lambda: next((m for m in fake.messages.get(APPROVALS, []) if not m.thread_ts), None),
            timeout=30,
        )
        started = time.monotonic()
        async with alive[0].driver(fake) as driver:
            await driver.click(
                team_id=TEAM, user_id=APPROVERS[0], action_id="batch_approve",
                value=card.blocks[-1]["elements"][0]["value"], message=card, channel_id=APPROVALS,
            )  # fmt: skip
        for kill in range(KILLS):
            # Kill while rows are being sent: after some more have finished.
            goal = (kill + 1) * ROWS // (KILLS + 2)
            for _ in range(1200):
                if await finished_rows(database) >= goal:
                    break
                await asyncio.sleep(0.05)
            victim = alive.pop(0)
            victim.kill()
            replacement = process()
            await replacement.start()
            alive.append(replacement)
        for _ in range(6000):
            batch = await batch_row(database)
            if batch is not None and batch.status == BatchStatus.DONE:
                break
            await asyncio.sleep(0.05)
        elapsed = time.monotonic() - started
        batch = await batch_row(database)
        assert batch is not None and batch.status == BatchStatus.DONE

        rows = await row_states(database)
        assert len(rows) == ROWS
        # one final state a row: the balances told every timeout and every kill apart
        assert Counter(r.status for r in rows).keys() <= {RowStatus.SUCCEEDED, RowStatus.FAILED}
        # at most one vendor call a row, applied at most once
        sent = Counter(call.params.get("tokenSubaccount") for call in sandbox.calls(endpoint=ADD))
        assert max(sent.values()) == 1, sent.most_common(3)
        assert (
            sum(1 for c in sandbox.calls(endpoint=ADD) if c.fault is FaultKind.HANG)
            >= ROWS // 10 - 2
        )
        # to the cent: each subaccount moved by its row's amount exactly when it succeeded
        by_token = {s.token: s for s in targets}
        moved = Decimal(0)
        for row, amount in zip(rows, amounts, strict=True):
            expected = before[row.subaccount_token] + (
                amount if row.status == RowStatus.SUCCEEDED else 0
            )
            assert by_token[row.subaccount_token].balance == expected, row.line
            moved += amount if row.status == RowStatus.SUCCEEDED else 0
        assert account.balance == main_before - moved
        assert account.total() == total_before
        assert Counter(r.status for r in rows)[RowStatus.SUCCEEDED] >= ROWS * 8 // 10
        assert elapsed < ROWS, f"{ROWS} rows took {elapsed:.0f} s"

        def results() -> list[str]:
            return [
                "thread" if f.thread_ts == card.ts else str(f.channel_id)
                for f in fake.files
                if "results" in f.filename
            ]

        # the results CSV, whichever process finished the run: in the thread and to the
        # requester, each once
        await fake.wait_for(lambda: len(results()) >= 2, timeout=30)

        # the same file again is asked about before it goes on
        await send_file(alive[0], fake, fake.user_upload(TEAM, MEMBER, "month.csv", text).id)
        asked = await fake.wait_for(
            lambda: next(
                (
                    v
                    for v in fake.open_modals(MEMBER)
                    if v.view.get("callback_id") == "batch_confirm"
                ),
                None,
            ),
            timeout=30,
        )
        assert "less than 24 hours" in str(asked.blocks)
        assert "row id already carried out" in str(asked.blocks)
        assert sorted(results()) == sorted(["thread", f"D{MEMBER}"])
    finally:
        stop.set()
        await faults
        for running in alive:
            running.stop()
