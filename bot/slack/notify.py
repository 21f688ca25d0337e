"""Telling people: the approval card kept up to date in place, the requester's DMs, and the
admins when the requesters rule locks everyone out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.runtime import Runtime
from bot.services.requests import NotARequester, RequestSnapshot
from bot.slack.admin.views import group_mention
from bot.slack.texts import requests as text
from bot.slack.views.requests import request_card, requester_dm

log = logging.getLogger(__name__)

UNKNOWN_OUTCOME = (aiohttp.ClientError, asyncio.TimeoutError)
"""A call that failed on the way: Slack may or may not have done it."""


class RequestNotifier:
    def __init__(self, runtime: Runtime, client: AsyncWebClient) -> None:
        self._requests = runtime.requests
        self._client = client

    async def post_card(self, request: RequestSnapshot, channel_id: str) -> bool:
        """Post the approval card: True when posted (its position recorded, so it is only
        ever edited after), False when the outcome is unknown. Raises SlackApiError when the
        channel refuses it.

        A card is posted once and never re-posted: when the connection fails after the
        request went out, the card may well be in the channel, and a second post would show
        approvers two cards (the retry handlers in bot.slack.clients do not repeat it either).
        The request stays pending; the first click on the card tells us where it is
        (`adopt_card`), and the card is redrawn in place from then on.
        """
        try:
            answer = await self._client.chat_postMessage(
                channel=channel_id, **request_card(request).as_kwargs()
            )
        except UNKNOWN_OUTCOME as error:
            log.warning(
                "card of request %d: no answer from Slack (%s), not posted again",
                request.id,
                type(error).__name__,
            )
            return False
        await self._requests.set_card(request.id, answer["channel"], answer["ts"])
        return True

    async def adopt_card(self, number: int, team_id: str, channel_id: str, ts: str) -> None:
        """A click came from the card at (channel, ts) of request `number` in `team_id`:
        remember it if nothing was recorded."""
        if await self._requests.adopt_card(number, team_id, channel_id, ts):
            log.info("card of request #%d of %s found through a click", number, team_id)

    async def refresh_card(self, request_id: int) -> None:
        """Redraw the card from the request as it stands now (never from a stale copy)."""
        request = await self._requests.get(request_id)
        if not (request.card_channel_id and request.card_ts):
            return
        try:
            await self._client.chat_update(
                channel=request.card_channel_id,
                ts=request.card_ts,
                **request_card(request).as_kwargs(),
            )
        except SlackApiError as error:
            # The card is a view of the database; a card we cannot redraw loses nothing.
            log.warning(
                "card of request %d not updated: %s", request_id, error.response.get("error")
            )
        except UNKNOWN_OUTCOME as error:
            log.warning("card of request %d not updated: %s", request_id, type(error).__name__)

    async def tell_requester(self, request: RequestSnapshot) -> None:
        message = requester_dm(request)
        if message is None:
            return
        try:
            dm = await self._client.conversations_open(users=request.requester_id)
            await self._client.chat_postMessage(channel=dm["channel"]["id"], **message.as_kwargs())
        except SlackApiError as error:
            log.warning(
                "requester of request %d not told: %s", request.id, error.response.get("error")
            )
        except UNKNOWN_OUTCOME as error:
            # Not sent again: a DM twice is worse than a DM lost (the card shows the outcome).
            log.warning(
                "requester of request %d maybe not told: %s", request.id, type(error).__name__
            )

    async def settled(self, request: RequestSnapshot) -> None:
        """After a transition this process won: redraw the card and tell the requester."""
        await self.refresh_card(request.id)
        await self.tell_requester(request)


@asynccontextmanager
async def admins_told_of_lockout(client: AsyncWebClient) -> AsyncIterator[None]:
    """Around asking: a refusal that found nobody can ask tells the admins by DM (the service
    lets only the first such refusal carry them, until the rule is fixed), then goes on up."""
    try:
        yield
    except NotARequester as refused:
        if refused.tell_admins:
            await _tell_admins_of_lockout(client, refused)
        raise


async def _tell_admins_of_lockout(client: AsyncWebClient, refused: NotARequester) -> None:
    group = group_mention(refused.group_id, refused.group_label)
    message = text.LOCKOUT_DM.format(group=group)
    for admin in refused.tell_admins:
        try:
            dm = await client.conversations_open(users=admin)
            await client.chat_postMessage(channel=dm["channel"]["id"], text=message)
        except SlackApiError as error:
            log.warning("admin not told of the lock-out: %s", error.response.get("error"))
