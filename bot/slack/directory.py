"""The services' `Directory`, answered by Slack: users.info and usergroups.users.list."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.permissions import is_workspace_admin


class SlackDirectory:
    """One per Slack request: answers are remembered for the request's lifetime only."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client
        self._admins: dict[str, bool] = {}
        self._groups: dict[str, set[str]] = {}

    async def is_workspace_admin(self, user_id: str) -> bool:
        if user_id not in self._admins:
            self._admins[user_id] = await is_workspace_admin(self._client, user_id)
        return self._admins[user_id]

    async def group_members(self, group_id: str) -> set[str]:
        if group_id not in self._groups:
            try:
                answer = await self._client.usergroups_users_list(usergroup=group_id)
                self._groups[group_id] = set(answer.get("users") or [])
            except SlackApiError as error:
                if error.response.get("error") not in ("no_such_subteam", "subteam_not_found"):
                    raise
                self._groups[group_id] = set()
        return self._groups[group_id]
