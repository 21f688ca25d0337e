"""bot.kept_reads: expiry, one read per key at a time, and a write's forget beating a read
under way."""

from __future__ import annotations

import asyncio

import pytest

from bot.kept_reads import KeptReads


class Source:
    """What the reads find; a read can be held open at a barrier."""

    def __init__(self, value: object) -> None:
        self.value = value
        self.gate: asyncio.Event | None = None
        self.started = asyncio.Event()
        self.fail: Exception | None = None

    async def read(self) -> object:
        self.started.set()
        found = self.value
        if self.gate is not None:
            await self.gate.wait()
        if self.fail is not None:
            raise self.fail
        return found


def held(value: object) -> Source:
    """A source whose reads wait at its gate until the test opens it."""
    source = Source(value)
    source.gate = asyncio.Event()
    return source


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("elapsed", "reads"),
    [(0.0, 1), (9.99, 1), (10.0, 2), (25.0, 2)],
)
async def test_an_entry_is_used_until_ttl_after_its_read(elapsed: float, reads: int) -> None:
    clock = Clock()
    kept: KeptReads[str, object] = KeptReads(ttl=10, clock=clock)
    source = Source("one")
    await kept.get("k", source.read)
    clock.now += elapsed
    await kept.get("k", source.read)
    assert kept.reads == reads


async def test_concurrent_gets_share_one_read_and_its_failure() -> None:
    kept: KeptReads[str, object] = KeptReads(ttl=10, clock=Clock())
    source = held("one")
    waiting = [asyncio.create_task(kept.get("k", source.read)) for _ in range(5)]
    await source.started.wait()
    source.fail = RuntimeError("database down")
    source.gate.set()
    outcomes = await asyncio.gather(*waiting, return_exceptions=True)
    assert [type(o) for o in outcomes] == [RuntimeError] * 5
    assert kept.reads == 1
    # Nothing kept from a failed read: the next get reads again.
    source.fail = None
    assert await kept.get("k", source.read) == "one"
    assert kept.reads == 2


async def test_a_forget_during_a_read_keeps_nothing_and_later_callers_read_anew() -> None:
    kept: KeptReads[str, object] = KeptReads(ttl=10, clock=Clock())
    early_source = held("old")
    early = asyncio.create_task(kept.get("k", early_source.read))
    await early_source.started.wait()
    kept.forget("k")  # a write begins while the read is under way
    assert await kept.get("k", Source("new").read) == "new"  # did not join the early read
    early_source.gate.set()
    assert await early == "old"  # the early read answers its own caller...
    assert await kept.get("k", Source("other").read) == "new"  # ...and is not what is kept
    assert kept.reads == 2


async def test_what_keep_refuses_is_read_every_time() -> None:
    kept: KeptReads[str, object | None] = KeptReads(
        ttl=10, clock=Clock(), keep=lambda v: v is not None
    )
    source = Source(None)
    assert await kept.get("k", source.read) is None
    assert await kept.get("k", source.read) is None
    assert kept.reads == 2


async def test_forget_drops_every_key_of_a_group() -> None:
    kept: KeptReads[tuple[str, bool], object] = KeptReads(
        ttl=10, clock=Clock(), group=lambda key: key[0]
    )
    source = Source("one")
    await kept.get(("T1", True), source.read)
    await kept.get(("T1", False), source.read)
    await kept.get(("T2", False), source.read)
    kept.forget("T1")
    for key in [("T1", True), ("T1", False), ("T2", False)]:
        await kept.get(key, source.read)
    assert kept.reads == 5


async def test_a_cancelled_reader_leaves_the_others_to_read_themselves() -> None:
    kept: KeptReads[str, object] = KeptReads(ttl=10, clock=Clock())
    slow = held("never")
    leader = asyncio.create_task(kept.get("k", slow.read))
    await slow.started.wait()
    follower = asyncio.create_task(kept.get("k", Source("read again").read))
    await asyncio.sleep(0)  # the follower joins the leader's read
    leader.cancel()
    assert await asyncio.wait_for(follower, 5) == "read again"
    assert leader.cancelled()
    assert kept.reads == 2
