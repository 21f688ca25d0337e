"""Who a Slack user is to the workspace, as Slack itself says (users.info)."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient


async def is_workspace_admin(client: AsyncWebClient, user_id: str) -> bool:
    """Workspace admins and owners, per `users.info`."""
    answer = await client.users_info(user=user_id)
    user = answer.get("user") or {}
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
