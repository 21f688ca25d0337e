"""How patiently the Partner transport talks to a vendor: timeouts, retry backoff, rate limits."""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect: float = 5.0
    total: float = 20.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter, for GETs only."""

    attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 8.0
    max_wait: float = 30.0
    """A server asking us to wait longer than this (Retry-After) gets an error instead."""

    def backoff(self, retry_number: int) -> float:
        ceiling = min(self.max_delay, self.base_delay * (2**retry_number))
        return random.uniform(0, ceiling)  # noqa: S311 - jitter, not security


@dataclass(slots=True)
class RateLimit:
    """At most `calls` per `period` seconds (a sliding window), waiting rather than failing."""

    calls: int
    period: float
    clock: Clock = time.monotonic
    sleep: Sleep = asyncio.sleep
    _sent: deque[float] = field(default_factory=deque)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def try_acquire(self) -> float:
        """Take a place in the window now and return 0, or return the seconds until one frees.

        Never waits, so a caller that must not wait (a balance on screen) can say so at once.
        """
        if self._lock.locked():
            # Somebody is already waiting for the window: this caller would queue behind them.
            if not self._sent:
                return self.period
            return max(0.001, self.period - (self.clock() - self._sent[0]))
        now = self.clock()
        while self._sent and now - self._sent[0] >= self.period:
            self._sent.popleft()
        if len(self._sent) < self.calls:
            self._sent.append(now)
            return 0.0
        return self.period - (now - self._sent[0])

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self.clock()
                while self._sent and now - self._sent[0] >= self.period:
                    self._sent.popleft()
                if len(self._sent) < self.calls:
                    self._sent.append(now)
                    return
                await self.sleep(self.period - (now - self._sent[0]))
