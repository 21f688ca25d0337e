"""The Slack side of the request service's notices (bot.services.requests.notices): the approval
card kept up to date in place, the requester's DMs, the admins when the requesters rule locks
everyone out, and the answers to the person acting (an `Answer`: an ephemeral reply, a direct
message, or the modal they are looking at).

Each in its reader's language: the card in its channel's (whoever clicked, or the worker, when
it is redrawn), a DM in its recipient's Slack language, an answer in the language the listener
set for the person acting (bot.i18n.use_language)."""

from __future__ import annotations

import logging
from typing import Protocol

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import language
from bot.services.languages import Languages, UserLocales
from bot.services.requests import (
    Ask,
    CardPosted,
    CardRefused,
    NotARequester,
    RequestSnapshot,
)
from bot.slack.blocks import escape
from bot.slack.clients import UNKNOWN_OUTCOME
from bot.slack.direct import dm_channel
from bot.slack.directory import workspace_owners
from bot.slack.locale import user_language
from bot.slack.mentions import group_mention
from bot.slack.replies import Answer
from bot.slack.requests import texts as text
from bot.slack.requests.forms import ask_value
from bot.slack.requests.views import (
    already_message,
    cancelled_reply,
    ran_now_reply,
    request_card,
    requester_dm,
    similar_reply,
    submitted_reply,
)
from bot.slack.views.reply import Reply, plain_reply

log = logging.getLogger(__name__)


class Speakers(Protocol):
    """Where languages are read: the channels' as admins set them (the database) and the
    users' Slack locales (cached). The listeners' `Services` and the process's `Runtime`."""

    @property
    def languages(self) -> Languages: ...

    @property
    def user_locales(self) -> UserLocales: ...


