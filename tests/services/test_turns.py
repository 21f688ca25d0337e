"""Posting turns shared by processes: one a second per channel between all of them."""

from __future__ import annotations

import asyncio

from bot.db.session import Database
from bot.services.turns import Turns


class World:
    """A simulated wall clock shared by every process, and the sleeps each one asked for."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self.slept: dict[str, list[float]] = {}

    def turns(self, database: Database, name: str) -> Turns:
        async def sleep(seconds: float) -> None:
            self.slept.setdefault(name, []).append(round(seconds, 3))

        return Turns(database, clock=lambda: self.now, sleep=sleep)


async def test_two_processes_posting_to_one_channel_take_turns_a_second_apart(
    database: Database,
) -> None:
    world = World()
    # Two processes: each its own engine and pool on the one database.
    other_database = Database(database.url)
    try:
        first = world.turns(database, "first")
        second = world.turns(other_database, "second")
        turns = [await (first if n % 2 == 0 else second).reserve("C0SAME") for n in range(4)]
        assert [t - world.now for t in turns] == [0, 1, 2, 3]
        # Another channel does not wait for this one.
        assert await second.reserve("C0OTHER") == world.now
        # Later, a turn long past leaves no debt: now is the next turn.
        world.now += 60
        assert await first.reserve("C0SAME") == world.now
    finally:
        await other_database.dispose()


async def test_waiting_sleeps_until_the_turn_reserved(database: Database) -> None:
    world = World()
    first = world.turns(database, "first")
    second = world.turns(database, "second")
    await asyncio.gather(first.wait("C0SAME"), second.wait("C0SAME"), first.wait("C0SAME"))
    # The first to reserve posts at once (no sleep); the others one and two seconds later.
    slept = sorted(world.slept.get("first", []) + world.slept.get("second", []))
    assert slept == [1.0, 2.0]


async def test_reservations_at_the_same_instant_from_many_processes_are_all_distinct(
    database: Database,
) -> None:
    world = World()
    databases = [Database(database.url) for _ in range(3)]
    try:
        pacers = [world.turns(db, f"p{n}") for n, db in enumerate(databases)]
        turns = await asyncio.gather(*(pacers[n % 3].reserve("C0BUSY") for n in range(9)))
        assert sorted(t - world.now for t in turns) == list(range(9))
    finally:
        for db in databases:
            await db.dispose()
