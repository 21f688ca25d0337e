from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import time_machine

from bot.db.session import Database
from devkit.emulator import FakeSlack
from devkit.sandbox import Sandbox
from tests.conftest import SecretsGuard
from tests.slack.harness import (
    AN_ORDINARY_MORNING,
    PARTNER_TOTAL_TIMEOUT,
    Harness,
    populate,
    running_app,
    settings_for,
)
from tests.slack.test_workspaces import NEW_BOT_TOKEN


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with Sandbox() as running:
        yield running


@pytest.fixture
async def fake_slack(secrets_guard: SecretsGuard) -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        # A response_url lets anyone post into the channel for 30 minutes: a secret too.
        secrets_guard.watch_issued(fake.issued_response_urls)
        populate(fake)
        yield fake


@pytest.fixture
def an_open_hour() -> Iterator[None]:
    """The test runs at `AN_ORDINARY_MORNING`, clock ticking: named before the app's fixture,
    the app starts there too."""
    with time_machine.travel(AN_ORDINARY_MORNING, tick=True):
        yield


async def _harness(secrets_guard: SecretsGuard, harness_cm) -> AsyncIterator[Harness]:
    async with harness_cm as harness:
        secrets_guard.watch(harness.secrets())
        yield harness
        secrets_guard.watch(harness.secrets())
        outbound = harness.outbound()
        leaked = [s for s in harness.secrets() if s in outbound]
        assert not leaked, "a secret was sent to Slack"
        assert harness.block_kit_violations() == []
        assert harness.late_acks() == []


@pytest.fixture
def partner_total_timeout() -> float:
    """The vendor client's total timeout in the app under test. A test whose vendor hangs
    waits it out, once a try: such tests override this fixture with `HANG_TIMEOUT`."""
    return PARTNER_TOTAL_TIMEOUT


@pytest.fixture
async def slack(
    database: Database,
    fake_slack: FakeSlack,
    sandbox: Sandbox,
    secrets_guard: SecretsGuard,
    partner_total_timeout: float,
) -> AsyncIterator[Harness]:
    """Single-workspace mode with the three demo keys from the environment."""
    settings = settings_for(
        fake_slack, sandbox, database.url, partner_total_timeout=partner_total_timeout
    )
    async for harness in _harness(secrets_guard, running_app(settings, fake_slack, sandbox)):
        yield harness


@pytest.fixture
def balance_read_seconds() -> float:
    """The `quick` app's ledger period: 2 s, as the issue's end-to-end checks ask (spend
    alerts, freeze). A test that only counts periods overrides it with a shorter one."""
    return 2.0


@pytest.fixture
async def quick(
    database: Database,
    fake_slack: FakeSlack,
    sandbox: Sandbox,
    secrets_guard: SecretsGuard,
    balance_read_seconds: float,
) -> AsyncIterator[Harness]:
    """Balances read every `balance_read_seconds` (2 s unless a test says otherwise)."""
    settings = settings_for(
        fake_slack,
        sandbox,
        database.url,
        balance_read_seconds=balance_read_seconds,
        scheduler_interval_seconds=0.2,
    )
    async with running_app(settings, fake_slack, sandbox) as harness:
        secrets_guard.watch(harness.secrets())
        yield harness
        assert harness.block_kit_violations() == []
        assert harness.late_acks() == []
        assert not [s for s in harness.secrets() if s in harness.outbound()]


@pytest.fixture
async def slack_unconfigured(
    database: Database, fake_slack: FakeSlack, sandbox: Sandbox, secrets_guard: SecretsGuard
) -> AsyncIterator[Harness]:
    """Single-workspace mode with no Partner key anywhere yet."""
    settings = settings_for(fake_slack, sandbox, database.url, environment_keys=False)
    async for harness in _harness(secrets_guard, running_app(settings, fake_slack, sandbox)):
        yield harness


@pytest.fixture
async def multi(
    database: Database, fake_slack: FakeSlack, sandbox: Sandbox, secrets_guard: SecretsGuard
) -> AsyncIterator[Harness]:
    """The app in many-workspace (OAuth) mode, nothing installed yet (tests.slack.
    test_workspaces `install` installs NEW_TEAM). Modules that check more around it define
    their own `multi`."""
    secrets_guard.watch([NEW_BOT_TOKEN])
    settings = settings_for(fake_slack, sandbox, database.url, many_workspaces=True)
    async with running_app(settings, fake_slack, sandbox) as harness:
        secrets_guard.watch(harness.secrets())
        yield harness
        assert harness.late_acks() == []
