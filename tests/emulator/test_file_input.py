"""A modal's file_input as Slack plays it: the submission carries the uploaded file's object,
files.info needs files:read, and url_private_download gives the bytes only to a bot token of the
file's workspace granted files:read (anyone else gets Slack's HTML sign-in page)."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from devkit.emulator import FakeSlack, SlackDriver
from tests.emulator.conftest import TEAM, TOKEN
from tests.emulator.test_driver import Receiver, driver, receiver  # noqa: F401 - fixtures

CSV = "subaccount,action,amount\nacme-ops,add,25.00\n"
NARROW_TEAM, NARROW_TOKEN = "T2", "xoxb-2-no-files-read"


def upload_modal(element: dict[str, Any], *, block: str = "input") -> dict[str, Any]:
    if block == "input":
        blocks = [{"type": "input", "block_id": "rows", "label": plain("CSV"), "element": element}]
    else:
        blocks = [{"type": "actions", "block_id": "rows", "elements": [element]}]
    return {
        "type": "modal",
        "callback_id": "batch",
        "title": plain("Batch"),
        "submit": plain("Check"),
        "blocks": blocks,
    }


def plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


async def refused(call: Any) -> str:
    with pytest.raises(SlackApiError) as caught:
        await call
    return caught.value.response["error"]


async def download(url: str, token: str | None) -> tuple[int, str, bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as answer:
        return answer.status, answer.content_type, await answer.read()


async def test_file_input_submission_carries_the_file_and_files_info_describes_it(
    fake: FakeSlack,
    client: AsyncWebClient,
    driver: SlackDriver,  # noqa: F811
    receiver: Receiver,  # noqa: F811
) -> None:
    element = {"type": "file_input", "action_id": "file", "filetypes": ["csv"], "max_files": 1}
    opened = await client.views_open(
        trigger_id=fake.new_trigger_id(user_id="U1"), view=upload_modal(element)
    )
    view = fake.views[opened["view"]["id"]]
    file = fake.user_upload(TEAM, "U1", "march.csv", CSV)

    await driver.submit_view(view, team_id=TEAM, user_id="U1", values={"rows": {"file": [file.id]}})

    state = receiver.last.body["view"]["state"]["values"]["rows"]["file"]
    assert state["type"] == "file_input"
    [sent] = state["files"]
    assert (sent["id"], sent["name"], sent["filetype"], sent["size"]) == (
        file.id,
        "march.csv",
        "csv",
        len(CSV),
    )
    info = (await client.files_info(file=file.id))["file"]
    assert info["url_private_download"] == sent["url_private_download"]
    assert await refused(client.files_info(file="FNOPE")) == "file_not_found"

    status, kind, body = await download(info["url_private_download"], TOKEN)
    assert (status, kind, body) == (200, "application/octet-stream", CSV.encode())


async def test_without_files_read_or_a_token_slack_gives_no_file(
    fake: FakeSlack, client: AsyncWebClient
) -> None:
    fake.add_team(NARROW_TEAM, "Narrow", bot_token=NARROW_TOKEN, scopes=["commands", "chat:write"])
    fake.add_team("T3", "Other", bot_token="xoxb-3-other")
    file = fake.user_upload(TEAM, "U1", "march.csv", CSV)
    narrow_file = fake.user_upload(NARROW_TEAM, "U9", "april.csv", CSV)
    narrow = AsyncWebClient(token=NARROW_TOKEN, base_url=fake.api_url)

    with pytest.raises(SlackApiError) as caught:
        await narrow.files_info(file=narrow_file.id)
    assert caught.value.response["error"] == "missing_scope"
    assert caught.value.response["needed"] == "files:read"
    # another workspace's file is not there for this token
    assert await refused(client.files_info(file=narrow_file.id)) == "file_not_found"

    url = (await client.files_info(file=file.id))["file"]["url_private_download"]
    narrow_url = url.replace(f"{TEAM}-{file.id}", f"{NARROW_TEAM}-{narrow_file.id}")
    for target, token in (
        (url, None),
        (url, "xoxb-wrong"),
        (url, "xoxb-3-other"),
        (narrow_url, NARROW_TOKEN),
    ):
        status, kind, body = await download(target, token)
        assert (status, kind) == (200, "text/html"), token
        assert b"Sign in" in body and CSV.encode() not in body


@pytest.mark.parametrize(
    ("element", "block", "problem"),
    [
        ({"type": "file_input", "action_id": "file"}, "actions", "only in an input block"),
        ({"type": "file_input", "action_id": "file", "max_files": 0}, "input", "max_files"),
        ({"type": "file_input", "action_id": "file", "max_files": 11}, "input", "max_files"),
    ],
)
async def test_file_input_is_held_to_slack_rules(
    fake: FakeSlack, client: AsyncWebClient, element: dict[str, Any], block: str, problem: str
) -> None:
    with pytest.raises(SlackApiError) as caught:
        await client.views_open(
            trigger_id=fake.new_trigger_id(user_id="U1"), view=upload_modal(element, block=block)
        )
    assert caught.value.response["error"] == "invalid_arguments"
    assert problem in str(caught.value.response["response_metadata"]["messages"])
