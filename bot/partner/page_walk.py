"""Reading every page of an account's subaccount list: all at once where the count is known,
every page checked against the others.

Page 1 gives the page count (`total`, `nb_per_page`); the other pages are read side by side
(the transport keeps a key to its few slots, so never more at once), all asked for as soon as
page 1 answers, so a slot is never idle while a page is left to read. Up to `c` (the key's
slots) of the pages the account had at its last walk (`PagesSeen`) are asked for beside page
1 instead of after it: a walk of `p` pages then takes `ceil((p + 1) / c)` turns of the
vendor's latency (its main account read beside) instead of `1 + ceil((p - 1) / c)`. A page
asked for ahead that page 1 says no longer exists is dropped, whatever it got (so at most `c`
reads are spent for nothing when an account shrank); pages added since are read after page 1.

A server that repeats a page, skips ahead, or runs dry before `total` would make a naive walk
loop forever or stop short without saying so: each raises `fault(detail)` instead.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from bot.partner.models import Subaccount, SubaccountPage
from bot.side_by_side import all_or_none

ReadPage = Callable[[int], Awaitable[SubaccountPage]]
Fault = Callable[[str], Exception]


class PagesSeen:
    """How many pages each key's account had at its last walk (the least recently walked
    forgotten first): a hint for the next walk, never a figure shown."""

    def __init__(self, most: int = 10_000) -> None:
        self._most = most
        self._pages: OrderedDict[str, int] = OrderedDict()

    def get(self, key: str) -> int:
        """The pages seen last time, 1 when this key was never walked."""
        return self._pages.get(key, 1)

    def put(self, key: str, pages: int) -> None:
        self._pages[key] = pages
        self._pages.move_to_end(key)
        while len(self._pages) > self._most:
            self._pages.popitem(last=False)


async def walk_pages(
    read: ReadPage, *, pages_seen: int, ahead_at_most: int, fault: Fault
) -> tuple[list[Subaccount], int]:
    """Every subaccount, and how many pages page 1 said there were. `pages_seen`: the pages
    of the last walk; `ahead_at_most`: how many of them may be asked for beside page 1."""
    last_ahead = min(pages_seen, 1 + ahead_at_most)
    ahead = {number: asyncio.ensure_future(read(number)) for number in range(2, last_ahead + 1)}
    try:
        first = await read(1)
        count = page_count(first, fault)
        for number in [n for n in ahead if n > count]:
            _drop(ahead.pop(number))
        # The pages after those asked ahead are asked now, not once those are in: a slot
        # that an early page frees takes the next page at once (no turn of latency idle).
        rest = map(read, range(len(ahead) + 2, count + 1))
        pages = [first, *await all_or_none(*ahead.values(), *rest)]
        # Subaccounts created while we read push the end out: one spare page, read on.
        if pages[-1].items and not pages[-1].is_last:
            pages += await all_or_none(read(count + 1))
    except BaseException:
        for task in ahead.values():
            _drop(task)
        raise
    return _checked(pages, fault), count


def page_count(first: SubaccountPage, fault: Fault) -> int:
    """How many pages page 1 says there are."""
    if first.is_last:
        return 1
    if first.nb_per_page < 1:
        raise fault(f"nb_per_page is {first.nb_per_page}")
    return -(-first.total // first.nb_per_page)


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
    """A page read ahead that is not needed: cancelled. (`cancel` also marks a failure the
    read already had as seen: asyncio does not log it as never retrieved. A display read
    shared with other callers is only let go: the transport finishes it for them.)"""
    task.cancel()
