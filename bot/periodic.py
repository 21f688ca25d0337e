"""Running a job again and again, in the background of a long-lived process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def run_every(
    interval: float,
    job: Callable[[], Awaitable[None]],
    name: str,
    stopping: asyncio.Event | None = None,
    give_way: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Run `job` now and then every `interval` seconds, until cancelled or `stopping` is set
    (then the round under way finishes and no other starts).

    A failing round is logged and the next one runs all the same: one bad answer from Slack
    or the vendor must not stop expiry, reconciliation or digests for good.

    `give_way` is awaited before each round: in a web process, the acks of the requests at
    the door (bot.shutdown.InFlight.after_acks), so a round does not start in the middle of a
    burst Slack is waiting on.
    """
    stopping = stopping or asyncio.Event()
    while not stopping.is_set():
        if give_way is not None:
            await give_way()
            if stopping.is_set():
                break
        try:
            await job()
        except Exception:
            log.exception("%s round failed", name)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), interval)
