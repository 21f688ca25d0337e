"""The bench's Slack-side sender, in a process of its own: signed requests prepared by the
bench (devkit.bench.ack) are sent `at_a_time` at once, and each ack timed here.

Why a process of its own: the bench process also runs the emulator, which receives the
replies. An app that replies fast (Partner Ops, its vendor reads shared) has its replies
parsed and checked by the emulator on the same event loop that was timing the next acks, so
its acks were measured slower than they were; the naive app, replying a second later, had the
loop to itself. Measured from here, every app's acks are timed the same way: one client, the
same concurrency, nothing else on its loop — as a plain HTTP load tool would.

stdin: one order a line, {"url": …, "at_a_time": n, "requests": [{"body": …, "headers": {…}}, …]}
stdout: for each, one line [{"sent": wall time, "elapsed": s, "status": n, "body": …}, …] in the
same order. One process serves a whole bench run (starting one per burst was most of a small
run); it ends at the end of stdin. `Client` is the bench's side of it.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import aiohttp

from devkit.bench.child import ChildProcess


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


class Client:
    """The sender process, one for the whole run, an order at a time."""

    def __init__(self) -> None:
        # An answer is one line: a burst's acks and bodies.
        self._process = ChildProcess("devkit.bench.client", limit=2**26)

    @property
    def pid(self) -> int | None:
        """The sender process's, once the first order started it."""
        return self._process.pid

    async def send(
        self, url: str, at_a_time: int, requests: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        if self._process.pid is None:
            await self._process.start()
        answer: list[dict[str, Any]] = await self._process.ask(
            {"url": url, "at_a_time": at_a_time, "requests": requests}
        )
        return answer

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._process.close()


def main() -> int:
    for line in sys.stdin:
        order = json.loads(line)
        results = asyncio.run(send_all(order["url"], order["at_a_time"], order["requests"]))
        sys.stdout.write(json.dumps(results) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
