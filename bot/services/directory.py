"""What the services need to know about people, without knowing about Slack.

The Slack layer implements it with users.info, usergroups.list and usergroups.users.list;
tests and the worker can implement it with anything.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol


class Standing(StrEnum):
    """What a user id is to the workspace, as far as roles go."""

    PERSON = "person"
    """A full member: may be given a role."""
    UNKNOWN = "unknown"
    DEACTIVATED = "deactivated"
    BOT = "bot"
    GUEST = "guest"


class Directory(Protocol):
    async def is_workspace_admin(self, user_id: str) -> bool:
        """The workspace's own admins and owners."""
        ...

    async def group_members(self, group_id: str) -> set[str]:
        """The members of a user group (empty when it does not exist)."""
        ...

    async def user_standing(self, user_id: str) -> Standing:
        """Whether the user exists, is active, is a person and a full member."""
        ...

    async def group_handle(self, group_id: str) -> str | None:
        """The group's handle ("finance"); None when there is no such (enabled) group."""
        ...
