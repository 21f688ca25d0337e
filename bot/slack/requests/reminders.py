"""Reminders and escalation out of maintenance: each claimed by one process
(bot.services.requests.reminders), then told — a DM to each approver (a reminder) or admin
(the escalation), and one line in the card's thread. One refused post stops no other."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import language
from bot.i18n.formatting import number
from bot.services.requests.reminders import Due, Nudge
from bot.services.roles import Role
from bot.slack.blocks import slack_date
from bot.slack.clients import WorkspaceClients
from bot.slack.direct import dm_channel
from bot.slack.directory import ToleratingDirectory, workspace_owners
from bot.slack.locale import user_language
from bot.slack.parts import MaintenanceParts
from bot.slack.requests import reminder_texts as text
from bot.slack.requests.views import what

log = logging.getLogger(__name__)


async def send_due(parts: MaintenanceParts, clients: WorkspaceClients) -> None:
    for due in await parts.requests.nudges_due():
        client = await clients.for_team(due.request.team_id)
        if client is None:
            log.warning("no Slack token for team %s: reminder not sent", due.request.team_id)
            await parts.requests.release_nudge(due)
            continue
        try:
            delivered = await _tell(parts, client, due)
        except Exception:
            # Whatever went wrong with this one, the others claimed are still sent.
            log.exception("reminder of request %d not sent", due.request.id)
            delivered = False
        if delivered:
            await parts.requests.nudge_sent(due)
        else:
            await parts.requests.release_nudge(due)


async def _people(parts: MaintenanceParts, client: AsyncWebClient, due: Due) -> set[str]:
    request = due.request
    directory = ToleratingDirectory(client, team_id=request.team_id)
    if due.nudge is Nudge.REMIND:
        approvers = await parts.roles.people(request.team_id, (Role.APPROVER,), directory)
        # Who already approved, and the requester (who may not approve their own), need no
        # reminder.
        return approvers - {request.requester_id, *request.approvers}
    # The requester knows it waits: an admin who asked is not told of their own request.
    admins = await parts.roles.people(request.team_id, (Role.ADMIN,), directory)
    if admins - {request.requester_id}:
        return admins - {request.requester_id}
    # No other admin added: the workspace's owners are its admins. Slack not listing them
    # raises, so the escalation is released and sent on the next pass.
    return set(await workspace_owners(client, request.team_id)) - {request.requester_id}


def _message(due: Due, thread: bool) -> str:
    request = due.request
    hours = int(due.waited.total_seconds() // 3600)
    waited = text.waited(hours).format(count=number(hours))
    if thread:
        line = text.REMIND_THREAD if due.nudge is Nudge.REMIND else text.ESCALATE_THREAD
        return line.format(waited=waited)
    dm = text.REMIND_DM if due.nudge is Nudge.REMIND else text.ESCALATE_DM
    return dm.format(
        number=request.number,
        what=what(request),
        requester=request.requester_id,
        waited=waited,
        channel=f"<#{request.card_channel_id}>" if request.card_channel_id else text.NO_CHANNEL,
        expires=slack_date(request.expires_at),
    )


async def _tell(parts: MaintenanceParts, client: AsyncWebClient, due: Due) -> bool:
    """Tell it; False when there was someone to tell and nothing reached anyone (to be sent
    again on the next pass), True when something did or there is nobody to tell."""
    request, team_id = due.request, due.request.team_id
    channel, ts = request.card_channel_id, request.card_ts
    people = sorted(await _people(parts, client, due))  # before posting: it may fail
    delivered = tried = 0
    if channel and ts:
        with language(await parts.languages.for_channel(team_id, channel)):
            line = _message(due, thread=True)
        tried += 1
        try:
            await client.chat_postMessage(channel=channel, thread_ts=ts, text=line)
            delivered += 1
        except UNREACHED as error:
            log.warning("reminder not posted in %s: %s", channel, _why(error))
    for user_id in people:
        tried += 1
        try:
            lang = await user_language(parts.user_locales, client, team_id, user_id)
            with language(lang):
                message = _message(due, thread=False)
            await client.chat_postMessage(channel=await dm_channel(client, user_id), text=message)
            delivered += 1
        except UNREACHED as error:
            log.warning("reminder not sent to %s: %s", user_id, _why(error))
    return delivered > 0 or tried == 0


UNREACHED = (SlackApiError, aiohttp.ClientError, asyncio.TimeoutError)
"""Slack refused the post, or could not be reached: that person is not told this time."""


def _why(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error"))
    return type(error).__name__
