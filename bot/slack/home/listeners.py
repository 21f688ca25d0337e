"""The Home tab's own listeners: publishing it when opened, its Set up button, and its
Settings buttons (a form read as the typed `/partner` command it stands for, handled by that
command's own handler from the table: same checks, same four eyes, same audit).

Approve, Reject and Cancel on the Home are the request card's buttons, handled by the card's
listeners (bot.slack.requests.deciding): nothing about deciding lives here.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.commands import CommandError
from bot.slack.context import Services, SlashCommand, workspace_of
from bot.slack.directory import SlackDirectory
from bot.slack.home.publisher import HomePublisher
from bot.slack.home.settings_edit import (
    EDIT_ACTION,
    EDIT_CALLBACK,
    VALUE,
    FormError,
    command_of,
    edit_modal,
    edit_title,
    item_of,
)
from bot.slack.home.views import SETUP_ACTION
from bot.slack.membership import Belonging, belonging, check_member
from bot.slack.modals import open_first
from bot.slack.partner_command import (
    ADMINS,
    ALERT,
    APPROVALS_CHANNEL,
    APPROVERS,
    DIGEST,
    POLICY,
    Subcommand,
)
from bot.slack.replies import DirectReply
from bot.slack.setup.listeners import open_setup
from bot.slack.setup.parsing import Setup

log = logging.getLogger(__name__)

FORMS: dict[str, Subcommand] = {
    "approvers": APPROVERS,
    "admins": ADMINS,
    "policy": POLICY,
    "approvals-channel": APPROVALS_CHANNEL,
    "alerts-channel": ALERT,
    "digest": DIGEST,
}
"""The table entry whose handler takes each Settings form's command."""


async def home_opened(
    event: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    services: Services,
    directory: SlackDirectory,
) -> None:
    # The Messages and About tabs send this event too: only the Home is ours to draw.
    if event.get("tab", "home") != "home" or context.team_id is None:
        return
    # Nobody acts in an event, so the guard made no membership check for it: the Home shows
    # the workspace's balances, for its members and guests only (bot.slack.membership).
    user = await directory.user(event["user"])
    if belonging(user, context.team_id, context.enterprise_id) is Belonging.STRANGER:
        log.info("no Home for a user outside the workspace")
        return
    await HomePublisher(services, client).publish(context.team_id, event["user"], opened=True)


async def open_setup_from_home(
    ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient
) -> None:
    await ack()  # the member is checked once the modal is open (bot.slack.modals)
    # The same modal as `/partner setup` (admins only, checked there), from the click's trigger.
    call = SlashCommand(
        user_id=body["user"]["id"],
        channel_id="",
        trigger_id=body["trigger_id"],
        respond=context.respond,
        client=client,
        context=context,
    )
    await open_setup(Setup(), call)


async def open_setting_form(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
) -> None:
    await ack()  # the member is checked once the modal is open (bot.slack.modals)
    item = action["value"]
    # "Loading…" in the language known for them, the form in theirs once checked.
    await open_first(
        client,
        context,
        body["trigger_id"],
        edit_title(item),
        lambda: edit_modal(item),
        callback_id=EDIT_CALLBACK,
    )


async def setting_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    services: Services,
) -> None:
    # Before the ack, in the language already known for them (set by the workspace guard):
    # no Slack call may hold up a form's answer.
    team_id, user_id = workspace_of(context), body["user"]["id"]
    item = item_of(view)
    try:
        form = command_of(item, view)
    except FormError as empty:
        await ack(response_action="errors", errors={empty.block_id: empty.message})
        return
    except CommandError as refused:  # a typed value the command's parser refuses
        await ack(response_action="errors", errors={VALUE: refused.message})
        return
    await ack()
    await check_member(context)
    # As if typed in the chosen channel; the answer (or a refusal, by the error handler) by DM.
    call = SlashCommand(
        user_id=user_id,
        channel_id=form.channel_id,
        trigger_id="",
        respond=DirectReply(client, user_id),
        client=client,
        context=context,
    )
    await FORMS[item].handle(form.command, call)
    await HomePublisher(services, client).republish(team_id, [user_id])


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(home_opened)
    app.action(SETUP_ACTION)(open_setup_from_home)
    app.action(EDIT_ACTION)(open_setting_form)
    app.view(EDIT_CALLBACK)(setting_submitted)
