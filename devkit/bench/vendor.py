"""The digest bench's vendor, in a process of its own: a sandbox holding `workspaces` SMS
accounts of `subaccounts` each, its GET answers slowed on demand.

Why a process of its own: the vendor is another company's servers, not a part of the app's
process. With the sandbox on the bench's event loop, each of the round's thousand page reads
was answered, serialised and counted by the loop that was also building the digests, and the
round measured both ends of every request at once (3–6× its bound, where one workspace alone
was within 1.5×). Here, as for the ack bench's client (devkit/bench/client.py), the other end
is its own process.

    python -m devkit.bench.vendor <workspaces> <subaccounts>

stdout: first {"url": the SMS Partner URL, "keys": [one API key a workspace]}; then one answer
a line on stdin:
- {"slow": seconds} → {} once every GET waits that long first;
- {"count": true} → {"calls": requests answered so far, "most": the most in flight for one key}.
It ends at the end of stdin. `Vendor` is the bench's side of it.

Each account's answers (its `/me` and every page of its subaccounts) are rendered once, before
the bench starts, and served from those bytes after the set latency (`RenderedAnswers`). The
sandbox builds every answer anew (the request parsed, the account looked up, twenty rows
formatted, the call journaled): about 0.45 ms of CPU a page, 0.4–0.5 s a round of 1,020 pages,
on the same two cores as the app it measures, and its own queue added 8–15 ms to the median
exchange the app timed (52 ms with rendered answers, against the 50 ms set). The vendor's
servers are not on the app's machine; the bench moves no credit, so every answer stays true.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import aiohttp
from aiohttp import web

from bot.partner.models import Product
from devkit.bench.child import ChildProcess
from devkit.sandbox import PER_PAGE, Fault, FaultKind, Sandbox, SandboxAccount, SandboxSubaccount


class RenderedAnswers:
    """A sandbox middleware: a GET asked before is answered with the bytes of its first answer,
    after `delay` (what a LATENCY fault does). Only for a vendor whose state does not change."""

    def __init__(self) -> None:
        self.delay = 0.0
        self.served = 0
        self._bodies: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[int, bytes]] = {}

    @web.middleware
    async def middleware(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        if request.method != "GET":
            return await handler(request)
        key = (request.path, tuple(sorted(request.query.items())))
        rendered = self._bodies.get(key)
        if rendered is None:
            response = await handler(request)
            if isinstance(response, web.Response) and isinstance(response.body, bytes):
                self._bodies[key] = (response.status, response.body)
            return response
        await asyncio.sleep(self.delay)
        self.served += 1
        status, body = rendered
        return web.Response(status=status, body=body, content_type="application/json")

    async def render(self, url: str, keys: list[str], pages: int) -> None:
        """Ask the vendor once for each account's `/me` and pages 1 to `pages`."""
        async with aiohttp.ClientSession() as session:
            for key in keys:
                for path, query in [
                    ("/me", {}),
                    *(("/subaccount/list", {"page": str(page)}) for page in range(1, pages + 1)),
                ]:
                    async with session.get(url + path, params={"apiKey": key, **query}) as answer:
                        await answer.read()


class InFlightPerKey:
    """A sandbox middleware: the most requests in flight at once for one API key."""

    def __init__(self) -> None:
        self.now: Counter[str] = Counter()
        self.most: Counter[str] = Counter()

    @web.middleware
    async def middleware(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        key = request.query.get("apiKey", "")
        self.now[key] += 1
        self.most[key] = max(self.most[key], self.now[key])
        try:
            return await handler(request)
        finally:
            self.now[key] -= 1


def account_with(sandbox: Sandbox, count: int) -> SandboxAccount:
    """An SMS account with `count` subaccounts. Made here: the sandbox's own demo rows draw
    from a few hundred company names, fewer than a big reseller has subaccounts."""
    account = sandbox.add_account(Product.SMS)
    start = datetime(2024, 1, 1)
    rng = random.Random(count)  # noqa: S311 - demo data, not security
    account.subaccounts.extend(
        SandboxSubaccount(
            id=1_000_000 + len(sandbox.accounts) * 100_000 + n,
            email=f"customer-{n:05d}@reseller-{len(sandbox.accounts)}.example",
            type="simple",
            token=f"{rng.getrandbits(128):032x}",
            api_key=f"{rng.getrandbits(160):040x}",
            created_at=start + timedelta(minutes=n),
            balance=Decimal(rng.randrange(0, 500_000)).scaleb(-3),
        )
        for n in range(count)
    )
    return account


async def serve(workspaces: int, subaccounts: int) -> None:
    sandbox = Sandbox(demo=False)
    in_flight = InFlightPerKey()
    rendered = RenderedAnswers()
    sandbox.app.middlewares.extend([in_flight.middleware, rendered.middleware])
    keys = [account_with(sandbox, subaccounts).api_key for _ in range(workspaces)]
    loop = asyncio.get_running_loop()
    async with sandbox:
        await rendered.render(sandbox.url(Product.SMS), keys, -(-subaccounts // PER_PAGE))
        in_flight.most.clear()
        calls_before = len(sandbox.journal)
        _say({"url": sandbox.url(Product.SMS), "keys": keys})
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            order = json.loads(line)
            if "slow" in order:
                sandbox.inject(
                    Fault(FaultKind.LATENCY, method="GET", times=None, delay=order["slow"])
                )
                rendered.delay = order["slow"]
                _say({})
            else:
                most = max(in_flight.most.values(), default=0)
                calls = len(sandbox.journal) - calls_before + rendered.served
                _say({"calls": calls, "most": most})


def _say(answer: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


class Vendor:
    """The vendor process, for one round of the bench."""

    def __init__(self, workspaces: int, subaccounts: int) -> None:
        self._process = ChildProcess("devkit.bench.vendor", str(workspaces), str(subaccounts))
        self.url = ""
        self.keys: list[str] = []

    async def __aenter__(self) -> Vendor:
        await self._process.start()
        started = await self._process.answer()
        self.url, self.keys = started["url"], started["keys"]
        return self

    async def slow_down(self, seconds: float) -> None:
        await self._process.ask({"slow": seconds})

    async def count(self) -> tuple[int, int]:
        """Requests answered so far, and the most in flight at once for one key."""
        counted = await self._process.ask({"count": True})
        return counted["calls"], counted["most"]

    async def __aexit__(self, *exc: object) -> None:
        await self._process.close()


def main() -> int:
    asyncio.run(serve(int(sys.argv[1]), int(sys.argv[2])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