class SlackRequestNotices:
    """`RequestNotices` in Slack, for one workspace's client. `answer`: the person acting, when
    somebody is (the worker has nobody: what is meant for them is dropped)."""

    def __init__(
        self, client: AsyncWebClient, answer: Answer | None = None, *, speakers: Speakers
    ) -> None:
        self._client = client
        self._answer = answer
        self._speakers = speakers

    async def _channel_language(self, team_id: str, channel_id: str) -> str:
        return await self._speakers.languages.for_channel(team_id, channel_id)

    async def _user_language(self, team_id: str, user_id: str) -> str:
        return await user_language(self._speakers.user_locales, self._client, team_id, user_id)

    # --- the approvals channel ----------------------------------------------------------------

    async def card_needed(self, request: RequestSnapshot, channel_id: str) -> CardPosted | None:
        """A card is posted once and never re-posted: when the connection fails after the
        request went out, the card may well be in the channel, and a second post would show
        approvers two cards (the retry handlers in bot.slack.clients do not repeat it either).
        The request stays pending; the first click on the card tells where it is."""
        with language(await self._channel_language(request.team_id, channel_id)):
            card = request_card(request).as_kwargs()
        try:
            answer = await self._client.chat_postMessage(channel=channel_id, **card)
        except SlackApiError as error:
            raise CardRefused(str(error.response.get("error"))) from error
        except UNKNOWN_OUTCOME as error:
            log.warning(
                "card of request %d: no answer from Slack (%s), not posted again",
                request.id,
                type(error).__name__,
            )
            return None
        return CardPosted(answer["channel"], answer["ts"])

    async def card_changed(self, request: RequestSnapshot) -> None:
        if not (request.card_channel_id and request.card_ts):
            return
        # The channel's language, not the clicker's: everybody there reads the same card.
        with language(await self._channel_language(request.team_id, request.card_channel_id)):
            card = request_card(request).as_kwargs()
        try:
            await self._client.chat_update(
                channel=request.card_channel_id, ts=request.card_ts, **card
            )
        except SlackApiError as error:
            # The card is a view of the database; a card we cannot redraw loses nothing.
            log.warning(
                "card of request %d not updated: %s", request.id, error.response.get("error")
            )
        except UNKNOWN_OUTCOME as error:
            log.warning("card of request %d not updated: %s", request.id, type(error).__name__)

    # --- the requester, the admins ------------------------------------------------------------

    async def requester_told(self, request: RequestSnapshot) -> None:
        with language(await self._user_language(request.team_id, request.requester_id)):
            message = requester_dm(request)
        if message is not None:
            await self._tell_requester(request, message)

    async def sent_late(
        self, request: RequestSnapshot, channel_id: str, *, card_known: bool
    ) -> None:
        with language(await self._user_language(request.team_id, request.requester_id)):
            message = submitted_reply(request, channel_id)
            if not card_known:  # its process died waiting for Slack's answer
                unknown = text.CARD_CUT_SHORT.format(id=request.number, channel=channel_id)
                message = Reply(
                    text=unknown, blocks=(*plain_reply(unknown).blocks, *message.blocks)
                )
        await self._tell_requester(request, message)

    async def withdrawn_late(self, request: RequestSnapshot, channel_id: str, reason: str) -> None:
        with language(await self._user_language(request.team_id, request.requester_id)):
            message = plain_reply(
                text.CARD_NOT_POSTED.format(channel=channel_id, error=escape(reason))
            )
        await self._tell_requester(request, message)

    async def _tell_requester(self, request: RequestSnapshot, message: Reply) -> None:
        try:
            dm = await dm_channel(self._client, request.requester_id)
            await self._client.chat_postMessage(channel=dm, **message.as_kwargs())
        except SlackApiError as error:
            log.warning(
                "requester of request %d not told: %s", request.id, error.response.get("error")
            )
        except UNKNOWN_OUTCOME as error:
            # Not sent again: a DM twice is worse than a DM lost (the card shows the outcome).
            log.warning(
                "requester of request %d maybe not told: %s", request.id, type(error).__name__
            )

    async def admins_locked_out(self, refused: NotARequester) -> None:
        await tell_admins_of_lockout(self._client, refused)

    # --- the person acting --------------------------------------------------------------------

    async def similar_found(self, ask: Ask, earlier: RequestSnapshot) -> None:
        await self._say(similar_reply(earlier, ask_value(ask)))

    async def ran_now(self, request: RequestSnapshot) -> None:
        await self._say(ran_now_reply(request))

    async def sent_for_approval(
        self, request: RequestSnapshot, channel_id: str, *, card_known: bool
    ) -> None:
        await self._say(submitted_reply(request, channel_id))
        if not card_known:
            await self._say(plain_reply(text.CARD_OUTCOME_UNKNOWN.format(channel=channel_id)))

    async def withdrawn(self, request: RequestSnapshot, channel_id: str, reason: str) -> None:
        await self._say(
            plain_reply(text.CARD_NOT_POSTED.format(channel=channel_id, error=escape(reason)))
        )

    async def approval_counted(self, request: RequestSnapshot) -> None:
        await self._say(plain_reply(text.APPROVAL_RECORDED.format(id=request.number)))

    async def already_approved_by_you(self, request: RequestSnapshot) -> None:
        await self._say(
            plain_reply(
                text.already_approved_by_you(request.approvals_needed).format(
                    id=request.number, needed=request.approvals_needed
                )
            )
        )

    async def too_late(self, request: RequestSnapshot) -> None:
        await self._say(plain_reply(already_message(request)))

    async def rejected(self, request: RequestSnapshot) -> None:
        await self._say(plain_reply(text.REJECTED_DONE.format(id=request.number)))

    async def cancelled(self, request: RequestSnapshot) -> None:
        await self._say(cancelled_reply(request), replace=True)

    async def _say(self, message: Reply, *, replace: bool = False) -> None:
        if self._answer is not None:
            await self._answer(message, replace=replace)


async def tell_admins_of_lockout(client: AsyncWebClient, refused: NotARequester) -> None:
    """Each admin in their own Slack language, asked of Slack each time (a lock-out is rare,
    and the refusal does not name its workspace for the process's cache). When none of them
    can be reached (none left, deactivated, DMs refused), the workspace's owners are told:
    somebody must hear that nobody can ask."""
    told = [admin for admin in refused.tell_admins if await _tell_lockout(client, refused, admin)]
    if told:
        return
    try:
        owners = await workspace_owners(client, refused.team_id or None)
    except SlackApiError as error:
        log.warning("owners not found to tell of the lock-out: %s", error.response.get("error"))
        return
    for owner in owners:
        if owner not in refused.tell_admins:
            await _tell_lockout(client, refused, owner)


async def _tell_lockout(client: AsyncWebClient, refused: NotARequester, user_id: str) -> bool:
    group = group_mention(refused.group_id, refused.group_label)
    with language(await user_language(UserLocales(), client, "", user_id)):
        message = text.LOCKOUT_DM.format(group=group)
    try:
        dm = await dm_channel(client, user_id)
        await client.chat_postMessage(channel=dm, text=message)
    except SlackApiError as error:
        log.warning("admin not told of the lock-out: %s", error.response.get("error"))
        return False
    return True
