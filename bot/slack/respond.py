"""`respond` through the process's one Slack session.

Bolt's own `respond` makes a webhook client without a session for every call, and slack_sdk
then opens an aiohttp session, a connector and a new TCP connection for each reply and closes
them again. A burst of commands paid that on the same event loop that acknowledges the next
ones. Here every reply to a response_url goes through the session the process already keeps
for Slack (`Runtime.slack_session`: its timeout, its kept-alive connections).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.context.respond.internals import _build_message
from slack_sdk.models.attachments import Attachment
from slack_sdk.models.blocks import Block
from slack_sdk.webhook.async_client import AsyncWebhookClient, WebhookResponse


class SharedSessionRespond(AsyncRespond):
    """Bolt's `respond` (same arguments, same message), posted through `session`."""

    def __init__(self, *, response_url: str, session: aiohttp.ClientSession) -> None:
        super().__init__(response_url=response_url)
        self._session = session

    async def __call__(  # Bolt's signature, kept whole for its callers
        self,
        text: str | dict = "",
        blocks: Sequence[dict | Block] | None = None,
        attachments: Sequence[dict | Attachment] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        unfurl_links: bool | None = None,
        unfurl_media: bool | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> WebhookResponse:
        if isinstance(text, dict):
            message = _build_message(**text)
        else:
            message = _build_message(
                text=text,
                blocks=blocks,
                attachments=attachments,
                response_type=response_type,
                replace_original=replace_original,
                delete_original=delete_original,
                unfurl_links=unfurl_links,
                unfurl_media=unfurl_media,
                thread_ts=thread_ts,
                metadata=metadata,
            )
        assert self.response_url is not None
        return await post_to_response_url(self._session, self.response_url, message)


async def post_to_response_url(
    session: aiohttp.ClientSession, response_url: str, message: dict[str, Any]
) -> WebhookResponse:
    """`message` as it is, posted to `response_url` through `session`."""
    return await AsyncWebhookClient(url=response_url, session=session).send_dict(message)


def respond_through(
    session: aiohttp.ClientSession,
) -> Callable[..., Awaitable[None]]:
    """Global middleware, first of all: the request's `respond`, when it has a response_url,
    posts through `session`."""

    async def middleware(context: dict[str, Any], next_: Callable[[], Awaitable[None]]) -> None:
        url = context.get("response_url")
        # Bolt makes its own on first use (none yet: this middleware is given only body,
        # context and next_, bot.slack.lean_middleware): Bolt's, if any, is replaced; one
        # something else put there is kept.
        if url and type(context.get("respond")) in (AsyncRespond, type(None)):
            context["respond"] = SharedSessionRespond(response_url=url, session=session)
        await next_()

    return middleware
