"""The services' `Directory`, answered by Slack: users.info and usergroups.users.list."""

from __future__ import annotations

import math

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.directory import GroupMembersCache
from bot.slack.permissions import is_workspace_admin


class SlackDirectory:
    """One per Slack request. Admin checks are remembered for the request's lifetime; group
    members, given the process's cache and the workspace, for the cache's short time — a
    burst of clicks must not spend usergroups.users.list (Tier 2, ~20 a minute)."""

    def __init__(
        self,
        client: AsyncWebClient,
        groups: GroupMembersCache | None = None,
        team_id: str | None = None,
    ) -> None:
        self._client = client
        self._admins: dict[str, bool] = {}
        # Without a workspace to key the shared cache by, answers stay within this request.
        shared = groups is not None and bool(team_id)
        self._groups = groups if shared and groups else GroupMembersCache(ttl=math.inf)
        self._team_id = team_id or ""

    async def is_workspace_admin(self, user_id: str) -> bool:
        if user_id not in self._admins:
            self._admins[user_id] = await is_workspace_admin(self._client, user_id)
        return self._admins[user_id]

    async def group_members(self, group_id: str) -> set[str]:
        async def lookup() -> set[str]:
            try:
                answer = await self._client.usergroups_users_list(usergroup=group_id)
            except SlackApiError as error:
                if error.response.get("error") not in ("no_such_subteam", "subteam_not_found"):
                    raise
                return set()
            return set(answer.get("users") or [])

        return await self._groups.members(self._team_id, group_id, lookup)
