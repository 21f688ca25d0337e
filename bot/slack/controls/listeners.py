"""`/partner freeze|unfreeze|cap`, and the Freeze and *Sweep the excess* buttons (on a spend
alert, an over-cap notice, the Home). Freezing and a tighter cap apply at once; unfreezing and
a looser cap are setting changes a second approver confirms (`gated`)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import utcnow
from bot.i18n import current_language, language
from bot.money import format_money
from bot.partner.models import Product
from bot.services.errors import NotAllowed
from bot.services.settings_changes import Change, Setting
from bot.services.subaccount_controls import subject_of
from bot.services.sweeping import Swept
from bot.slack.admin.change_listeners import ChangeNotifier, gated
from bot.slack.blocks import escape
from bot.slack.context import SERVICES, Services, SlashCommand, workspace_of
from bot.slack.controls import texts as text
from bot.slack.controls import views
from bot.slack.controls.parsing import Freeze, ListControls, SetCap, Unfreeze
from bot.slack.direct import dm_channel
from bot.slack.directory import SlackDirectory
from bot.slack.locale import channel_language
from bot.slack.membership import check_member
from bot.slack.minted import Garbled, json_object
from bot.slack.replies import reply
from bot.slack.views.reply import Reply, plain_reply


async def _may_control(
    services: Services, team_id: str, user_id: str, directory: SlackDirectory, action: object
) -> None:
    """Approvers and admins: those a spend alert goes to."""
    if not await services.roles.is_manager(team_id, user_id, directory):
        raise NotAllowed(str(action), str(text.WHO))


# --- the commands -------------------------------------------------------------------------------


async def freeze(parsed: Freeze, call: SlashCommand) -> None:
    services, team_id = call.services, call.team_id
    await _may_control(services, team_id, call.user_id, call.directory, text.FREEZE_ACTION)
    swept = await services.sweeping.freeze(team_id, parsed.product, parsed.ref, call.user_id)
    await reply(call.respond, views.frozen_reply(swept))
    await _tell_approvers(services, call.client, team_id, call.user_id, swept, freeze=True)


async def unfreeze(parsed: Unfreeze, call: SlashCommand) -> None:
    await _may_control(
        call.services, call.team_id, call.user_id, call.directory, text.UNFREEZE_ACTION
    )
    answer = await _ask_unfreeze(
        call.services, call.client, call.team_id, call.user_id, call.directory, parsed
    )
    await reply(call.respond, answer)


async def _ask_unfreeze(
    services: Services,
    client: AsyncWebClient,
    team_id: str,
    user_id: str,
    directory: SlackDirectory,
    parsed: Unfreeze,
) -> Reply:
    """Unfreezing loosens control: a setting change a second approver confirms (at once only
    when nobody could, and a workspace admin asks: bot.services.settings_changes)."""
    found = await services.sweeping.find(team_id, parsed.product, parsed.ref)
    control = await services.controls.get(team_id, parsed.product, found.token)
    if control is None or not control.frozen:
        return plain_reply(text.NOT_FROZEN.format(subaccount=escape(found.email)))
    change = Change(
        Setting.SUBACCOUNT_FROZEN, True, False, subject=control.subject, label=control.email
    )

    async def now() -> Reply:
        await services.controls.unfreeze(team_id, parsed.product, found.token, found.email, user_id)
        return plain_reply(text.UNFROZEN.format(subaccount=escape(found.email)))

    return await gated(services, client, team_id, user_id, change, directory, now)


async def cap(parsed: SetCap | ListControls, call: SlashCommand) -> None:
    services, team_id, user_id = call.services, call.team_id, call.user_id
    if isinstance(parsed, ListControls):
        listed = await services.controls.of_team(team_id, parsed.product)
        await reply(call.respond, plain_reply(views.controls_list(listed)))
        return
    await _may_control(services, team_id, user_id, call.directory, text.CAP_ACTION)
    product = parsed.product
    found = await services.sweeping.find(team_id, product, parsed.ref)
    control = await services.controls.get(team_id, product, found.token)
    old = control.cap if control is not None else None
    if old == parsed.cap:
        await reply(call.respond, plain_reply(text.CAP_SAME.format(subaccount=escape(found.email))))
        return
    change = Change(
        Setting.SUBACCOUNT_CAP,
        old,
        parsed.cap,
        subject=subject_of(product, found.token),
        label=found.email,
    )

    async def now() -> Reply:
        written = await services.controls.set_cap(
            team_id, product, found.token, found.email, parsed.cap, user_id
        )
        if written.cap is None:
            return plain_reply(text.CAP_REMOVED.format(subaccount=escape(found.email)))
        return views.cap_set_reply(written, found.balance)

    answer = await gated(services, call.client, team_id, user_id, change, call.directory, now)
    await reply(call.respond, answer)


# --- the buttons --------------------------------------------------------------------------------


def _target(action: dict[str, Any]) -> tuple[Product, str]:
    what = "a freeze or sweep button"
    value = json_object(action.get("value"), what)
    try:
        return Product(str(value.get("p"))), str(value["t"])
    except (KeyError, ValueError):
        raise Garbled(what) from None


async def freeze_clicked(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict[str, Any],
    directory: SlackDirectory,
) -> None:
    await ack()
    await check_member(context)
    services: Services = context[SERVICES]
    team_id, user_id = workspace_of(context), body["user"]["id"]
    await _may_control(services, team_id, user_id, directory, text.FREEZE_ACTION)
    product, token = _target(action)
    swept = await services.sweeping.freeze(team_id, product, token, user_id)
    await _answer(client, respond, body, user_id, views.frozen_reply(swept))
    at = utcnow()
    await _mark_card(
        services, respond, body, team_id, lambda: views.frozen_note(user_id, at, swept)
    )
    await _tell_approvers(services, client, team_id, user_id, swept, freeze=True)


async def unfreeze_clicked(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict[str, Any],
    directory: SlackDirectory,
) -> None:
    await ack()
    await check_member(context)
    services: Services = context[SERVICES]
    team_id, user_id = workspace_of(context), body["user"]["id"]
    await _may_control(services, team_id, user_id, directory, text.UNFREEZE_ACTION)
    product, token = _target(action)
    answer = await _ask_unfreeze(
        services, client, team_id, user_id, directory, Unfreeze(product, token)
    )
    await _answer(client, respond, body, user_id, answer)


async def sweep_clicked(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: dict[str, Any],
    directory: SlackDirectory,
) -> None:
    await ack()
    await check_member(context)
    services: Services = context[SERVICES]
    team_id, user_id = workspace_of(context), body["user"]["id"]
    await _may_control(services, team_id, user_id, directory, text.SWEEP_ACTION)
    product, token = _target(action)
    swept = await services.sweeping.sweep_excess(team_id, product, token, user_id)
    if swept is None:
        found = await services.sweeping.find(team_id, product, token)
        message = plain_reply(text.NO_CAP.format(subaccount=escape(found.email)))
        await _answer(client, respond, body, user_id, message)
        return
    if not swept.removals:
        assert swept.control.cap is not None
        message = plain_reply(
            text.UNDER_CAP.format(
                subaccount=escape(swept.control.email),
                balance=format_money(swept.balance or Decimal(0)),
                cap=format_money(swept.control.cap),
            )
        )
        await _answer(client, respond, body, user_id, message)
        return
    await _answer(client, respond, body, user_id, views.swept_reply(swept))
    await _tell_approvers(services, client, team_id, user_id, swept, freeze=False)
    at = utcnow()
    await _mark_card(services, respond, body, team_id, lambda: views.swept_note(user_id, at, swept))


async def _tell_approvers(
    services: Services,
    client: AsyncWebClient,
    team_id: str,
    user_id: str,
    swept: Swept,
    *,
    freeze: bool,
) -> None:
    """One person acted alone: the approvals channel hears of it (in its language), and the
    Homes that list frozen and capped subaccounts are published again."""
    if freeze or swept.removals:
        await ChangeNotifier(services, client).announce(
            team_id, lambda: views.announcement(user_id, swept, freeze=freeze)
        )
    services.home_refresh.settings_changed(services, client, team_id)


async def _answer(
    client: AsyncWebClient,
    respond: AsyncRespond,
    body: dict[str, Any],
    user_id: str,
    message: Reply,
) -> None:
    """To the clicker alone: ephemeral under a message, by DM from the Home (no response_url)."""
    if body.get("response_url"):
        await reply(respond, message)
        return
    channel = await dm_channel(client, user_id)
    await client.chat_postMessage(channel=channel, **message.as_kwargs())


async def _mark_card(
    services: Services,
    respond: AsyncRespond,
    body: dict[str, Any],
    team_id: str,
    note: Callable[[], str],
) -> None:
    """The card the button was on, for everyone who sees it: its buttons replaced by what was
    done (in the channel's language; in a DM, the reader's)."""
    original = body.get("message")
    channel = (body.get("channel") or {}).get("id")
    if not original or not channel or not body.get("response_url"):
        return  # the Home: republished instead
    is_dm = str(channel).startswith("D")
    lang = current_language() if is_dm else await channel_language(services, team_id, channel)
    with language(lang):
        card = views.acted_card(original, note())
    await reply(respond, card, replace=True)


def register(app: AsyncApp) -> None:
    app.action(views.FREEZE_ACTION)(freeze_clicked)
    app.action(views.SWEEP_ACTION)(sweep_clicked)
    app.action(views.UNFREEZE_ACTION)(unfreeze_clicked)
