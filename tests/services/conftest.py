"""Fixtures of the request service's tests (see request_world)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.db.session import Database
from bot.runtime import Runtime
from bot.services.policy import change_policy
from bot.services.roles import Role, Subject, SubjectKind
from devkit.emulator import FakeSlack
from devkit.sandbox import Sandbox
from tests.services.recurring_world import Owner
from tests.services.request_world import ADMIN, APPROVER, TEAM
from tests.slack.harness import settings_for


@pytest.fixture
def runtime_settings() -> dict[str, object]:
    """Settings a module's `runtime` differs by (a module overrides this fixture)."""
    return {}


@pytest.fixture
async def runtime(
    database: Database, sandbox: Sandbox, runtime_settings: dict[str, object]
) -> AsyncIterator[Runtime]:
    async with FakeSlack() as fake:  # only its URL: no Slack call is made here
        settings = settings_for(fake, sandbox, database.url, **runtime_settings)
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


@pytest.fixture
def owner() -> Owner:
    """What a recurring series' owner was told (tests.services.recurring_world)."""
    return Owner()
