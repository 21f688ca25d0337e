"""What the services need to know about people, without knowing about Slack.

The Slack layer implements it with users.info and usergroups.users.list; tests and the
worker can implement it with anything.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Protocol


class Directory(Protocol):
    async def is_workspace_admin(self, user_id: str) -> bool:
        """The workspace's own admins and owners."""
        ...

    async def group_members(self, group_id: str) -> set[str]:
        """The members of a user group (empty when it does not exist)."""
        ...


GROUP_MEMBERS_TTL_SECONDS = 60.0
GROUP_MEMBERS_MAX_ENTRIES = 2000


class GroupMembersCache:
    """User-group members per workspace, remembered for a short time.

    Looking a group up can be slow and rate-limited (Slack's usergroups.users.list is Tier 2,
    about 20 a minute), and one click may need it several times over (may this user approve?
    may they reject?). Within `ttl` seconds one lookup answers every click of the workspace;
    a change of the group is seen after at most `ttl`, or at once when the caller is told
    (`forget`). Entries are keyed by workspace *and* group, so no workspace ever reads
    another's answer; the oldest go first beyond `max_entries`. Concurrent lookups of one
    group share one call.
    """

    def __init__(
        self,
        ttl: float = GROUP_MEMBERS_TTL_SECONDS,
        max_entries: int = GROUP_MEMBERS_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[tuple[str, str], tuple[float, frozenset[str]]] = OrderedDict()
        self._loading: dict[tuple[str, str], asyncio.Future[frozenset[str]]] = {}

    async def members(
        self, team_id: str, group_id: str, load: Callable[[], Awaitable[set[str]]]
    ) -> set[str]:
        key = (team_id, group_id)
        entry = self._entries.get(key)
        if entry is not None and self._clock() - entry[0] < self._ttl:
            return set(entry[1])
        pending = self._loading.get(key)
        if pending is not None:
            return set(await asyncio.shield(pending))
        future: asyncio.Future[frozenset[str]] = asyncio.get_running_loop().create_future()
        self._loading[key] = future
        try:
            members = frozenset(await load())
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: waiters (if any) re-raise it, nobody else must
            raise
        finally:
            del self._loading[key]
        future.set_result(members)
        self._entries[key] = (self._clock(), members)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)
        return set(members)

    def forget(self, team_id: str, group_id: str | None = None) -> None:
        """Drop what is known of one group of the workspace (or all its groups)."""
        for key in [k for k in self._entries if k[0] == team_id]:
            if group_id is None or key[1] == group_id:
                del self._entries[key]
