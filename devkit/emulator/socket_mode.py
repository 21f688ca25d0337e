"""Slack's side of Socket Mode: an app's WebSocket connection to FakeSlack.

The app calls apps.connections.open with its app-level token (xapp-…) and connects to the
single-use URL it gets back. Slack says hello, then writes envelopes carrying what it would POST
over HTTP, and the app answers each with {"envelope_id": ..., "payload": ...} (payload optional)
within 3 seconds. Slack may also ask the app to reconnect with a `disconnect` message. Pings
are answered by aiohttp (slack_sdk pings right after connecting and every ping_interval).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from devkit.emulator.records import Envelope

__all__ = ["ACK_TIMEOUT", "SocketConnection"]

# Slack gives up on an envelope the app has not acked after 3 seconds.
ACK_TIMEOUT = 3.0
_HOST = "fakeslack-applink"
# Interactions whose ack may carry an answer (a response_action, options).
_ANSWERABLE = frozenset({"view_submission", "block_suggestion"})


class SocketConnection:
    """One open Socket Mode connection: what was sent on it (`envelopes`, with the acks)."""

    def __init__(self, connection_id: str, app_id: str, ws: web.WebSocketResponse) -> None:
        self.id = connection_id
        self.app_id = app_id
        self.opened_at = time.time()
        self.envelopes: list[Envelope] = []
        self.hello_sent = False
        self._ws = ws
        self._waiters: dict[str, asyncio.Event] = {}
        self._done = asyncio.Event()

    def __repr__(self) -> str:
        return f"SocketConnection({self.id!r}, app_id={self.app_id!r}, closed={self.closed})"

    @property
    def closed(self) -> bool:
        return self._done.is_set()

    @property
    def close_code(self) -> int | None:
        """The WebSocket close code once closed (1000 when the app closed it normally)."""
        return self._ws.close_code if self.closed else None

    async def serve(self, *, num_connections: int) -> None:
        """Say hello, then read the app's acks until the socket closes."""
        try:
            await self._ws.send_json(
                {
                    "type": "hello",
                    "num_connections": num_connections,
                    "debug_info": {
                        "host": _HOST,
                        "build_number": 1,
                        "approximate_connection_time": 18060,
                    },
                    "connection_info": {"app_id": self.app_id},
                }
            )
            self.hello_sent = True
            async for message in self._ws:
                if message.type is WSMsgType.TEXT:
                    self._on_text(message.data)
        finally:
            self._done.set()
            for waiter in self._waiters.values():  # nothing more can be acked
                waiter.set()

    async def send(
        self,
        type_: str,
        payload: dict[str, Any],
        *,
        retry_attempt: int = 0,
        retry_reason: str = "",
        timeout: float = ACK_TIMEOUT,  # noqa: ASYNC109 - Slack's ack deadline, part of the API
    ) -> Envelope:
        """Write an envelope ("slash_commands", "interactive" or "events_api") and wait up to
        `timeout` seconds for its ack; the envelope returned tells whether and what the app
        answered (`acked`, `ack_payload`)."""
        if self.closed:
            raise ConnectionError(f"Socket Mode connection {self.id} is closed")
        envelope = Envelope(
            envelope_id=str(uuid.uuid4()),
            type=type_,
            payload=payload,
            accepts_response_payload=type_ == "slash_commands"
            or payload.get("type") in _ANSWERABLE,
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
            sent_at=time.time(),
        )
        waiter = self._waiters[envelope.envelope_id] = asyncio.Event()
        self.envelopes.append(envelope)
        try:
            await self._ws.send_json(envelope.to_message())
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await waiter.wait()
        finally:
            del self._waiters[envelope.envelope_id]
        return envelope

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the app to reconnect, as Slack does before recycling a connection ("warning",
        "refresh_requested"): slack_sdk opens a new connection, then closes this one."""
        await self._ws.send_json(
            {"type": "disconnect", "reason": reason, "debug_info": {"host": _HOST}}
        )

    async def close(self, code: int = WSCloseCode.GOING_AWAY) -> None:
        """Drop the connection from Slack's side (slack_sdk reconnects if it may)."""
        await self._ws.close(code=code)
        await self._done.wait()

    async def wait_closed(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline, part of the API
    ) -> int | None:
        """Wait until the socket is closed and return its close code."""
        async with asyncio.timeout(timeout):
            await self._done.wait()
        return self.close_code

    def _on_text(self, data: str) -> None:
        try:
            answer = json.loads(data)
        except ValueError:
            return
        if not isinstance(answer, dict):
            return
        envelope_id = answer.get("envelope_id")
        envelope = next((e for e in self.envelopes if e.envelope_id == envelope_id), None)
        if envelope is None or envelope.acked:  # Slack ignores unknown and repeated acks
            return
        payload = answer.get("payload")
        envelope.ack_payload = payload if isinstance(payload, dict) else None
        envelope.acked_at = time.time()
        waiter = self._waiters.get(envelope.envelope_id)
        if waiter is not None:
            waiter.set()
