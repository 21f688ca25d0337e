"""Requests are Slack's or nothing: signatures checked, event retries not handled twice."""

from __future__ import annotations

import asyncio
import threading
import time

import aiohttp
import pytest
from sqlalchemy import select

from bot.db.models import HandledSlackRequest
from tests.slack.barriers import app_settled
from tests.slack.harness import MEMBER, Harness
from tests.waiting import until


@pytest.mark.parametrize(
    "how",
    ["unsigned", "wrong signature", "six minutes old"],
)
async def test_requests_not_from_slack_get_401_and_do_nothing(slack: Harness, how: str) -> None:
    kwargs: dict = {}
    if how == "unsigned":
        kwargs["signed"] = False
    elif how == "wrong signature":
        kwargs["signature"] = "v0=" + "0" * 64
    else:
        kwargs["timestamp"] = int(time.time()) - 6 * 60
    delivery = await slack.driver.command(
        "balance", team_id=slack.team_id, user_id=MEMBER, **kwargs
    )
    assert delivery.status == 401
    await app_settled(slack)
    assert delivery.responses() == []
    assert slack.sandbox.journal == []
    assert slack.fake.calls_to("chat.postMessage") == []


async def test_acknowledged_at_once_even_when_the_vendor_is_slow(slack: Harness) -> None:
    from devkit.sandbox import Fault, FaultKind

    answers = asyncio.Event()  # the vendor answers nothing until the ack is in
    slack.sandbox.inject(Fault(FaultKind.LATENCY, endpoint="/me", times=None, until=answers))
    delivery = await slack.command("sms balance")
    # The ack did not wait for the vendor: when Slack had it, the vendor had answered nothing.
    assert slack.sandbox.calls(endpoint="/me") == []
    answers.set()
    post = await delivery.wait_response(timeout=10)
    assert "10,225.119" in post.body["text"]


async def claims(slack: Harness) -> list[str]:
    async with slack.runtime.database.session() as session:
        return list(await session.scalars(select(HandledSlackRequest.delivery_key)))


async def test_commands_and_clicks_are_acknowledged_without_a_database_write(
    slack: Harness,
) -> None:
    """Slack never redelivers them, so their ack claims nothing; events are claimed."""
    command = await slack.command("sms balance")
    await command.wait_response()
    click = await slack.driver.click(
        team_id=slack.team_id,
        user_id=MEMBER,
        action_id="request_approve",
        value="999999",
        block_id="request_999999",
        channel_id="C0GENERAL",
    )
    assert (command.status, click.status) == (200, 200)
    await app_settled(slack)
    assert await claims(slack) == []
    event = {"type": "app_home_opened", "user": MEMBER, "channel": "D1", "tab": "home"}
    await slack.driver.event(event, team_id=slack.team_id, event_id="Ev0002")
    await slack.fake.wait_for(lambda: slack.fake.calls_to("views.publish"))
    assert await claims(slack) == [f"event:{slack.team_id}:Ev0002"]


async def test_the_emulator_refuses_to_retry_what_slack_never_retries(slack: Harness) -> None:
    with pytest.raises(ValueError, match="Events API deliveries only"):
        await slack.command("sms balance", retry_num=1)
    with pytest.raises(ValueError, match="Events API deliveries only"):
        await slack.driver.click(
            team_id=slack.team_id, user_id=MEMBER, action_id="request_approve", retry_num=1
        )


async def test_a_retried_event_is_not_handled_twice(slack: Harness) -> None:
    event = {"type": "app_home_opened", "user": MEMBER, "channel": "D1", "tab": "home"}
    await slack.driver.event(event, team_id=slack.team_id, event_id="Ev0001")
    await slack.driver.event(event, team_id=slack.team_id, event_id="Ev0001", retry_num=1)
    await slack.fake.wait_for(lambda: slack.fake.calls_to("views.publish"))
    await app_settled(slack)
    assert len(slack.fake.calls_to("views.publish")) == 1


async def test_health(slack: Harness) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{slack.root_url}/healthz") as response,
    ):
        assert response.status == 200
        body = await response.json()
        tasks = body.pop("tasks")
        assert body == {"status": "ok", "database": True, "mode": "single-workspace"}
        # At least the task answering this very request.
        assert isinstance(tasks, int)
        assert tasks >= 1


async def test_health_says_503_when_the_database_does_not_answer(
    fake_slack, sandbox, tmp_path, secrets_guard
) -> None:
    from tests.slack.harness import running_app, settings_for

    (tmp_path / "blocker").write_text("a file where the database's folder should be")
    url = f"sqlite+aiosqlite:///{tmp_path / 'blocker' / 'db.sqlite'}"
    settings = settings_for(fake_slack, sandbox, url)
    threads_before = _aiosqlite_threads()
    async with (
        running_app(settings, fake_slack, sandbox) as harness,
        aiohttp.ClientSession() as session,
        session.get(f"{harness.root_url}/healthz") as response,
    ):
        assert response.status == 503
        assert (await response.json())["database"] is False
    # aiosqlite stops the thread of a connection that could not open without waiting for it
    # (`Connection._connect`): the thread posts to this test's event loop when done, so the
    # loop must not close before it has (else "Event loop is closed" in a later test).
    await until(lambda: not (_aiosqlite_threads() - threads_before))


def _aiosqlite_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if "_connection_worker_thread" in t.name}
