"""The over-cap notice out of the worker: a capped subaccount a reading finds over its cap
(credit from outside the app: the app's adds never go over it) is told once in the alerts
channel, in its language, with *Sweep the excess* and *Freeze*."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import language
from bot.services.subaccount_controls import Control
from bot.slack.controls.views import over_cap_notice
from bot.slack.parts import SchedulerParts

log = logging.getLogger(__name__)


async def announce_over_cap(
    parts: SchedulerParts,
    client: AsyncWebClient,
    pace: Callable[[str], Awaitable[None]],
    team_id: str,
    over: Sequence[tuple[Control, Decimal]],
) -> None:
    channel_id = (await parts.alerts.config(team_id)).channel_id
    if channel_id is None:
        log.info("%d subaccount(s) over their cap: no alerts channel to tell", len(over))
        return
    with language(await parts.languages.for_channel(team_id, channel_id)):
        notices = [over_cap_notice(control, balance) for control, balance in over]
    for notice in notices:
        await pace(channel_id)
        try:
            await client.chat_postMessage(channel=channel_id, **notice.as_kwargs())
        except SlackApiError as error:
            log.warning("over-cap notice not posted: %s", error.response.get("error"))
