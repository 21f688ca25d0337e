"""`/partner recurring …`, `/partner auto-topup …`, and the Approve/Reject buttons of a
series' card."""

from __future__ import annotations

import logging
from datetime import time
from typing import Any, Protocol

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import utcnow
from bot.i18n import language
from bot.services.languages import Languages
from bot.services.recurring.model import Plan, Series, SeriesNotChangeable, SeriesState
from bot.services.recurring.schedule import Every, Frequency
from bot.services.recurring.service import Recurring
from bot.slack.context import SERVICES, Services, SlashCommand, workspace_of
from bot.slack.directory import SlackDirectory
from bot.slack.locale import channel_language, user_zone
from bot.slack.membership import check_member
from bot.slack.minted import record_number
from bot.slack.recurring import texts as text
from bot.slack.recurring.parsing import (
    AddAuto,
    AddSeries,
    ChangeSeries,
    ListSeries,
    OnSeries,
    RecurringCommand,
)
from bot.slack.recurring.views import APPROVE_ACTION, REJECT_ACTION, series_card, series_list
from bot.slack.replies import reply
from bot.slack.views.reply import plain_reply, refusal_reply

log = logging.getLogger(__name__)


class RecurringParts(Protocol):
    """What posting a card takes from the process (maintenance has no Services)."""

    @property
    def recurring(self) -> Recurring: ...

    @property
    def languages(self) -> Languages: ...


STEERS = {
    "pause": SeriesState.PAUSED,
    "resume": SeriesState.ACTIVE,
    "cancel": SeriesState.CANCELLED,
}
STEERED = {"pause": text.PAUSED, "resume": text.RESUMED, "cancel": text.CANCELLED}


async def recurring(parsed: RecurringCommand, call: SlashCommand) -> None:
    services, team_id, user_id = call.services, call.team_id, call.user_id
    recurring_ = services.recurring
    try:
        match parsed:
            case ListSeries(auto=auto):
                kind = "auto" if auto else "series"
                shown = [s for s in await recurring_.of_team(team_id) if s.kind == kind]
                await reply(call.respond, series_list(shown, utcnow()))
            case AddSeries() | AddAuto():
                await _add(parsed, call)
            case OnSeries(verb="approve", number=number):
                series, complete = await recurring_.approve(
                    team_id, number, user_id, call.directory
                )
                await _redraw(services, call.client, series)
                said = text.APPROVED if complete else text.APPROVAL_COUNTED
                await reply(call.respond, plain_reply(said.format(number=number)))
            case OnSeries(verb="reject", number=number):
                series = await recurring_.reject(team_id, number, user_id, call.directory)
                await _redraw(services, call.client, series)
                await reply(call.respond, plain_reply(text.CANCELLED.format(number=number)))
            case OnSeries(verb=verb, number=number):
                series = await recurring_.set_state(
                    team_id, number, user_id, STEERS[verb], call.directory
                )
                await _redraw(services, call.client, series)
                await reply(call.respond, plain_reply(STEERED[verb].format(number=number)))
            case ChangeSeries(number=number, amount=amount, until=until):
                series, applied = await recurring_.change(
                    team_id, number, user_id, call.directory, amount=amount, until=until
                )
                await _redraw(services, call.client, series)
                if applied:
                    await reply(call.respond, plain_reply(text.CHANGED.format(number=number)))
                else:
                    channel = series.card[0] if series.card else ""
                    said = text.RAISE_PROPOSED.format(number=number, channel=channel)
                    await reply(call.respond, plain_reply(said))
    except SeriesNotChangeable as refused:
        said = text.NOT_NOW.format(
            number=refused.series.number,
            state=text.STATE_WORDS[refused.series.state.value],
        )
        await reply(call.respond, refusal_reply(said))


async def _add(parsed: AddSeries | AddAuto, call: SlashCommand) -> None:
    services, team_id, user_id = call.services, call.team_id, call.user_id
    if isinstance(parsed, AddAuto):
        plan = Plan(
            parsed.product,
            parsed.ref,
            parsed.add,
            None,
            Frequency(Every.DAILY),
            time(0),
            "UTC",
            None,
            None,
        )
        series, channel = await services.recurring.propose(
            team_id,
            user_id,
            plan,
            call.directory,
            below=parsed.below,
            monthly_max=parsed.monthly_max,
        )
    else:
        zone = (
            parsed.zone
            or await user_zone(services.user_locales, call.client, team_id, user_id)
            or "UTC"
        )
        if parsed.until is not None and parsed.until < utcnow().date():
            await reply(
                call.respond, refusal_reply(text.UNTIL_PAST.format(until=parsed.until.isoformat()))
            )
            return
        plan = Plan(
            parsed.product,
            parsed.ref,
            parsed.amount,
            parsed.level,
            parsed.frequency,
            parsed.at,
            zone,
            parsed.until,
            parsed.reason,
        )
        series, channel = await services.recurring.propose(team_id, user_id, plan, call.directory)
    refused = await post_card(services, call.client, series, channel)
    if refused is not None:
        said = text.CARD_REFUSED.format(channel=channel, error=refused)
        await reply(call.respond, refusal_reply(said))
        return
    await reply(call.respond, plain_reply(text.SENT.format(number=series.number, channel=channel)))


async def post_card(
    services: Services | RecurringParts, client: AsyncWebClient, series: Series, channel: str
) -> str | None:
    """Post the series' approval card, once (the posting is claimed first); Slack's error when
    it refused the card, and the series is then withdrawn: a series nobody sees does not wait."""
    if not await services.recurring.claim_card(series.id):
        return None  # another process took it
    with language(await services.languages.for_channel(series.team_id, channel)):
        card = series_card(series, utcnow())
    try:
        posted = await client.chat_postMessage(channel=channel, **card.as_kwargs())
    except SlackApiError as refused:
        await services.recurring.withdraw(series.id)
        return str(refused.response.get("error") or "error")
    await services.recurring.set_card(series.id, channel, str(posted["ts"]))
    return None


async def _redraw(services: Services, client: AsyncWebClient, series: Series) -> None:
    """The card shows the series as it stands now, in its channel's language."""
    if series.card is None:
        return
    channel, ts = series.card
    with language(await channel_language(services, series.team_id, channel)):
        card = series_card(series, utcnow())
    try:
        await client.chat_update(channel=channel, ts=ts, **card.as_kwargs())
    except SlackApiError as error:  # the decision stands; the card is only its picture
        log.warning("recurring card not redrawn: %s", error.response.get("error"))


async def clicked(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: AsyncRespond,
    client: AsyncWebClient,
    context: dict[str, Any],
    directory: SlackDirectory,
) -> None:
    await ack()
    await check_member(context)
    services: Services = context[SERVICES]
    team_id, user_id = workspace_of(context), body["user"]["id"]
    number = record_number(action.get("value"), "a recurring series button")
    try:
        if action["action_id"] == APPROVE_ACTION:
            series, _complete = await services.recurring.approve(
                team_id, number, user_id, directory
            )
        else:
            series = await services.recurring.reject(team_id, number, user_id, directory)
    except SeriesNotChangeable as refused:
        said = text.NOT_NOW.format(
            number=number,
            state=text.STATE_WORDS[refused.series.state.value],
        )
        await reply(respond, refusal_reply(said))
        return
    await _redraw(services, client, series)


def register(app: AsyncApp) -> None:
    for action_id in (APPROVE_ACTION, REJECT_ACTION):
        app.action(action_id)(clicked)
