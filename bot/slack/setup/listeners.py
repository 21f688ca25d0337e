"""`/partner setup`: an admin enters each product's API key in a modal; every key is checked
with the vendor before any is saved, and a refused key is shown in the modal, not saved.
Replacing a key in use waits for an approver's confirmation (settings under four eyes)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.partner.errors import PartnerFailure
from bot.partner.models import Account, Product
from bot.services.errors import NotAllowed
from bot.services.settings_changes import Change, ChangeSnapshot, Route
from bot.slack.admin.change_listeners import ChangeNotifier
from bot.slack.admin.change_views import announcement
from bot.slack.blocks import form_text
from bot.slack.context import Services, SlashCommand, workspace_of
from bot.slack.directory import SlackDirectory
from bot.slack.error_handler import answers_errors
from bot.slack.errors import message_for
from bot.slack.modals import ack_working, open_loading, opens_first, replace_working
from bot.slack.permissions import is_workspace_admin
from bot.slack.requests.key_changes import withdraw_for_new_keys
from bot.slack.setup import texts as text
from bot.slack.setup.parsing import Setup
from bot.slack.setup.views import (
    KEY_ACTION,
    SETUP_CALLBACK,
    key_block_id,
    setup_done_view,
    setup_modal,
)

log = logging.getLogger(__name__)


@opens_first
async def open_setup(_parsed: Setup, call: SlashCommand) -> None:
    client, context = call.client, call.context
    # The trigger_id dies 3 s after the command: open first (in the language known for the
    # asker, else English), then check them (which sets their language) and look things up.
    modal = await open_loading(
        client, context, call.trigger_id, str(text.MODAL_TITLE), callback_id=SETUP_CALLBACK
    )
    if not await is_workspace_admin(client, call.user_id, call.team_id):
        raise NotAllowed(text.ADMINS_ONLY_ACTION, text.ADMINS_ONLY_WHO)  # shown in the modal
    statuses = await call.services.keys.statuses(call.team_id)
    await modal.show(client, setup_modal(statuses))


def entered_keys(view: dict[str, Any]) -> dict[Product, str]:
    entered = {}
    for product in Product:
        value = form_text(view, key_block_id(product), KEY_ACTION)
        if value:
            entered[product] = value
    return entered


async def submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
    services: Services,
    directory: SlackDirectory,
) -> None:
    user_id = body["user"]["id"]
    # The workspace Bolt authorised (whose token answers), never the payload's view.team_id.
    team_id = workspace_of(context)
    entered = entered_keys(view)
    if not entered:
        await ack(
            response_action="errors",
            errors={key_block_id(Product.SMS): str(text.NOTHING_ENTERED)},
        )
        return
    # The vendor may take longer than the 3 s Slack gives an ack: show "checking" now,
    # and the result when the answers are in. A refusal or an error is shown there too,
    # by the app's error handler (bot.slack.error_handler).
    checking = await ack_working(
        ack, context, str(text.CHECKING_TITLE), str(text.CHECKING), callback_id=SETUP_CALLBACK
    )
    # Checked again at submission: the modal could outlive the person's admin role.
    if not await is_workspace_admin(client, user_id, team_id):
        raise NotAllowed(text.ADMINS_ONLY_ACTION, text.ADMINS_ONLY_WHO)
    result = await check_and_save(services, directory, team_id, user_id, entered, client)
    await replace_working(client, checking, result)
    await services.home_refresh.republish(services, client, team_id, [user_id])


def register(app: AsyncApp) -> None:
    app.view(SETUP_CALLBACK)(answers_errors(submitted))


async def check_and_save(
    services: Services,
    directory: SlackDirectory,
    team_id: str,
    user_id: str,
    entered: dict[Product, str],
    client: AsyncWebClient,
) -> View:
    products = list(entered)
    answers = await asyncio.gather(
        *(services.partner.check_key(p, entered[p]) for p in products), return_exceptions=True
    )
    refused: dict[Product, str] = {}
    accounts: dict[Product, tuple[str, Account]] = {}
    for product, answer in zip(products, answers, strict=True):
        if isinstance(answer, PartnerFailure):
            refused[product] = message_for(answer)
        elif isinstance(answer, BaseException):
            raise answer
        else:
            accounts[product] = (entered[product], answer)
    if refused:
        # All or nothing: one bad key saves none, so nobody is left with a half-applied setup.
        statuses = await services.keys.statuses(team_id)
        return setup_modal(statuses, refused=refused)
    # Replacing a key loosens money control (whoever holds the new key's account gets the
    # moves): it waits for an approver's confirmation. Only a new workspace's first key is
    # saved at once (SettingsChanges.key_change says which is which).
    notifier = ChangeNotifier(services, client)
    at_once: dict[Product, tuple[str, Account]] = {}
    changes: list[Change] = []
    waiting: list[ChangeSnapshot] = []
    for product, (raw, account) in accounts.items():
        change = await services.settings_changes.key_change(team_id, product, raw)
        current = await services.keys.key(team_id, product)
        unchanged = current is not None and current.get_secret_value() == raw
        route = await services.settings_changes.route(team_id, user_id, change, directory)
        if unchanged or route is Route.AT_ONCE:
            at_once[product] = (raw, account)
            if not unchanged:
                changes.append(change)
            continue
        proposed = await services.settings_changes.propose(team_id, user_id, change)
        channel = (await services.policies.get(team_id)).approvals_channel_id
        assert channel is not None
        waiting.append(await notifier.post_card(proposed, channel))
    if at_once:
        await services.keys.save(team_id, {p: raw for p, (raw, _) in at_once.items()}, user_id)
        log.info(
            "partner keys saved for team %s by %s: %s",
            team_id,
            user_id,
            ", ".join(p.value for p in at_once),
        )
    # Requests made with the keys these replace run with them or not at all.
    await withdraw_for_new_keys(
        services, client, team_id, [Product(str(change.subject)) for change in changes]
    )
    for change in changes:
        await notifier.announce(
            team_id, lambda change=change: announcement(user_id, change, set_up=change.loosens)
        )
    if waiting:
        log.info(
            "partner key replacements for team %s by %s wait for confirmation: %s",
            team_id,
            user_id,
            ", ".join(str(c.subject) for c in waiting),
        )
    return setup_done_view(at_once, waiting=waiting)
