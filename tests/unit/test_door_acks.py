"""What the door acknowledges itself (bot.slack.door_acks), what Bolt's ack body becomes when
the door has answered already, and that such a request holds its place in the backlog."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.app import TrackListenerTasks
from bot.shutdown import InFlight
from bot.slack.door_acks import WAITED_FOR_ACKS, DoorAcks, _message_of, acked_at_door
from bot.slack.membership import NotAMember
from bot.slack.workspace_guard import MemberGate, Workspace
from tests.web_server import serving


@pytest.mark.parametrize(
    ("body", "at_door"),
    [
        ({"command": "/partner", "text": "balance"}, True),
        ({"command": "/partner", "text": ""}, True),
        ({"command": "/other", "text": "balance"}, False),  # not ours: Bolt's 404
        ({"type": "block_actions", "actions": []}, True),
        ({"type": "view_submission", "view": {}}, False),  # the ack carries errors or a view
        ({"type": "view_closed", "view": {}}, False),
        ({"type": "block_suggestion", "value": "a"}, False),  # the ack carries the options
        ({"type": "shortcut", "callback_id": "x"}, False),
        ({"type": "message_action", "callback_id": "x"}, False),
        ({"type": "event_callback", "event": {"type": "app_mention"}}, False),  # claimed first
        ({"type": "url_verification", "challenge": "c"}, False),  # the ack is the challenge
        ({"ssl_check": "1", "token": "t"}, False),
        ({}, False),
    ],
)
def test_what_the_door_acknowledges(body: dict[str, Any], at_door: bool) -> None:
    assert acked_at_door(body) is at_door


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            BoltResponse(status=200, body="Partner Ops is not installed"),
            {"text": "Partner Ops is not installed", "response_type": "ephemeral"},
        ),
        (
            BoltResponse(status=200, body={"text": "t", "blocks": []}),
            {"text": "t", "blocks": [], "response_type": "ephemeral"},
        ),
        (
            BoltResponse(status=200, body={"text": "t", "response_type": "in_channel"}),
            {"text": "t", "response_type": "in_channel"},
        ),
        (  # BoltResponse takes text starting with "{" for JSON
            BoltResponse(status=200, body="{not json"),
            {"text": "{not json", "response_type": "ephemeral"},
        ),
        (
            BoltResponse(status=200, body="[1]", headers={"content-type": "application/json"}),
            {"text": "[1]", "response_type": "ephemeral"},
        ),
    ],
)
def test_an_ack_body_becomes_the_message_slack_would_show(
    answer: BoltResponse, message: dict[str, Any]
) -> None:
    assert _message_of(answer) == message


class BoltFailing(AsyncApp):
    """Bolt raising from its dispatch (it answers its own errors: this is the last resort)."""

    async def async_dispatch(self, req: AsyncBoltRequest) -> BoltResponse:
        raise RuntimeError("a failure inside Bolt")


@pytest.mark.parametrize(
    ("app", "failure"),
    [
        # the signature is not the app's: Bolt answers 401
        (
            lambda: AsyncApp(signing_secret="not-the-senders", token="xoxb-unused-by-this-test"),
            "answered 401 by Bolt",
        ),
        (
            lambda: BoltFailing(signing_secret="unused", token="xoxb-unused-by-this-test"),
            "a failure inside Bolt",
        ),
    ],
    ids=["answered-401", "raised"],
)
async def test_a_request_handed_to_bolt_holds_a_backlog_place_until_bolt_is_done(
    caplog: pytest.LogCaptureFixture, app: Callable[[], AsyncApp], failure: str
) -> None:
    """And when Bolt answers it with something else than a 200, or fails, the person is
    told, as Slack would have shown a failure: a bug's message and reference."""
    posted: list[dict[str, Any]] = []

    async def response_url(request: web.Request) -> web.Response:
        posted.append(await request.json())
        return web.Response(text="ok")

    receiver = web.Application()
    receiver.router.add_post("/response", response_url)
    inflight = InFlight(backlog=1)
    async with serving(receiver) as base, aiohttp.ClientSession() as session:
        door = DoorAcks(app(), inflight, session)
        form = {"command": "/partner", "text": "balance", "response_url": f"{base}/response"}
        request = AsyncBoltRequest(
            body=urlencode(form),
            headers={"x-slack-signature": "v0=0", "x-slack-request-timestamp": "1"},
        )
        with caplog.at_level(logging.INFO):
            door.hand_to_bolt(request)
            # Counted at once, before Bolt has read a byte: the backlog is full.
            assert inflight.listeners == 1 and len(inflight) == 1
            assert await inflight.drain(grace=5) == 0  # waited for, as on stop
    assert inflight.listeners == 0
    [logged] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged.name == "bot.slack.errors" and logged.levelno == logging.ERROR
    assert failure in str(logged.exc_info[1] if logged.exc_info else "")
    [told] = posted
    assert told["response_type"] == "ephemeral"
    assert logged.getMessage().split("reference ")[1].rstrip(")") in told["text"]


