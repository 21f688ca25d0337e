"""FakeSlack's Web API through slack_sdk's real client over loopback HTTP."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from devkit.emulator import FakeSlack
from tests.emulator.conftest import TEAM, TOKEN

BLOCKS = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "*Hello*"}},
    {
        "type": "actions",
        "block_id": "act",
        "elements": [
            {"type": "button", "action_id": "go", "text": {"type": "plain_text", "text": "Go"}}
        ],
    },
]


async def refused(call) -> str:
    with pytest.raises(SlackApiError) as caught:
        await call
    assert caught.value.response["ok"] is False
    return caught.value.response["error"]


async def test_auth_test_answers_the_bot_identity_and_records_the_call(
    fake: FakeSlack, client: AsyncWebClient, secrets_guard
) -> None:
    secrets_guard.watch([TOKEN])
    answer = await client.auth_test()
    assert answer["team_id"] == TEAM
    assert answer["user_id"] == "UBOT"
    assert answer["bot_id"] == "BBOT"
    assert answer["team"] == "Acme Corp"
    assert answer["url"] == "https://acme-corp.slack.com/"
    [call] = fake.calls_to("auth.test")
    assert call.token == TOKEN
    assert call.team_id == TEAM
    assert call.error is None
    assert "token" not in call.args
    assert TOKEN not in repr(call)


async def test_bad_tokens_and_unknown_methods(fake: FakeSlack, client: AsyncWebClient) -> None:
    assert await refused(AsyncWebClient(token="xoxb-nope", base_url=fake.api_url).auth_test()) == (
        "invalid_auth"
    )
    assert await refused(AsyncWebClient(base_url=fake.api_url).auth_test()) == "not_authed"
    assert await refused(client.api_call("reactions.add", params={"name": "x"})) == (
        "unknown_method"
    )
    assert fake.calls[-1].method == "reactions.add"
    assert fake.calls[-1].error == "unknown_method"
    fake.revoke(TOKEN)
    assert await refused(client.auth_test()) == "token_revoked"


async def test_users_info(client: AsyncWebClient) -> None:
    user = (await client.users_info(user="U1"))["user"]
    assert user["id"] == "U1"
    assert user["team_id"] == TEAM
    assert user["name"] == "alice"
    assert user["real_name"] == "Alice Martin"
    assert user["profile"] == {"real_name": "Alice Martin", "display_name": "alice"}
    assert (user["is_admin"], user["is_owner"], user["is_primary_owner"]) == (True, False, False)
    assert (user["tz"], user["tz_offset"], user["deleted"], user["is_bot"]) == (
        "Europe/Paris",
        3600,
        False,
        False,
    )
    assert (await client.users_info(user="UBOT"))["user"]["is_bot"] is True
    assert await refused(client.users_info(user="U404")) == "user_not_found"


async def test_users_list_pages_the_workspace_with_its_owners(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.add_team("T2", "Other", bot_token="xoxb-2-emulator-other-token")
    fake.add_user("T2", "UELSE", "else", is_owner=True)
    fake.add_user(TEAM, "U3", "carol", is_primary_owner=True)
    fake.add_user(TEAM, "U4", "dan", deleted=True)
    seen, cursor = [], None
    while True:
        page = await client.users_list(limit=2, cursor=cursor)
        assert len(page["members"]) <= 2
        seen += page["members"]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert {u["id"] for u in seen} == {"UBOT", "U1", "U2", "U3", "U4"}
    carol = next(u for u in seen if u["id"] == "U3")
    assert (carol["is_owner"], carol["is_primary_owner"]) == (True, True)
    assert await refused(client.users_list(cursor="nope")) == "invalid_cursor"
    assert await refused(client.conversations_open(users="U4")) == "user_disabled"


async def test_post_message_stores_it_with_increasing_ts(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    first = await client.chat_postMessage(channel="C0GENERAL", text="hi", blocks=BLOCKS)
    second = await client.chat_postMessage(channel="C0GENERAL", text="again", thread_ts=first["ts"])
    assert first["channel"] == "C0GENERAL"
    assert float(second["ts"]) > float(first["ts"])
    assert len(first["ts"].split(".")[1]) == 6
    assert first["message"]["blocks"][1]["block_id"] == "act"
    # Slack gives every block an id; the emulator does too, so payloads carry them.
    assert first["message"]["blocks"][0]["block_id"]
    stored = fake.messages["C0GENERAL"]
    assert [m.text for m in stored] == ["hi", "again"]
    assert stored[0].user == "UBOT"
    assert stored[0].blocks[1]["elements"][0]["action_id"] == "go"
    assert stored[1].thread_ts == first["ts"]
    assert stored[0].ephemeral_to is None
    # blocks came as a JSON string inside the request; the record holds the decoded list
    assert isinstance(fake.calls_to("chat.postMessage")[0].args["blocks"], list)


async def test_post_message_refusals(client: AsyncWebClient) -> None:
    assert await refused(client.chat_postMessage(channel="C404", text="x")) == "channel_not_found"
    assert await refused(client.chat_postMessage(channel="CARCHIVED", text="x")) == "is_archived"
    assert await refused(client.chat_postMessage(channel="COUTSIDE", text="x")) == "not_in_channel"
    no_text = client.api_call("chat.postMessage", params={"channel": "C0GENERAL"})
    assert await refused(no_text) == "no_text"
    error = await refused(client.api_call("chat.postMessage", params={"text": "x"}))
    assert error == "invalid_arguments"


async def test_direct_messages_need_conversations_open(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    assert await refused(client.chat_postMessage(channel="DU2", text="x")) == "channel_not_found"
    opened = await client.conversations_open(users="U2")
    assert opened["channel"]["id"] == "DU2"
    await client.chat_postMessage(channel="DU2", text="psst")
    assert fake.messages["DU2"][0].text == "psst"
    assert (await client.conversations_info(channel="DU2"))["channel"]["is_im"] is True
    assert await refused(client.conversations_open(users="U404")) == "user_not_found"


async def test_ephemeral_update_and_delete(fake: FakeSlack, client: AsyncWebClient) -> None:
    ephemeral = await client.chat_postEphemeral(channel="C0GENERAL", user="U1", text="only you")
    [stored] = fake.messages["C0GENERAL"]
    assert stored.ts == ephemeral["message_ts"]
    assert stored.ephemeral_to == "U1"

    posted = await client.chat_postMessage(channel="C0GENERAL", text="v1")
    updated = await client.chat_update(
        channel="C0GENERAL", ts=posted["ts"], text="v2", blocks=BLOCKS
    )
    assert updated["ts"] == posted["ts"]
    message = fake.messages["C0GENERAL"][1]
    assert (message.text, message.updated, len(message.blocks)) == ("v2", 1, 2)
    missing = client.chat_update(channel="C0GENERAL", ts="1.000001", text="x")
    assert await refused(missing) == "message_not_found"
    # Ephemeral messages can only change through their response_url.
    ephemeral_update = client.chat_update(channel="C0GENERAL", ts=stored.ts, text="x")
    assert await refused(ephemeral_update) == "message_not_found"

    await client.chat_delete(channel="C0GENERAL", ts=posted["ts"])
    assert message.deleted is True
    assert await refused(client.chat_delete(channel="C0GENERAL", ts=posted["ts"])) == (
        "message_not_found"
    )


async def test_conversations_info(client: AsyncWebClient) -> None:
    channel = (await client.conversations_info(channel="CARCHIVED"))["channel"]
    assert (channel["id"], channel["name"], channel["is_archived"], channel["is_member"]) == (
        "CARCHIVED",
        "old-stuff",
        True,
        True,
    )
    outside = (await client.conversations_info(channel="COUTSIDE"))["channel"]
    assert outside["is_member"] is False
    assert await refused(client.conversations_info(channel="C404")) == "channel_not_found"


async def test_usergroups(client: AsyncWebClient) -> None:
    assert (await client.usergroups_users_list(usergroup="S1"))["users"] == ["U1", "U2"]
    assert await refused(client.usergroups_users_list(usergroup="S404")) == "no_such_subteam"
    groups = (await client.usergroups_list(include_users=True))["usergroups"]
    assert [(g["id"], g["handle"], g["users"]) for g in groups] == [
        ("S1", "managers", ["U1", "U2"])
    ]


async def test_raw_form_json_and_get_requests(fake: FakeSlack) -> None:
    async with aiohttp.ClientSession() as session:
        # token as a form field, blocks as a JSON string inside the form
        form = {"token": TOKEN, "channel": "C0GENERAL", "text": "t", "blocks": json.dumps(BLOCKS)}
        async with session.post(fake.api_url + "chat.postMessage", data=form) as answer:
            assert answer.status == 200
            assert (await answer.json())["ok"] is True
        headers = {"Authorization": f"Bearer {TOKEN}"}
        body = {"channel": "C0GENERAL", "text": "j", "blocks": BLOCKS}
        async with session.post(
            fake.api_url + "chat.postMessage", json=body, headers=headers
        ) as answer:
            assert (await answer.json())["ok"] is True
        async with session.get(
            fake.api_url + "users.info", params={"user": "U2"}, headers=headers
        ) as answer:
            assert (await answer.json())["user"]["name"] == "bob"
    assert [len(m.blocks) for m in fake.messages["C0GENERAL"]] == [2, 2]
    assert all("token" not in call.args for call in fake.calls)


async def test_fail_answers_an_error_for_a_method_and_channel(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.add_channel(TEAM, "C2", "second")
    fake.fail("chat.postMessage", "channel_not_found", channel="C2", times=2)
    assert await refused(client.chat_postMessage(channel="C2", text="x")) == "channel_not_found"
    await client.chat_postMessage(channel="C0GENERAL", text="other channels work")
    assert await refused(client.chat_postMessage(channel="C2", text="x")) == "channel_not_found"
    await client.chat_postMessage(channel="C2", text="third time")
    assert [c.error for c in fake.calls_to("chat.postMessage")] == [
        "channel_not_found",
        None,
        "channel_not_found",
        None,
    ]

    fake.fail("users.info", "fatal_error", times=None)
    for _ in range(3):
        assert await refused(client.users_info(user="U1")) == "fatal_error"


async def test_rate_limit_is_retried_by_slack_sdk(fake: FakeSlack) -> None:
    fake.rate_limit("chat.postMessage", retry_after=0, times=2)
    client = AsyncWebClient(
        token=TOKEN,
        base_url=fake.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)],
    )
    answer = await client.chat_postMessage(channel="C0GENERAL", text="eventually")
    assert answer["ok"] is True
    assert [c.error for c in fake.calls_to("chat.postMessage")] == [
        "ratelimited",
        "ratelimited",
        None,
    ]
    assert len(fake.messages["C0GENERAL"]) == 1


async def test_rate_limit_answers_429_with_retry_after(fake: FakeSlack) -> None:
    fake.rate_limit("users.info", retry_after=7)
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            fake.api_url + "users.info",
            data={"user": "U1"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        ) as answer,
    ):
        assert answer.status == 429
        assert answer.headers["Retry-After"] == "7"
        assert await answer.json() == {"ok": False, "error": "ratelimited"}


async def test_wait_for_returns_the_value_or_explains_the_timeout(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    await client.auth_test()
    assert await fake.wait_for(lambda: fake.calls_to("auth.test")) == fake.calls
    # A wait_for that ignored its timeout would poll on until the guard cancels it, and the
    # guard's TimeoutError is not the AssertionError expected here.
    with pytest.raises(AssertionError, match=r"last Web API calls: \[auth\.test\]"):
        await asyncio.wait_for(
            fake.wait_for(lambda: fake.messages["C0GENERAL"], timeout=0.05), timeout=30
        )
