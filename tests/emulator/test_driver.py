"""SlackDriver against a tiny receiver that checks signatures the way apps do (slack_sdk's
SignatureVerifier) and records what arrived."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from devkit.emulator import FakeSlack, SlackDriver, View
from tests.emulator.conftest import TEAM

SIGNING_SECRET = "emulator-signing-secret"


@dataclass
class Received:
    headers: dict[str, str]
    body: dict[str, Any]  # the form fields, the interaction payload or the JSON envelope


@dataclass
class Receiver:
    """Answers 401 to bad signatures; `acks` scripts the JSON answers to interactions."""

    received: list[Received] = field(default_factory=list)
    acks: list[Any] = field(default_factory=list)
    url: str = ""
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.text()
        timestamp = request.headers.get("X-Slack-Request-Timestamp")
        signature = request.headers.get("X-Slack-Signature")
        verifier = SignatureVerifier(SIGNING_SECRET)
        if not (timestamp and signature) or not verifier.is_valid(
            body=raw, timestamp=timestamp, signature=signature
        ):
            return web.Response(status=401, text="invalid signature")
        if request.content_type == "application/json":
            body = json.loads(raw)
        else:
            body = dict(parse_qsl(raw, keep_blank_values=True))
            if "payload" in body:
                body = json.loads(body["payload"])
        self.received.append(Received(dict(request.headers), body))
        if body.get("type") == "url_verification":
            return web.json_response({"challenge": body["challenge"]})
        if "response_url" in body and "command" in body:
            # Like an app: ack now, answer through response_url a moment later.
            task = asyncio.create_task(self.respond(body["response_url"], body["text"]))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        if self.acks:
            return web.json_response(self.acks.pop(0))
        return web.Response(text="")

    async def respond(self, url: str, text: str) -> None:
        await asyncio.sleep(0.05)
        async with aiohttp.ClientSession() as session:
            for n in (1, 2):
                async with session.post(url, json={"text": f"{text} #{n}"}) as answer:
                    answer.raise_for_status()

    @property
    def last(self) -> Received:
        return self.received[-1]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/slack/events", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    yield receiver
    for task in list(receiver._tasks):
        task.cancel()
    await asyncio.gather(*receiver._tasks, return_exceptions=True)
    await runner.cleanup()


@pytest.fixture
async def driver(fake: FakeSlack, receiver: Receiver) -> AsyncIterator[SlackDriver]:
    async with SlackDriver(fake, app_url=receiver.url, signing_secret=SIGNING_SECRET) as driver:
        yield driver


def button(action_id: str, label: str, value: str | None = None) -> dict[str, Any]:
    element = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": label},
    }
    if value is not None:
        element["value"] = value
    return element


async def test_command_is_a_signed_form_like_slacks(
    fake: FakeSlack, driver: SlackDriver, receiver: Receiver
) -> None:
    delivery = await driver.command("balance sms", team_id=TEAM, user_id="U1")
    assert (delivery.status, delivery.body) == (200, "")
    sent = receiver.last.body
    assert sent == {
        "token": "emulator-verification-token",
        "team_id": TEAM,
        "team_domain": "acme-corp",
        "channel_id": "C0GENERAL",
        "channel_name": "general",
        "user_id": "U1",
        "user_name": "alice",
        "command": "/partner",
        "text": "balance sms",
        "api_app_id": "AAPP",
        "is_enterprise_install": "false",
        "response_url": delivery.response_url,
        "trigger_id": delivery.trigger_id,
    }
    assert delivery.response_url is not None
    assert delivery.response_url.startswith(fake.root_url + "/response/")
    assert delivery.trigger_id is not None
    assert delivery.trigger_id.count(".") == 2
    assert receiver.last.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "X-Slack-Retry-Num" not in receiver.last.headers
    assert not delivery.late and driver.late_deliveries == []


async def test_a_command_saying_payload_is_still_a_form_of_plain_fields(
    fake: FakeSlack, driver: SlackDriver, receiver: Receiver
) -> None:
    # What Slack sends from a workspace, channel and user named so, with the word typed too:
    # form fields, none of them called `payload` (what an interaction's only field is).
    fake.teams[TEAM].domain = "payload-ops"
    fake.add_user(TEAM, "U9", "payload-max")
    fake.add_channel(TEAM, "C0PAYLOAD", "payload-room")
    delivery = await driver.command(
        "help payload", team_id=TEAM, user_id="U9", channel_id="C0PAYLOAD"
    )
    assert delivery.status == 200
    sent = receiver.last.body
    assert receiver.last.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "payload" not in sent and sent["command"] == "/partner"
    assert (sent["team_domain"], sent["channel_name"], sent["user_name"], sent["text"]) == (
        "payload-ops",
        "payload-room",
        "payload-max",
        "help payload",
    )


async def test_wait_response_returns_the_posts_to_the_response_url(
    fake: FakeSlack, driver: SlackDriver
) -> None:
    delivery = await driver.command("hi", team_id=TEAM, user_id="U1")
    assert delivery.responses() == []
    first = await delivery.wait_response()
    assert first.text == "hi #1"
    second = await delivery.wait_response(count=2)
    assert second.text == "hi #2"
    assert [post.text for post in delivery.responses()] == ["hi #1", "hi #2"]
    # an ephemeral answer to the user, as Slack shows it
    await fake.wait_for(lambda: len(fake.messages["C0GENERAL"]) == 2)
    assert {m.ephemeral_to for m in fake.messages["C0GENERAL"]} == {"U1"}
    with pytest.raises(AssertionError, match="response_url post #3"):
        await delivery.wait_response(timeout=0.1, count=3)


async def test_retries_carry_slacks_headers(driver: SlackDriver, receiver: Receiver) -> None:
    await driver.event({"type": "app_home_opened", "user": "U1"}, team_id=TEAM, retry_num=2)
    assert receiver.last.headers["X-Slack-Retry-Num"] == "2"
    assert receiver.last.headers["X-Slack-Retry-Reason"] == "http_timeout"
    # Slack never retries a slash command or an interaction: neither does the driver.
    with pytest.raises(ValueError, match="Events API deliveries only"):
        await driver.command("x", team_id=TEAM, user_id="U1", retry_num=1)


async def test_bad_signatures_are_refused(driver: SlackDriver, receiver: Receiver) -> None:
    assert (await driver.command("x", team_id=TEAM, user_id="U1", signed=False)).status == 401
    forged = await driver.command("x", team_id=TEAM, user_id="U1", signature="v0=" + "0" * 64)
    assert forged.status == 401
    stale = await driver.command("x", team_id=TEAM, user_id="U1", timestamp=int(time.time()) - 600)
    assert stale.status == 401

    body = "command=%2Fpartner&text=x"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    good = driver.sign(body, int(time.time()))
    assert (await driver.post_raw(body.encode(), {**headers, **good})).status == 200
    tampered = await driver.post_raw(b"command=%2Fpartner&text=y", {**headers, **good})
    assert tampered.status == 401
    assert len(receiver.received) == 1


async def test_click_on_a_message_finds_the_block_id(
    fake: FakeSlack, client: AsyncWebClient, driver: SlackDriver, receiver: Receiver
) -> None:
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Move credit?"}},
        {
            "type": "actions",
            "elements": [button("approve", "Approve", "req-1"), button("deny", "Deny")],
        },
    ]
    await client.chat_postMessage(channel="C0GENERAL", text="Move credit?", blocks=blocks)
    [message] = fake.messages["C0GENERAL"]

    delivery = await driver.click(team_id=TEAM, user_id="U2", action_id="approve", message=message)
    assert delivery.status == 200
    payload = receiver.last.body
    block_id = message.blocks[1]["block_id"]  # given by the fake, as Slack does
    assert payload["type"] == "block_actions"
    assert payload["user"] == {"id": "U2", "username": "bob", "name": "bob", "team_id": TEAM}
    assert payload["team"] == {"id": TEAM, "domain": "acme-corp"}
    assert payload["api_app_id"] == "AAPP"
    assert payload["container"] == {
        "type": "message",
        "message_ts": message.ts,
        "channel_id": "C0GENERAL",
        "is_ephemeral": False,
    }
    assert payload["channel"] == {"id": "C0GENERAL", "name": "general"}
    assert payload["message"]["ts"] == message.ts
    assert payload["message"]["blocks"] == message.blocks
    assert payload["state"] == {"values": {}}
    assert payload["response_url"] == delivery.response_url
    assert payload["trigger_id"] == delivery.trigger_id
    [action] = payload["actions"]
    assert action["type"] == "button"
    assert (action["action_id"], action["block_id"], action["value"]) == (
        "approve",
        block_id,
        "req-1",
    )
    assert action["text"] == {"type": "plain_text", "text": "Approve"}
    assert action["action_ts"]

    with pytest.raises(LookupError, match="nope"):
        await driver.click(team_id=TEAM, user_id="U2", action_id="nope", message=message)


async def test_click_on_ephemeral_message_and_overflow(
    fake: FakeSlack, client: AsyncWebClient, driver: SlackDriver, receiver: Receiver
) -> None:
    overflow = {
        "type": "overflow",
        "action_id": "more",
        "options": [
            {"text": {"type": "plain_text", "text": "Edit"}, "value": "edit"},
            {"text": {"type": "plain_text", "text": "Drop"}, "value": "drop"},
        ],
    }
    blocks = [
        {
            "type": "section",
            "block_id": "row",
            "text": {"type": "mrkdwn", "text": "x"},
            "accessory": overflow,
        }
    ]
    await client.chat_postEphemeral(channel="C0GENERAL", user="U1", text="x", blocks=blocks)
    [message] = fake.messages["C0GENERAL"]
    await driver.click(team_id=TEAM, user_id="U1", action_id="more", value="drop", message=message)
    payload = receiver.last.body
    assert payload["container"]["is_ephemeral"] is True
    assert "message" not in payload  # Slack never sends ephemeral messages back
    [action] = payload["actions"]
    assert (action["type"], action["block_id"]) == ("overflow", "row")
    assert action["selected_option"] == {
        "text": {"type": "plain_text", "text": "Drop"},
        "value": "drop",
    }


VIEW_BLOCKS: list[dict[str, Any]] = [
    {
        "type": "input",
        "block_id": "amount",
        "label": {"type": "plain_text", "text": "Amount"},
        "element": {"type": "number_input", "action_id": "value", "is_decimal_allowed": True},
    },
    {
        "type": "input",
        "block_id": "note",
        "label": {"type": "plain_text", "text": "Note"},
        "element": {"type": "plain_text_input", "action_id": "text"},
    },
    {
        "type": "input",
        "block_id": "product",
        "label": {"type": "plain_text", "text": "Product"},
        "element": {
            "type": "static_select",
            "action_id": "pick",
            "options": [
                {"text": {"type": "plain_text", "text": "SMS"}, "value": "sms"},
                {"text": {"type": "plain_text", "text": "Mail"}, "value": "mail"},
            ],
        },
    },
    {
        "type": "input",
        "block_id": "speed",
        "label": {"type": "plain_text", "text": "Speed"},
        "element": {
            "type": "radio_buttons",
            "action_id": "pick",
            "options": [{"text": {"type": "plain_text", "text": "Now"}, "value": "now"}],
        },
    },
    {
        "type": "input",
        "block_id": "flags",
        "label": {"type": "plain_text", "text": "Flags"},
        "element": {
            "type": "checkboxes",
            "action_id": "pick",
            "options": [
                {"text": {"type": "plain_text", "text": "A"}, "value": "a"},
                {"text": {"type": "plain_text", "text": "B"}, "value": "b"},
            ],
        },
    },
    {
        "type": "input",
        "block_id": "who",
        "label": {"type": "plain_text", "text": "Who"},
        "element": {"type": "users_select", "action_id": "user", "initial_user": "U1"},
    },
    {
        "type": "input",
        "block_id": "where",
        "label": {"type": "plain_text", "text": "Where"},
        "element": {"type": "conversations_select", "action_id": "conv"},
    },
    {"type": "actions", "block_id": "tools", "elements": [button("refresh", "Refresh")]},
]


async def open_view(fake: FakeSlack, client: AsyncWebClient, **extra: Any) -> View:
    view = {
        "type": "modal",
        "callback_id": "move",
        "private_metadata": "meta",
        "title": {"type": "plain_text", "text": "Move"},
        "submit": {"type": "plain_text", "text": "Go"},
        "blocks": VIEW_BLOCKS,
        **extra,
    }
    opened = await client.views_open(trigger_id=fake.new_trigger_id(user_id="U1"), view=view)
    return fake.views[opened["view"]["id"]]


async def test_submit_view_builds_state_per_element_type(
    fake: FakeSlack, client: AsyncWebClient, driver: SlackDriver, receiver: Receiver
) -> None:
    view = await open_view(fake, client)
    values = {
        "amount": {"value": 12.5},
        "note": {"text": "hello"},
        "product": {"pick": "mail"},
        "speed": {"pick": "now"},
        "flags": {"pick": ["a", "b"]},
        "who": {"user": "U2"},
        "where": {"conv": "C0GENERAL"},
    }
    delivery = await driver.submit_view(view, team_id=TEAM, user_id="U1", values=values)
    assert delivery.status == 200
    payload = receiver.last.body
    assert payload["type"] == "view_submission"
    assert payload["user"]["id"] == "U1"
    assert payload["team"]["id"] == TEAM
    assert payload["trigger_id"] == delivery.trigger_id
    sent_view = payload["view"]
    assert (sent_view["id"], sent_view["callback_id"], sent_view["private_metadata"]) == (
        view.id,
        "move",
        "meta",
    )
    assert (sent_view["team_id"], sent_view["type"], sent_view["hash"]) == (
        TEAM,
        "modal",
        view.hash,
    )
    assert sent_view["blocks"] == view.blocks
    assert sent_view["state"]["values"] == {
        "amount": {"value": {"type": "number_input", "value": "12.5"}},
        "note": {"text": {"type": "plain_text_input", "value": "hello"}},
        "product": {
            "pick": {
                "type": "static_select",
                "selected_option": {
                    "text": {"type": "plain_text", "text": "Mail"},
                    "value": "mail",
                },
            }
        },
        "speed": {
            "pick": {
                "type": "radio_buttons",
                "selected_option": {"text": {"type": "plain_text", "text": "Now"}, "value": "now"},
            }
        },
        "flags": {
            "pick": {
                "type": "checkboxes",
                "selected_options": [
                    {"text": {"type": "plain_text", "text": "A"}, "value": "a"},
                    {"text": {"type": "plain_text", "text": "B"}, "value": "b"},
                ],
            }
        },
        "who": {"user": {"type": "users_select", "selected_user": "U2"}},
        "where": {"conv": {"type": "conversations_select", "selected_conversation": "C0GENERAL"}},
    }
    # an empty ack closes the modal
    assert view.closed is True

    with pytest.raises(LookupError, match="no option 'voice'"):
        await driver.submit_view(
            view, team_id=TEAM, user_id="U1", values={"product": {"pick": "voice"}}
        )
    with pytest.raises(LookupError, match=r"nowhere\.x"):
        await driver.submit_view(view, team_id=TEAM, user_id="U1", values={"nowhere": {"x": 1}})


async def test_submission_acks_act_like_slack(
    fake: FakeSlack, client: AsyncWebClient, driver: SlackDriver, receiver: Receiver
) -> None:
    view = await open_view(fake, client)
    receiver.acks = [
        {"response_action": "errors", "errors": {"amount": "Too much"}},
        {
            "response_action": "update",
            "view": {
                "type": "modal",
                "title": {"type": "plain_text", "text": "Sure?"},
                "blocks": [],
            },
        },
        {
            "response_action": "push",
            "view": {
                "type": "modal",
                "title": {"type": "plain_text", "text": "Done"},
                "blocks": [],
            },
        },
        {"response_action": "clear"},
    ]
    await driver.submit_view(view, team_id=TEAM, user_id="U1", values={"amount": {"value": 1e9}})
    assert (view.closed, view.errors) == (False, {"amount": "Too much"})
    await driver.submit_view(view, team_id=TEAM, user_id="U1", values={})
    assert (view.closed, view.errors, view.view["title"]["text"]) == (False, {}, "Sure?")
    await driver.submit_view(view, team_id=TEAM, user_id="U1", values={})
    [root, pushed] = fake.open_modals("U1")
    assert (root.id, pushed.previous_view_id, pushed.view["title"]["text"]) == (
        view.id,
        view.id,
        "Done",
    )
    await driver.submit_view(pushed, team_id=TEAM, user_id="U1", values={})
    assert fake.open_modals("U1") == []


async def test_click_in_a_view_and_close_it(
    fake: FakeSlack, client: AsyncWebClient, driver: SlackDriver, receiver: Receiver
) -> None:
    view = await open_view(fake, client, notify_on_close=True)
    delivery = await driver.click(
        team_id=TEAM,
        user_id="U1",
        action_id="refresh",
        view=view,
        values={"note": {"text": "draft"}},
    )
    payload = receiver.last.body
    assert delivery.response_url is None
    assert "response_url" not in payload and "channel" not in payload
    assert payload["container"] == {"type": "view", "view_id": view.id}
    assert payload["actions"][0]["block_id"] == "tools"
    assert payload["view"]["id"] == view.id
    state = payload["view"]["state"]["values"]
    # every input is there, as on Slack: the typed one, the others untouched or initial
    assert state["note"] == {"text": {"type": "plain_text_input", "value": "draft"}}
    assert state["amount"] == {"value": {"type": "number_input", "value": None}}
    assert state["product"] == {"pick": {"type": "static_select", "selected_option": None}}
    assert state["flags"] == {"pick": {"type": "checkboxes", "selected_options": []}}
    assert state["who"] == {"user": {"type": "users_select", "selected_user": "U1"}}
    assert "tools" not in state

    await driver.close_view(view, team_id=TEAM, user_id="U1")
    closed = receiver.last.body
    assert (closed["type"], closed["view"]["id"], closed["is_cleared"]) == (
        "view_closed",
        view.id,
        False,
    )
    assert view.closed is True


async def test_event_envelope(driver: SlackDriver, receiver: Receiver) -> None:
    event = {"type": "app_mention", "user": "U1", "text": "<@UBOT> hi", "channel": "C0GENERAL"}
    await driver.event(event, team_id=TEAM)
    envelope = receiver.last.body
    assert receiver.last.headers["Content-Type"] == "application/json"
    assert envelope["type"] == "event_callback"
    assert (envelope["token"], envelope["team_id"], envelope["api_app_id"]) == (
        "emulator-verification-token",
        TEAM,
        "AAPP",
    )
    assert envelope["event_id"].startswith("Ev")
    assert isinstance(envelope["event_time"], int)
    assert envelope["event"]["type"] == "app_mention"
    assert envelope["event"]["event_ts"]
    assert envelope["authorizations"] == [
        {
            "enterprise_id": None,
            "team_id": TEAM,
            "user_id": "UBOT",
            "is_bot": True,
            "is_enterprise_install": False,
        }
    ]
    assert envelope["is_ext_shared_channel"] is False

    await driver.event(event, team_id=TEAM, event_id="Ev1")
    assert receiver.last.body["event_id"] == "Ev1"


async def test_url_verification(driver: SlackDriver) -> None:
    delivery = await driver.url_verification("abc123")
    assert delivery.status == 200
    assert delivery.json == {"challenge": "abc123"}


async def test_a_wait_on_a_response_url_is_ended_by_its_own_posts_only(fake: FakeSlack) -> None:
    mine, other = fake.new_response_url(), fake.new_response_url()
    mine_id = mine.rsplit("/", 1)[-1]
    waiting = asyncio.create_task(fake.wait_responses(mine_id, count=2))
    async with aiohttp.ClientSession() as session:

        async def post(url: str, text: str) -> None:
            async with session.post(url, json={"text": text}) as answer:
                answer.raise_for_status()

        await post(mine, "one")
        await post(other, "elsewhere")
        await post(other, "elsewhere again")
        await asyncio.sleep(0)
        assert not waiting.done()
        await post(mine, "two")
        assert [p.text for p in await waiting] == ["one", "two"]
    assert [p.text for p in fake.responses_to[other.rsplit("/", 1)[-1]]] == [
        "elsewhere",
        "elsewhere again",
    ]