@pytest.mark.parametrize(
    ("acknowledged", "waited_at_door", "waits"),
    [
        (True, False, 1),  # acknowledged by Bolt: the acks at the door go first
        (True, True, 0),  # the door waited already, before Bolt got it: not twice
        (False, False, 0),  # never before its own ack
    ],
)
async def test_a_listener_waits_for_the_acks_at_the_door_once(
    acknowledged: bool, waited_at_door: bool, waits: int
) -> None:
    waited: list[str] = []

    async def after_acks() -> None:
        waited.append("waited")

    ack = AsyncAck()
    if acknowledged:
        ack.response = BoltResponse(status=200, body="")
    context: dict[str, Any] = {"ack": ack}
    if waited_at_door:
        context[WAITED_FOR_ACKS] = True
    # No user named: no Slack lookup, and a refusal, which is beside the point here.
    gate = MemberGate(context, None, Workspace("T1", None), {}, None, after_acks)
    with pytest.raises(NotAMember):
        await gate.check()
    assert len(waited) == waits


def _app_counted_by(inflight: InFlight) -> AsyncApp:
    """A Bolt app as bot.app builds it, as far as counting goes: its listener tasks counted
    by TrackListenerTasks. Authorised for one workspace without asking Slack."""

    async def authorize(**_kwargs: Any) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-test-only")

    app = AsyncApp(
        signing_secret="unused",
        authorize=authorize,
        request_verification_enabled=False,
    )
    runner = app.listener_runner
    runner.listener_start_handler = TrackListenerTasks(runner.listener_start_handler, inflight)
    return app


def _command(text: str) -> AsyncBoltRequest:
    form = {"command": "/partner", "text": text, "team_id": "T1", "user_id": "U1"}
    return AsyncBoltRequest(body=urlencode(form), headers={})


async def test_a_listener_takes_over_its_requests_place_rather_than_taking_a_second() -> None:
    inflight = InFlight()
    started = asyncio.Semaphore(0)
    release = asyncio.Event()
    app = _app_counted_by(inflight)

    @app.command("/partner")
    async def listener(ack: AsyncAck) -> None:
        started.release()
        await release.wait()  # not acknowledged yet: Bolt's dispatch is still polling
        await ack()

    async with aiohttp.ClientSession() as session:
        door = DoorAcks(app, inflight, session)
        for text in ("a", "b", "c"):
            door.hand_to_bolt(_command(text))
        for _ in range(3):
            await asyncio.wait_for(started.acquire(), timeout=5)
        # Three requests, three places: each dispatch and its listener count once.
        assert inflight.listeners == 3
        release.set()
        assert await inflight.drain(grace=5) == 0
    assert inflight.listeners == 0


async def test_bolt_gets_a_request_once_the_door_is_clear_and_its_listener_waits_no_more() -> None:
    inflight = InFlight()
    at_the_door = asyncio.Event()
    open_door = asyncio.Event()
    seen: list[tuple[int, object]] = []

    async def held(_request: web.Request) -> web.Response:
        at_the_door.set()
        await open_door.wait()
        return web.Response(text="ok")

    web_app = web.Application(middlewares=[inflight.web_middleware()])
    web_app.router.add_post("/slack/events", held)
    app = _app_counted_by(inflight)

    @app.command("/partner")
    async def listener(ack: AsyncAck, context: AsyncBoltContext) -> None:
        await ack()
        # What a listener sees: who is still at the door, and whether MemberGate must wait.
        seen.append((inflight.at_door, context.get(WAITED_FOR_ACKS)))

    async with serving(web_app) as base, aiohttp.ClientSession() as session:
        other = asyncio.ensure_future(session.post(f"{base}/slack/events"))
        await asyncio.wait_for(at_the_door.wait(), timeout=5)
        DoorAcks(app, inflight, session).hand_to_bolt(_command("balance"))
        # Time for a dispatch that did not wait to reach its listener meanwhile.
        await asyncio.sleep(0.05)
        open_door.set()
        (await other).release()
        assert await inflight.drain(grace=5) == 0
    assert seen == [(0, True)]
