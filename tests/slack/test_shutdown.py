"""Stopping a process (SIGTERM) finishes the commands it took, then closes cleanly.

Real `python -m bot serve` / `worker` processes, the Slack emulator and the sandbox in the test.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.db.models import BalanceSnapshot
from bot.db.session import Database
from bot.processes import COLLECT_YOUNG_EVERY
from devkit.emulator import FakeSlack
from devkit.sandbox import Fault, FaultKind, Sandbox
from tests.conftest import SecretsGuard
from tests.slack.harness import BOT_TOKEN, ENCRYPTION_KEY, MEMBER, SIGNING_SECRET, TEAM
from tests.slack.processes import AppProcess
from tests.waiting import until

VENDOR_SECONDS = 1.0  # long enough for SIGTERM to land mid-call (sent as soon as the call is taken)


@pytest.fixture
async def world(
    database: Database,
    fake_slack: FakeSlack,
    sandbox: Sandbox,
    tmp_path: Path,
    secrets_guard: SecretsGuard,
) -> AsyncIterator[tuple[Database, FakeSlack, Sandbox, Path]]:
    secrets_guard.watch(sandbox.secrets() | {BOT_TOKEN, SIGNING_SECRET, ENCRYPTION_KEY})
    yield database, fake_slack, sandbox, tmp_path


async def accepts(process: AppProcess) -> bool:
    """Whether the process still takes a new request (a 200 from /healthz)."""
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{process.url}/healthz", timeout=aiohttp.ClientTimeout(total=1)) as got,
        ):
            return got.status == 200
    except (aiohttp.ClientError, TimeoutError):
        return False


async def test_sigterm_lets_a_slow_command_finish_and_exits_cleanly(world) -> None:  # type: ignore[no-untyped-def]
    database, fake, sandbox, tmp_path = world
    process = AppProcess("serve", database.url, fake, sandbox, tmp_path)
    await process.start()
    try:
        # Every product's balance read is slow; the barrier is the fault being taken (the
        # sandbox takes it when the request arrives, then sleeps).
        slow = sandbox.inject(Fault(FaultKind.LATENCY, method="GET", times=3, delay=VENDOR_SECONDS))
        async with process.driver(fake) as driver:
            delivery = await driver.command("balance", team_id=TEAM, user_id=MEMBER)
            assert delivery.status == 200 and not delivery.late
            await until(lambda: slow.times == 0)  # the vendor calls are in flight

            process.terminate()
            # It stops taking requests at once...
            await until(lambda: _refuses(process), within=5)
            # ...and still answers the command it had taken.
            reply = await delivery.wait_response(timeout=15)
            assert "balance" in (reply.body.get("text", "") + str(reply.body)).lower()
        assert await process.exit_code() == 0
    finally:
        process.stop()
    log = process.log()
    assert "Unclosed client session" not in log, log
    assert "Unclosed connector" not in log, log
    assert "Traceback" not in log, log
    assert_start_frozen(log)


def assert_start_frozen(log: str) -> None:
    """What the process built at start is out of its garbage collections, which come less
    often than Python's default (bot.processes.settle_garbage_collection)."""
    frozen = re.search(
        r"(\d+) objects of its start frozen out of garbage collection, "
        r"the youngest collected every (\d+) allocations",
        log,
    )
    assert frozen is not None and int(frozen[1]) > 10_000, log
    assert int(frozen[2]) == COLLECT_YOUNG_EVERY, log


async def _refuses(process: AppProcess) -> bool:
    return not await accepts(process)


async def test_sigterm_lets_the_worker_finish_its_round(world) -> None:  # type: ignore[no-untyped-def]
    database, fake, sandbox, tmp_path = world
    # The worker's first round takes the hourly snapshot: three slow balance reads.
    slow = sandbox.inject(Fault(FaultKind.LATENCY, method="GET", times=3, delay=VENDOR_SECONDS))
    process = AppProcess("worker", database.url, fake, sandbox, tmp_path, command="worker")
    await process.start()
    try:
        await until(lambda: slow.times == 0)  # the round is under way
        process.terminate()
        assert await process.exit_code() == 0
    finally:
        process.stop()
    async with database.session() as session:
        snapshots = await session.scalar(select(func.count()).select_from(BalanceSnapshot))
    assert snapshots, "the round under way at SIGTERM was not finished"
    log = process.log()
    assert "Unclosed client session" not in log, log
    assert "Traceback" not in log, log
    assert_start_frozen(log)
