"""`/partner alert …`, and the buttons on an alert: Request top-up and Snooze 24 h."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import language
from bot.i18n.formatting import number
from bot.money import InvalidAmount, format_money, parse_user_amount
from bot.partner.models import Product, Subaccount
from bot.services.alerts import MAIN, Alerts, Scope
from bot.services.errors import NotAllowed
from bot.services.requests import Action, Ask
from bot.services.roles import Roles
from bot.services.subaccounts import find_subaccount
from bot.slack.alerts import texts as text
from bot.slack.alerts.checking import check_and_post
from bot.slack.alerts.parsing import AlertCommand, SetAlert
from bot.slack.alerts.views import (
    SNOOZE_ACTION,
    TOPUP_ACTIONS,
    TOPUP_CALLBACK,
    alert_list,
    snoozed_reply,
    threshold_what,
    topup_modal,
)
from bot.slack.blocks import escape, form_text
from bot.slack.context import SERVICES, Services, SlashCommand, workspace_of
from bot.slack.directory import SlackDirectory
from bot.slack.locale import channel_language
from bot.slack.membership import check_member
from bot.slack.minted import json_object
from bot.slack.modals import open_first
from bot.slack.permissions import require_bot_in_channel
from bot.slack.replies import DirectReply, Ephemeral, reply
from bot.slack.requests.notices import SlackRequestNotices
from bot.slack.views.reply import plain_reply

log = logging.getLogger(__name__)


async def alert(parsed: SetAlert | AlertCommand, call: SlashCommand) -> None:
    """Every verb of `/partner alert`: the list for anyone, the rest for admins; the replies
    in the asker's language."""
    services, client, respond, team_id = call.services, call.client, call.respond, call.team_id
    user_id, channel_id = call.user_id, call.channel_id
    alerts = services.alerts
    if isinstance(parsed, AlertCommand) and parsed.verb == "list":
        await reply(respond, alert_list(await alerts.config(team_id)))
        return
    if not await services.roles.is_admin(team_id, user_id, call.directory):
        raise NotAllowed(str(text.ADMINS_ONLY), str(text.ADMINS))
    if isinstance(parsed, AlertCommand):
        await require_bot_in_channel(client, channel_id)
        await alerts.set_channel(team_id, channel_id, user_id)
        await reply(respond, plain_reply(text.CHANNEL_SET.format(channel=channel_id)))
        return
    scope = Scope(parsed.scope)
    subaccount = None
    if scope is Scope.SUBACCOUNT:
        assert parsed.ref is not None
        client_for = await services.partner.subaccount_client(team_id, parsed.product)
        subaccount = await find_subaccount(client_for, parsed.ref)
    elif scope is Scope.SUBACCOUNTS:
        await services.partner.subaccount_client(team_id, parsed.product)  # has subaccounts?
    await alerts.set_threshold(
        team_id,
        parsed.product,
        scope,
        parsed.warn,
        user_id,
        critical=parsed.critical,
        subaccount=subaccount,
    )
    message = text.THRESHOLD_SET.format(
        what=threshold_what(parsed.product, scope, subaccount.email if subaccount else None),
        warn=format_money(parsed.warn),
        critical=text.CRITICAL.format(critical=format_money(parsed.critical))
        if parsed.critical is not None
        else "",
    )
    message += await _check_now(call, parsed.product, scope, subaccount)
    await reply(respond, plain_reply(message))


async def _check_now(
    call: SlashCommand, product: Product, scope: Scope, subaccount: Subaccount | None
) -> str:
    """A threshold set under the balance says so at once, and alerts now rather than at the
    next hourly round: the same reading and check as that round (bot.slack.alerts.checking).
    Returns what to add to the reply."""
    services, team_id = call.services, call.team_id
    config = await services.alerts.config(team_id)
    if product not in await services.partner.configured_products(team_id):
        # Kept for when a key is saved: nothing to read yet, and nothing went wrong.
        return "" if config.channel_id else str(text.NO_CHANNEL_YET)
    reading = await services.snapshots.read(team_id, product, "hourly")
    fired = await check_and_post(
        services, call.client, team_id, product, reading, services.turns.wait
    )
    config = await services.alerts.config(team_id)
    said = ""
    if reading.account is not None:
        below = config.below_now(
            product,
            scope,
            reading.account.balance,
            reading.subaccounts,
            subaccount.token if subaccount else MAIN,
        )
        if scope is Scope.SUBACCOUNTS and below:
            said += text.already_below(len(below)).format(count=number(len(below)))
        elif below:
            [(label, balance)] = below
            said += text.ALREADY_BELOW.format(
                what=escape(label) if label else str(text.THE_MAIN_ACCOUNT),
                balance=format_money(balance),
            )
    if config.channel_id is None:
        said += str(text.NO_CHANNEL_YET)
    elif fired:
        said += text.ALERTED_NOW.format(channel=config.channel_id)
    return said


async def top_up(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
) -> None:
    await ack()
    subject = json_object(action["value"], "an alert button")

    def form() -> View:
        # Built once the clicker is checked: in their language, which the check set.
        return topup_modal(
            Product(subject["p"]), subject["s"], subject.get("e", ""), subject.get("a")
        )

    await open_first(
        client,
        context,
        body["trigger_id"],
        str(text.TOPUP_TITLE),
        form,
        callback_id=TOPUP_CALLBACK,
    )


async def top_up_submitted(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: dict[str, Any],
    services: Services,
    directory: SlackDirectory,
) -> None:
    team_id, user_id = workspace_of(context), body["user"]["id"]
    try:
        amount = parse_user_amount(form_text(view, "amount"))
    except InvalidAmount as error:
        await ack(response_action="errors", errors={"amount": str(error)})
        return
    await ack()
    await check_member(context)
    reason = form_text(view, "reason")
    metadata = json.loads(view.get("private_metadata") or "{}")
    # The same service call as `/partner credit add`: the same policy, the same "you asked for
    # the same thing moments ago" question, the same card. The form is closed: the answers go
    # by DM, a refusal or failure too (by the app's error handler, bot.slack.error_handler).
    ask = Ask(Action.CREDIT_ADD, Product(metadata["p"]), reason or None, metadata["t"], amount)
    notices = SlackRequestNotices(
        client, Ephemeral(DirectReply(client, user_id)), speakers=services
    )
    await services.requests.ask(team_id, user_id, ask, directory, notices)


async def snooze(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
    context: dict[str, Any],
    alerts: Alerts,
    roles: Roles,
    directory: SlackDirectory,
    client: AsyncWebClient,
) -> None:
    await ack()
    await check_member(context)
    subject = json_object(action["value"], "an alert button")
    product = Product(subject["p"])
    team_id, user_id = workspace_of(context), body["user"]["id"]
    # A snooze silences the alert for everyone: the same people as set alerts.
    if not await roles.is_admin(team_id, user_id, directory):
        raise NotAllowed(str(text.SNOOZE_ADMINS_ONLY), str(text.ADMINS))
    until = await alerts.snooze(team_id, product, subject["s"], user_id)
    what = subject.get("e") or product.label
    original = body.get("message") or {}
    # The alert stays in the channel: its note in the channel's language, as the alert is.
    channel_id = (body.get("channel") or {}).get("id")
    with language(await channel_language(context[SERVICES], team_id, channel_id)):
        replaced = snoozed_reply(original, what, until, user_id)
    await reply(respond, replaced, replace=True)


def register(app: AsyncApp) -> None:
    app.action(TOPUP_ACTIONS)(top_up)
    app.view(TOPUP_CALLBACK)(top_up_submitted)
    app.action(SNOOZE_ACTION)(snooze)
