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
from tests.web_server import serving


@dataclass
class Door:
    inflight: InFlight
    url: str
    journal: list[str] = field(default_factory=list)
    releases: list[asyncio.Event] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    requests_start_listeners: bool = False
    """Whether an answered request starts a listener of its own, as Bolt's do."""

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

    async def answer(request: web.Request) -> web.Response:
        if door.requests_start_listeners and request.method == "POST":
            await door.listener(f"request {len(door.releases)}")
        door.journal.append("answered")
        return web.Response(text="ok")

    app = web.Application(middlewares=[inflight.web_middleware()])
    app.router.add_post("/slack/events", answer)
    app.router.add_get("/healthz", answer)
    async with serving(app) as door.url:
        try:
            yield door
        finally:
            for release in door.releases:
                release.set()
            await asyncio.gather(*door.tasks)


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


async def test_each_listener_that_ends_lets_one_waiting_request_in(door: Door) -> None:
    door.requests_start_listeners = True
    await door.listener("first")
    await door.listener("second")
    async with aiohttp.ClientSession() as session:
        waiting = [
            asyncio.ensure_future(session.post(f"{door.url}/slack/events")) for _ in range(3)
        ]
        await until(lambda: door.inflight.waiting_for_room == 3)
        door.releases[0].set()
        await until(lambda: door.journal.count("answered") == 1)
        # One out, one in: the request let in started its listener, the backlog is full again.
        assert door.inflight.listeners == 2
        assert door.inflight.waiting_for_room == 2
        door.releases[1].set()
        await until(lambda: door.journal.count("answered") == 2)
        assert door.inflight.waiting_for_room == 1
        door.requests_start_listeners = False
        door.releases[2].set()  # the first request's listener ends: the last one goes in
        answers = await asyncio.wait_for(asyncio.gather(*waiting), 5)
        assert [a.status for a in answers] == [200, 200, 200]
        for answer in answers:
            answer.release()


async def test_a_listener_told_twice_is_counted_once() -> None:
    inflight = InFlight(backlog=2)
    release = asyncio.Event()

    async def listener() -> None:
        inflight.track_current_task()
        inflight.track_current_task()
        await release.wait()

    task = asyncio.create_task(listener())
    await until(lambda: inflight.listeners == 1)
    release.set()
    await task
    assert inflight.listeners == 0
