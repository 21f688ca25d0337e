"""Views, file uploads, OAuth and response_url posts against FakeSlack over loopback HTTP."""

from __future__ import annotations

import logging

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from devkit.emulator import FakeSlack
from tests.emulator.conftest import TEAM, TOKEN

# slack_sdk 3.47 builds aiohttp's deprecated BasicAuth for oauth.v2.access client credentials.
_BASIC_AUTH_DEPRECATED = pytest.mark.filterwarnings(
    "ignore:BasicAuth is deprecated:DeprecationWarning"
)


def modal(title: str, **extra: object) -> dict:
    return {
        "type": "modal",
        "callback_id": "form",
        "title": {"type": "plain_text", "text": title},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": title}}],
        **extra,
    }


async def refused(call) -> str:
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value.response["error"]


async def test_views_open_update_and_hash_conflict(fake: FakeSlack, client: AsyncWebClient) -> None:
    trigger = fake.new_trigger_id(user_id="U1", team_id=TEAM)
    opened = (await client.views_open(trigger_id=trigger, view=modal("One")))["view"]
    assert opened["id"].startswith("V")
    assert opened["hash"]
    assert opened["callback_id"] == "form"
    assert opened["state"] == {"values": {}}
    stored = fake.views[opened["id"]]
    assert (stored.kind, stored.user_id, stored.team_id, stored.closed) == (
        "modal",
        "U1",
        TEAM,
        False,
    )
    assert fake.open_modals("U1") == [stored]

    # a trigger is good once
    assert await refused(client.views_open(trigger_id=trigger, view=modal("Again"))) == (
        "invalid_trigger_id"
    )

    updated = (
        await client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("Two"))
    )["view"]
    assert updated["id"] == opened["id"]
    assert updated["hash"] != opened["hash"]
    assert stored.view["title"]["text"] == "Two"
    stale = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("Three"))
    assert await refused(stale) == "hash_conflict"
    # without a hash, last write wins
    await client.views_update(view_id=opened["id"], view=modal("Four"))
    assert stored.view["title"]["text"] == "Four"
    assert await refused(client.views_update(view_id="V404", view=modal("x"))) == "not_found"


