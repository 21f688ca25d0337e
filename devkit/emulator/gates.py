"""Holding a Web API method's calls unanswered until the test says so (`FakeSlack.hold`).

A test that must show an app did A while B was still under way holds B: each call of B is
recorded, then waits at the gate; the test waits until the call is held (a barrier, not a
sleep), looks at the journal, and releases it. No clock is involved, so the proof does not
depend on how busy the machine is.
"""

from __future__ import annotations

import asyncio

from devkit.emulator.records import ApiCall


class Gate:
    """The calls of `method` made since `FakeSlack.hold(method)`, unanswered until `release()`."""

    def __init__(self, method: str) -> None:
        self.method = method
        self._open = asyncio.Event()
        self._changed = asyncio.Condition()
        self.waiting: list[ApiCall] = []  # held right now, oldest first
        self.passed: list[ApiCall] = []  # answered after release, in the order they went on

    @property
    def released(self) -> bool:
        return self._open.is_set()

    async def held(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline for a test that went wrong
    ) -> list[ApiCall]:
        """Once `count` calls wait at the gate, those calls (a barrier for the test)."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: len(self.waiting) >= count)
            return list(self.waiting)

    def release(self) -> None:
        """Answer the held calls, and every later one at once."""
        self._open.set()

    async def pass_through(self, call: ApiCall) -> None:
        """Where the server parks `call` until the gate is released."""
        if self.released:
            return
        async with self._changed:
            self.waiting.append(call)
            self._changed.notify_all()
        try:
            await self._open.wait()
        finally:
            self.waiting.remove(call)
            self.passed.append(call)
