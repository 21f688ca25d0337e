"""A faithful local fake of the SMS, Mail and Voice Partner APIs: the server.

The sandbox serves the endpoints Partner Ops uses, with the vendor's exact answer shapes
(see `/work/shared/partner-api/API.md`), under one aiohttp application:
`/sms/v1/...`, `/mail/v1/...` and `/voice/v1/...`. It keeps accounts in memory, moves
money with `Decimal` only, journals every request it handled and can inject faults
(latency, broken bodies, dropped connections, paging bugs) so the client's tests, the
console demo, the benchmarks and the end-to-end tests all run against the same thing.

API keys travel in query strings and in the Voice URL path, so the aiohttp access log is
switched off and the sandbox writes its own request log without them. Request bodies are
never logged.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.partner.models import Product
from devkit.sandbox.faults import (
    INSTEAD_OF_VENDOR,
    Fault,
    FaultKind,
    drop_connection,
    fault_reply,
)
from devkit.sandbox.products import routes
from devkit.sandbox.state import JournalEntry, SandboxState
from devkit.sandbox.wire import Call, Refusal, Reply, Route, key_hint, read_call

_log = logging.getLogger("devkit.sandbox")

# A HANG fault sleeps this long; stop() cancels it after the runner's shutdown timeout.
_HANG_SECONDS = 3600
_SHUTDOWN_TIMEOUT = 0.25


def _state_attribute(name: str) -> Any:
    """`sandbox.<name>` reads (and sets) `sandbox.state.<name>`."""
    return property(
        lambda self: getattr(self.state, name),
        lambda self, value: setattr(self.state, name, value),
        doc=f"sandbox.state.{name}",
    )


class Sandbox:
    """The fake vendor's server: its state (`state`: accounts, journal), the faults a test
    injects, and the aiohttp application serving them."""

    def __init__(self, *, demo: bool = True, clock: Callable[[], float] = time.monotonic) -> None:
        self.state = SandboxState(demo=demo, clock=clock)
        self.faults: list[Fault] = []
        # Requests being handled right now, and the most ever handled at once, per API key.
        self._in_flight: dict[str, int] = {}
        self._max_in_flight: dict[str, int] = {}
        self._arrived = asyncio.Condition()
        self._sleeping: set[asyncio.Task[Any]] = set()
        self._runner: web.AppRunner | None = None
        self._root_url: str | None = None
        self.app = self._build_app()

    # The state, read and changed through the server for short test code.
    accounts = _state_attribute("accounts")
    journal = _state_attribute("journal")
    add_account = _state_attribute("add_account")
    account = _state_attribute("account")
    export_state = _state_attribute("export_state")
    load_state = _state_attribute("load_state")
    secrets = _state_attribute("secrets")
    realistic_subaccounts = _state_attribute("realistic_subaccounts")
    drain = _state_attribute("drain")

    # ------------------------------------------------------------------ faults and journal

    def inject(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self.faults.clear()

    def calls(
        self,
        *,
        product: Product | None = None,
        endpoint: str | None = None,
        method: str | None = None,
    ) -> list[JournalEntry]:
        return [
            entry
            for entry in self.journal
            if (product is None or entry.product is product)
            and (endpoint is None or entry.endpoint == endpoint)
            and (method is None or entry.method == method.upper())
        ]

    def max_concurrency(self, api_key: str) -> int:
        """The most requests with this API key the sandbox was ever handling at once."""
        return self._max_in_flight.get(api_key, 0)

    def in_flight(self, api_key: str) -> int:
        """Requests with this API key being handled right now (e.g. held by a LATENCY fault)."""
        return self._in_flight.get(api_key, 0)

    async def wait_in_flight(self, api_key: str, count: int = 1) -> None:
        """Return once `count` requests with this key are being handled at the same time."""
        async with self._arrived:
            await self._arrived.wait_for(lambda: self.in_flight(api_key) >= count)

    def _take_fault(self, route: Route) -> Fault | None:
        for fault in self.faults:
            if fault.matches(route.product, route.endpoint, route.method):
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None

    def _record(
        self,
        route: Route,
        call: Call,
        reply: Reply | None,
        http_status: int,
        fault: Fault | None,
    ) -> None:
        entry = JournalEntry(
            product=route.product,
            method=route.method,
            endpoint=route.endpoint,
            key_hint=key_hint(call.key),
            params=dict(call.params),
            http_status=http_status,
            code=reply.code if reply else None,
            applied=reply.applied if reply else False,
            fault=fault.kind if fault else None,
        )
        self.journal.append(entry)
        # Our own access log: the endpoint template, never the raw path (Voice puts the key
        # there), never the query string, never the body.
        _log.info(
            "sandbox %s %s %s key=...%s -> HTTP %s code=%s applied=%s fault=%s",
            entry.product.value,
            entry.method,
            entry.endpoint,
            entry.key_hint,
            entry.http_status,
            entry.code,
            entry.applied,
            entry.fault.value if entry.fault else None,
        )

    # ------------------------------------------------------------------ serving

    def _build_app(self) -> web.Application:
        app = web.Application()
        for route in routes(self.state):
            prefix = f"/{route.product.value}/v1"
            app.router.add_route(route.method, prefix + route.path, self._handler(route))
        return app

    def _handler(self, route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handle(request: web.Request) -> web.StreamResponse:
            return await self._serve(request, route)

        return handle

    async def _serve(self, request: web.Request, route: Route) -> web.StreamResponse:
        call = await read_call(request, route)
        counted = call.key if isinstance(call.key, str) else ""
        now = self._in_flight[counted] = self._in_flight.get(counted, 0) + 1
        self._max_in_flight[counted] = max(self._max_in_flight.get(counted, 0), now)
        async with self._arrived:
            self._arrived.notify_all()
        try:
            return await self._serve_counted(request, route, call)
        finally:
            self._in_flight[counted] -= 1

    async def _serve_counted(
        self, request: web.Request, route: Route, call: Call
    ) -> web.StreamResponse:
        fault = self._take_fault(route)
        if fault is not None and fault.kind in INSTEAD_OF_VENDOR:
            return await self._serve_fault(request, route, call, fault)
        if fault is not None and fault.kind is FaultKind.LATENCY:
            await self._sleep(fault.delay, until=fault.until)
        call.fault = fault.kind if fault else None
        self.state.settle_drains()
        # Everything from here to the journal entry is synchronous: no other request can
        # interleave, so each credit move is atomic without a lock.
        reply = self._run(route, call)
        if fault is not None and fault.kind is FaultKind.DROP_AFTER_APPLY:
            self._record(route, call, reply, 0, fault)
            return drop_connection(request)
        self._record(route, call, reply, reply.status, fault)
        return reply.response()

    async def _serve_fault(
        self, request: web.Request, route: Route, call: Call, fault: Fault
    ) -> web.StreamResponse:
        if fault.kind is FaultKind.DROP_BEFORE_APPLY:
            self._record(route, call, None, 0, fault)
            return drop_connection(request)
        if fault.kind is FaultKind.HANG:
            self._record(route, call, None, 0, fault)
            await self._sleep(_HANG_SECONDS)  # cancelled by stop()
            return drop_connection(request)
        reply = fault_reply(fault)
        self._record(route, call, reply, reply.status, fault)
        return reply.response()

    async def _sleep(self, seconds: float, until: asyncio.Event | None = None) -> None:
        # aiohttp does not cancel a handler when its client goes away, and its shutdown
        # only reaches handlers whose connection is still open: stop() cancels these itself.
        waited = until.wait() if until is not None else asyncio.sleep(seconds)
        task = asyncio.current_task()
        if task is None:
            await waited
            return
        self._sleeping.add(task)
        try:
            await waited
        finally:
            self._sleeping.discard(task)

    @staticmethod
    def _run(route: Route, call: Call) -> Reply:
        try:
            return route.op(call)
        except Refusal as refusal:
            return Reply.refusal(refusal)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        if self._runner is not None:
            raise RuntimeError("sandbox already started")
        # access_log=None: aiohttp's access log would print query strings and Voice paths,
        # both of which carry API keys. A short shutdown timeout keeps HANG faults from
        # holding stop() for an hour.
        runner = web.AppRunner(
            self.app, access_log=None, handle_signals=False, shutdown_timeout=_SHUTDOWN_TIMEOUT
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        bound_port = runner.addresses[0][1]
        self._runner = runner
        self._root_url = f"http://{host}:{bound_port}"
        return self._root_url

    def url(self, product: Product) -> str:
        if self._root_url is None:
            raise RuntimeError("sandbox not started")
        return f"{self._root_url}/{Product(product).value}/v1"

    async def stop(self) -> None:
        runner, self._runner, self._root_url = self._runner, None, None
        for task in list(self._sleeping):
            task.cancel()
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
