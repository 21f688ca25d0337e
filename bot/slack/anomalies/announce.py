"""Spend-anomaly alerts out of the worker: a card in the alerts channel (in its language) and a
DM to each admin and approver (in theirs). Either may fail alone: one refused post stops no
other reader from being told."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import language
from bot.services.anomalies.ledger import Opened
from bot.services.roles import Role
from bot.slack.anomalies.views import anomaly_card
from bot.slack.direct import dm_channel
from bot.slack.directory import ToleratingDirectory
from bot.slack.locale import user_language
from bot.slack.parts import SchedulerParts

log = logging.getLogger(__name__)


async def announce(
    parts: SchedulerParts,
    client: AsyncWebClient,
    pace: Callable[[str], Awaitable[None]],
    team_id: str,
    opened: Sequence[Opened],
) -> None:
    channel_id = (await parts.alerts.config(team_id)).channel_id
    if channel_id is not None:
        with language(await parts.languages.for_channel(team_id, channel_id)):
            cards = [anomaly_card(o) for o in opened]
        for card in cards:
            await pace(channel_id)
            try:
                await client.chat_postMessage(channel=channel_id, **card.as_kwargs())
            except SlackApiError as error:
                log.warning(
                    "spend alert not posted in %s: %s", channel_id, error.response.get("error")
                )
    # Members of a group given a role too, each group listed once for this run
    # (usergroups.users.list is Tier 2), each person told once.
    directory = ToleratingDirectory(client, team_id=team_id)
    people = await parts.roles.people(team_id, (Role.ADMIN, Role.APPROVER), directory)
    for user_id in sorted(people):
        try:
            lang = await user_language(parts.user_locales, client, team_id, user_id)
            with language(lang):
                cards = [anomaly_card(o) for o in opened]
            dm = await dm_channel(client, user_id)
            for card in cards:
                await pace(dm)
                await client.chat_postMessage(channel=dm, **card.as_kwargs())
        except SlackApiError as error:
            log.warning("spend alert not sent to %s: %s", user_id, error.response.get("error"))
