"""After a Partner key changed in Slack (saved in setup, or a replacement confirmed): the
requests made with the key it replaced are withdrawn, their requesters told by DM and their
cards redrawn (bot.services.requests.Requests.key_changed)."""

from __future__ import annotations

from collections.abc import Iterable

from slack_sdk.web.async_client import AsyncWebClient

from bot.partner.models import Product
from bot.slack.context import Services
from bot.slack.requests.notices import SlackRequestNotices


async def withdraw_for_new_keys(
    services: Services, client: AsyncWebClient, team_id: str, products: Iterable[Product]
) -> None:
    # Nobody acting is told here (no `answer`): the requesters get a DM, the cards redrawn.
    notices = SlackRequestNotices(client, speakers=services)
    for product in products:
        await services.requests.key_changed(team_id, product, notices)
