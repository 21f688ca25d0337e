"""Several app processes on one database, and a process killed in the middle of a move.

Runs on SQLite and, in CI, on PostgreSQL (DATABASE_URL), with `python -m bot serve` processes
forked from the zygote (tests/zygote.py: the same entry point, the app imported once); the
Slack emulator and the sandbox run in the test.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from bot.clock import utcnow
from bot.db.models import CreditRequest, DigestSubscription, SettingChange
from bot.db.session import Database
from bot.partner.models import Product
from bot.runtime import Runtime
from bot.services.policy import change_policy
from bot.services.requests import Action, Ask, Status
from bot.services.roles import Role, Roles, Subject, SubjectKind
from bot.services.settings_changes import Change, Setting
from bot.slack.digests.parsing import parse_subscription
from devkit.emulator import FakeSlack
from devkit.sandbox import DEMO_SMS_KEY, Fault, FaultKind, Sandbox
from tests.conftest import SecretsGuard
from tests.services.request_world import People
from tests.slack.approvals import APPROVALS, APPROVERS, card_text
from tests.slack.harness import (
    ADMIN,
    BOT_TOKEN,
    ENCRYPTION_KEY,
    MEMBER,
    SIGNING_SECRET,
    TEAM,
    settings_for,
)
from tests.slack.processes import AppProcess
from tests.waiting import until

FAST = {
    "execution_lease_seconds": "1",
    "maintenance_interval_seconds": "0.2",
    "partner_total_timeout": "30",
}
# Restarted processes that find what a dead one left: nothing is owed to them until the test
# dates it back (`owed_now`), once they are all up, so they race for it in one maintenance
# round, as when the 5 s default ran out under them, without waiting those 5 s out.
RESTARTED = {**FAST, "card_grace_seconds": "3600"}


async def owed_now(
    database: Database,
    row: type[CreditRequest | SettingChange],
    key: int,
    since: str = "created_at",
) -> None:
    """Dated back past the grace: `since` is when it was made (a card owed) or last moved (a
    settlement owed its telling)."""
    async with database.session() as session:
        await session.execute(
            update(row).where(row.id == key).values({since: utcnow() - timedelta(hours=2)})
        )


@pytest.fixture
async def world(
    database: Database,
    fake_slack: FakeSlack,
    sandbox: Sandbox,
    tmp_path: Path,
    secrets_guard: SecretsGuard,
) -> AsyncIterator[tuple[Database, FakeSlack, Sandbox, Path]]:
    secrets_guard.watch(sandbox.secrets() | {BOT_TOKEN, SIGNING_SECRET, ENCRYPTION_KEY})
    fake_slack.add_channel(TEAM, APPROVALS, "approvals")
    roles = Roles(database)
    for n, user in enumerate(APPROVERS, 1):
        fake_slack.add_user(TEAM, user, f"approver{n}", real_name=f"Approver {n}")
        await roles.grant(TEAM, Role.APPROVER, Subject(SubjectKind.USER, user), ADMIN)
    await change_policy(database, TEAM, ADMIN, approvals_channel_id=APPROVALS)
    yield database, fake_slack, sandbox, tmp_path


async def stored(database: Database, request_id: int) -> CreditRequest:
    """The request as the app processes left it in the shared database."""
    async with database.session() as session:
        row = await session.get(CreditRequest, request_id)
        assert row is not None
        return row


async def wait_for_status(
    database: Database, request_id: int, *wanted: Status, within: float = 20
) -> Status:
    for _ in range(int(within / 0.05)):
        status = Status((await stored(database, request_id)).status)
        if status in wanted:
            return status
        await asyncio.sleep(0.05)
    raise AssertionError(f"request {request_id} is {status}, never {wanted}")


async def ask_for_credit(process: AppProcess, fake: FakeSlack, email: str, amount: str) -> int:
    async with process.driver(fake) as driver:
        delivery = await driver.command(
            f"credit add {email} {amount}", team_id=TEAM, user_id=MEMBER
        )
        post = await delivery.wait_response(timeout=15)
    assert "sent to" in post.body["text"], post.body["text"]
    return int(post.body["text"].split("#", 1)[1].split()[0])


def assert_no_secret_in_logs(*processes: AppProcess, secrets: set[str]) -> None:
    for process in processes:
        log = process.log()
        assert not [s for s in secrets if s in log], f"a secret in {process.name}'s log"


async def test_two_processes_many_clicks_one_vendor_call(world) -> None:
    database, fake, sandbox, logs = world
    first = AppProcess("web-1", database.url, fake, sandbox, logs, forked=True, **FAST)
    second = AppProcess("web-2", database.url, fake, sandbox, logs, forked=True, **FAST)
    try:
        await asyncio.gather(first.start(), second.start())
        sub = sandbox.accounts[DEMO_SMS_KEY].subaccounts[2]
        held = sub.balance
        request_id = await ask_for_credit(first, fake, sub.email, "35")
        async with first.driver(fake) as one, second.driver(fake) as two:
            clicks = [
                (one if n % 2 else two).click(
                    team_id=TEAM,
                    user_id=APPROVERS[n % 3],
                    action_id="request_approve",
                    value=str(request_id),
                    block_id=f"request_{request_id}",
                    channel_id=APPROVALS,
                )
                for n in range(20)
            ]
            deliveries = await asyncio.gather(*clicks)
        assert all(d.status == 200 for d in deliveries)
        assert await wait_for_status(database, request_id, Status.SUCCEEDED) is Status.SUCCEEDED
        await fake.wait_for(lambda: dms_to_member(fake), timeout=10)
        # The barrier: on SIGTERM each process finishes every listener under way, then exits.
        # Whatever the twenty clicks set off is done once both have exited cleanly.
        first.terminate()
        second.terminate()
        assert [await first.exit_code(), await second.exit_code()] == [0, 0]
        assert len(sandbox.calls(endpoint="/subaccount/credit/add")) == 1
        assert sub.balance == held + 35
        assert len(dms_to_member(fake)) == 1
    finally:
        first.stop()
        second.stop()
    assert_no_secret_in_logs(first, second, secrets=sandbox.secrets() | {BOT_TOKEN})


async def test_two_processes_never_auto_approve_past_the_daily_cap(world) -> None:
    """Twenty moves of 40 within the 50 limit, sent at once through two processes: the cap of
    100 lets two run (80); the eighteen others wait for an approver, each on its card."""
    database, fake, sandbox, logs = world
    await change_policy(
        database,
        TEAM,
        ADMIN,
        auto_approve_limit=Decimal(50),
        daily_auto_approve_cap=Decimal(100),
    )
    first = AppProcess("web-1", database.url, fake, sandbox, logs, forked=True, **FAST)
    second = AppProcess("web-2", database.url, fake, sandbox, logs, forked=True, **FAST)
    subaccounts = sandbox.accounts[DEMO_SMS_KEY].subaccounts[:20]
    try:
        await asyncio.gather(first.start(), second.start())
        async with first.driver(fake) as one, second.driver(fake) as two:
            deliveries = await asyncio.gather(
                *(
                    (one if n % 2 else two).command(
                        f"credit add {sub.email} 40", team_id=TEAM, user_id=MEMBER
                    )
                    for n, sub in enumerate(subaccounts)
                )
            )
            replies = [(await d.wait_response(timeout=60)).body["text"] for d in deliveries]
        # The barrier: on SIGTERM each process finishes every listener under way, then exits.
        first.terminate()
        second.terminate()
        assert [await first.exit_code(), await second.exit_code()] == [0, 0]
    finally:
        first.stop()
        second.stop()
    ran = [r for r in replies if "auto-approved" in r]
    sent = [r for r in replies if f"sent to <#{APPROVALS}>" in r]
    assert (len(ran), len(sent)) == (2, 18), replies
    assert len(sandbox.calls(endpoint="/subaccount/credit/add")) == 2
    async with database.session() as session:
        rows = (await session.scalars(select(CreditRequest))).all()
    assert sum(r.amount for r in rows if r.auto_approved) == Decimal(80)
    waiting = [r for r in rows if r.status == Status.PENDING.value]
    assert len(waiting) == 18 and all(r.card_ts and not r.auto_approved for r in waiting)
    assert_no_secret_in_logs(first, second, secrets=sandbox.secrets() | {BOT_TOKEN})


@pytest.mark.parametrize(
    ("fault", "outcome"),
    [
        # The vendor never got to it: the restarted process finds nothing moved.
        (Fault(FaultKind.HANG, endpoint="/subaccount/credit/add"), Status.FAILED),
        # The vendor applied it after the process died: the balances show it happened.
        (Fault(FaultKind.LATENCY, endpoint="/subaccount/credit/add", delay=1.0), Status.SUCCEEDED),
    ],
)
async def test_a_process_killed_while_executing_is_resumed_on_restart(
    world, fault: Fault, outcome: Status
) -> None:
    database, fake, sandbox, logs = world
    # The balances are read no sooner than twice the vendor's delay after the move was sent.
    settings = {**FAST, "reconcile_settle_seconds": "2"}
    first = AppProcess("web-1", database.url, fake, sandbox, logs, forked=True, **settings)
    restarted = AppProcess(
        "web-1-restarted", database.url, fake, sandbox, logs, forked=True, **settings
    )
    sub = sandbox.accounts[DEMO_SMS_KEY].subaccounts[1]
    held = sub.balance
    try:
        await first.start()
        request_id = await ask_for_credit(first, fake, sub.email, "20")
        sandbox.inject(fault)
        async with first.driver(fake) as driver:
            await driver.click(
                team_id=TEAM,
                user_id=APPROVERS[0],
                action_id="request_approve",
                value=str(request_id),
                block_id=f"request_{request_id}",
                channel_id=APPROVALS,
            )
        await wait_for_status(database, request_id, Status.EXECUTING)
        # Killed once the vendor has the call (the fault is taken when the call arrives): a
        # kill between `executing` and the call leaving is another case, where the vendor
        # never heard of it and FAILED is right whatever the fault.
        await fake.wait_for(lambda: fault.times == 0, timeout=10)
        first.kill()
        await restarted.start()
        assert await wait_for_status(database, request_id, outcome) is outcome
        moved = Decimal(20) if outcome is Status.SUCCEEDED else Decimal(0)
        assert sub.balance == held + moved
        assert len(sandbox.calls(endpoint="/subaccount/credit/add")) == 1  # never resent
        card = fake.find_message(APPROVALS, (await stored(database, request_id)).card_ts)
        await fake.wait_for(lambda: ("Done" if moved else "Failed") in card_text(card), timeout=10)
        await fake.wait_for(lambda: dms_to_member(fake), timeout=10)
    finally:
        first.stop()
        restarted.stop()
    assert_no_secret_in_logs(first, restarted, secrets=sandbox.secrets() | {BOT_TOKEN})


async def test_a_process_killed_between_approval_and_vendor_call_is_carried_out_later(
    world,
) -> None:
    """The drill for the step before the vendor call: approved, balances being re-read, killed."""
    database, fake, sandbox, logs = world
    first = AppProcess("web-1", database.url, fake, sandbox, logs, forked=True, **FAST)
    restarted = AppProcess(
        "web-1-restarted", database.url, fake, sandbox, logs, forked=True, **FAST
    )
    sub = sandbox.accounts[DEMO_SMS_KEY].subaccounts[5]
    held = sub.balance
    try:
        await first.start()
        request_id = await ask_for_credit(first, fake, sub.email, "15")
        # The balance check that comes after the deciding click never answers.
        sandbox.inject(Fault(FaultKind.HANG, product=Product.SMS, endpoint="/me"))
        reads = len(sandbox.calls(product=Product.SMS, endpoint="/me"))
        async with first.driver(fake) as driver:
            await driver.click(
                team_id=TEAM,
                user_id=APPROVERS[0],
                action_id="request_approve",
                value=str(request_id),
                block_id=f"request_{request_id}",
                channel_id=APPROVALS,
            )
        await fake.wait_for(
            lambda: len(sandbox.calls(product=Product.SMS, endpoint="/me")) > reads, timeout=10
        )
        assert await wait_for_status(database, request_id, Status.APPROVED) is Status.APPROVED
        first.kill()
        sandbox.faults.clear()
        await restarted.start()
        assert await wait_for_status(database, request_id, Status.SUCCEEDED) is Status.SUCCEEDED
        assert sub.balance == held + 15
        assert len(sandbox.calls(endpoint="/subaccount/credit/add")) == 1
        card = fake.find_message(APPROVALS, (await stored(database, request_id)).card_ts)
        await fake.wait_for(lambda: "Done" in card_text(card), timeout=10)
        await fake.wait_for(lambda: dms_to_member(fake), timeout=10)
        assert len(dms_to_member(fake)) == 1
    finally:
        first.stop()
        restarted.stop()
    assert_no_secret_in_logs(first, restarted, secrets=sandbox.secrets() | {BOT_TOKEN})


async def next_runs_all_ahead(database: Database) -> bool:
    async with database.session() as session:
        due = await session.scalar(
            select(func.count())
            .select_from(DigestSubscription)
            .where(DigestSubscription.next_run_at <= utcnow())
        )
    return due == 0


def dms_to_member(fake: FakeSlack) -> list[str]:
    return [m.text for m in fake.messages.get(f"D{MEMBER}", [])]


async def test_three_worker_processes_post_each_digest_once(world) -> None:
    database, fake, sandbox, logs = world
    channels = ["C0DIGA", "C0DIGB", "C0DIGC"]
    spec = parse_subscription(["09:00", "voice"], default_zone="Europe/Paris")
    for n, channel in enumerate(channels):
        fake.add_channel(TEAM, channel, channel.lower())
        async with database.session() as session:  # as `/partner digest subscribe` leaves it
            session.add(
                DigestSubscription(
                    team_id=TEAM,
                    channel_id=channel,
                    at_time="09:00",
                    zone="Europe/Paris",
                    weekdays="0,1,2,3,4,5,6",
                    products="voice",
                    created_by=ADMIN,
                    next_run_at=utcnow() - timedelta(minutes=1 + n),
                )
            )
    assert spec.schedule.describe() == "09:00 Europe/Paris, every day"
    workers = [
        AppProcess(
            f"worker-{n}",
            database.url,
            fake,
            sandbox,
            logs,
            command="worker",
            forked=True,
            scheduler_interval_seconds="0.1",
            **FAST,
        )
        for n in range(3)
    ]
    try:
        await asyncio.gather(*(w.start() for w in workers))

        def posted(channel: str) -> int:
            return len(fake.messages.get(channel, []))

        await fake.wait_for(lambda: all(posted(c) for c in channels), timeout=30)
        # No later round can post again: every subscription's next run is now ahead...
        await until(lambda: next_runs_all_ahead(database), within=20)
        # ...and on SIGTERM a worker finishes the round under way, so once the three have
        # exited, every posting any of them started has landed. (A worker still starting up
        # dies of the signal, -SIGTERM: it sets its handler before its first round, so it had
        # posted nothing.)
        for worker in workers:
            worker.terminate()
        for worker in workers:
            assert await worker.exit_code() in (0, -signal.SIGTERM), worker.log()
        assert [posted(c) for c in channels] == [1, 1, 1]
    finally:
        for worker in workers:
            worker.stop()
    assert_no_secret_in_logs(*workers, secrets=sandbox.secrets() | {BOT_TOKEN})


def cards_in_approvals(fake: FakeSlack) -> list[str]:
    """The cards in the approvals channel (the fake keeps a message whose post the app never
    heard back about too)."""
    return [m.text for m in fake.messages.get(APPROVALS, []) if not m.deleted]


async def card_ts(database: Database, request_id: int) -> bool:
    return (await stored(database, request_id)).card_ts is not None


async def test_a_request_stored_by_a_process_that_died_gets_one_card_after_a_restart(
    world,
) -> None:
    """Killed right after the insert: nobody took the posting. Of two restarted processes,
    one posts the card and tells the requester, once."""
    database, fake, sandbox, logs = world
    sub = sandbox.accounts[DEMO_SMS_KEY].subaccounts[4]
    # What the asking process left when it died: the request stored, its card not yet taken.
    runtime = await Runtime.start(settings_for(fake, sandbox, database.url), migrate=False)
    try:
        submitted = await runtime.requests.request_credit(
            TEAM,
            MEMBER,
            Ask(Action.CREDIT_ADD, Product.SMS, None, sub.token, Decimal(12)),
            People(),
        )
    finally:
        await runtime.close()
    request_id = submitted.request.id
    restarted = [
        AppProcess(
            f"web-{n}-restarted", database.url, fake, sandbox, logs, forked=True, **RESTARTED
        )
        for n in (1, 2)
    ]
    try:
        await asyncio.gather(*(p.start() for p in restarted))
        await owed_now(database, CreditRequest, request_id)
        await until(lambda: card_ts(database, request_id), within=30)
        await fake.wait_for(lambda: dms_to_member(fake), timeout=10)
        # The barrier: on SIGTERM each finishes the maintenance round under way, then exits.
        for process in restarted:
            process.terminate()
        assert [await p.exit_code() for p in restarted] == [0, 0]
    finally:
        for process in restarted:
            process.stop()
    assert len(cards_in_approvals(fake)) == 1
    card = fake.find_message(APPROVALS, (await stored(database, request_id)).card_ts)
    assert card is not None and f"#{submitted.request.number}" in card_text(card)
    [told] = dms_to_member(fake)
    assert f"#{submitted.request.number}" in told and "sent to" in told
    assert (await stored(database, request_id)).status == Status.PENDING.value
    assert_no_secret_in_logs(*restarted, secrets=sandbox.secrets() | {BOT_TOKEN})


async def test_a_card_post_cut_short_by_a_kill_is_not_posted_again(world) -> None:
    """Killed while Slack had the card's post: it may be in the channel, so it is never posted
    again; of two restarted processes, one tells the requester, once."""
    database, fake, sandbox, logs = world
    first = AppProcess("web-1", database.url, fake, sandbox, logs, forked=True, **FAST)
    restarted = [
        AppProcess(f"web-{n}-restarted", database.url, fake, sandbox, logs, forked=True, **FAST)
        for n in (1, 2)
    ]
    sub = sandbox.accounts[DEMO_SMS_KEY].subaccounts[4]
    try:
        await first.start()
        gate = fake.hold("chat.postMessage")
        async with first.driver(fake) as driver:
            await driver.command(f"credit add {sub.email} 12", team_id=TEAM, user_id=MEMBER)
            [held] = await gate.held(timeout=15)
        assert held.args["channel"] == APPROVALS
        first.kill()
        gate.release()  # Slack carries on with the post: the card lands, nobody hears back
        await fake.wait_for(lambda: cards_in_approvals(fake), timeout=10)
        async with database.session() as session:
            request_id = await session.scalar(select(func.max(CreditRequest.id)))
        await asyncio.gather(*(p.start() for p in restarted))
        await fake.wait_for(lambda: dms_to_member(fake), timeout=30)
        for process in restarted:
            process.terminate()
        assert [await p.exit_code() for p in restarted] == [0, 0]
    finally:
        first.stop()
        for process in restarted:
            process.stop()
    posts = [c for c in fake.calls_to("chat.postMessage") if c.args["channel"] == APPROVALS]
    assert len(posts) == 1 and len(cards_in_approvals(fake)) == 1
    [told] = dms_to_member(fake)
    row = await stored(database, request_id)
    assert f"Partner Ops stopped while the approval card of request #{row.number}" in told
    assert (row.status, row.card_channel_id, row.card_ts) == ("pending", APPROVALS, None)
    assert_no_secret_in_logs(first, *restarted, secrets=sandbox.secrets() | {BOT_TOKEN})


async def test_a_settlement_a_kill_left_untold_is_told_once_after_a_restart(world) -> None:
    """Killed after the request succeeded, while its card was being redrawn: of two restarted
    processes, one redraws the card and tells the requester, once."""
    database, fake, sandbox, logs = world
    settings = {**RESTARTED, "execution_lease_seconds": "30"}  # the vendor call is never abandoned
    first = AppProcess("web-1", database.url, fake, sandbox, logs, forked=True, **settings)
    restarted = [
        AppProcess(f"web-{n}-restarted", database.url, fake, sandbox, logs, forked=True, **settings)
        for n in (1, 2)
    ]
    sub = sandbox.accounts[DEMO_SMS_KEY].subaccounts[6]
    held = sub.balance
    try:
        await first.start()
        request_id = await ask_for_credit(first, fake, sub.email, "9")
        # The deciding click redraws the card (approved), calls the vendor, then redraws it
        # again (done): each redraw held in turn, so the kill lands on the second one.
        approved = fake.hold("chat.update")
        async with first.driver(fake) as driver:
            await driver.click(
                team_id=TEAM,
                user_id=APPROVERS[0],
                action_id="request_approve",
                value=str(request_id),
                block_id=f"request_{request_id}",
                channel_id=APPROVALS,
            )
        await approved.held(timeout=20)
        gate = fake.hold("chat.update")  # the redraw after the vendor's answer
        approved.release()
        [redraw] = await gate.held(timeout=20)
        assert (await stored(database, request_id)).status == Status.SUCCEEDED.value
        first.kill()
        gate.release()
        await asyncio.gather(*(p.start() for p in restarted))
        await owed_now(database, CreditRequest, request_id, since="updated_at")
        await fake.wait_for(lambda: dms_to_member(fake), timeout=30)
        for process in restarted:
            process.terminate()
        assert [await p.exit_code() for p in restarted] == [0, 0]
    finally:
        first.stop()
        for process in restarted:
            process.stop()
    [told] = dms_to_member(fake)
    assert "is done" in told
    assert sub.balance == held + 9 and len(sandbox.calls(endpoint="/subaccount/credit/add")) == 1
    card = fake.find_message(APPROVALS, (await stored(database, request_id)).card_ts)
    assert "Done" in card_text(card) and redraw.args["ts"] == card.ts
    assert (await stored(database, request_id)).told_status == Status.SUCCEEDED.value
    assert_no_secret_in_logs(first, *restarted, secrets=sandbox.secrets() | {BOT_TOKEN})


async def test_a_setting_change_stored_by_a_process_that_died_gets_one_card_after_a_restart(
    world,
) -> None:
    """Killed between proposing a change that loosens money control and posting its card:
    of two restarted processes, one posts the card and tells the asker, once."""
    database, fake, sandbox, logs = world
    runtime = await Runtime.start(settings_for(fake, sandbox, database.url), migrate=False)
    try:  # what the dying process stored
        change = await runtime.settings_changes.propose(
            TEAM, ADMIN, Change(Setting.AUTO_APPROVE_LIMIT, Decimal(0), Decimal(40))
        )
    finally:
        await runtime.close()
    restarted = [
        AppProcess(
            f"web-{n}-restarted", database.url, fake, sandbox, logs, forked=True, **RESTARTED
        )
        for n in (1, 2)
    ]
    try:
        await asyncio.gather(*(p.start() for p in restarted))
        await owed_now(database, SettingChange, change.id)
        await fake.wait_for(lambda: fake.messages.get(f"D{ADMIN}"), timeout=30)
        for process in restarted:
            process.terminate()
        assert [await p.exit_code() for p in restarted] == [0, 0]
    finally:
        for process in restarted:
            process.stop()
    [card] = cards_in_approvals(fake)
    assert "40" in card
    [told] = [m.text for m in fake.messages[f"D{ADMIN}"]]
    assert "waits for an approver" in told
    async with database.session() as session:
        row = await session.get(SettingChange, change.id)
        assert row is not None and row.card_ts is not None and row.status == "pending"
    assert_no_secret_in_logs(*restarted, secrets=sandbox.secrets() | {BOT_TOKEN})
