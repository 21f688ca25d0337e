"""Next/Previous on a subaccount list: rebuild the page from the live list, in place."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.runtime import Runtime
from bot.services.subaccounts import search_subaccounts
from bot.slack.error_handler import answers_errors
from bot.slack.listeners.replies import reply
from bot.slack.lookups.subaccount_views import PAGE_ACTION, ListPosition, subaccount_list_reply
from bot.slack.workspace_guard import workspace_of


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.action(re.compile(f"^{PAGE_ACTION}"))
    @answers_errors
    async def turn_page(
        ack: AsyncAck, action: dict[str, Any], context: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        # A failure is answered to the clicker by the app's error handler.
        position = ListPosition.decode(action["value"])
        team_id = workspace_of(context)  # the authorised workspace, never the payload's
        partner = await runtime.partner.subaccount_client(team_id, position.product)
        found = await search_subaccounts(partner, position.search)
        page = subaccount_list_reply(position.product, position.search, found, position.page)
        await reply(respond, page, replace=True)
