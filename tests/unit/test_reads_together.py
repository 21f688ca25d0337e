"""`ReadsTogether`: reads asked in one turn of the event loop made as one, each asker given
its own answer, and what happens when the read fails or an asker gives up."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

import pytest

from bot.reads_together import ReadsTogether

STORED = {"a": "A", "b": "B", "c": "C"}


class Store:
    """`read_many` over STORED, recording each call; held while `gate` is not set."""

    def __init__(self, *, fail: bool = False) -> None:
        self.calls: list[list[str]] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.entered = asyncio.Event()
        self.fail = fail

    async def read_many(self, keys: Sequence[str]) -> Mapping[str, str]:
        self.calls.append(sorted(keys))
        self.entered.set()
        await self.gate.wait()
        if self.fail:
            raise RuntimeError("the database is gone")
        return {key: STORED[key] for key in keys if key in STORED}


@pytest.mark.parametrize(
    ("asked", "answers"),
    [
        (["a"], ["A"]),
        (["a", "b", "c"], ["A", "B", "C"]),
        (["a", "x", "c"], ["A", "-", "C"]),  # not found: the `missing` answer
        (["b", "b"], ["B", "B"]),  # asked twice, read once
    ],
)
async def test_asked_in_one_turn_read_once(asked: list[str], answers: list[str]) -> None:
    store = Store()
    together = ReadsTogether(store.read_many, missing="-")
    assert await asyncio.gather(*(together.read(key) for key in asked)) == answers
    assert store.calls == [sorted(set(asked))]


async def test_asked_one_after_the_other_read_each_time() -> None:
    store = Store()
    together = ReadsTogether(store.read_many, missing="-")
    assert [await together.read("a"), await together.read("b")] == ["A", "B"]
    assert store.calls == [["a"], ["b"]]


async def test_a_failed_read_fails_every_asker() -> None:
    store = Store(fail=True)
    together = ReadsTogether(store.read_many, missing="-")
    found = await asyncio.gather(*(together.read(k) for k in "abc"), return_exceptions=True)
    assert [type(f) for f in found] == [RuntimeError] * 3
    assert store.calls == [["a", "b", "c"]]


async def test_the_first_asker_cancelled_the_others_read_alone() -> None:
    store = Store()
    store.gate.clear()
    together = ReadsTogether(store.read_many, missing="-")
    first = asyncio.create_task(together.read("a"))
    others = asyncio.gather(together.read("b"), together.read("c"))
    await store.entered.wait()  # the first asker reads for all three
    first.cancel()
    store.gate.set()
    with pytest.raises(asyncio.CancelledError):
        await first
    assert await others == ["B", "C"]
    assert store.calls == [["a", "b", "c"], ["b"], ["c"]]


async def test_a_joined_asker_cancelled_leaves_the_others_their_answers() -> None:
    store = Store()
    store.gate.clear()
    together = ReadsTogether(store.read_many, missing="-")
    first = asyncio.create_task(together.read("a"))
    gone = asyncio.create_task(together.read("b"))
    await store.entered.wait()
    gone.cancel()
    store.gate.set()
    assert await first == "A"
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert store.calls == [["a", "b"]]
