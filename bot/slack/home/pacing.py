"""Home tabs published within Slack's limits: one lane per workspace, one pending publish per
person, paced to the workspace's views.publish tier.

views.publish is Tier 4: about 100 calls a minute per workspace (Slack's rate-limit docs), and
one decision can change the Homes of every approver, one settings change every Home opened.
So:
- coalesced: a person waiting to be published is published once, with what their Home shows
  when their turn comes (rendered then), however many changes asked for it meanwhile; a change
  that comes while their Home is being published publishes it once more after;
- paced: at most `per_minute` publishes of one workspace in any 60 s (counted when Slack has
  answered, so Slack cannot see more in its own minute);
- a 429 pauses the workspace's lane for its Retry-After and puts the person back first in
  line: never dropped. Any other failure is logged by the publisher and not retried.

Slack-free on purpose (the publisher turns Slack's 429 into `RateLimited`), with the clock and
the sleep injectable, so a test can run minutes of pacing in a moment.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

WINDOW = 60.0
TIER_PER_MINUTE = 100
"""views.publish's tier (Tier 4, "100+ per minute"), per workspace."""

Publish = Callable[[str], Awaitable[None]]
"""Renders and publishes one person's Home as it is now; raises RateLimited on Slack's 429."""


class RateLimited(Exception):
    """Slack answered 429: wait `retry_after` seconds; nothing was published."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after:g} s")
        self.retry_after = retry_after


@dataclass
class _Lane:
    """One workspace: who waits (in order, with the latest way to publish them), who waits
    for whom, and when its last publishes went out."""

    pending: dict[str, Publish] = field(default_factory=dict)
    waiters: dict[str, list[asyncio.Future[bool]]] = field(default_factory=dict)
    sent: deque[float] = field(default_factory=deque)
    paused_until: float = 0.0
    worker: asyncio.Task[None] | None = None


class HomeQueue:
    """The process's Home publishing, per workspace (see the module's docstring)."""

    def __init__(
        self,
        per_minute: int = TIER_PER_MINUTE,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self.sleep = sleep
        self._lanes: dict[str, _Lane] = {}

    async def publish(self, team_id: str, user_ids: Iterable[str], publish: Publish) -> int:
        """Queue the Homes of `user_ids` and wait until each has been published since; how
        many were (a Home whose publish failed otherwise than 429 is not counted)."""
        lane = self._lanes.setdefault(team_id, _Lane())
        loop = asyncio.get_running_loop()
        waits = []
        for user_id in dict.fromkeys(u for u in user_ids if u):
            lane.pending[user_id] = publish  # the latest wins: same Home, fresher client
            done: asyncio.Future[bool] = loop.create_future()
            lane.waiters.setdefault(user_id, []).append(done)
            waits.append(done)
        if lane.pending and (lane.worker is None or lane.worker.done()):
            lane.worker = asyncio.ensure_future(self._drain(team_id, lane))
        return sum(await asyncio.gather(*waits))

    def waiting(self, team_id: str) -> int:
        lane = self._lanes.get(team_id)
        return len(lane.pending) if lane else 0

    async def _drain(self, team_id: str, lane: _Lane) -> None:
        try:
            await self._publish_all(team_id, lane)
        finally:  # cancelled (the process stops): nobody waits forever
            for waiters in lane.waiters.values():
                for waiter in waiters:
                    waiter.cancel()
            lane.waiters.clear()

    async def _publish_all(self, team_id: str, lane: _Lane) -> None:
        # The lane stays when empty: its last minute of publishes still counts.
        while lane.pending:
            await self._turn(lane)
            user_id, publish = next(iter(lane.pending.items()))
            del lane.pending[user_id]
            waiters = lane.waiters.pop(user_id, [])
            try:
                await publish(user_id)
                ok = True
            except RateLimited as limited:
                # Back first in line (a newer request for them stays as it is), then wait.
                lane.pending = {user_id: lane.pending.get(user_id, publish), **lane.pending}
                lane.waiters[user_id] = waiters + lane.waiters.get(user_id, [])
                lane.paused_until = self.clock() + limited.retry_after
                log.info(
                    "Homes of %s wait %g s: Slack said ratelimited", team_id, limited.retry_after
                )
                continue
            except Exception:  # the publisher logged it; one Home never stops the others
                ok = False
            finally:
                lane.sent.append(self.clock())
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(ok)

    async def _turn(self, lane: _Lane) -> None:
        """Wait for the lane's pause to end and for room in the last minute's publishes."""
        while True:
            now = self.clock()
            while lane.sent and lane.sent[0] <= now - WINDOW:
                lane.sent.popleft()
            wait = lane.paused_until - now
            if len(lane.sent) >= self.per_minute:
                wait = max(wait, lane.sent[0] + WINDOW - now)
            if wait <= 0:
                return
            await self.sleep(wait)
