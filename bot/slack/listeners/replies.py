"""Answering the person who asked: ephemeral replies (errors: bot.slack.error_handler)."""

from __future__ import annotations

from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.views.reply import Reply


async def reply(respond: AsyncRespond, message: Reply, *, replace: bool = False) -> None:
    """Only the asker sees it; `replace` rewrites the message a button was clicked on."""
    await respond(
        response_type="ephemeral",
        replace_original=replace,
        **message.as_kwargs(),
    )


class DirectReply:
    """Stands in for `respond` where Slack gave no response_url (a click on the Home tab):
    the answer goes to the person's direct messages with the app. `replace_original` has no
    message to replace there, and is ignored."""

    response_url = None

    def __init__(self, client: AsyncWebClient, user_id: str) -> None:
        self._client = client
        self._user_id = user_id

    async def __call__(self, text: str = "", blocks: Any = None, **_: Any) -> None:
        dm = await self._client.conversations_open(users=self._user_id)
        await self._client.chat_postMessage(channel=dm["channel"]["id"], text=text, blocks=blocks)


def respond_or_dm(respond: AsyncRespond, client: AsyncWebClient, user_id: str) -> Any:
    """`respond` when the click came with a response_url, else a DirectReply."""
    return respond if respond.response_url else DirectReply(client, user_id)
