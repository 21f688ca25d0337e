"""Awaiting several things at once, all or none.

`asyncio.gather` leaves the others running when one fails, working for a caller that has
already been given its error; `asyncio.TaskGroup` stops them but raises an ExceptionGroup,
which no caller here catches. `all_or_none` does what both callers want: every result in
order, or the first failure raised as it is once the others are cancelled and over.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any


async def all_or_none(*awaitables: Awaitable[Any]) -> list[Any]:
    """The results in order, started in that order; on a failure (or if the caller is
    cancelled) the others are cancelled and waited for, then that failure raised."""
    tasks = [asyncio.ensure_future(awaitable) for awaitable in awaitables]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
