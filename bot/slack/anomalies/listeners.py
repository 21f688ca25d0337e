"""`/partner anomaly …`, and the feedback buttons of a spend-anomaly alert."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.clock import utcnow
from bot.i18n import current_language, language
from bot.i18n.formatting import number
from bot.money import format_money
from bot.services.errors import NotAllowed
from bot.slack.anomalies import texts as text
from bot.slack.anomalies.parsing import AnomalyCommand, ExportLedger, SetFloor
from bot.slack.anomalies.views import ACTIONS, judged_card
from bot.slack.context import SERVICES, Services, SlashCommand, workspace_of
from bot.slack.direct import dm_channel
from bot.slack.directory import SlackDirectory
from bot.slack.locale import channel_language
from bot.slack.membership import check_member
from bot.slack.minted import json_object
from bot.slack.replies import reply
from bot.slack.views.reply import plain_reply, refusal_reply


async def anomaly(parsed: AnomalyCommand, call: SlashCommand) -> None:
    services, team_id, user_id = call.services, call.team_id, call.user_id
    ledger = services.ledger
    if isinstance(parsed, SetFloor):
        if not await services.roles.is_admin(team_id, user_id, call.directory):
            raise NotAllowed(str(text.FLOOR_ADMINS_ONLY), str(text.ADMINS))
        await ledger.set_floor(team_id, parsed.floor, user_id)
        await reply(
            call.respond, plain_reply(text.FLOOR_SET.format(floor=format_money(parsed.floor)))
        )
        return
    if isinstance(parsed, ExportLedger):
        await _export(parsed, call)
        return
    floor = format_money(await ledger.floor(team_id))
    await reply(call.respond, plain_reply(text.FLOOR_SHOWN.format(floor=floor, usage=text.USAGE)))


async def _export(parsed: ExportLedger, call: SlashCommand) -> None:
    """The ledger as the replay reads it, to the asker alone, by direct message."""
    services, team_id, user_id = call.services, call.team_id, call.user_id
    await services.roles.require_manager(
        team_id, user_id, call.directory, str(text.FEEDBACK_ACTION)
    )
    product, days = parsed.product.label, parsed.days
    export = await services.incidents.export(team_id, parsed.product, days)
    if export.readings == 0:
        message = text.export_empty(days).format(product=product, count=number(days))
        await reply(call.respond, plain_reply(message))
        return
    opened = await dm_channel(call.client, user_id)
    await call.client.files_upload_v2(
        channel=opened,
        content=export.csv,
        filename=f"partner-ops-ledger-{parsed.product.value}-{utcnow():%Y%m%d}.csv",
        title=text.EXPORT_TITLE.format(product=product),
        initial_comment=text.export_comment(days).format(
            product=product,
            count=number(days),
            readings=number(export.readings),
            subaccounts=number(export.subaccounts),
        ),
    )
    await reply(call.respond, plain_reply(text.EXPORT_SENT.format(product=product)))


async def feedback(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
    context: dict[str, Any],
    directory: SlackDirectory,
) -> None:
    await ack()
    await check_member(context)
    services: Services = context[SERVICES]
    team_id, user_id = workspace_of(context), body["user"]["id"]
    ref = str(json_object(action["value"], "a spend alert button").get("r", ""))
    # Those the alert was sent to: admins and approvers.
    await services.roles.require_manager(team_id, user_id, directory, str(text.FEEDBACK_ACTION))
    verdict = await services.incidents.give_feedback(
        team_id, ref, ACTIONS[action["action_id"]], user_id
    )
    if verdict is None:
        await reply(respond, refusal_reply(text.INCIDENT_GONE))
        return
    if not verdict.given_now:
        await reply(respond, plain_reply(text.ALREADY_MARKED.format(user=verdict.by)))
        return
    original = body.get("message") or {}
    # In a channel the card stays in the channel's language; in a DM, the reader's.
    channel = (body.get("channel") or {}).get("id")
    is_dm = str(channel or "").startswith("D")
    lang = current_language() if is_dm else await channel_language(services, team_id, channel)
    with language(lang):
        judged = judged_card(original, verdict.feedback, verdict.by, verdict.at)
    await reply(respond, judged, replace=True)


def register(app: AsyncApp) -> None:
    for action_id in ACTIONS:
        app.action(action_id)(feedback)
