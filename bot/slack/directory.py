"""The services' `Directory`, answered by Slack: users.info, usergroups.list and
usergroups.users.list; and the workspace's owners, from users.list."""

from __future__ import annotations

import logging
import math
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.services.directory import GroupMembersCache, Standing
from bot.slack.membership import is_admin_of, owners_of

log = logging.getLogger(__name__)

SLACKBOT = "USLACKBOT"
"""Slackbot is a bot, though users.info does not say `is_bot` for it."""


async def workspace_owners(client: AsyncWebClient, team_id: str | None) -> list[str]:
    """The workspace's owners, primary owner first (users.list, every page: Tier 2, so only for
    rare needs such as a lock-out nobody else can be told of)."""
    members: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page = await client.users_list(limit=200, cursor=cursor or None)
        members += page.get("members") or []
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or ""
        if not cursor:
            return owners_of(members, team_id)


class SlackDirectory:
    """One per Slack request. Users are remembered for the request's lifetime — the acting
    user's users.info, asked once by the membership check (bot.slack.workspace_guard), also
    answers the admin checks; group members, given the process's cache and the workspace, for
    the cache's short time — a burst of clicks must not spend usergroups.users.list (Tier 2,
    ~20 a minute)."""

    def __init__(
        self,
        client: AsyncWebClient,
        groups: GroupMembersCache | None = None,
        team_id: str | None = None,
    ) -> None:
        self._client = client
        self._users: dict[str, dict[str, Any] | None] = {}
        self._handles: dict[str, str] | None = None
        # Without a workspace to key the shared cache by, answers stay within this request.
        shared = groups is not None and bool(team_id)
        self._groups = groups if shared and groups else GroupMembersCache(ttl=math.inf)
        self._team_id = team_id or ""

    async def user(self, user_id: str, *, with_locale: bool = False) -> dict[str, Any] | None:
        """users.info's user, asked once per request; None when Slack does not show us that
        user. `with_locale` asks for the `locale` too, when the first to ask needs it."""
        if user_id not in self._users:
            try:
                if with_locale:
                    answer = await self._client.users_info(user=user_id, include_locale=True)
                else:
                    answer = await self._client.users_info(user=user_id)
                self._users[user_id] = answer.get("user") or {}
            except SlackApiError as error:
                if error.response.get("error") not in ("user_not_found", "user_not_visible"):
                    raise
                self._users[user_id] = None
        return self._users[user_id]

    async def is_workspace_admin(self, user_id: str) -> bool:
        # Of this workspace only: another organisation's admin in a shared channel is not one.
        return is_admin_of(await self.user(user_id), self._team_id)

    async def user_standing(self, user_id: str) -> Standing:
        user = await self.user(user_id)
        if user is None:
            return Standing.UNKNOWN
        if self._team_id and not _of_workspace(user, self._team_id):
            # Another organisation's person in a shared channel: not somebody we know here.
            return Standing.UNKNOWN
        if user.get("deleted"):
            return Standing.DEACTIVATED
        if user.get("is_bot") or user.get("is_app_user") or user_id == SLACKBOT:
            return Standing.BOT
        if user.get("is_restricted") or user.get("is_ultra_restricted"):
            return Standing.GUEST
        return Standing.PERSON

    async def group_handle(self, group_id: str) -> str | None:
        if self._handles is None:
            # Disabled groups are left out by default: they cannot be mentioned either.
            answer = await self._client.usergroups_list()
            self._handles = {
                group["id"]: group.get("handle") or group.get("name") or group["id"]
                for group in answer.get("usergroups") or []
                if not group.get("date_delete")
            }
        return self._handles.get(group_id)

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


class ToleratingDirectory(SlackDirectory):
    """For the worker telling many people at once: a group Slack will not list now (rate
    limited, a missing scope) reaches nobody this time, said in the log; the people named
    directly and the other groups are still told."""

    async def group_members(self, group_id: str) -> set[str]:
        try:
            return await super().group_members(group_id)
        except SlackApiError as error:
            log.warning("members of group %s not listed: %s", group_id, error.response.get("error"))
            return set()


def _of_workspace(user: dict[str, Any], team_id: str) -> bool:
    """A user of this very workspace (in a Grid org, one whose workspaces include it)."""
    if user.get("is_stranger"):
        return False
    teams = (user.get("enterprise_user") or {}).get("teams") or []
    return user.get("team_id") == team_id or team_id in teams
