"""The group-members cache: per workspace, for a short time, bounded, one lookup at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from bot.services.directory import GroupMembersCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Lookups:
    """A loader per (team, group) that counts its calls and answers the current members."""

    def __init__(self) -> None:
        self.members: dict[tuple[str, str], set[str]] = {}
        self.calls: list[tuple[str, str]] = []

    def loader(self, team: str, group: str) -> Callable[[], Awaitable[set[str]]]:
        async def load() -> set[str]:
            self.calls.append((team, group))
            return set(self.members.get((team, group), set()))

        return load


@pytest.mark.parametrize(
    ("elapsed", "lookups"),
    [(0.0, 1), (59.9, 1), (60.0, 2), (3600.0, 2)],
)
async def test_an_answer_is_reused_for_the_ttl_only(elapsed: float, lookups: int) -> None:
    clock, source = Clock(), Lookups()
    cache = GroupMembersCache(ttl=60.0, clock=clock)
    source.members[("T1", "S1")] = {"U1"}
    assert await cache.members("T1", "S1", source.loader("T1", "S1")) == {"U1"}
    source.members[("T1", "S1")] = {"U2"}
    clock.now += elapsed
    expected = {"U1"} if lookups == 1 else {"U2"}
    assert await cache.members("T1", "S1", source.loader("T1", "S1")) == expected
    assert len(source.calls) == lookups


async def test_workspaces_never_share_answers() -> None:
    cache, source = GroupMembersCache(), Lookups()
    source.members[("T1", "S1")] = {"U1"}
    assert await cache.members("T1", "S1", source.loader("T1", "S1")) == {"U1"}
    # The same group id asked by another workspace: its own lookup, its own answer.
    assert await cache.members("T2", "S1", source.loader("T2", "S1")) == set()
    assert source.calls == [("T1", "S1"), ("T2", "S1")]


async def test_forget_drops_one_group_or_a_whole_workspace() -> None:
    cache, source = GroupMembersCache(), Lookups()
    for team, group in (("T1", "S1"), ("T1", "S2"), ("T2", "S1")):
        await cache.members(team, group, source.loader(team, group))
    cache.forget("T1", "S1")
    for team, group in (("T1", "S1"), ("T1", "S2"), ("T2", "S1")):
        await cache.members(team, group, source.loader(team, group))
    assert source.calls.count(("T1", "S1")) == 2 and source.calls.count(("T1", "S2")) == 1
    cache.forget("T1")
    await cache.members("T1", "S2", source.loader("T1", "S2"))
    await cache.members("T2", "S1", source.loader("T2", "S1"))
    assert source.calls.count(("T1", "S2")) == 2 and source.calls.count(("T2", "S1")) == 1


async def test_the_oldest_entries_go_beyond_the_bound() -> None:
    cache, source = GroupMembersCache(max_entries=2), Lookups()
    for group in ("S1", "S2", "S3"):
        await cache.members("T1", group, source.loader("T1", group))
    await cache.members("T1", "S3", source.loader("T1", "S3"))  # kept
    await cache.members("T1", "S1", source.loader("T1", "S1"))  # gone: looked up again
    assert source.calls == [("T1", "S1"), ("T1", "S2"), ("T1", "S3"), ("T1", "S1")]


async def test_concurrent_asks_share_one_lookup_and_its_failure() -> None:
    cache = GroupMembersCache()
    started, release = asyncio.Event(), asyncio.Event()
    calls = 0

    async def slow() -> set[str]:
        nonlocal calls
        calls += 1
        started.set()
        await release.wait()
        return {"U1"}

    first = asyncio.create_task(cache.members("T1", "S1", slow))
    await started.wait()
    second = asyncio.create_task(cache.members("T1", "S1", slow))
    await asyncio.sleep(0)
    release.set()
    assert await first == {"U1"} and await second == {"U1"} and calls == 1

    async def broken() -> set[str]:
        raise RuntimeError("Slack is down")

    with pytest.raises(RuntimeError):
        await cache.members("T1", "S9", broken)
    # A failure is not remembered: the next ask tries again.
    assert await cache.members("T1", "S9", slow) == {"U1"} and calls == 2
