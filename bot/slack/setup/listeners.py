"""`/partner setup`: an admin enters each product's API key in a modal; every key is checked
with the vendor before any is saved, and a refused key is shown in the modal, not saved.
Replacing a key in use waits for an approver's confirmation (settings under four eyes)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.partner.models import Product
from bot.services import key_setup
from bot.services.errors import NotAllowed
from bot.slack.admin.change_listeners import ChangeNotifier
from bot.slack.admin.change_views import announcement
from bot.slack.blocks import form_text
from bot.slack.context import Services, SlashCommand, workspace_of
from bot.slack.directory import SlackDirectory
from bot.slack.errors import message_for
from bot.slack.modals import ack_working, open_loading, replace_working
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
    result = await _saved_or_refused(services, directory, team_id, user_id, entered, client)
    await replace_working(client, checking, result)
    await services.home_refresh.republish(services, client, team_id, [user_id])


def register(app: AsyncApp) -> None:
    app.view(SETUP_CALLBACK)(submitted)


async def _saved_or_refused(
    services: Services,
    directory: SlackDirectory,
    team_id: str,
    user_id: str,
    entered: dict[Product, str],
    client: AsyncWebClient,
) -> View:
    """The service decides (bot.services.key_setup); this shows the outcome, posts the cards
    of replacements that wait for an approver and tells the approvals channel."""
    setup = await key_setup.check_and_save(services, team_id, user_id, entered, directory)
    if setup.refused:
        statuses = await services.keys.statuses(team_id)
        refused = {product: message_for(error) for product, error in setup.refused.items()}
        return setup_modal(statuses, refused=refused)
    notifier = ChangeNotifier(services, client)
    waiting = [await notifier.post_card(p.change, p.channel_id) for p in setup.proposed]
    # Requests made with the keys these replace run with them or not at all.
    await withdraw_for_new_keys(
        services, client, team_id, [Product(str(change.subject)) for change in setup.applied]
    )
    for change in setup.applied:
        await notifier.announce(
            team_id, lambda change=change: announcement(user_id, change, set_up=change.loosens)
        )
    return setup_done_view(setup.saved, waiting=waiting)
