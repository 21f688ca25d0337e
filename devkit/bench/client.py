"""The bench's Slack-side sender, in a process of its own: signed requests prepared by the
bench (devkit.bench.ack) are sent `at_a_time` at once, and each ack timed here.

Why a process of its own: the bench process also runs the emulator, which receives the
replies. An app that replies fast (Partner Ops, its vendor reads shared) has its replies
parsed and checked by the emulator on the same event loop that was timing the next acks, so
its acks were measured slower than they were; the naive app, replying a second later, had the
loop to itself. Measured from here, every app's acks are timed the same way: one client, the
same concurrency, nothing else on its loop — as a plain HTTP load tool would.

stdin: {"url": …, "at_a_time": n, "requests": [{"body": …, "headers": {…}}, …]}
stdout: [{"sent": wall time, "elapsed": s, "status": n, "body": …}, …] in the same order.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import aiohttp


async def send_all(url: str, at_a_time: int, requests: list[dict[str, Any]]) -> list[dict]:
    slots = asyncio.Semaphore(at_a_time)
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def one(request: dict[str, Any]) -> dict[str, Any]:
            async with slots:
                sent = time.time()
                started = time.monotonic()
                try:
                    async with session.post(
                        url, data=request["body"].encode(), headers=request["headers"]
                    ) as answer:
                        body = await answer.text()
                        status = answer.status
                except (aiohttp.ClientError, TimeoutError):
                    body, status = "", 0
                return {
                    "sent": sent,
                    "elapsed": time.monotonic() - started,
                    "status": status,
                    "body": body,
                }

        return await asyncio.gather(*(one(r) for r in requests))


def main() -> int:
    order = json.load(sys.stdin)
    results = asyncio.run(send_all(order["url"], order["at_a_time"], order["requests"]))
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
