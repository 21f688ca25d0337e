"""A process whose acknowledged work piles up slows its intake (bot.shutdown.InFlight): a new
request waits at the door, before Bolt reads it, until a listener is done — at most
`admit_within`, so Slack still gets its ack in time. Over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp
import pytest
from aiohttp import web

from bot.shutdown import InFlight
from tests.waiting import until


@dataclass
class Door:
    inflight: InFlight
    url: str
    journal: list[str] = field(default_factory=list)
    releases: list[asyncio.Event] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def listener(self, name: str) -> None:
        """A listener's task, as Bolt starts it after an ack: counted, then kept busy."""
        release = asyncio.Event()
        self.releases.append(release)
        started = asyncio.Event()

        async def run() -> None:
            self.inflight.track_current_task()
            started.set()
            await release.wait()
            self.journal.append(f"{name} done")

        self.tasks.append(asyncio.create_task(run()))
        await started.wait()


@pytest.fixture
async def door(request: pytest.FixtureRequest) -> AsyncIterator[Door]:
    inflight = InFlight(backlog=2, admit_within=getattr(request, "param", 60.0))
    door = Door(inflight, "")

    async def answer(_request: web.Request) -> web.Response:
        door.journal.append("answered")
        return web.Response(text="ok")

    app = web.Application(middlewares=[inflight.web_middleware()])
    app.router.add_post("/slack/events", answer)
    app.router.add_get("/healthz", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    door.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield door
    finally:
        for release in door.releases:
            release.set()
        await asyncio.gather(*door.tasks)
        await runner.cleanup()


async def test_a_request_waits_for_room_when_the_backlog_is_full(door: Door) -> None:
    await door.listener("first")
    async with aiohttp.ClientSession() as session:
        # One listener running: room left, a request goes straight in.
        async with session.post(f"{door.url}/slack/events") as answer:
            assert answer.status == 200
        await door.listener("second")  # the backlog is full
        waiting = asyncio.ensure_future(session.post(f"{door.url}/slack/events"))
        await until(lambda: door.inflight.waiting_for_room == 1)
        # /healthz never waits.
        async with session.get(f"{door.url}/healthz") as health:
            assert health.status == 200
        assert door.inflight.at_door == 0  # a waiting request holds acknowledged work back
        door.releases[0].set()
        answer = await asyncio.wait_for(waiting, 5)
        assert answer.status == 200
        answer.release()
    assert door.journal == ["answered", "answered", "first done", "answered"]
    assert door.inflight.listeners == 1


@pytest.mark.parametrize("door", [0.05], indirect=True)
async def test_a_request_goes_in_anyway_after_admit_within(door: Door) -> None:
    await door.listener("first")
    await door.listener("second")
    async with aiohttp.ClientSession() as session:
        loop = asyncio.get_running_loop()
        started = loop.time()
        async with session.post(f"{door.url}/slack/events") as answer:
            assert answer.status == 200
        assert 0.05 <= loop.time() - started < 2.5
    assert door.journal == ["answered"]
    assert door.inflight.listeners == 2
