"""Database reads kept in memory for a bounded time, dropped by this process's own writes.

For what a hot path would otherwise read on every request (a workspace's bot, its Partner
keys) and what changes rarely. The rules, the same for every user of it:

- An entry is used for `ttl` seconds after its read began; then the next `get` reads again.
  That is the bound on a change made by another process: it is seen at most `ttl` later.
- One read per key at a time: a burst when an entry is missing or expired shares one read.
- A write in this process calls `forget(group)` before it writes and again once it is
  committed: a read that was under way when the write began is not kept (its generation
  changed), and later callers do not join it. So this process never uses its own old value.
- What `keep` refuses (e.g. "not found") is never kept: a value created by another process is
  seen by the next read.

Why not cachetools' TTLCache: it has no single read per key nor the generation rule, which are
the parts that matter here; the expiry is two lines.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class _Kept(Generic[V]):
    value: V
    read_at: float


def _same(key: Hashable) -> Hashable:
    return key


def _always(_value: object) -> bool:
    return True


class KeptReads(Generic[K, V]):
    def __init__(
        self,
        *,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
        group: Callable[[K], Hashable] = _same,
        keep: Callable[[V], bool] = _always,
    ) -> None:
        """`group` maps a key to what a write forgets (a workspace, for keys that also say
        which kind of install); `keep` says which values may be kept."""
        self._ttl = ttl
        self._clock = clock
        self._group = group
        self._keep = keep
        self._kept: dict[K, _Kept[V]] = {}
        self._reading: dict[K, asyncio.Future[V]] = {}
        self._generation: dict[Hashable, int] = {}
        self.reads = 0
        """Reads made (tests and benches count them)."""

    async def get(self, key: K, read: Callable[[], Awaitable[V]]) -> V:
        while True:
            kept = self._kept.get(key)
            if kept is not None and self._clock() - kept.read_at < self._ttl:
                return kept.value
            reading = self._reading.get(key)
            if reading is None:
                return await self._lead(key, read)
            try:
                return await asyncio.shield(reading)
            except asyncio.CancelledError:
                if reading.cancelled() and not _being_cancelled():
                    continue  # the task reading for everyone was cancelled, not this one
                raise

    async def _lead(self, key: K, read: Callable[[], Awaitable[V]]) -> V:
        """Read for every caller of `key` until the read is done."""
        reading: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._reading[key] = reading
        try:
            value = await self._read(key, read)
        except asyncio.CancelledError:
            reading.cancel()  # the others read again themselves
            raise
        except BaseException as error:
            reading.set_exception(error)
            reading.exception()  # retrieved: nobody else may be waiting
            raise
        else:
            reading.set_result(value)
            return value
        finally:
            if self._reading.get(key) is reading:
                del self._reading[key]

    async def _read(self, key: K, read: Callable[[], Awaitable[V]]) -> V:
        group = self._group(key)
        generation = self._generation.get(group, 0)
        started = self._clock()
        self.reads += 1
        value = await read()
        if self._generation.get(group, 0) != generation:
            return value  # a write began meanwhile: keep nothing (nor drop a later read's)
        if self._keep(value):
            self._kept[key] = _Kept(value, started)
        else:
            self._kept.pop(key, None)
        return value

    def forget(self, group: Hashable) -> None:
        """Drop what is kept of `group`: its next `get` reads again."""
        self._generation[group] = self._generation.get(group, 0) + 1
        for key in [k for k in self._kept if self._group(k) == group]:
            del self._kept[key]
        for key in [k for k in self._reading if self._group(k) == group]:
            # Later callers must not join a read that began before the change.
            del self._reading[key]

    def forget_all(self) -> None:
        for key in list(self._kept) + list(self._reading):
            self.forget(self._group(key))


def _being_cancelled() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
