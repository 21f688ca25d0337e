"""FakeSlack refuses what Slack refuses: used or old trigger_ids, a response_url past 5 posts or
30 minutes, late acks, calls without the scope they need, blocks past Block Kit's limits; and it
applies a view_submission's ack before the app's own views.update for that view."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from devkit.emulator import FakeSlack, SlackDriver
from tests.emulator.conftest import TEAM, TOKEN

SIGNING_SECRET = "strictness-signing-secret"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def refusal(call: Awaitable[Any]) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as refused:
        await call
    return dict(refused.value.response.data)


def modal(title: str = "Title", **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
        **extra,
    }


def section(text: str = "hi", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(action_id: str = "go", text: str = "Go", **extra: Any) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": text},
        **extra,
    }


def actions(*elements: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements), **extra}


def option(text: str = "x", value: str = "x") -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def select(options: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "static_select",
        "action_id": "pick",
        "placeholder": {"type": "plain_text", "text": "Pick"},
        "options": options,
    }


# ---------------------------------------------------------------------- trigger_id


async def test_a_trigger_id_lives_three_seconds_by_default() -> None:
    clock = Clock()
    async with FakeSlack(clock=clock) as fake:
        fake.add_team(TEAM, "Acme", bot_token=TOKEN)
        fake.add_user(TEAM, "U1", "alice")
        client = AsyncWebClient(token=TOKEN, base_url=fake.api_url)
        assert fake.trigger_ttl == 3.0
        fresh = fake.new_trigger_id(user_id="U1", team_id=TEAM)
        clock.now += 2.9
        await client.views_open(trigger_id=fresh, view=modal())
        late = fake.new_trigger_id(user_id="U1", team_id=TEAM)
        clock.now += 3.1
        answer = await refusal(client.views_open(trigger_id=late, view=modal()))
        assert answer["error"] == "expired_trigger_id"


async def test_a_trigger_id_is_good_once(fake: FakeSlack, client: AsyncWebClient) -> None:
    trigger = fake.new_trigger_id(user_id="U1", team_id=TEAM)
    await client.views_open(trigger_id=trigger, view=modal())
    again = await refusal(client.views_open(trigger_id=trigger, view=modal()))
    assert again["error"] == "invalid_trigger_id"
    pushed = await refusal(client.views_push(trigger_id=trigger, view=modal()))
    assert pushed["error"] == "invalid_trigger_id"


# ---------------------------------------------------------------------- response_url


async def post(url: str, body: dict[str, Any]) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as answer:
        return answer.status, await answer.text()


async def test_a_response_url_takes_five_posts_then_answers_used_url(fake: FakeSlack) -> None:
    url = fake.new_response_url(team_id=TEAM, channel_id="C0GENERAL", user_id="U1")
    answers = [await post(url, {"text": f"#{n}"}) for n in range(1, 7)]
    assert answers == [(200, "ok")] * 5 + [(404, "used_url")]
    assert [p.text for p in fake.responses] == ["#1", "#2", "#3", "#4", "#5"]
    [refused] = fake.refused_responses
    assert (refused.text, refused.error) == ("#6", "used_url")
    assert len(fake.messages["C0GENERAL"]) == 5


async def test_a_response_url_expires_after_thirty_minutes() -> None:
    clock = Clock()
    async with FakeSlack(clock=clock) as fake:
        fake.add_team(TEAM, "Acme", bot_token=TOKEN)
        url = fake.new_response_url(team_id=TEAM, channel_id="C0GENERAL", user_id="U1")
        clock.now += 29 * 60
        assert await post(url, {"text": "in time"}) == (200, "ok")
        clock.now += 2 * 60
        assert await post(url, {"text": "too late"}) == (404, "expired_url")
        assert [(p.text, p.error) for p in fake.refused_responses] == [("too late", "expired_url")]
        assert [p.text for p in fake.responses] == ["in time"]


async def test_a_response_url_refuses_invalid_blocks(fake: FakeSlack) -> None:
    url = fake.new_response_url(team_id=TEAM, channel_id="C0GENERAL", user_id="U1")
    too_many = [section() for _ in range(51)]
    assert await post(url, {"text": "x", "blocks": too_many}) == (400, "invalid_blocks")
    assert fake.responses == [] and fake.messages["C0GENERAL"] == []
    assert [p.error for p in fake.refused_responses] == ["invalid_blocks"]
    # a refused post does not use up the URL
    for n in range(5):
        assert await post(url, {"text": f"#{n}"}) == (200, "ok")


# ---------------------------------------------------------------------- scopes


@pytest.fixture
async def scoped() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        fake.add_team(TEAM, "Acme", bot_token=TOKEN, scopes=["commands", "chat:write"])
        fake.add_user(TEAM, "U1", "alice")
        fake.add_user(TEAM, "U2", "bob")
        fake.add_channel(TEAM, "C0GENERAL", "general")
        fake.add_channel(TEAM, "GSECRET", "secret", is_private=True)
        yield fake


async def test_a_method_without_its_scope_answers_missing_scope(scoped: FakeSlack) -> None:
    client = AsyncWebClient(token=TOKEN, base_url=scoped.api_url)
    await client.chat_postMessage(channel="C0GENERAL", text="chat:write is granted")
    answer = await refusal(client.users_info(user="U1"))
    assert answer == {
        "ok": False,
        "error": "missing_scope",
        "needed": "users:read",
        "provided": "chat:write,commands",
    }
    cases = [
        (client.usergroups_list(), "usergroups:read"),
        (client.usergroups_users_list(usergroup="S1"), "usergroups:read"),
        (client.conversations_info(channel="C0GENERAL"), "channels:read"),
        (client.conversations_info(channel="GSECRET"), "groups:read"),
        (client.conversations_open(users="U1"), "im:write"),
        (client.conversations_open(users="U1,U2"), "mpim:write"),
        (client.files_getUploadURLExternal(filename="a.csv", length=3), "files:write"),
    ]
    for call, needed in cases:
        assert (await refusal(call))["needed"] == needed
    # views.* and auth.test need no scope
    await client.auth_test()
    await client.views_publish(user_id="U1", view={"type": "home", "blocks": [section()]})
    assert [c.error for c in scoped.calls][-2:] == [None, None]


async def test_conversations_info_needs_the_scope_of_the_conversation_type(
    scoped: FakeSlack,
) -> None:
    scoped.teams[TEAM].scopes = frozenset({"chat:write", "im:write", "channels:read"})
    client = AsyncWebClient(token=TOKEN, base_url=scoped.api_url)
    dm = (await client.conversations_open(users="U1"))["channel"]["id"]
    await client.conversations_info(channel="C0GENERAL")
    assert (await refusal(client.conversations_info(channel=dm)))["needed"] == "im:read"
    scoped.teams[TEAM].scopes |= {"im:read"}
    assert (await client.conversations_info(channel=dm))["channel"]["is_im"] is True
    # an unknown conversation is channel_not_found whatever the scopes
    assert (await refusal(client.conversations_info(channel="C404")))["error"] == (
        "channel_not_found"
    )


async def test_an_oauth_grant_carries_its_scopes(fake: FakeSlack) -> None:
    fake.add_oauth_code(
        "code-9",
        team_id="T9",
        team_name="Nine",
        bot_token="xoxb-9",
        authed_user_id="U9",
        scope="commands,chat:write",
    )
    fake.add_user("T9", "U9", "nina")
    answer = await refusal(
        AsyncWebClient(token="xoxb-9", base_url=fake.api_url).users_info(user="U9")
    )
    assert (answer["error"], answer["needed"]) == ("missing_scope", "users:read")


# ---------------------------------------------------------------------- Block Kit


BAD_MESSAGE_BLOCKS = {
    "51 blocks": [section() for _ in range(51)],
    "section text over 3000": [section("x" * 3001)],
    "11 fields": [
        {"type": "section", "fields": [{"type": "mrkdwn", "text": "f"} for _ in range(11)]}
    ],
    "field over 2000": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}],
    "header over 150": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
    "block_id over 255": [section(block_id="b" * 256)],
    "duplicate block_id": [section(block_id="same"), section(block_id="same")],
    "action_id over 255": [actions(button("a" * 256))],
    "duplicate action_id in a block": [actions(button("go"), button("go"))],
    "button text over 75": [actions(button(text="t" * 76))],
    "button value over 2000": [actions(button(value="v" * 2001))],
    "26 elements in actions": [actions(*(button(f"b{n}") for n in range(26)))],
    "empty text": [section("")],
    "101 options": [actions(select([option(str(n), str(n)) for n in range(101)]))],
    "option text over 75": [actions(select([option("o" * 76, "v")]))],
    "option value over 150": [actions(select([option("o", "v" * 151)]))],
    "11 context elements": [
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"} for _ in range(11)]}
    ],
}


@pytest.mark.parametrize("blocks", BAD_MESSAGE_BLOCKS.values(), ids=BAD_MESSAGE_BLOCKS.keys())
async def test_messages_past_block_kit_limits_are_invalid_blocks(
    fake: FakeSlack, client: AsyncWebClient, blocks: list[dict[str, Any]]
) -> None:
    posted = await client.chat_postMessage(channel="C0GENERAL", text="ok", blocks=[section()])
    for call in (
        client.chat_postMessage(channel="C0GENERAL", text="x", blocks=blocks),
        client.chat_postEphemeral(channel="C0GENERAL", user="U1", text="x", blocks=blocks),
        client.chat_update(channel="C0GENERAL", ts=posted["ts"], text="x", blocks=blocks),
    ):
        answer = await refusal(call)
        assert answer["error"] == "invalid_blocks"
        assert answer["response_metadata"]["messages"][0].startswith("[ERROR] ")
    [message] = fake.messages["C0GENERAL"]
    assert message.updated == 0


async def test_the_limits_are_not_off_by_one(client: AsyncWebClient) -> None:
    at_the_limit = [
        section("x" * 3000, block_id="b" * 255),
        actions(button("a" * 255, text="t" * 75, value="v" * 2000)),
        {"type": "header", "text": {"type": "plain_text", "text": "h" * 150}},
        *(section(block_id=f"s{n}") for n in range(47)),
    ]
    assert len(at_the_limit) == 50
    await client.chat_postMessage(channel="C0GENERAL", text="x", blocks=at_the_limit)


BAD_VIEWS = {
    "title over 24": modal("t" * 25),
    "no title": {"type": "modal", "blocks": [section()]},
    "submit over 24": modal(submit={"type": "plain_text", "text": "s" * 25}),
    "close over 24": modal(close={"type": "plain_text", "text": "c" * 25}),
    "private_metadata over 3000": modal(private_metadata="m" * 3001),
    "callback_id over 255": modal(callback_id="c" * 256),
    "101 blocks": {**modal(), "blocks": [section() for _ in range(101)]},
    "input without submit": {
        **modal(),
        "blocks": [
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "Name"},
                "element": {"type": "plain_text_input", "action_id": "v"},
            }
        ],
    },
    "duplicate block_id": {**modal(), "blocks": [section(block_id="a"), section(block_id="a")]},
}


@pytest.mark.parametrize("view", BAD_VIEWS.values(), ids=BAD_VIEWS.keys())
async def test_views_past_block_kit_limits_are_invalid_arguments(
    fake: FakeSlack, client: AsyncWebClient, view: dict[str, Any]
) -> None:
    opened = await client.views_open(trigger_id=fake.new_trigger_id(user_id="U1"), view=modal())
    before = opened["view"]["hash"]
    for call in (
        client.views_open(trigger_id=fake.new_trigger_id(user_id="U1"), view=view),
        client.views_push(trigger_id=fake.new_trigger_id(user_id="U1"), view=view),
        client.views_update(view_id=opened["view"]["id"], view=view),
    ):
        answer = await refusal(call)
        assert answer["error"] == "invalid_arguments"
        assert answer["response_metadata"]["messages"]
    assert fake.views[opened["view"]["id"]].hash == before
    assert len(fake.open_modals("U1")) == 1


async def test_a_home_tab_holds_100_blocks_not_101(client: AsyncWebClient) -> None:
    home = {"type": "home", "blocks": [section() for _ in range(100)]}
    await client.views_publish(user_id="U1", view=home)
    too_big = {"type": "home", "blocks": [section() for _ in range(101)]}
    answer = await refusal(client.views_publish(user_id="U1", view=too_big))
    assert answer["error"] == "invalid_arguments"


# ---------------------------------------------------------------------- late acks


@pytest.fixture
async def slow_app() -> AsyncIterator[str]:
    """Answers after `delay` seconds given in the request's text (commands only)."""

    async def handle(request: web.Request) -> web.Response:
        form = await request.post()
        await asyncio.sleep(float(str(form.get("text") or 0)))
        return web.Response(text="")

    app = web.Application()
    app.router.add_post("/slack/events", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    await runner.cleanup()


async def test_an_http_ack_after_the_deadline_is_a_failed_delivery(
    fake: FakeSlack, slow_app: str
) -> None:
    async with SlackDriver(
        fake, app_url=slow_app, signing_secret=SIGNING_SECRET, ack_timeout=0.2
    ) as driver:
        in_time = await driver.command("0", team_id=TEAM, user_id="U1")
        late = await driver.command("0.4", team_id=TEAM, user_id="U1")
    assert (in_time.status, in_time.late) == (200, False)
    assert (late.status, late.late, late.app_status) == (504, True, 200)
    assert late.elapsed > 0.2
    assert driver.late_deliveries == [late]


def test_the_default_ack_deadline_is_three_seconds(fake: FakeSlack) -> None:
    assert SlackDriver(fake, app_url="", signing_secret=SIGNING_SECRET).ack_timeout == 3.0


# ---------------------------------------------------------------------- submission order


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


def notice(text: str) -> dict[str, Any]:
    return {**modal(text), "callback_id": "done"}


@pytest.fixture
async def bolt(fake: FakeSlack) -> AsyncIterator[tuple[SlackDriver, list[str]]]:
    """A Bolt app that acks a submission with `update` ("Checking…") and right away calls
    views.update itself ("Saved"), as an app that checks something after its ack does."""
    app = AsyncApp(
        signing_secret=SIGNING_SECRET, client=AsyncWebClient(token=TOKEN, base_url=fake.api_url)
    )
    errors: list[str] = []

    @app.view("rename")
    async def renamed(ack: Any, view: dict[str, Any], client: AsyncWebClient) -> None:
        await ack(response_action="update", view=notice("Checking…"))
        stale = view["state"]["values"]["name"]["value"]["value"] == "stale"
        try:
            await client.views_update(
                view_id=view["id"],
                view=notice("Saved"),
                **({"hash": view["hash"]} if stale else {}),
            )
        except SlackApiError as refused:
            errors.append(refused.response["error"])

    runner = web.AppRunner(app.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    async with SlackDriver(fake, app_url=url, signing_secret=SIGNING_SECRET) as driver:
        yield driver, errors
    await runner.cleanup()


async def test_the_ack_applies_before_the_apps_own_views_update(
    fake: FakeSlack, client: AsyncWebClient, bolt: tuple[SlackDriver, list[str]]
) -> None:
    driver, errors = bolt
    for _ in range(5):  # the race went the wrong way most times without the hold
        opened = await client.views_open(trigger_id=fake.new_trigger_id(user_id="U1"), view=MODAL)
        view = fake.views[opened["view"]["id"]]
        delivery = await driver.submit_view(
            view, team_id=TEAM, user_id="U1", values={"name": {"value": "Zed"}}
        )
        assert delivery.status == 200
        # The driver applied the ack before returning; the app's update lands after it.
        await fake.wait_for(lambda view=view: view.view["title"]["text"] == "Saved")
    assert errors == []


async def test_a_held_update_checks_its_hash_when_applied(
    fake: FakeSlack, client: AsyncWebClient, bolt: tuple[SlackDriver, list[str]]
) -> None:
    driver, errors = bolt
    opened = await client.views_open(trigger_id=fake.new_trigger_id(user_id="U1"), view=MODAL)
    view = fake.views[opened["view"]["id"]]
    await driver.submit_view(view, team_id=TEAM, user_id="U1", values={"name": {"value": "stale"}})
    # The ack's update changed the view's hash, so the app's hash (from the payload) is stale.
    await fake.wait_for(lambda: errors)
    assert errors == ["hash_conflict"]
    assert view.view["title"]["text"] == "Checking…"
