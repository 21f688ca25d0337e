"""Stopping a process without dropping work: what is in flight, and waiting for it.

Bolt acknowledges a request and runs its listener as a task nobody awaits; closing the Partner
transport and the Slack session under it would drop the command silently. So a process counts
what it started — HTTP requests being answered, listener tasks after their ack — and on SIGTERM
stops taking new requests, waits (with a bound) for those, and only then closes its clients.

The same count puts acks first: Slack waits for an ack (3 s, and the person sees nothing
until it comes), while the work after it has minutes. A burst's listeners, once acknowledged,
would otherwise build their replies on the one event loop between the acks of the requests
still arriving. So `after_acks` lets an acknowledged listener wait, briefly, until no request
is being answered at the door and none has arrived for `ACKS_QUIET_SECONDS` (a burst's
next requests sit unread in their sockets while the loop runs other work, and the door looks
clear between two reads of them) — `ACKS_FIRST_SECONDS` at most, so a steady stream of
requests never starves the work: it only delays it by that much.

And it bounds what acks first would let pile up: past `LISTENER_BACKLOG` acknowledged
listeners still running, a new request over HTTP waits at the door (`ADMIT_SECONDS` at most)
for its turn, one let in as one ends. (Socket Mode's deliveries come over one connection and
are not held back.)
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

GRACE_SECONDS = 10.0
"""How long a stopping process waits for listeners still running. Slack's own deadline for a
reply through response_url is 30 minutes, but platforms kill a process some seconds after
SIGTERM (Heroku: 30 s, Kubernetes: 30 s by default); 10 s leaves room for closing."""

ACKS_FIRST_SECONDS = 0.25
"""The longest an acknowledged listener waits for the requests at the door to be answered
before it goes on (bot.slack.workspace_guard.MemberGate): well under a reply's 2.5 s."""


ACKS_QUIET_SECONDS = 0.02
"""How long the door must have had no new request before acknowledged listeners go on: a
burst's requests wait in the sockets between two reads of them, while the door looks clear.
Acked at the door (bot.slack.door_acks) a request costs so little that a burst's arrivals at
one process are spaced by the sender, often by more than 5 ms (the value before): 20 ms
kept work from starting inside a burst of 50 (docs/performance.md, "The quiet door at 5 and
20 ms")."""


LISTENER_BACKLOG = 250
"""Listener tasks a process holds (acknowledged, their work not done) before it slows its
intake: above it a new request waits at the door, before Bolt reads it, until one is done.
Each waiting listener holds its parsed request, context and clients (tens of KB); a process
acknowledging clicks five times faster than it can carry them out held thousands of them
(`bench approvals`: 250 MB). Above the largest burst the acks-first figures are taken at."""

ADMIT_SECONDS = 1.5
"""The longest a request waits at the door for room: then it goes in anyway, so Slack still
gets its ack within its 3 s."""


