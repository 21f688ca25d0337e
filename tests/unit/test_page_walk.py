"""`walk_pages`: which pages a walk asks for before page 1 answers, what it drops and what it
waits for. The pages come from a stand-in vendor whose every page waits on the test."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest

from bot.partner.models import Subaccount, SubaccountPage
from bot.partner.page_walk import PagesSeen, walk_pages

PER_PAGE = 2


class Fault(Exception):
    pass


class Vendor:
    """`total` subaccounts, 2 a page; page 1 answers when `first` is set, the others at once
    unless listed in `held` (never answered) or `failing` (raise)."""

    def __init__(
        self, total: int, *, held: set[int] = frozenset(), failing: set[int] = frozenset()
    ) -> None:
        self.total = total
        self.held = held
        self.failing = failing
        self.first = asyncio.Event()
        self.asked: list[int] = []
        self.cancelled: list[int] = []

    async def read(self, number: int) -> SubaccountPage:
        self.asked.append(number)
        try:
            if number == 1:
                await self.first.wait()
            elif number in self.held:
                await asyncio.Event().wait()
            await asyncio.sleep(0)
        except asyncio.CancelledError:
            self.cancelled.append(number)
            raise
        if number in self.failing:
            raise RuntimeError(f"page {number} failed")
        start = (number - 1) * PER_PAGE
        items = tuple(
            Subaccount(i, f"{i}@example.com", "simple", f"t{i}", None, 0, "EUR")  # type: ignore[arg-type]
            for i in range(start, min(start + PER_PAGE, self.total))
        )
        return SubaccountPage(page=number, nb_per_page=PER_PAGE, total=self.total, items=items)


async def walk(vendor: Vendor, seen: int, at_most: int = 4) -> tuple[list[Subaccount], int]:
    return await walk_pages(vendor.read, pages_seen=seen, ahead_at_most=at_most, fault=Fault)


async def asked_before_page_1(vendor: Vendor, seen: int, at_most: int) -> list[int]:
    task = asyncio.create_task(walk(vendor, seen, at_most))
    for _ in range(5):  # every page task started runs to its first wait
        await asyncio.sleep(0)
    asked = sorted(vendor.asked)
    vendor.first.set()
    await task
    return asked


@pytest.mark.parametrize(
    ("seen", "at_most", "expected"),
    [
        (1, 4, [1]),  # never walked: page 1 alone
        (3, 4, [1, 2, 3]),
        (50, 4, [1, 2, 3, 4, 5]),  # at most the key's slots ahead
        (50, 1, [1, 2]),
    ],
)
async def test_pages_asked_for_before_page_1_answers(
    seen: int, at_most: int, expected: list[int]
) -> None:
    assert await asked_before_page_1(Vendor(100), seen, at_most) == expected


async def test_pages_that_no_longer_exist_are_dropped_not_waited_for() -> None:
    vendor = Vendor(3, held={3, 4})  # 2 pages now; the walk saw 4 last time
    vendor.first.set()
    found, pages = await walk(vendor, seen=4)
    assert [s.id for s in found] == [0, 1, 2]
    assert pages == 2
    await asyncio.sleep(0)  # the cancellations land
    assert sorted(vendor.cancelled) == [3, 4]


async def test_a_dropped_page_that_failed_is_not_reported(
    caplog: pytest.LogCaptureFixture,
) -> None:
    loop = asyncio.get_running_loop()
    unhandled: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: unhandled.append(context))
    vendor = Vendor(2, failing={2, 3})  # 1 page now, pages 2 and 3 fail
    walking = asyncio.create_task(walk(vendor, seen=3))
    for _ in range(5):  # pages 2 and 3 fail while page 1 is still awaited
        await asyncio.sleep(0)
    assert sorted(vendor.asked) == [1, 2, 3]
    vendor.first.set()
    found, pages = await walking
    assert (len(found), pages) == (2, 1)
    for _ in range(3):
        await asyncio.sleep(0)
    gc.collect()  # "exception was never retrieved" is said when a task is collected
    loop.set_exception_handler(None)
    assert unhandled == []


async def test_pages_added_since_are_read_after_page_1() -> None:
    vendor = Vendor(8)  # 4 pages now; the walk saw 2
    vendor.first.set()
    found, pages = await walk(vendor, seen=2)
    assert [s.id for s in found] == list(range(8))
    assert pages == 4
    assert sorted(vendor.asked) == [1, 2, 3, 4]


async def test_the_pages_after_those_asked_ahead_do_not_wait_for_them() -> None:
    """Page 2 (asked ahead) never answers: pages 6 to 50 are asked all the same, so the
    key's slots that pages 3 to 5 free take them at once (the transport keeps the key to
    its slots; the walk only has to ask)."""
    vendor = Vendor(100, held={2})
    vendor.first.set()
    walking = asyncio.create_task(walk(vendor, seen=50))
    for _ in range(10):
        await asyncio.sleep(0)
    assert sorted(vendor.asked) == list(range(1, 51))
    walking.cancel()
    with pytest.raises(asyncio.CancelledError):
        await walking
    assert vendor.cancelled == [2]


async def test_a_needed_page_that_fails_fails_the_walk_and_drops_the_others() -> None:
    vendor = Vendor(100, failing={2}, held={3, 4, 5})
    vendor.first.set()
    with pytest.raises(RuntimeError, match="page 2"):
        await walk(vendor, seen=50)
    await asyncio.sleep(0)
    assert sorted(vendor.cancelled) == [3, 4, 5]


def test_pages_seen_forgets_the_least_recently_walked_first() -> None:
    seen = PagesSeen(most=2)
    assert seen.get("a") == 1
    seen.put("a", 5)
    seen.put("b", 7)
    seen.put("a", 6)
    seen.put("c", 3)  # "b" is the one forgotten
    assert (seen.get("a"), seen.get("b"), seen.get("c")) == (6, 1, 3)
