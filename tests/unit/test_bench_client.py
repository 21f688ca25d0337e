"""The bench's sender runs in a process of its own and times each ack there."""

from __future__ import annotations

import asyncio

from aiohttp import web

from devkit.bench.ack import send_from_client


async def test_the_client_process_sends_each_request_and_times_its_answer() -> None:
    seen: list[str] = []

    async def answer(request: web.Request) -> web.Response:
        seen.append(await request.text())
        await asyncio.sleep(0.05)
        return web.Response(text=f"ack {request.headers['X-Which']}")

    app = web.Application()
    app.router.add_post("/slack/events", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        requests = [{"body": f"n={n}", "headers": {"X-Which": str(n)}} for n in range(6)]
        answers = await send_from_client(f"http://127.0.0.1:{port}/slack/events", 3, requests)
    finally:
        await runner.cleanup()
    assert [a["body"] for a in answers] == [f"ack {n}" for n in range(6)]
    assert all(a["status"] == 200 and a["elapsed"] >= 0.05 for a in answers)
    assert sorted(seen) == [f"n={n}" for n in range(6)]
