"""Waiting for something the code under test does in its own time (another task, process
or server), by looking again until it holds — never by sleeping a guess."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable


async def until(
    condition: Callable[[], object | Awaitable[object]],
    within: float = 20.0,
    every: float = 0.02,
) -> None:
    """Return as soon as `condition()` (a value or an awaitable) is true; fail after
    `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        value = condition()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return
        if loop.time() >= deadline:
            raise AssertionError(f"the condition never held within {within} s")
        await asyncio.sleep(every)
