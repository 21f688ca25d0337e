"""Shared vendor reads: one flight per identical GET, a short per-key cache, last known answers.

Two hundred people asking for the balance at once must not become two hundred vendor calls:
identical GETs in flight for one key are made once and every caller gets the same answer, and
display reads may be answered from a cache a few seconds old. Any write on a key (credit move,
create, delete) empties that key's cache and bumps its generation, so a read that started
before the write can neither be joined by a later caller nor be stored afterwards.

The last answer of each read is also kept, longer, as the "last known" figure a rate-limited
product shows (with its age) instead of making the user wait for the vendor's window.
Both stores are bounded (least recently used entries go first).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

Clock = Callable[[], float]

DISPLAY_TTL = 5.0
"""How old a cached answer may be and still be shown as the current balance."""
LAST_KNOWN_TTL = 3600.0
"""How old an answer may be and still be shown, with its age, when the vendor may not be asked."""
MAX_ENTRIES = 2048


@dataclass(frozen=True, slots=True)
class Answer:
    document: dict[str, Any]
    read_at: float
    """When the vendor answered, on the transport's (monotonic) clock."""


ReadKey = tuple[str, str, str]
"""(key id, endpoint, digest of URL and query): never the API key itself."""


class ReadCache:
    def __init__(
        self,
        *,
        clock: Clock,
        ttl: float = DISPLAY_TTL,
        last_known_ttl: float = LAST_KNOWN_TTL,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self._clock = clock
        self.ttl = ttl
        self.last_known_ttl = last_known_ttl
        self._max_entries = max_entries
        self._answers: OrderedDict[ReadKey, Answer] = OrderedDict()
        self._flights: dict[tuple[ReadKey, int], asyncio.Future[Answer]] = {}
        self._generations: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._answers)

    def recent(self, key: ReadKey) -> Answer | None:
        """An answer young enough to show as current, or None."""
        return self._younger_than(key, self.ttl)

    def last_known(self, key: ReadKey) -> Answer | None:
        """The last answer, if not older than `last_known_ttl`."""
        return self._younger_than(key, self.last_known_ttl)

    def age(self, answer: Answer) -> float:
        return max(0.0, self._clock() - answer.read_at)

    async def shared(self, key: ReadKey, fetch: Callable[[], Awaitable[dict[str, Any]]]) -> Answer:
        """`fetch()` once for every caller asking for `key` while it is in flight."""
        flight_key = (key, self._generations.get(key[0], 0))
        flight = self._flights.get(flight_key)
        if flight is None:
            flight = asyncio.ensure_future(self._fetch_and_store(key, fetch))
            self._flights[flight_key] = flight
            flight.add_done_callback(lambda done: self._landed(flight_key, done))
        # shield: one caller giving up (a cancelled Slack request) must not fail the others.
        return await asyncio.shield(flight)

    async def fetch(self, key: ReadKey, fetch: Callable[[], Awaitable[dict[str, Any]]]) -> Answer:
        """`fetch()` for this caller alone (a fresh read), storing what it got."""
        return await self._fetch_and_store(key, fetch)

    def in_flight(self, key: ReadKey) -> bool:
        return (key, self._generations.get(key[0], 0)) in self._flights

    def _landed(self, flight_key: tuple[ReadKey, int], flight: asyncio.Future[Answer]) -> None:
        self._flights.pop(flight_key, None)
        if not flight.cancelled():
            flight.exception()  # retrieved: every waiter may have gone

    def invalidate(self, key_id: str) -> None:
        """A write on this key: forget its answers and let no earlier read be stored or shared."""
        self._generations[key_id] = self._generations.get(key_id, 0) + 1
        for key in [k for k in self._answers if k[0] == key_id]:
            del self._answers[key]

    async def _fetch_and_store(
        self, key: ReadKey, fetch: Callable[[], Awaitable[dict[str, Any]]]
    ) -> Answer:
        generation = self._generations.get(key[0], 0)
        document = await fetch()
        answer = Answer(document, self._clock())
        if self._generations.get(key[0], 0) == generation:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self._max_entries:
                self._answers.popitem(last=False)
        return answer

    def _younger_than(self, key: ReadKey, limit: float) -> Answer | None:
        answer = self._answers.get(key)
        if answer is None or self._clock() - answer.read_at >= limit:
            return None
        self._answers.move_to_end(key)
        return answer
