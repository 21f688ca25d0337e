"""Who a Slack user is to the workspace, as Slack itself says (users.info)."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.commands import CommandError
from bot.slack.texts import common as text


async def is_workspace_admin(client: AsyncWebClient, user_id: str) -> bool:
    """Workspace admins and owners, per `users.info`."""
    answer = await client.users_info(user=user_id)
    user = answer.get("user") or {}
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


async def require_bot_in_channel(client: AsyncWebClient, channel_id: str) -> None:
    """Refuse (with how to fix it) a channel the bot cannot post in."""
    try:
        info = (await client.conversations_info(channel=channel_id)).get("channel") or {}
    except SlackApiError:
        info = {}
    if not (info.get("is_member") or info.get("is_im")) or info.get("is_archived"):
        raise CommandError(text.BOT_NOT_IN_CHANNEL)
