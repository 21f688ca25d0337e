"""`fake.hold(method)`: a method's calls recorded at once and answered only on release, so a
test can prove what an app did while a Slack call was still unanswered, without a clock."""

from __future__ import annotations

import asyncio

from slack_sdk.web.async_client import AsyncWebClient

from devkit.emulator import FakeSlack
from tests.emulator.conftest import TEAM, TOKEN


async def test_a_held_call_is_recorded_and_answered_on_release(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    gate = fake.hold("usergroups.users.list")
    lookup = asyncio.create_task(client.usergroups_users_list(usergroup="S1"))
    [held] = await gate.held()
    assert held is fake.calls_to("usergroups.users.list")[0]
    # Other methods are not held meanwhile.
    assert (await client.users_info(user="U1"))["user"]["id"] == "U1"
    assert not lookup.done() and gate.waiting == [held] and gate.passed == []

    gate.release()
    assert (await lookup)["users"] == ["U1", "U2"]
    assert (gate.waiting, gate.passed) == ([], [held])
    # Released: later calls are answered at once, never parked.
    assert (await client.usergroups_users_list(usergroup="S1"))["ok"]
    assert gate.passed == [held]


async def test_held_counts_every_waiting_call(fake: FakeSlack, client: AsyncWebClient) -> None:
    gate = fake.hold("users.info")
    calls = [asyncio.create_task(client.users_info(user=u)) for u in ("U1", "U2")]
    held = await gate.held(count=2)
    assert sorted(call.args["user"] for call in held) == ["U1", "U2"]
    gate.release()
    assert [(await call)["user"]["id"] for call in calls] == ["U1", "U2"]


async def test_stopping_the_fake_releases_what_it_holds() -> None:
    async with FakeSlack() as fake:
        fake.add_team(TEAM, "Acme Corp", bot_token=TOKEN)
        fake.add_user(TEAM, "U1", "alice")
        client = AsyncWebClient(token=TOKEN, base_url=fake.api_url)
        gate = fake.hold("users.info")
        call = asyncio.create_task(client.users_info(user="U1"))
        await gate.held()
    assert gate.released
    # The call ends one way or the other (answered or cut off), instead of hanging.
    await asyncio.wait([call], timeout=10)
    assert call.done()
    if not call.cancelled():
        call.exception()  # answered or cut off: either way retrieved, not hanging
