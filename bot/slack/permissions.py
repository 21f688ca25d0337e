"""Who a Slack user is to the workspace, as Slack itself says (users.info)."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.commands import CommandError
from bot.slack.membership import is_admin_of
from bot.slack.texts import common as text


async def is_workspace_admin(client: AsyncWebClient, user_id: str, team_id: str) -> bool:
    """Admins and owners of the workspace `team_id` (the authorised one), per `users.info`:
    `is_admin` alone would also be true of another organisation's admin in a shared channel."""
    try:
        user = (await client.users_info(user=user_id)).get("user") or None
    except SlackApiError as error:
        if error.response.get("error") in ("user_not_found", "user_not_visible"):
            return False
        raise
    return is_admin_of(user, team_id)


async def require_bot_in_channel(client: AsyncWebClient, channel_id: str) -> None:
    """Refuse (with how to fix it) a channel the bot cannot post in."""
    try:
        info = (await client.conversations_info(channel=channel_id)).get("channel") or {}
    except SlackApiError:
        info = {}
    if not (info.get("is_member") or info.get("is_im")) or info.get("is_archived"):
        raise CommandError(text.BOT_NOT_IN_CHANNEL)
