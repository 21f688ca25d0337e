"""`/partner help`, `balance`, `subaccounts`, `subaccount <ref>`, and Next/Previous on a
subaccount list (the page rebuilt from the live list, in place)."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.balances import read_balances
from bot.services.partner_access import PartnerAccess
from bot.services.subaccounts import find_subaccount, search_subaccounts
from bot.slack.context import SlashCommand, workspace_of
from bot.slack.controls.views import with_controls
from bot.slack.lookups.balance_views import balance_reply
from bot.slack.lookups.help_views import help_reply
from bot.slack.lookups.parsing import Balance, Help, ListSubaccounts, ShowSubaccount
from bot.slack.lookups.subaccount_views import (
    PAGE_ACTION,
    ListPosition,
    subaccount_detail_reply,
    subaccount_list_reply,
)
from bot.slack.membership import check_member
from bot.slack.replies import reply


async def show_help(_parsed: Help, call: SlashCommand) -> None:
    await reply(call.respond, help_reply())


async def show_balance(parsed: Balance, call: SlashCommand) -> None:
    readings = await read_balances(call.services.partner, call.team_id, parsed.product)
    await reply(call.respond, balance_reply(readings))


async def list_subaccounts(parsed: ListSubaccounts, call: SlashCommand) -> None:
    partner = await call.services.partner.subaccount_client(
        call.team_id, parsed.product, for_display=True
    )
    found = await search_subaccounts(partner, parsed.search)
    await reply(call.respond, subaccount_list_reply(parsed.product, parsed.search, found, page=1))


async def show_subaccount(parsed: ShowSubaccount, call: SlashCommand) -> None:
    partner = await call.services.partner.subaccount_client(
        call.team_id, parsed.product, for_display=True
    )
    subaccount = await find_subaccount(partner, parsed.ref)
    shown = subaccount_detail_reply(parsed.product, subaccount)
    if parsed.product.has_subaccounts:
        token = subaccount.token
        control = await call.services.controls.get(call.team_id, parsed.product, token)
        shown = with_controls(shown, parsed.product, token, subaccount.balance, control)
    await reply(call.respond, shown)


async def turn_page(
    ack: AsyncAck,
    action: dict[str, Any],
    body: dict[str, Any],
    context: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    partner: PartnerAccess,
) -> None:
    await ack()
    await check_member(context)
    team_id = workspace_of(context)  # the authorised workspace, never the payload's
    # The page is the clicker's own (ephemeral), in their language; so is a failure, answered
    # by the app's error handler.
    position = ListPosition.decode(action["value"])
    client = await partner.subaccount_client(team_id, position.product, for_display=True)
    found = await search_subaccounts(client, position.search)
    page = subaccount_list_reply(position.product, position.search, found, position.page)
    await reply(respond, page, replace=True)


def register(app: AsyncApp) -> None:
    app.action(re.compile(f"^{PAGE_ACTION}"))(turn_page)
