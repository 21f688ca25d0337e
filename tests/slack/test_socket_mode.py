"""`python -m bot socket`: the same app over Socket Mode, with the same health endpoint."""

from __future__ import annotations

import aiohttp

from bot.db.session import Database
from bot.runtime import Runtime
from bot.serve import socket_mode
from devkit.emulator import FakeSlack, SlackDriver
from devkit.sandbox import Sandbox
from tests.conftest import SecretsGuard
from tests.slack.harness import MEMBER, TEAM, settings_for

APP_TOKEN = "xapp-1-test-app-token-9d8c7b"


async def test_commands_over_socket_mode_and_health(
    database: Database, fake_slack: FakeSlack, sandbox: Sandbox, secrets_guard: SecretsGuard
) -> None:
    secrets_guard.watch([APP_TOKEN, *sandbox.secrets()])
    fake_slack.add_app_token(APP_TOKEN)
    settings = settings_for(fake_slack, sandbox, database.url, slack_app_token=APP_TOKEN)
    runtime = await Runtime.start(settings, migrate=False)
    try:
        async with socket_mode(runtime, "127.0.0.1", 0, scheduler=False) as health:
            await fake_slack.wait_socket_connected()
            async with SlackDriver(
                fake_slack, app_url="", signing_secret="", transport="socket"
            ) as driver:
                delivery = await driver.command("sms balance", team_id=TEAM, user_id=MEMBER)
                assert delivery.status == 200  # acknowledged over the socket
                post = await delivery.wait_response()
            assert "€10,225.119" in post.body["text"]
            port = health.addresses[0][1]
            async with (
                aiohttp.ClientSession() as session,
                session.get(f"http://127.0.0.1:{port}/healthz") as answer,
            ):
                assert answer.status == 200
                assert (await answer.json())["database"] is True
    finally:
        await runtime.close()
    assert fake_slack.socket_connections == []  # closed cleanly
