"""`/partner`: acknowledge at once, parse, run the subcommand, reply to the asker."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import use_language
from bot.runtime import Runtime
from bot.services.balances import read_balances
from bot.services.subaccounts import find_subaccount, search_subaccounts
from bot.slack.commands import (
    AlertCommand,
    Balance,
    Command,
    CommandError,
    CreateSubaccount,
    CreditMove,
    DeleteSubaccount,
    DigestCommand,
    DigestSubscribe,
    ExportAudit,
    Help,
    Language,
    ListSubaccounts,
    ManageRole,
    MyRequests,
    PendingApprovals,
    SetAlert,
    SetApprovalsChannel,
    SetPolicy,
    Setup,
    ShowAudit,
    ShowPolicy,
    ShowSubaccount,
    parse_command,
)
from bot.slack.context import SlashCommand
from bot.slack.error_handler import answers_errors
from bot.slack.language import set_language
from bot.slack.listeners import admin, alerts, digests, requesting
from bot.slack.listeners.replies import reply
from bot.slack.listeners.setup import open_setup
from bot.slack.locale import user_language
from bot.slack.text import escape, from_slack
from bot.slack.views.balance import balance_reply
from bot.slack.views.help import help_reply
from bot.slack.views.subaccounts import subaccount_detail_reply, subaccount_list_reply
from bot.slack.workspace_guard import workspace_of

log = logging.getLogger(__name__)


def register(app: AsyncApp, runtime: Runtime) -> None:
    @app.command("/partner")
    @answers_errors
    async def partner(
        ack: AsyncAck,
        command: dict[str, Any],
        respond: AsyncRespond,
        client: AsyncWebClient,
        context: dict[str, Any],
    ) -> None:
        await ack()
        try:
            # The one door: Slack's formatting off, back to what was typed (bot.slack.text).
            parsed = parse_command(from_slack(command.get("text") or ""))
        except CommandError as error:
            await reply(respond, help_reply(prefix=error.message))
            return
        # A refusal or failure raised from here is answered to the asker by the app's error
        # handler (bot.slack.error_handler).
        await run(parsed, runtime, command, respond, client, context)


async def run(
    parsed: Command,
    runtime: Runtime,
    command: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    context: dict[str, Any],
) -> None:
    # The workspace Bolt authorised (bot.slack.workspace_guard), never the payload's team_id.
    team_id = workspace_of(context)
    match parsed:
        case Help():
            await reply(respond, help_reply())
        case Setup():
            await open_setup(runtime, client, command, context)
        case Balance(product=product):
            use_language(
                await user_language(runtime.user_locales, client, team_id, command["user_id"])
            )
            readings = await read_balances(runtime.partner, team_id, product)
            await reply(respond, balance_reply(readings))
        case ListSubaccounts(product=product, search=search):
            partner = await runtime.partner.subaccount_client(team_id, product)
            found = await search_subaccounts(partner, search)
            await reply(respond, subaccount_list_reply(product, search, found, page=1))
        case ShowSubaccount(product=product, ref=ref):
            partner = await runtime.partner.subaccount_client(team_id, product)
            subaccount = await find_subaccount(partner, ref)
            await reply(respond, subaccount_detail_reply(product, subaccount))
        case (
            CreditMove()
            | CreateSubaccount()
            | DeleteSubaccount()
            | PendingApprovals()
            | MyRequests()
        ):
            await requesting.run(parsed, runtime, command, respond, client, team_id)
        case (
            ManageRole()
            | SetApprovalsChannel()
            | ShowPolicy()
            | SetPolicy()
            | ShowAudit()
            | ExportAudit()
        ):
            await admin.run(parsed, runtime, command, respond, client, team_id)
        case DigestSubscribe() | DigestCommand():
            await digests.run(parsed, runtime, command, respond, client, team_id)
        case SetAlert() | AlertCommand():
            await alerts.run(parsed, runtime, command, respond, client, team_id)
        case Language():
            await set_language(parsed, SlashCommand(command, respond, client, context))
        case _:  # pragma: no cover - parse_command returns only the types above
            raise AssertionError(f"unhandled command {escape(type(parsed).__name__)}")
