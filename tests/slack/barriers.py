"""Barriers for proving that something did NOT happen: wait until the app has finished all it
started, then count. Never a sleep: a sleep only proves the app was not fast enough to do the
wrong thing in that time."""

from __future__ import annotations

import asyncio

from tests.slack.harness import Harness


async def app_settled(h: Harness, within: float = 10.0) -> None:
    """Return once the app has no request being answered and no listener running.

    Bolt starts a listener's task before it sends the ack, and the app counts that task from
    its first step (`TrackListenerTasks`), so once a delivery has returned, whatever it set off
    is in `runtime.inflight` until it ends: nothing it does can land after this returns.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while len(h.runtime.inflight):
        assert loop.time() < deadline, f"{len(h.runtime.inflight)} task(s) still running"
        await asyncio.sleep(0.01)
