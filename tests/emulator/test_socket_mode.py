"""A real Bolt AsyncApp run with slack_bolt's AsyncSocketModeHandler: it opens a Socket Mode
connection to FakeSlack with its app-level token, and SlackDriver(transport="socket") sends it
envelopes whose acks come back as deliveries, as over HTTP."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from devkit.emulator import FakeSlack, SlackDriver, SocketConnection
from tests.conftest import SecretsGuard
from tests.emulator.conftest import TEAM, TOKEN

APP_TOKEN = "xapp-1-AAPP-1-emulator-socket-mode-token"

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


class Problems(logging.Handler):
    """Keeps the records at WARNING and above."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def build_app(client: AsyncWebClient) -> AsyncApp:
    app = AsyncApp(client=client)

    @app.command("/hello")
    async def hello(ack: Any, respond: Any) -> None:
        await ack()
        await respond("hi")

    @app.action("approve")
    async def approve(ack: Any, respond: Any, body: dict[str, Any]) -> None:
        await ack()
        await respond(f"approved {body['actions'][0]['value']}")

    @app.view("rename")
    async def rename(ack: Any) -> None:
        await ack(response_action="errors", errors={"name": "Taken"})

    @app.event("app_mention")
    async def mentioned(event: dict[str, Any], say: Any) -> None:
        await say(f"you said: {event['text']}")

    return app


@pytest.fixture
async def handler(
    fake: FakeSlack, secrets_guard: SecretsGuard
) -> AsyncIterator[AsyncSocketModeHandler]:
    secrets_guard.watch([TOKEN, APP_TOKEN])
    # As the app runs (bot.logs): these loggers print whole requests and payloads at DEBUG.
    logging.getLogger("slack_sdk.socket_mode").setLevel(logging.WARNING)
    logging.getLogger("slack_sdk.web").setLevel(logging.WARNING)
    fake.add_app_token(APP_TOKEN)
    app = build_app(AsyncWebClient(token=TOKEN, base_url=fake.api_url))
    handler = AsyncSocketModeHandler(app, APP_TOKEN)
    await handler.connect_async()
    try:
        yield handler
    finally:
        await handler.close_async()


@pytest.fixture
async def driver(fake: FakeSlack) -> AsyncIterator[SlackDriver]:
    async with SlackDriver(fake, app_url="", signing_secret="", transport="socket") as driver:
        yield driver


async def test_connect_command_click_and_event(
    fake: FakeSlack,
    handler: AsyncSocketModeHandler,
    driver: SlackDriver,
    secrets_guard: SecretsGuard,
) -> None:
    connection = await fake.wait_socket_connected()
    assert fake.socket_connections == [connection]
    assert connection.app_id == "AAPP"
    [opened] = fake.calls_to("apps.connections.open")
    assert (opened.token, opened.team_id, opened.error) == (APP_TOKEN, None, None)

    delivery = await driver.command("", team_id=TEAM, user_id="U1", command="/hello")
    assert (delivery.status, delivery.body, delivery.json) == (200, "", None)
    assert delivery.envelope is not None
    assert delivery.envelope.type == "slash_commands"
    assert delivery.envelope.accepts_response_payload is True
    assert delivery.envelope.payload["command"] == "/hello"
    assert (await delivery.wait_response()).text == "hi"
    [hi] = fake.messages["C0GENERAL"]
    assert (hi.text, hi.ephemeral_to) == ("hi", "U1")

    click = await driver.click(team_id=TEAM, user_id="U2", action_id="approve", value="move-7")
    assert click.status == 200
    assert click.envelope is not None
    assert (click.envelope.type, click.envelope.accepts_response_payload) == ("interactive", False)
    assert (await click.wait_response()).text == "approved move-7"

    event = {"type": "app_mention", "user": "U1", "text": "<@UBOT> ping", "channel": "C0GENERAL"}
    mention = await driver.event(event, team_id=TEAM)
    assert mention.status == 200
    assert mention.envelope is not None and mention.envelope.type == "events_api"
    said = await fake.wait_for(
        lambda: [m for m in fake.messages["C0GENERAL"] if m.ephemeral_to is None]
    )
    assert [m.text for m in said] == ["you said: <@UBOT> ping"]
    assert [e.acked for e in connection.envelopes] == [True, True, True]

    assert secrets_guard.lines  # the guard saw the app's DEBUG logs, and no token in them
    assert secrets_guard.leaks() == []


