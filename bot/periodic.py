"""Running a job again and again, in the background of a long-lived process."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def run_every(interval: float, job: Callable[[], Awaitable[None]], name: str) -> None:
    """Run `job` now and then every `interval` seconds, until cancelled.

    A failing round is logged and the next one runs all the same: one bad answer from Slack
    or the vendor must not stop expiry, reconciliation or digests for good.
    """
    while True:
        try:
            await job()
        except Exception:
            log.exception("%s round failed", name)
        await asyncio.sleep(interval)
