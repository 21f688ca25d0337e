"""Checking a reading against the alert thresholds and posting what fires: one way for the
hourly round, a round on demand (the console's `round`) and a threshold just set."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import language
from bot.partner.models import Product
from bot.services.alerts import ThresholdCrossed
from bot.services.roles import Role, SubjectKind
from bot.services.snapshots import Reading
from bot.slack.alerts.views import alert_replies
from bot.slack.parts import SchedulerParts

log = logging.getLogger(__name__)

Pace = Callable[[str], Awaitable[None]]
"""Waits for a channel's turn (bot.slack.scheduler.ChannelPacer.wait)."""


async def check_and_post(
    parts: SchedulerParts,
    client: AsyncWebClient | None,
    team_id: str,
    product: Product,
    reading: Reading,
    pace: Pace,
) -> list[ThresholdCrossed]:
    """Record the levels the reading shows and post what fires in the alerts channel, in its
    language; returns what fired (posted or not: levels are tracked without a channel)."""
    if reading.account is None:
        return []
    alerts = parts.alerts
    config = await alerts.config(team_id)
    crossings = await alerts.evaluate(
        team_id, product, reading.account.balance, reading.subaccounts, config
    )
    if not crossings or config.channel_id is None or client is None:
        return crossings
    admins = [
        a.id for a in await parts.roles.members(team_id, Role.ADMIN) if a.kind is SubjectKind.USER
    ]
    with language(await parts.languages.for_channel(team_id, config.channel_id)):
        messages = alert_replies(crossings, admins)
    for message in messages:
        await pace(config.channel_id)
        try:
            await client.chat_postMessage(channel=config.channel_id, **message.as_kwargs())
        except SlackApiError as error:
            log.warning(
                "alert not posted in %s: %s", config.channel_id, error.response.get("error")
            )
    return crossings
