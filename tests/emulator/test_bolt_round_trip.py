"""A real Bolt AsyncApp on loopback, driven by SlackDriver and answering FakeSlack: the
emulator's payloads must be ones Bolt accepts and routes, and its Web API what Bolt expects."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from devkit.emulator import FakeSlack, SlackDriver, render_message
from tests.emulator.conftest import TEAM, TOKEN

SIGNING_SECRET = "bolt-round-trip-signing-secret"

MODAL = {
    "type": "modal",
    "callback_id": "rename",
    "title": {"type": "plain_text", "text": "Rename"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        {
            "type": "input",
            "block_id": "name",
            "label": {"type": "plain_text", "text": "Name"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        }
    ],
}


def build_app(client: AsyncWebClient) -> AsyncApp:
    # A static-token app: Bolt calls auth.test with the client's token on the first request.
    app = AsyncApp(signing_secret=SIGNING_SECRET, client=client)

    @app.command("/hello")
    async def hello(ack: Any, respond: Any, say: Any, command: dict[str, Any]) -> None:
        await ack()
        await respond("hi <@U1>")
        await say(
            text="Approve?",
            blocks=[
                {"type": "section", "text": {"type": "mrkdwn", "text": "Approve the move?"}},
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "approve",
                            "value": "move-7",
                            "style": "primary",
                            "text": {"type": "plain_text", "text": "Approve"},
                        }
                    ],
                },
            ],
        )

    @app.command("/rename")
    async def rename(ack: Any, client: AsyncWebClient, body: dict[str, Any]) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=MODAL)

    @app.action("approve")
    async def approve(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        action = body["actions"][0]
        await client.chat_update(
            channel=body["channel"]["id"],
            ts=body["message"]["ts"],
            text=f"Approved {action['value']} by <@{body['user']['id']}>",
            blocks=[],
        )

    @app.view("rename")
    async def renamed(ack: Any, view: dict[str, Any], body: dict[str, Any], client: Any) -> None:
        name = view["state"]["values"]["name"]["value"]["value"]
        if not name.strip():
            await ack(response_action="errors", errors={"name": "Say something"})
            return
        await ack()
        await client.chat_postMessage(channel=body["user"]["id"], text=f"Renamed to {name}")

    @app.event("app_mention")
    async def mentioned(event: dict[str, Any], say: Any) -> None:
        await say(f"you said: {event['text']}")

    return app


@pytest.fixture
async def driver(fake: FakeSlack, secrets_guard: Any) -> AsyncIterator[SlackDriver]:
    secrets_guard.watch([TOKEN, SIGNING_SECRET])
    app = build_app(AsyncWebClient(token=TOKEN, base_url=fake.api_url))
    runner = web.AppRunner(app.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    async with SlackDriver(fake, app_url=url, signing_secret=SIGNING_SECRET) as driver:
        yield driver
    await runner.cleanup()


async def test_command_respond_then_button_updates_the_message(
    fake: FakeSlack, driver: SlackDriver
) -> None:
    delivery = await driver.command("", team_id=TEAM, user_id="U1", command="/hello")
    assert delivery.status == 200
    answer = await delivery.wait_response()
    assert answer.text == "hi <@U1>"
    assert fake.calls_to("auth.test")  # Bolt's single-team authorization

    messages = await fake.wait_for(
        lambda: [m for m in fake.messages["C0GENERAL"] if m.ephemeral_to is None]
    )
    [prompt] = messages
    shown = render_message(prompt.text, prompt.blocks, users=fake.display_name)
    assert shown.text == "Approve the move?\n[1] Approve"
    [approve] = shown.buttons

    click = await driver.click(
        team_id=TEAM,
        user_id="U2",
        action_id=approve.action_id,
        block_id=approve.block_id,
        message=prompt,
    )
    assert click.status == 200
    await fake.wait_for(lambda: prompt.updated)
    assert prompt.text == "Approved move-7 by <@U2>"
    assert prompt.blocks == []
    assert render_message(prompt.text, prompt.blocks, users=fake.display_name).text == (
        "Approved move-7 by @bob"
    )


async def test_modal_submission_round_trip(fake: FakeSlack, driver: SlackDriver) -> None:
    await driver.command("", team_id=TEAM, user_id="U1", command="/rename")
    [view] = await fake.wait_for(lambda: fake.open_modals("U1"))
    assert view.user_id == "U1"

    refused = await driver.submit_view(
        view, team_id=TEAM, user_id="U1", values={"name": {"value": " "}}
    )
    assert refused.json == {"response_action": "errors", "errors": {"name": "Say something"}}
    assert (view.closed, view.errors) == (False, {"name": "Say something"})

    accepted = await driver.submit_view(
        view, team_id=TEAM, user_id="U1", values={"name": {"value": "Ops"}}
    )
    assert (accepted.status, accepted.body) == (200, "")
    assert view.closed is True
    [dm] = await fake.wait_for(lambda: fake.messages.get("DU1"))
    assert dm.text == "Renamed to Ops"


async def test_event_and_bad_signature(fake: FakeSlack, driver: SlackDriver) -> None:
    event = {"type": "app_mention", "user": "U1", "text": "<@UBOT> ping", "channel": "C0GENERAL"}
    delivery = await driver.event(event, team_id=TEAM)
    assert delivery.status == 200
    [said] = await fake.wait_for(lambda: fake.messages.get("C0GENERAL"))
    assert said.text == "you said: <@UBOT> ping"

    forged = await driver.command("", team_id=TEAM, user_id="U1", command="/hello", signed=False)
    assert forged.status == 401
    assert forged.responses() == []
