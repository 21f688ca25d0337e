"""Acks first (bot.shutdown.InFlight.after_acks): an acknowledged listener waits while
requests are being answered at the door, at most a bound; over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from bot.periodic import run_every
from bot.shutdown import InFlight
from tests.web_server import serving

JOURNAL: list[str] = []


ARRIVALS: list[asyncio.Semaphore] = []


@pytest.fixture
async def door() -> AsyncIterator[tuple[InFlight, asyncio.Event, str]]:
    inflight = InFlight()
    release = asyncio.Event()
    JOURNAL.clear()
    ARRIVALS[:] = [asyncio.Semaphore(0)]

    async def slow(_request: web.Request) -> web.Response:
        ARRIVALS[0].release()
        await release.wait()
        JOURNAL.append("answered")
        return web.Response(text="ok")

    app = web.Application(middlewares=[inflight.web_middleware()])
    app.router.add_post("/slack/events", slow)
    async with serving(app) as base:
        try:
            yield inflight, release, f"{base}/slack/events"
        finally:
            release.set()


async def arrived(inflight: InFlight, count: int) -> None:
    """Until `count` requests are inside the door (each handler signals it)."""
    for _ in range(count):
        await ARRIVALS[0].acquire()
    assert inflight.at_door == count


async def test_nothing_at_the_door_waits_for_nothing() -> None:
    inflight = InFlight()
    await asyncio.wait_for(inflight.after_acks(most=60), timeout=5)


async def test_work_after_an_ack_waits_until_the_door_is_clear(
    door: tuple[InFlight, asyncio.Event, str],
) -> None:
    inflight, release, url = door
    async with aiohttp.ClientSession() as session:
        requests = [asyncio.ensure_future(session.post(url)) for _ in range(3)]
        await asyncio.wait_for(arrived(inflight, 3), timeout=5)

        async def work_after_its_ack() -> None:
            await inflight.after_acks(most=60)
            JOURNAL.append("went on")

        waiting = asyncio.ensure_future(work_after_its_ack())
        release.set()
        answers = await asyncio.gather(*requests)
        assert [a.status for a in answers] == [200, 200, 200]
        await asyncio.wait_for(waiting, timeout=5)
        assert JOURNAL == ["answered"] * 3 + ["went on"]
        assert inflight.at_door == 0
        for answer in answers:
            answer.release()


async def test_a_door_that_never_clears_delays_the_work_only_by_the_bound(
    door: tuple[InFlight, asyncio.Event, str],
) -> None:
    inflight, _release, url = door
    async with aiohttp.ClientSession() as session:
        hanging = asyncio.ensure_future(session.post(url))
        await asyncio.wait_for(arrived(inflight, 1), timeout=5)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.wait_for(inflight.after_acks(most=0.05), timeout=5)
        assert 0.05 <= loop.time() - started < 2
        assert inflight.at_door == 1
        hanging.cancel()


async def test_a_request_arriving_just_after_the_door_cleared_holds_the_work() -> None:
    """Between two reads of its sockets the door of a burst looks clear; the work waits
    until no request has arrived for `quiet` too."""
    inflight = InFlight()
    held: list[asyncio.Event] = []
    entered = asyncio.Semaphore(0)
    journal: list[str] = []

    async def one_by_one(_request: web.Request) -> web.Response:
        release = asyncio.Event()
        held.append(release)
        entered.release()
        await release.wait()
        journal.append("answered")
        return web.Response(text="ok")

    app = web.Application(middlewares=[inflight.web_middleware()])
    app.router.add_post("/slack/events", one_by_one)

    async def work_after_its_ack() -> None:
        await inflight.after_acks(most=60, quiet=2.0)
        journal.append("went on")

    async with serving(app) as base, aiohttp.ClientSession() as session:
        url = f"{base}/slack/events"
        try:
            first = asyncio.ensure_future(session.post(url))
            await asyncio.wait_for(entered.acquire(), timeout=5)
            waiting = asyncio.ensure_future(work_after_its_ack())
            held[0].set()
            (await first).release()
            assert inflight.at_door == 0  # clear, but a request came less than `quiet` ago
            second = asyncio.ensure_future(session.post(url))
            await asyncio.wait_for(entered.acquire(), timeout=5)
            held[1].set()
            (await second).release()
            await asyncio.wait_for(waiting, timeout=5)
        finally:
            for release in held:
                release.set()
    assert journal == ["answered", "answered", "went on"]


async def test_a_background_round_starts_once_the_door_is_clear(
    door: tuple[InFlight, asyncio.Event, str],
) -> None:
    """Maintenance and the scheduler give way to the acks at the door (bot.serve)."""
    inflight, release, url = door
    stopping = asyncio.Event()

    async def one_round() -> None:
        JOURNAL.append("round")
        stopping.set()

    async with aiohttp.ClientSession() as session:
        request = asyncio.ensure_future(session.post(url))
        await asyncio.wait_for(arrived(inflight, 1), timeout=5)
        rounds = asyncio.ensure_future(
            run_every(
                60, one_round, "test", stopping, give_way=lambda: inflight.after_acks(most=60)
            )
        )
        release.set()
        answer = await request
        await asyncio.wait_for(rounds, timeout=5)
        assert JOURNAL == ["answered", "round"]
        answer.release()


async def test_no_round_starts_once_stopping_was_set_while_it_gave_way() -> None:
    stopping = asyncio.Event()
    ran: list[str] = []

    async def give_way() -> None:
        stopping.set()  # SIGTERM while the round waited for the door

    async def one_round() -> None:
        ran.append("round")

    await asyncio.wait_for(run_every(60, one_round, "test", stopping, give_way=give_way), 5)
    assert ran == []
