"""The language a Slack reader gets: a user's from their Slack locale (users.info with
`include_locale`, cached per process by `UserLocales`), a channel's from what an admin set
(`/partner language fr|en [here]`, bot.services.languages).

Every command, click and modal submission already runs in the acting user's language: the
membership check after the ack (bot.slack.workspace_guard.MemberGate) asks users.info with
`include_locale` while this process does not know the user's language, feeds `UserLocales`, and
sets it for the listener's task — no Slack call of its own, and before a `/partner` command is
parsed, so its refusals speak it too. Before the ack (a form's errors), the language is the
one `UserLocales` knows, else English. So a listener needs nothing for what the actor sees;
for someone else or a channel:

    use_language(await user_language(services.user_locales, client, team_id, user_id))  # a DM
    with language(await channel_language(services, team_id, channel_id)):               # a card
        ...

`use_language` holds for the rest of the listener's task (Bolt runs each listener in a task of
its own), so the error handler's answer, rendered after the listener raised, speaks it too.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import DEFAULT, normalise, use_language
from bot.services.languages import UserLocales
from bot.slack.context import Services, SlashCommand

log = logging.getLogger(__name__)

__all__ = ["channel_language", "command_language", "use_language", "user_language", "user_zone"]


async def user_language(
    locales: UserLocales, client: AsyncWebClient, team_id: str, user_id: str
) -> str:
    """`fr` for a user whose Slack locale is French (`fr-FR`, `fr-CA`…), else `en`. When
    Slack cannot tell (an error, a stranger), English, not a failed request."""
    known = locales.get(team_id, user_id)
    if known is not None:
        return known
    try:
        answer = await client.users_info(user=user_id, include_locale=True)
        user = answer.get("user") or {}
        language = normalise(user.get("locale"))
    except SlackApiError as error:
        log.info("users.info for the locale failed: %s", error.response.get("error"))
        return DEFAULT
    locales.put(team_id, user_id, language)
    locales.put_zone(team_id, user_id, user.get("tz"))
    return language


async def user_zone(
    locales: UserLocales, client: AsyncWebClient, team_id: str, user_id: str
) -> str | None:
    """The user's time zone (Slack's `tz`), from the cache or with their language's look;
    None when Slack cannot tell: times are then written in UTC, saying so."""
    if not locales.knows_zone(team_id, user_id):
        try:
            answer = await client.users_info(user=user_id, include_locale=True)
        except SlackApiError as error:
            log.info("users.info for the zone failed: %s", error.response.get("error"))
            return None
        user = answer.get("user") or {}
        locales.put(team_id, user_id, normalise(user.get("locale")))
        locales.put_zone(team_id, user_id, user.get("tz"))
    return locales.zone(team_id, user_id)


async def channel_language(services: Services, team_id: str, channel_id: str | None) -> str:
    return await services.languages.for_channel(team_id, channel_id)


async def command_language(call: SlashCommand) -> str:
    """The language to answer a command in: the asker's own (replies are ephemeral)."""
    return await user_language(call.services.user_locales, call.client, call.team_id, call.user_id)
