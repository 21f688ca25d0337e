"""Settings under four eyes in Slack: the gate every settings command goes through, the card
in the approvals channel, and its Confirm / Reject buttons.

Slack does not disable a button after a click and may deliver a click twice: the service's
conditional transition lets exactly one click decide; the others are told who got there first.

Languages: the card and the announcements speak the channel's language (an admin's choice,
`/partner language`), whoever clicked; the clicker's reply speaks theirs; the asker's DM theirs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Protocol

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import utcnow
from bot.i18n import language
from bot.partner.models import Product
from bot.services.directory import Directory
from bot.services.languages import Languages, UserLocales
from bot.services.policy import Policies
from bot.services.settings_changes import (
    Change,
    ChangeAlreadyDecided,
    ChangeSnapshot,
    Route,
    Setting,
    SettingsChanges,
    Status,
)
from bot.slack.admin import change_texts as text
from bot.slack.admin.change_views import (
    CONFIRM_ACTION,
    REJECT_ACTION,
    already_message,
    announcement,
    asker_dm,
    change_card,
    decided_announcement,
    waiting_reply,
)
from bot.slack.blocks import clicked_message
from bot.slack.clients import UNKNOWN_OUTCOME
from bot.slack.context import Services
from bot.slack.direct import dm_channel
from bot.slack.directory import SlackDirectory
from bot.slack.locale import user_language
from bot.slack.membership import check_member
from bot.slack.minted import record_number
from bot.slack.parts import HomeRefresh
from bot.slack.replies import reply
from bot.slack.requests.key_changes import withdraw_for_new_keys
from bot.slack.views.reply import Reply, plain_reply

log = logging.getLogger(__name__)

CARD_POST_OVER = timedelta(minutes=2)
"""Longer than a card's post can take (the Slack client's timeout and retries): a post taken
before then has ended, one way or another."""


class ChangeServices(Protocol):
    """What the notifier needs: `bot.slack.context.Services` (or the worker's wiring) has it."""

    @property
    def settings_changes(self) -> SettingsChanges: ...

    @property
    def languages(self) -> Languages: ...

    @property
    def policies(self) -> Policies: ...

    @property
    def user_locales(self) -> UserLocales: ...

    @property
    def home_refresh(self) -> HomeRefresh: ...


class ChangeNotifier:
    """The card kept up to date in place, announcements in the approvals channel, the asker's
    DM. A message Slack refuses or loses is logged, never sent twice."""

    def __init__(self, services: ChangeServices, client: AsyncWebClient) -> None:
        self._services = services
        self._languages = services.languages
        self._policies = services.policies
        self._changes = services.settings_changes
        self._locales = services.user_locales
        self._client = client

    async def _channel_language(self, team_id: str, channel_id: str | None) -> str:
        return await self._languages.for_channel(team_id, channel_id)

    async def post_card(self, change: ChangeSnapshot, channel_id: str) -> ChangeSnapshot:
        """Post the card of a change just proposed (or proposed again: an earlier post that
        is over, refused or unanswered, is tried again, as the asker asks)."""
        retake = utcnow() - CARD_POST_OVER
        if not await self._changes.claim_card(change.id, retake_before=retake):
            return change  # another process posts it (or is still at it): never two cards
        return await self._post(change, channel_id)

    async def post_owed_card(self, change: ChangeSnapshot, channel_id: str) -> None:
        """Maintenance: the card of a change whose process died before posting it, posted
        if this call takes it, and the asker told by DM (their reply never came)."""
        if not await self._changes.claim_card(change.id):
            return
        log.info("card of setting change %d posted by maintenance", change.id)
        posted = await self._post(change, channel_id)
        with language(
            await user_language(self._locales, self._client, change.team_id, change.requested_by)
        ):
            message = waiting_reply(posted)
        try:
            dm = await dm_channel(self._client, change.requested_by)
            await self._client.chat_postMessage(channel=dm, **message.as_kwargs())
        except (SlackApiError, *UNKNOWN_OUTCOME) as error:
            log.warning("asker of setting change %d not told: %s", change.id, _why(error))

    async def _post(self, change: ChangeSnapshot, channel_id: str) -> ChangeSnapshot:
        with language(await self._channel_language(change.team_id, channel_id)):
            card = change_card(change).as_kwargs()
        try:
            answer = await self._client.chat_postMessage(channel=channel_id, **card)
        except (SlackApiError, *UNKNOWN_OUTCOME) as error:
            # Still pending: it expires by itself, and a click on a card that did go out
            # tells us where it is (`adopt_card`).
            log.warning("card of setting change %d not posted: %s", change.id, _why(error))
            return change
        await self._changes.set_card(change.id, answer["channel"], answer["ts"])
        return await self._changes.get(change.id)

    async def refresh_card(self, change_id: int) -> None:
        change = await self._changes.get(change_id)
        if not (change.card_channel_id and change.card_ts):
            return
        # In the channel's language, not the clicker's: everyone there sees the redraw.
        with language(await self._channel_language(change.team_id, change.card_channel_id)):
            card = change_card(change).as_kwargs()
        try:
            await self._client.chat_update(
                channel=change.card_channel_id, ts=change.card_ts, **card
            )
        except (SlackApiError, *UNKNOWN_OUTCOME) as error:
            log.warning("card of setting change %d not updated: %s", change_id, _why(error))

    async def announce(
        self, team_id: str, say: Callable[[], str | None], channel: str | None = None
    ) -> None:
        """What `say` words, in `channel`'s language: by default the approvals channel (as it
        is after the change)."""
        if channel is None:
            channel = (await self._policies.get(team_id)).approvals_channel_id
        if channel is None:
            return
        with language(await self._channel_language(team_id, channel)):
            message = say()
        if message is None:
            return
        try:
            await self._client.chat_postMessage(channel=channel, text=message)
        except (SlackApiError, *UNKNOWN_OUTCOME) as error:
            log.warning("setting change not announced in the approvals channel: %s", _why(error))

    async def settled(self, change: ChangeSnapshot) -> None:
        """After a decision this process won (or maintenance found untold): redraw the card,
        then, for the one caller that takes the telling, say it and tell the asker."""
        await self.refresh_card(change.id)
        self._services.home_refresh.settings_changed(self._services, self._client, change.team_id)
        if not await self._changes.claim_telling(change.id, change.status):
            return  # told by another (a DM or an announcement twice is worse than lost)
        if change.status in (Status.APPLIED, Status.REJECTED):
            # Where the approvers saw the card (the approvals channel may just have moved).
            await self.announce(
                change.team_id, lambda: decided_announcement(change), change.card_channel_id
            )
        if change.decided_by == change.requested_by:
            return  # they withdrew it themselves
        asker = await user_language(
            self._locales, self._client, change.team_id, change.requested_by
        )
        with language(asker):
            message = asker_dm(change)
        if message is None:
            return
        try:
            dm = await dm_channel(self._client, change.requested_by)
            await self._client.chat_postMessage(channel=dm, text=message)
        except (SlackApiError, *UNKNOWN_OUTCOME) as error:
            log.warning("asker of setting change %d not told: %s", change.id, _why(error))


async def gated(
    services: ChangeServices,
    client: AsyncWebClient,
    team_id: str,
    user_id: str,
    change: Change,
    directory: Directory,
    apply_now: Callable[[], Awaitable[Reply]],
) -> Reply:
    """Apply `change` at once (`apply_now`, then announce it) or, when it loosens money
    control, propose it and post its card; the reply for the asker either way."""
    route = await services.settings_changes.route(team_id, user_id, change, directory)
    notifier = ChangeNotifier(services, client)
    if route is Route.NEEDS_CONFIRMATION:
        proposed = await services.settings_changes.propose(team_id, user_id, change)
        if proposed.card_ts is not None:  # the same change already waits on its card
            return waiting_reply(proposed)
        channel = (await services.policies.get(team_id)).approvals_channel_id
        assert channel is not None, "routed to confirmation without an approvals channel"
        return waiting_reply(await notifier.post_card(proposed, channel))
    answer = await apply_now()
    if change.old != change.new:
        await notifier.announce(
            team_id, lambda: announcement(user_id, change, set_up=change.loosens)
        )
        services.home_refresh.settings_changed(services, client, team_id)
    return answer


async def confirm(
    ack: AsyncAck,
    body: dict[str, Any],
    context: AsyncBoltContext,
    action: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    services: Services,
    directory: SlackDirectory,
) -> None:
    await ack()
    await check_member(context)
    await _decide(services, directory, client, respond, context, action, body, confirm=True)


async def reject(
    ack: AsyncAck,
    body: dict[str, Any],
    context: AsyncBoltContext,
    action: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    services: Services,
    directory: SlackDirectory,
) -> None:
    await ack()
    await check_member(context)
    await _decide(services, directory, client, respond, context, action, body, confirm=False)


def register(app: AsyncApp) -> None:
    app.action(CONFIRM_ACTION)(confirm)
    app.action(REJECT_ACTION)(reject)


async def _decide(
    services: Services,
    directory: SlackDirectory,
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
    action: dict[str, Any],
    body: dict[str, Any],
    *,
    confirm: bool,
) -> None:
    # The workspace Bolt authorised (whose token answers), never a payload field.
    assert context.team_id and context.user_id
    team_id, user_id = context.team_id, context.user_id
    # The clicker's replies (and refusals, by the error handler) in their own language.
    changes = services.settings_changes
    # The card carries the change's number in the workspace; the id stays inside.
    number = record_number(action.get("value"), "a setting change button")
    change_id = (await changes.by_number(team_id, number)).id
    notifier = ChangeNotifier(services, client)
    where = clicked_message(body)
    if where is not None:
        await changes.adopt_card(change_id, team_id, *where)
    try:
        if confirm:
            decided = await changes.confirm(change_id, team_id, user_id, directory)
        else:
            decided = await changes.reject(change_id, team_id, user_id, directory)
    except ChangeAlreadyDecided as already:
        await notifier.refresh_card(change_id)
        if already.expired_now:
            await notifier.settled(already.change)
        await reply(respond, plain_reply(already_message(already.change)))
        return
    # Refusals (their own change, not an approver) are answered by the app's error handler.
    await reply(respond, plain_reply(text.CONFIRMED_DONE if confirm else text.REJECTED_DONE))
    await notifier.settled(decided)
    if decided.status is Status.APPLIED and decided.setting is Setting.PARTNER_KEY:
        assert decided.subject is not None
        await withdraw_for_new_keys(services, client, team_id, [Product(decided.subject)])


def _why(error: BaseException) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error"))
    return type(error).__name__
