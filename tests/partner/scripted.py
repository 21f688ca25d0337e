"""A loopback HTTP server that answers exactly what a test scripts, for shapes the sandbox
never produces (older field names, odd paging, odd headers) and for counting concurrency."""

from __future__ import annotations

import asyncio
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Scripted:
    status: int = 200
    text: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    body: Any


class ScriptedServer:
    def __init__(self) -> None:
        self.script: deque[Scripted] = deque()
        self.fallback: Scripted | None = None
        self.received: list[Received] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._runner: web.AppRunner | None = None
        self.url = ""

    def answer(
        self,
        status: int = 200,
        body: Any = None,
        *,
        text: str | None = None,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        times: int = 1,
    ) -> None:
        rendered = text if text is not None else json.dumps(body)
        for _ in range(times):
            self.script.append(Scripted(status, rendered, headers or {}, delay))

    def always(self, status: int = 200, body: Any = None, *, delay: float = 0.0) -> None:
        self.fallback = Scripted(status, json.dumps(body), {}, delay)

    async def _handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        self.received.append(
            Received(
                request.method, request.path, dict(request.query), json.loads(raw) if raw else None
            )
        )
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            step = self.script.popleft() if self.script else self.fallback
            assert step is not None, f"nothing scripted for {request.method} {request.path}"
            if step.delay:
                await asyncio.sleep(step.delay)
            return web.Response(
                status=step.status,
                text=step.text,
                headers=step.headers,
                content_type="application/json",
            )
        finally:
            self.in_flight -= 1

    async def __aenter__(self) -> ScriptedServer:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()
