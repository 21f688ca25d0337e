"""The Partner transport's aiohttp sessions: one connection pool, a session for reads and one
for writes."""

from __future__ import annotations

from types import SimpleNamespace

import aiohttp

from bot.partner.pacing import Timeouts


class Sessions:
    """Opened on first use (an aiohttp session needs a running event loop), closed together.

    Only a write needs to know whether its headers were sent (a failure before that means
    nothing was sent; after it, the outcome is unknown); a GET is retried either way. aiohttp
    runs its trace hooks on every request of a session that has them, about a fifth of the
    client's CPU for a GET, so reads go through a second session without them, on the same
    pool of connections. A write's `trace_request_ctx` must have a `sent` attribute.
    """

    def __init__(self, timeouts: Timeouts, pool_size: int) -> None:
        self._timeouts = timeouts
        self._pool_size = pool_size
        self._connector: aiohttp.TCPConnector | None = None
        self._open: dict[bool, aiohttp.ClientSession] = {}

    @property
    def opened(self) -> bool:
        return bool(self._open)

    def open(self, *, traced: bool) -> aiohttp.ClientSession:
        """The session for a write (`traced`) or for a read."""
        if self._connector is None or self._connector.closed:
            self._connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._open = {}
        session = self._open.get(traced)
        if session is None or session.closed:
            session = self._open[traced] = self._new(traced)
        return session

    async def close(self) -> None:
        sessions, self._open = self._open, {}
        for session in sessions.values():
            await session.close()
        if self._connector is not None:
            await self._connector.close()
            self._connector = None

    def _new(self, traced: bool) -> aiohttp.ClientSession:
        trace_configs = []
        if traced:
            trace = aiohttp.TraceConfig()
            trace.on_request_headers_sent.append(_mark_sent)
            trace_configs.append(trace)
        session = aiohttp.ClientSession(
            connector=self._connector,
            connector_owner=False,
            timeout=aiohttp.ClientTimeout(
                total=self._timeouts.total,
                connect=self._timeouts.connect,
                sock_connect=self._timeouts.connect,
            ),
            trace_configs=trace_configs,
            # Partner answers are read by hand (parse_float=Decimal); never raise on status.
            raise_for_status=False,
        )
        # aiohttp silently resends "idempotent" methods, DELETE included, once when the
        # server drops the connection. A vendor DELETE must never be sent twice, and GETs
        # are retried by our own policy, so switch it off. No public switch exists; the
        # DELETE no-retry test fails if a later aiohttp renames this.
        session._retry_connection = False
        return session


async def _mark_sent(
    session: aiohttp.ClientSession, context: SimpleNamespace, params: object
) -> None:
    # Called once the request's headers are on the wire: from here on the server may act on
    # it even if we never hear back.
    context.trace_request_ctx.sent = True