class InFlight:
    """The work a process has started and not finished: requests and listener tasks."""

    def __init__(
        self, *, backlog: int = LISTENER_BACKLOG, admit_within: float = ADMIT_SECONDS
    ) -> None:
        self.draining = False
        self._backlog = backlog
        self._admit_within = admit_within
        self._listeners = 0
        self._counted: weakref.WeakSet[asyncio.Future[Any]] = weakref.WeakSet()
        self._handed_over: weakref.WeakSet[asyncio.Future[Any]] = weakref.WeakSet()
        # Requests waiting for room, first come first in: each listener that ends lets one in.
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._overloaded_said_at = float("-inf")
        self._work: set[asyncio.Future[Any]] = set()
        self._at_door = 0
        self._door_clear = asyncio.Event()
        self._door_clear.set()
        self._last_arrival = float("-inf")

    def __len__(self) -> int:
        return len(self._work)

    def track(self, task: asyncio.Future[Any]) -> None:
        self._work.add(task)
        task.add_done_callback(self._work.discard)

    def track_current_task(self, taking_over: asyncio.Future[Any] | None = None) -> None:
        """A listener's task (bot.app.TrackListenerTasks): waited for on stop, and counted
        against the backlog (once, however often it is told). `taking_over` held the
        request's place until now (the door's hand-over to Bolt, bot.slack.door_acks): the
        place passes to this task, rather than the request taking two."""
        task = asyncio.current_task()
        if task is None or task in self._counted:
            return
        if taking_over is not None and self._hand_over(taking_over, task):
            return
        self.count_listener(task)

    def _hand_over(self, holder: asyncio.Future[Any], task: asyncio.Future[Any]) -> bool:
        if holder not in self._counted or holder in self._handed_over or holder.done():
            return False
        self._handed_over.add(holder)
        self._hold_place(task)
        return True

    def count_listener(self, task: asyncio.Future[Any]) -> None:
        """`task` holds a listener's place in the backlog until it ends (once, however often
        it is told), and is waited for on stop."""
        if task not in self._counted:
            self._listeners += 1
            self._hold_place(task)

    def _hold_place(self, task: asyncio.Future[Any]) -> None:
        """`task` holds a place already counted, gives it up when it ends, is waited for."""
        self._counted.add(task)
        self.track(task)
        task.add_done_callback(self._listener_done)

    def _listener_done(self, task: asyncio.Future[Any]) -> None:
        if task in self._handed_over:
            return  # its place went on to the listener it started
        self._listeners -= 1
        self._let_one_in()

    def _let_one_in(self) -> None:
        """One out, one in — a listener ended, or a request let in left the door (it may
        have started no listener): waking every waiting request would let them all in at
        once."""
        while self._waiting and self._listeners < self._backlog:
            admitted = self._waiting.popleft()
            if not admitted.done():  # not given up meanwhile
                admitted.set_result(None)
                return

    @property
    def listeners(self) -> int:
        """Listener tasks started and not finished."""
        return self._listeners

    def web_middleware(self) -> Callable[..., Awaitable[web.StreamResponse]]:
        """Counts the requests being answered; once draining, turns new ones away with 503
        (a keep-alive connection can still bring one after the listening socket closed)."""

        @web.middleware
        async def middleware(
            request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
        ) -> web.StreamResponse:
            if self.draining:
                return web.Response(
                    status=503, text="shutting down", headers={"Connection": "close"}
                )
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self.track(done)
            try:
                if request.method == "POST" and self._full():
                    await self._wait_for_room()
                self._at_door += 1
                self._last_arrival = asyncio.get_running_loop().time()
                self._door_clear.clear()
                try:
                    return await handler(request)
                finally:
                    self._at_door -= 1
                    if not self._at_door:
                        self._door_clear.set()
                    self._let_one_in()
            finally:
                done.set_result(None)

        return middleware

    def _full(self) -> bool:
        return self._listeners >= self._backlog or bool(self._waiting)

    @property
    def waiting_for_room(self) -> int:
        """Requests waiting at the door for the backlog to shrink."""
        return sum(1 for waiter in self._waiting if not waiter.done())

    async def _wait_for_room(self) -> None:
        """Slack's requests over HTTP (POSTs) wait their turn while the backlog is full,
        `admit_within` at most; /healthz never does. Not counted at the door meanwhile:
        acknowledged work must go on."""
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        try:
            async with asyncio.timeout(self._admit_within):
                await turn
        except TimeoutError:
            now = asyncio.get_running_loop().time()
            if now - self._overloaded_said_at >= 60:  # once a minute, not once a request
                self._overloaded_said_at = now
                log.warning(
                    "overloaded: %d listeners still running after %.1f s; requests go in anyway",
                    self._listeners,
                    self._admit_within,
                )
        finally:
            if not turn.done():
                turn.cancel()  # skipped when its turn comes
            if turn in self._waiting:
                self._waiting.remove(turn)

    @property
    def at_door(self) -> int:
        """Requests being answered right now."""
        return self._at_door

    async def after_acks(
        self, most: float = ACKS_FIRST_SECONDS, quiet: float = ACKS_QUIET_SECONDS
    ) -> None:
        """Return once no request is being answered and none arrived for `quiet` seconds,
        or after `most` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + most
        while True:
            if not self._door_clear.is_set():
                try:
                    async with asyncio.timeout_at(deadline):
                        await self._door_clear.wait()
                except TimeoutError:
                    return
            calm_at = min(self._last_arrival + quiet, deadline)
            now = loop.time()
            if now >= calm_at:
                return
            await asyncio.sleep(calm_at - now)

    async def drain(self, grace: float = GRACE_SECONDS) -> int:
        """Stop taking work and wait for what runs (a request may start a listener while we
        wait, so wait again until nothing is left). Returns how many were still running at
        the deadline."""
        self.draining = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        while self._work:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            await asyncio.wait(set(self._work), timeout=remaining)
        left = len(self._work)
        if left:
            log.warning("stopped with %d listener(s) or request(s) still running", left)
        return left
