"""The word "payload" anywhere in a command — its text, a reason, the workspace's, channel's or
user's name — leaves it a command. Bolt's own body parser took any form body containing the
substring for an interaction and answered 404; the door reads the body itself."""

from __future__ import annotations

from decimal import Decimal

from bot.db.session import Database
from bot.runtime import Runtime
from bot.serve import socket_mode
from devkit.emulator import FakeSlack, SlackDriver
from devkit.sandbox import Sandbox
from tests.conftest import SecretsGuard
from tests.slack.approvals import a_subaccount, latest_request, set_up_approvals
from tests.slack.harness import TEAM, Harness, reply_text, settings_for

APP_TOKEN = "xapp-1-test-app-token-7c8d9e"
USER = "UPAYLOAD"
ROOM = "C0PAYLOAD"


def name_everything_payload(fake: FakeSlack) -> None:
    """A workspace called payload-ops, its channel payload-room, its member payload-max."""
    fake.teams[TEAM].domain = "payload-ops"
    fake.add_user(TEAM, USER, "payload-max", real_name="Max Payload")
    fake.add_channel(TEAM, ROOM, "payload-room")


async def test_commands_saying_payload_work_over_http(slack: Harness) -> None:
    name_everything_payload(slack.fake)
    help_reply = await slack.ask("help payload", user=USER, channel_id=ROOM)
    assert help_reply.body["response_type"] == "ephemeral"
    assert "/partner [product] credit add" in reply_text(help_reply)

    delivery = await slack.command("subaccount payload@nowhere.example", user=USER)
    assert "payload" in delivery.sent["text"] and delivery.sent["team_domain"] == "payload-ops"
    assert "No subaccount matches" in reply_text(await delivery.wait_response())

    await set_up_approvals(slack)
    sub = a_subaccount(slack)
    post = await slack.ask(f"credit add {sub.email} 12 payload refill", user=USER, channel_id=ROOM)
    assert "sent to <#C0APPROVALS>" in reply_text(post)
    request = await latest_request(slack, USER)
    assert (request.amount, request.reason) == (Decimal("12"), "payload refill")


async def test_commands_saying_payload_work_over_socket_mode(
    database: Database, fake_slack: FakeSlack, sandbox: Sandbox, secrets_guard: SecretsGuard
) -> None:
    secrets_guard.watch([APP_TOKEN, *sandbox.secrets()])
    fake_slack.add_app_token(APP_TOKEN)
    name_everything_payload(fake_slack)
    settings = settings_for(fake_slack, sandbox, database.url, slack_app_token=APP_TOKEN)
    runtime = await Runtime.start(settings, migrate=False)
    try:
        async with socket_mode(runtime, "127.0.0.1", 0, scheduler=False):
            await fake_slack.wait_socket_connected()
            async with SlackDriver(
                fake_slack, app_url="", signing_secret="", transport="socket"
            ) as driver:
                delivery = await driver.command(
                    "help payload", team_id=TEAM, user_id=USER, channel_id=ROOM
                )
                assert delivery.status == 200
                assert delivery.sent["channel_name"] == "payload-room"
                post = await delivery.wait_response()
                assert "/partner [product] credit add" in reply_text(post)
    finally:
        await runtime.close()
