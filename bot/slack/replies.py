"""Answering the person who asked: ephemeral replies, or where else they are looking (errors:
bot.slack.error_handler). Shared by every feature."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.direct import dm_channel
from bot.slack.views.modal import message_view
from bot.slack.views.reply import Reply


async def reply(respond: AsyncRespond, message: Reply, *, replace: bool = False) -> None:
    """Only the asker sees it; `replace` rewrites the message a button was clicked on."""
    await respond(
        response_type="ephemeral",
        replace_original=replace,
        **message.as_kwargs(),
    )


class Answer(Protocol):
    """Where the person acting sees what became of what they did."""

    async def __call__(self, message: Reply, *, replace: bool = False) -> None: ...


class Ephemeral:
    """Through the response_url (or anything that quacks like `respond`): only they see it;
    `replace` rewrites the message a button was clicked on."""

    def __init__(self, respond: AsyncRespond | DirectReply) -> None:
        self._respond = respond

    async def __call__(self, message: Reply, *, replace: bool = False) -> None:
        await reply(self._respond, message, replace=replace)  # type: ignore[arg-type]


class InModal:
    """In the modal they are looking at, titled `title` (`show` puts a view in it)."""

    def __init__(self, title: str, show: Callable[[View], Awaitable[Any]]) -> None:
        self._title = title
        self._show = show

    async def __call__(self, message: Reply, *, replace: bool = False) -> None:
        await self._show(message_view(self._title, message.text))


class DirectReply:
    """Quacks like `respond` for flows started from a modal, which has no response_url:
    the answer goes to the person by direct message."""

    def __init__(self, client: AsyncWebClient, user_id: str) -> None:
        self._client = client
        self._user_id = user_id

    async def __call__(self, **message: Any) -> None:
        message.pop("response_type", None)
        message.pop("replace_original", None)
        dm = await dm_channel(self._client, self._user_id)
        await self._client.chat_postMessage(channel=dm, **message)