async def test_views_update_by_external_id_and_push(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    trigger = fake.new_trigger_id(user_id="U1")
    opened = await client.views_open(trigger_id=trigger, view=modal("Root", external_id="ext-1"))
    await client.views_update(external_id="ext-1", view=modal("Renamed", external_id="ext-1"))
    assert fake.views[opened["view"]["id"]].view["title"]["text"] == "Renamed"

    pushed = (
        await client.views_push(trigger_id=fake.new_trigger_id(user_id="U1"), view=modal("Top"))
    )["view"]
    top = fake.views[pushed["id"]]
    assert top.previous_view_id == opened["view"]["id"]
    assert top.root_view_id == opened["view"]["id"]
    assert [v.id for v in fake.open_modals("U1")] == [opened["view"]["id"], pushed["id"]]


async def test_expired_trigger(fake: FakeSlack, client: AsyncWebClient) -> None:
    fake.trigger_ttl = 0.0
    trigger = fake.new_trigger_id(user_id="U1")
    assert await refused(client.views_open(trigger_id=trigger, view=modal("Late"))) == (
        "expired_trigger_id"
    )


async def test_views_publish_keeps_one_home_per_user(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    home = {"type": "home", "blocks": [{"type": "divider"}]}
    first = (await client.views_publish(user_id="U1", view=home))["view"]
    second = (await client.views_publish(user_id="U1", view=home, hash=first["hash"]))["view"]
    assert first["id"] == second["id"]
    stored = fake.home_view("U1")
    assert stored is not None
    assert (stored.kind, stored.user_id, stored.hash) == ("home", "U1", second["hash"])
    stale = client.views_publish(user_id="U1", view=home, hash=first["hash"])
    assert await refused(stale) == "hash_conflict"
    assert await refused(client.views_publish(user_id="U404", view=home)) == "user_not_found"


async def test_files_upload_v2_end_to_end(fake: FakeSlack, client: AsyncWebClient) -> None:
    answer = await client.files_upload_v2(
        channel="C0GENERAL",
        content="a,b\n1,2\n",
        filename="report.csv",
        title="Report",
        initial_comment="here it is",
    )
    assert answer["file"]["id"].startswith("F")
    [uploaded] = fake.files
    assert uploaded.id == answer["file"]["id"]
    assert (uploaded.filename, uploaded.title, uploaded.content) == (
        "report.csv",
        "Report",
        b"a,b\n1,2\n",
    )
    assert (uploaded.channel_id, uploaded.initial_comment, uploaded.user) == (
        "C0GENERAL",
        "here it is",
        "UBOT",
    )
    assert [c.method for c in fake.calls] == [
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    ]


async def test_upload_url_takes_multipart_and_completion_checks_channel(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    url = await client.files_getUploadURLExternal(filename="a.txt", length=5)
    form = aiohttp.FormData()
    form.add_field("file", b"hello", filename="a.txt")
    async with aiohttp.ClientSession() as session, session.post(url["upload_url"], data=form) as r:
        assert (r.status, await r.text()) == (200, "OK - 5")
    files = [{"id": url["file_id"], "title": "A"}]
    blocked = client.files_completeUploadExternal(files=files, channel_id="CARCHIVED")
    assert await refused(blocked) == "is_archived"
    done = await client.files_completeUploadExternal(files=files)
    assert done["files"] == [{"id": url["file_id"], "title": "A", "name": "a.txt"}]
    assert fake.files[0].content == b"hello"
    assert fake.files[0].channel_id is None
    never_uploaded = await client.files_getUploadURLExternal(filename="b.txt", length=1)
    pending = client.files_completeUploadExternal(files=[{"id": never_uploaded["file_id"]}])
    assert await refused(pending) == "file_not_found"


@_BASIC_AUTH_DEPRECATED
async def test_oauth_v2_access_answers_a_registered_code_once(
    fake: FakeSlack, secrets_guard, caplog: pytest.LogCaptureFixture
) -> None:
    # slack_sdk logs whole response bodies (the access token here) at DEBUG: quiet it, so the
    # guard checks that neither the emulator nor aiohttp's server logs a secret.
    caplog.set_level(logging.INFO, logger="slack_sdk")
    secrets_guard.watch(["client-secret-42", "xoxb-2-beta"])
    fake.add_oauth_code(
        "code-1",
        team_id="T2",
        team_name="Beta Inc",
        bot_token="xoxb-2-beta",
        bot_user_id="UBOT2",
        authed_user_id="U9",
        refresh_token="xoxe-1-refresh",
        expires_in=43200,
    )
    client = AsyncWebClient(base_url=fake.api_url)
    answer = await client.oauth_v2_access(
        client_id="111.222",
        client_secret="client-secret-42",
        code="code-1",
        redirect_uri="http://x",
    )
    assert answer.data == {
        "ok": True,
        "app_id": "AAPP",
        "authed_user": {"id": "U9"},
        "scope": "commands,chat:write,users:read,files:write",
        "token_type": "bot",
        "access_token": "xoxb-2-beta",
        "bot_user_id": "UBOT2",
        "team": {"id": "T2", "name": "Beta Inc"},
        "enterprise": None,
        "is_enterprise_install": False,
        "refresh_token": "xoxe-1-refresh",
        "expires_in": 43200,
    }
    [call] = fake.calls_to("oauth.v2.access")
    # client credentials arrived as HTTP basic auth
    assert (call.client_id, call.client_secret) == ("111.222", "client-secret-42")
    assert "client_secret" not in call.args
    assert "client-secret-42" not in repr(call)
    assert call.args["code"] == "code-1"
    auth = await AsyncWebClient(token="xoxb-2-beta", base_url=fake.api_url).auth_test()
    assert (auth["team_id"], auth["user_id"]) == ("T2", "UBOT2")

    again = client.oauth_v2_access(client_id="111.222", client_secret="s", code="code-1")
    assert await refused(again) == "invalid_code"


@_BASIC_AUTH_DEPRECATED
async def test_token_rotation(fake: FakeSlack) -> None:
    fake.add_oauth_code(
        "code-1",
        team_id=TEAM,
        team_name="Acme Corp",
        bot_token=TOKEN,
        authed_user_id="U1",
        refresh_token="xoxe-1-first",
        expires_in=60,
    )
    client = AsyncWebClient(base_url=fake.api_url)
    rotated = await client.oauth_v2_access(
        client_id="1.2", client_secret="s", grant_type="refresh_token", refresh_token="xoxe-1-first"
    )
    new_token, new_refresh = rotated["access_token"], rotated["refresh_token"]
    assert new_token != TOKEN
    assert new_refresh != "xoxe-1-first"
    assert (rotated["team"]["id"], rotated["expires_in"]) == (TEAM, 60)
    assert fake.team_of(new_token) == TEAM
    # the old access token works until revoked or expired; the used refresh token is spent
    assert (await AsyncWebClient(token=TOKEN, base_url=fake.api_url).auth_test())["ok"]
    spent = client.oauth_v2_access(
        client_id="1.2", client_secret="s", grant_type="refresh_token", refresh_token="xoxe-1-first"
    )
    assert await refused(spent) == "invalid_refresh_token"
    fake.expire(TOKEN)
    assert await refused(AsyncWebClient(token=TOKEN, base_url=fake.api_url).auth_test()) == (
        "token_expired"
    )
    assert (await AsyncWebClient(token=new_token, base_url=fake.api_url).auth_test())["ok"]


async def test_response_url_posts_are_recorded_and_shown_in_the_channel(fake: FakeSlack) -> None:
    client = AsyncWebClient(token=TOKEN, base_url=fake.api_url)
    original = await client.chat_postMessage(channel="C0GENERAL", text="pick one")
    url = fake.new_response_url(
        team_id=TEAM, channel_id="C0GENERAL", user_id="U1", message_ts=original["ts"]
    )
    async with aiohttp.ClientSession() as session:
        for body in (
            {"text": "just for you"},
            {"text": "for all", "response_type": "in_channel"},
            {"text": "picked", "replace_original": True},
        ):
            async with session.post(url, json=body) as answer:
                assert (answer.status, await answer.text()) == (200, "ok")
        async with session.post(fake.new_response_url(), data=b"not json") as answer:
            assert answer.status == 400
        async with session.post(fake.root_url + "/response/unknown", json={}) as answer:
            assert answer.status == 404

    assert [post.text for post in fake.responses] == ["just for you", "for all", "picked"]
    assert fake.responses[2].replace_original is True
    assert fake.responses[0].url == url
    shown = [(m.text, m.ephemeral_to, m.updated) for m in fake.messages["C0GENERAL"]]
    assert shown == [("picked", None, 1), ("just for you", "U1", 0), ("for all", None, 0)]

    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"delete_original": "true"}) as answer:
            assert answer.status == 200
        for _ in range(2):  # five uses, like Slack's
            async with session.post(url, json={"text": "more"}) as answer:
                last = answer.status
    assert last == 404
    assert fake.messages["C0GENERAL"][0].deleted is True
