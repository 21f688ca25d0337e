"""The scaled-out topology for real: 4 `serve` and 2 `worker` processes on one PostgreSQL,
under credit requests clicked from every web process at once and a digest and alert round.
Every approval moves money once, every digest and every alert is posted once."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.clock import utcnow
from bot.db.models import AuditEntry, CreditRequest, DigestSubscription
from bot.db.session import Database
from bot.partner.models import Product
from bot.services.alerts import Alerts, Scope
from bot.services.policy import change_policy
from bot.services.requests import Status
from bot.services.roles import Role, Roles, Subject, SubjectKind
from devkit.emulator import FakeSlack
from devkit.sandbox import DEMO_SMS_KEY, Sandbox
from tests.conftest import SecretsGuard
from tests.database import is_postgres
from tests.slack.approvals import APPROVALS, APPROVERS
from tests.slack.harness import ADMIN, BOT_TOKEN, ENCRYPTION_KEY, MEMBER, SIGNING_SECRET, TEAM
from tests.slack.processes import AppProcess
from tests.waiting import until

pytestmark = pytest.mark.skipif(
    not is_postgres(), reason="several processes writing at once is PostgreSQL's deployment"
)

REQUESTS = 6
CLICKS_PER_CARD = 5
DIGEST_CHANNELS = ["C0DRILLA", "C0DRILLB", "C0DRILLC"]
ALERTS = "C0DRILLALERTS"
FAST = {"execution_lease_seconds": "2", "maintenance_interval_seconds": "0.5"}


@pytest.fixture
async def drill_world(
    database: Database,
    fake_slack: FakeSlack,
    sandbox: Sandbox,
    secrets_guard: SecretsGuard,
) -> AsyncIterator[tuple[Database, FakeSlack, Sandbox]]:
    secrets_guard.watch(sandbox.secrets() | {BOT_TOKEN, SIGNING_SECRET, ENCRYPTION_KEY})
    fake_slack.add_channel(TEAM, APPROVALS, "approvals")
    fake_slack.add_channel(TEAM, ALERTS, "alerts")
    roles = Roles(database)
    for n, user in enumerate(APPROVERS, 1):
        fake_slack.add_user(TEAM, user, f"approver{n}", real_name=f"Approver {n}")
        await roles.grant(TEAM, Role.APPROVER, Subject(SubjectKind.USER, user), ADMIN)
    await change_policy(database, TEAM, ADMIN, approvals_channel_id=APPROVALS)
    for n, channel in enumerate(DIGEST_CHANNELS):
        fake_slack.add_channel(TEAM, channel, channel.lower())
        async with database.session() as session:  # as `/partner digest subscribe` leaves it
            session.add(
                DigestSubscription(
                    team_id=TEAM,
                    channel_id=channel,
                    at_time="09:00",
                    zone="Europe/Paris",
                    weekdays="0,1,2,3,4,5,6",
                    products="sms",
                    created_by=ADMIN,
                    next_run_at=utcnow() - timedelta(minutes=1 + n),
                )
            )
    alerts = Alerts(database)
    await alerts.set_channel(TEAM, ALERTS, ADMIN)
    # Above the demo account's main balance: the first hourly reading warns, once.
    await alerts.set_threshold(TEAM, Product.SMS, Scope.MAIN, Decimal("100000000"), ADMIN)
    yield database, fake_slack, sandbox


async def count(database: Database, query) -> int:  # type: ignore[no-untyped-def]
    async with database.session() as session:
        return int(await session.scalar(query) or 0)


async def test_four_web_and_two_worker_processes_act_once(
    drill_world: tuple[Database, FakeSlack, Sandbox], tmp_path: Path
) -> None:
    database, fake, sandbox = drill_world
    account = sandbox.accounts[DEMO_SMS_KEY]
    account.balance = Decimal("1000000")
    held = {sub.email: sub.balance for sub in account.subaccounts}
    webs = [
        AppProcess(f"web-{n}", database.url, fake, sandbox, tmp_path, forked=True, **FAST)
        for n in range(4)
    ]
    workers = [
        AppProcess(
            f"worker-{n}",
            database.url,
            fake,
            sandbox,
            tmp_path,
            command="worker",
            forked=True,
            scheduler_interval_seconds="0.2",
            **FAST,
        )
        for n in range(2)
    ]
    processes = webs + workers
    drivers = [web.driver(fake) for web in webs]
    try:
        await asyncio.gather(*(p.start() for p in processes))
        emails = [sub.email for sub in account.subaccounts][:REQUESTS]

        async def ask(n: int) -> int:
            delivery = await drivers[n % 4].command(
                f"credit add {emails[n]} {10 + n}", team_id=TEAM, user_id=MEMBER
            )
            post = await delivery.wait_response(timeout=30)
            assert "sent to" in post.body["text"], post.body["text"]
            return int(post.body["text"].split("#", 1)[1].split()[0])

        request_ids = await asyncio.gather(*(ask(n) for n in range(REQUESTS)))
        clicks = [
            drivers[(r + c) % 4].click(
                team_id=TEAM,
                user_id=APPROVERS[c % 3],
                action_id="request_approve",
                value=str(request_id),
                block_id=f"request_{request_id}",
                channel_id=APPROVALS,
            )
            for r, request_id in enumerate(request_ids)
            for c in range(CLICKS_PER_CARD)
        ]
        assert all(d.status == 200 for d in await asyncio.gather(*clicks))

        async def all_done() -> bool:
            done = select(func.count()).where(
                CreditRequest.id.in_(request_ids),
                CreditRequest.status == Status.SUCCEEDED.value,
            )
            return await count(database, done) == REQUESTS

        await until(all_done, within=60)
        await fake.wait_for(lambda: all(fake.messages.get(c) for c in DIGEST_CHANNELS), timeout=60)
        await fake.wait_for(lambda: fake.messages.get(ALERTS), timeout=60)
        # The barrier: on SIGTERM each process finishes what it started (listeners, the round
        # under way); once all six have exited, everything any of them set off has landed.
        for process in processes:
            process.terminate()
        for process in processes:
            assert await process.exit_code(within=30) in (0, -signal.SIGTERM), process.log()
    finally:
        for driver in drivers:
            await driver.close()
        for process in processes:
            process.stop()

    moves = sandbox.calls(endpoint="/subaccount/credit/add")
    assert len(moves) == REQUESTS
    for n, email in enumerate(emails):
        sub = next(s for s in account.subaccounts if s.email == email)
        assert sub.balance == held[email] + 10 + n
    assert [len(fake.messages.get(c, [])) for c in DIGEST_CHANNELS] == [1, 1, 1]
    assert len(fake.messages.get(ALERTS, [])) == 1
    fired = select(func.count()).where(AuditEntry.action == "alert_fired")
    assert await count(database, fired) == 1
