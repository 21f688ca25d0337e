"""What the services need to know about people, without knowing about Slack.

The Slack layer implements it with users.info and usergroups.users.list; tests and the
worker can implement it with anything.
"""

from __future__ import annotations

from typing import Protocol


class Directory(Protocol):
    async def is_workspace_admin(self, user_id: str) -> bool:
        """The workspace's own admins and owners."""
        ...

    async def group_members(self, group_id: str) -> set[str]:
        """The members of a user group (empty when it does not exist)."""
        ...
