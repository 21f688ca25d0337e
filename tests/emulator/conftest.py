"""A started FakeSlack with one small workspace, and a slack_sdk client pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from devkit.emulator import FakeSlack
from tests.conftest import SecretsGuard

TEAM = "T1"
TOKEN = "xoxb-1-emulator-test-token"


@pytest.fixture
async def fake(secrets_guard: SecretsGuard) -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        secrets_guard.watch_issued(fake.issued_response_urls)
        fake.add_team(TEAM, "Acme Corp", bot_token=TOKEN)
        fake.add_user(TEAM, "U1", "alice", real_name="Alice Martin", is_admin=True)
        fake.add_user(TEAM, "U2", "bob", tz="America/New_York", tz_offset=-18000)
        fake.add_channel(TEAM, "C0GENERAL", "general")
        fake.add_channel(TEAM, "CARCHIVED", "old-stuff", is_archived=True)
        fake.add_channel(TEAM, "COUTSIDE", "elsewhere", bot_is_member=False)
        fake.add_usergroup(TEAM, "S1", "managers", ["U1", "U2"])
        yield fake


@pytest.fixture
def client(fake: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=TOKEN, base_url=fake.api_url)
