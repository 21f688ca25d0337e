"""Direct messages: the one way the app opens a DM with someone (a bot can only post to a
user through the IM channel `conversations.open` gives)."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient


async def dm_channel(client: AsyncWebClient, user_id: str) -> str:
    """The id of the app's direct-message channel with `user_id`, opened if need be."""
    opened = await client.conversations_open(users=user_id)
    return str(opened["channel"]["id"])
