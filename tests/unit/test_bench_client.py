"""The bench's sender runs in a process of its own and times each ack there."""

from __future__ import annotations

import asyncio

from aiohttp import web

from devkit.bench.client import Client
from tests.web_server import serving


async def test_the_client_process_sends_each_request_and_times_its_answer() -> None:
    """One process for every order of a run (one a burst was most of a small run)."""
    seen: list[str] = []

    async def answer(request: web.Request) -> web.Response:
        seen.append(await request.text())
        await asyncio.sleep(0.05)
        return web.Response(text=f"ack {request.headers['X-Which']}")

    app = web.Application()
    app.router.add_post("/slack/events", answer)
    async with serving(app) as base:
        url = f"{base}/slack/events"
        requests = [{"body": f"n={n}", "headers": {"X-Which": str(n)}} for n in range(6)]
        async with Client() as client:
            answers = await client.send(url, 3, requests)
            sender = client.pid
            again = await client.send(url, 2, requests[:2])
            assert client.pid == sender is not None
        assert client.pid is None  # it ended with the run
    assert [a["body"] for a in answers] == [f"ack {n}" for n in range(6)]
    assert all(a["status"] == 200 and a["elapsed"] >= 0.05 for a in answers)
    assert [a["body"] for a in again] == ["ack 0", "ack 1"]
    assert sorted(seen) == sorted([f"n={n}" for n in range(6)] + ["n=0", "n=1"])
