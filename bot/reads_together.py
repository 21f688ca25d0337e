"""Reads of several keys asked in the same turn of the event loop, made as one.

A round of digests starts twenty workspaces at once, and a process just started keeps none of
their Partner keys yet: twenty sessions, each reading one workspace's rows, held the last
digest's first vendor request back by about 0.1 s (`bench digest`, cold round). Asked here,
the first asker lets the loop take one turn, in which the others join, then reads every key
asked in one statement and hands each asker its own.

Why by hand: this is DataLoader's batching (aiodataloader), whose caching we do not want
(bot.kept_reads keeps values, with its own rules); the batching alone is the code below.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Iterable, Mapping, Sequence
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_ALONE = object()
"""What a joined asker gets when the read it joined was given up: it reads alone."""


class ReadsTogether(Generic[K, V]):
    def __init__(
        self, read_many: Callable[[Sequence[K]], Awaitable[Mapping[K, V]]], missing: V
    ) -> None:
        """`read_many(keys)` answers for every key it finds; `missing` is the answer for
        the others."""
        self._read_many = read_many
        self._missing = missing
        self._asked: dict[K, asyncio.Future[object]] | None = None

    async def read(self, key: K) -> V:
        asked = self._asked
        if asked is not None:  # a read is gathering its keys: join it
            joined = asked.get(key)
            if joined is None:
                joined = asked[key] = asyncio.get_running_loop().create_future()
            value = await asyncio.shield(joined)
            if value is not _ALONE:
                return value  # type: ignore[return-value]
            return await self._alone(key)
        asked = self._asked = {}
        try:
            await asyncio.sleep(0)  # the one turn in which the others ask
            self._asked = None
            found = await self._read_many([key, *(k for k in asked if k != key)])
        except BaseException as error:
            if self._asked is asked:  # cancelled in its turn: no later read is gathering yet
                self._asked = None
            _fail(asked.values(), error)
            raise
        for other, future in asked.items():
            future.set_result(found.get(other, self._missing))
        return found.get(key, self._missing)

    async def _alone(self, key: K) -> V:
        found = await self._read_many([key])
        return found.get(key, self._missing)


def _fail(joined: Iterable[asyncio.Future[object]], error: BaseException) -> None:
    """The read the others joined failed, or its asker was cancelled (not they: each of them
    reads alone)."""
    for future in joined:
        if isinstance(error, asyncio.CancelledError):
            future.set_result(_ALONE)
        else:
            future.set_exception(error)
            future.exception()  # retrieved: an asker may have gone