async def test_submission_ack_payload_drives_the_view(
    fake: FakeSlack, client: AsyncWebClient, handler: AsyncSocketModeHandler, driver: SlackDriver
) -> None:
    await fake.wait_socket_connected()
    trigger_id = fake.new_trigger_id(user_id="U1", team_id=TEAM)
    await client.views_open(trigger_id=trigger_id, view=MODAL)
    [view] = fake.open_modals("U1")

    refused = await driver.submit_view(view, team_id=TEAM, user_id="U1", values={})
    assert refused.status == 200
    assert refused.json == {"response_action": "errors", "errors": {"name": "Taken"}}
    assert refused.envelope is not None and refused.envelope.accepts_response_payload is True
    assert (view.closed, view.errors) == (False, {"name": "Taken"})


async def test_no_ack_is_a_504(fake: FakeSlack, handler: AsyncSocketModeHandler) -> None:
    await fake.wait_socket_connected()
    async with SlackDriver(
        fake, app_url="", signing_secret="", transport="socket", ack_timeout=0.2
    ) as driver:
        # No listener: Bolt answers 404 and the handler sends no ack.
        delivery = await driver.command("", team_id=TEAM, user_id="U1", command="/nobody")
    assert (delivery.status, delivery.body, delivery.json) == (504, "", None)
    assert delivery.envelope is not None and not delivery.envelope.acked


async def test_app_tokens_only_open_connections(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.add_app_token(APP_TOKEN)
    anonymous = AsyncWebClient(base_url=fake.api_url)
    errors = []
    for call in (
        anonymous.apps_connections_open(app_token="xapp-1-unknown"),
        anonymous.apps_connections_open(app_token=TOKEN),
        AsyncWebClient(token=APP_TOKEN, base_url=fake.api_url).auth_test(),
    ):
        with pytest.raises(SlackApiError) as refused:
            await call
        errors.append(refused.value.response["error"])
    assert errors == ["invalid_auth", "not_allowed_token_type", "not_allowed_token_type"]

    answer = await anonymous.apps_connections_open(app_token=APP_TOKEN)
    url = answer["url"]
    assert url.startswith(fake.root_url.replace("http://", "ws://") + "/socket/")
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(url) as ws:
            hello = await ws.receive_json()
            assert (hello["type"], hello["num_connections"]) == ("hello", 1)
            assert hello["connection_info"] == {"app_id": "AAPP"}
            with pytest.raises(aiohttp.WSServerHandshakeError):  # the URL is good once
                await session.ws_connect(url)
            [connection] = fake.socket_connections
        assert await connection.wait_closed() == 1000
    assert fake.socket_connections == []


async def test_disconnect_makes_the_app_reconnect(
    fake: FakeSlack, handler: AsyncSocketModeHandler, driver: SlackDriver
) -> None:
    first = await fake.wait_socket_connected()
    await first.disconnect()
    assert await first.wait_closed() == 1000  # slack_sdk closes the old socket itself
    second = await fake.wait_socket_connected()
    assert second is not first
    assert fake.socket_connections == [second]
    assert len(fake.calls_to("apps.connections.open")) == 2

    delivery = await driver.command("", team_id=TEAM, user_id="U1", command="/hello")
    assert delivery.status == 200
    assert [e.envelope_id for e in second.envelopes] == [delivery.envelope.envelope_id]


async def test_closing_the_handler_ends_the_connection_cleanly(
    fake: FakeSlack, handler: AsyncSocketModeHandler
) -> None:
    connection: SocketConnection = await fake.wait_socket_connected()
    problems = Problems()
    logging.getLogger().addHandler(problems)
    try:
        await handler.close_async()
        assert await connection.wait_closed() == 1000  # a normal close, from the app's side
    finally:
        logging.getLogger().removeHandler(problems)
    assert connection.closed
    assert fake.socket_connections == []
    assert problems.records == []  # no warning or error from slack_sdk, Bolt or aiohttp
    assert len(fake.calls_to("apps.connections.open")) == 1  # it did not reconnect
