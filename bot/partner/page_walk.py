"""Reading every page of an account's subaccount list: all at once where the count is known,
every page checked against the others.

Page 1 gives the page count (`total`, `nb_per_page`); the other pages are read side by side
(the transport keeps a key to its few slots, so never more at once). The pages the account
had when last read are asked for beside page 1 instead of after it: a walk of `p` pages at
`c` at a time then takes `ceil(p / c)` turns of the vendor's latency instead of
`1 + ceil((p - 1) / c)`. A page asked for ahead that page 1 says no longer exists is dropped,
whatever it got; pages added since are read after page 1.

A server that repeats a page, skips ahead, or runs dry before `total` would make a naive walk
loop forever or stop short without saying so: each raises `fault(detail)` instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable

from bot.partner.models import Subaccount, SubaccountPage

ReadPage = Callable[[int], Awaitable[SubaccountPage]]
Fault = Callable[[str], Exception]


async def walk_pages(read: ReadPage, *, pages_known: int, fault: Fault) -> list[Subaccount]:
    """Every subaccount; `pages_known`: how many pages the account had when last read."""
    ahead = {number: asyncio.ensure_future(read(number)) for number in range(2, pages_known + 1)}
    try:
        first = await read(1)
        count = page_count(first, fault)
        for number in [n for n in ahead if n > count]:
            _drop(ahead.pop(number))
        pages = [first, *await asyncio.gather(*ahead.values())]
        if count > len(pages):
            pages += await _read_side_by_side(read, range(len(pages) + 1, count + 1))
        # Subaccounts created while we read push the end out: one spare page, read on.
        if pages[-1].items and not pages[-1].is_last:
            pages += await _read_side_by_side(read, [count + 1])
    except BaseException:
        for task in ahead.values():
            _drop(task)
        raise
    return _checked(pages, fault)


def page_count(first: SubaccountPage, fault: Fault) -> int:
    """How many pages page 1 says there are."""
    if first.is_last:
        return 1
    if first.nb_per_page < 1:
        raise fault(f"nb_per_page is {first.nb_per_page}")
    return -(-first.total // first.nb_per_page)


async def _read_side_by_side(read: ReadPage, numbers: Iterable[int]) -> list[SubaccountPage]:
    tasks = [asyncio.ensure_future(read(number)) for number in numbers]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        raise


def _checked(pages: list[SubaccountPage], fault: Fault) -> list[Subaccount]:
    seen: set[str] = set()
    found: list[Subaccount] = []
    for page_number, page in enumerate(pages, start=1):
        if page.page != page_number:
            raise fault(f"asked for page {page_number}, got page {page.page}")
        if page.nb_per_page < 1:
            raise fault(f"nb_per_page is {page.nb_per_page}")
        fresh = [item for item in page.items if item.token not in seen]
        if page.items and not fresh:
            raise fault(f"page {page_number} repeats earlier subaccounts")
        for item in fresh:
            seen.add(item.token)
            found.append(item)
        if page.is_last:
            return found
        if not page.items:
            raise fault(f"page {page_number} is empty but total says {page.total} subaccounts")
    raise fault(f"still not at the end after {len(pages)} pages")


def _drop(task: asyncio.Future[SubaccountPage]) -> None:
    """A page read ahead that is not needed: cancelled, and what it got (a failure too) read
    so that asyncio does not log it as never retrieved."""
    task.cancel()
    task.add_done_callback(lambda done: done.cancelled() or done.exception())
