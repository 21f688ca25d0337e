"""The Home queue's rules (bot.slack.home.pacing), on a simulated clock: within the tier in any
minute, coalesced per person, a 429 waited out and never dropped, a failure not blocking the
others."""

from __future__ import annotations

import asyncio

import pytest

from bot.slack.home.pacing import WINDOW, HomeQueue, RateLimited


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


def busiest_minute(times: list[float]) -> int:
    return max((sum(1 for t in times if start <= t < start + WINDOW) for start in times), default=0)


def queue(per_minute: int) -> tuple[HomeQueue, Clock]:
    clock = Clock()
    return HomeQueue(per_minute, clock=clock, sleep=clock.sleep), clock


@pytest.mark.parametrize(
    ("per_minute", "people", "minutes"),
    [
        (1, 1, 0),
        (1, 3, 2),
        (3, 3, 0),
        (3, 4, 1),
        (5, 12, 2),
        (100, 12, 0),
        (100, 250, 2),
    ],
)
async def test_each_person_once_within_the_tier(per_minute: int, people: int, minutes: int) -> None:
    homes, clock = queue(per_minute)
    sent: list[tuple[str, float]] = []

    async def publish(user: str) -> None:
        sent.append((user, clock()))

    users = [f"U{n}" for n in range(people)]
    twice = await asyncio.gather(*(homes.publish("T1", users, publish) for _ in range(2)))
    assert twice == [people, people]  # both asks answered…
    assert sorted(u for u, _ in sent) == sorted(users)  # …by one publish each
    assert busiest_minute([t for _, t in sent]) <= per_minute
    assert clock.now == minutes * WINDOW  # no slower than the tier allows


async def test_changes_while_a_home_is_published_publish_it_once_more_after() -> None:
    homes, _ = queue(100)
    started, go = asyncio.Event(), asyncio.Event()
    sent: list[str] = []

    async def publish(user: str) -> None:
        sent.append(user)
        if len(sent) == 1:
            started.set()
            await go.wait()

    first = asyncio.ensure_future(homes.publish("T1", ["A"], publish))
    await started.wait()
    # Three more changes for A (and one for B) while A's first publish is on its way.
    later = [asyncio.ensure_future(homes.publish("T1", ["A", "B"], publish)) for _ in range(3)]
    await asyncio.sleep(0)
    assert homes.waiting("T1") == 2
    go.set()
    assert await first == 1 and [await x for x in later] == [2, 2, 2]
    assert sent == ["A", "A", "B"]  # the latest state of A once more, not three times


async def test_a_429_pauses_the_workspace_and_the_home_is_published_after() -> None:
    homes, clock = queue(100)
    sent: list[tuple[str, float]] = []
    refusals = [30.0]

    async def publish(user: str) -> None:
        if user == "B" and refusals:
            raise RateLimited(refusals.pop())
        sent.append((user, clock()))

    assert await homes.publish("T1", ["A", "B", "C"], publish) == 3
    assert sent == [("A", 0.0), ("B", 30.0), ("C", 30.0)]  # B first in line again, after 30 s


async def test_a_failed_home_is_not_counted_and_the_others_go_on() -> None:
    homes, _ = queue(100)
    sent: list[str] = []

    async def publish(user: str) -> None:
        if user == "B":
            raise RuntimeError("user_not_found")
        sent.append(user)

    assert await homes.publish("T1", ["A", "B", "C"], publish) == 2
    assert sent == ["A", "C"]


async def test_workspaces_are_paced_apart() -> None:
    homes, clock = queue(1)
    sent: list[tuple[str, float]] = []

    async def publish(user: str) -> None:
        sent.append((user, clock()))

    await asyncio.gather(homes.publish("T1", ["A"], publish), homes.publish("T2", ["B"], publish))
    assert sorted(sent) == [("A", 0.0), ("B", 0.0)]
