"""Telling a settlement: the move is stored, then the card is redrawn and the requester told in
a second step. A process that dies in between must not leave the card showing buttons for a
decided request, the requester untold, or an approver never asked to mark an unknown outcome.

Whoever tells takes the telling first, by one conditional UPDATE (`RequestStore.claim_telling`,
the column `told_status`), right before the requester's DM: the card is redrawn before (a
redraw is the same whoever makes it, and as often), the DM after, by one process only. A
settled status still untold once `grace` has passed is told by maintenance (`recover`). A DM
whose post had no answer is not sent again (a DM twice is worse than a DM lost).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.clock import utcnow
from bot.services.requests.model import FINAL, RequestSnapshot, Status
from bot.services.requests.notices import RequestNotices
from bot.services.requests.store import RequestStore

TOLD = FINAL | {Status.UNKNOWN}
"""The statuses that may be owed a telling (`tell_owed` says which are)."""


def tell_owed(status: Status, needs_a_person: bool) -> bool:
    """Whether a request in `status` is owed a telling: settled, or unknown and put to an
    approver (the card asks them to mark it). Unknown and still being reconciled: not yet."""
    return status.is_final or (status is Status.UNKNOWN and needs_a_person)


class Telling:
    def __init__(
        self,
        store: RequestStore,
        changed: Callable[[RequestSnapshot], Awaitable[None]],
        *,
        grace: timedelta,
    ) -> None:
        self._store = store
        self._changed = changed
        self.grace = grace

    async def settled(self, request: RequestSnapshot, notices: RequestNotices) -> bool:
        """After a move: redraw the card, then tell the requester if this call takes the
        telling. True when it did."""
        await self.card_changed(request.id, notices)
        if not await self.take(request):
            return False
        await notices.requester_told(request)
        return True

    async def take(self, request: RequestSnapshot) -> bool:
        """Take the telling of `request` as it is (for callers that tell it their own way)."""
        return tell_owed(request.status, request.needs_a_person) and (
            await self._store.claim_telling(request.id, request.status)
        )

    async def card_changed(self, request_id: int, notices: RequestNotices) -> None:
        # Redrawn from the request as it stands now, never from a stale copy.
        current = await self._store.get(request_id)
        await notices.card_changed(current)
        await self._changed(current)

    async def recover(
        self, notices_for: Callable[[str], Awaitable[RequestNotices | None]]
    ) -> list[RequestSnapshot]:
        """Tell what a dead process left untold; returns the requests this call told."""
        told = []
        for request_id in await self._store.untold(TOLD, utcnow() - self.grace):
            request = await self._store.get(request_id)
            if not tell_owed(request.status, request.needs_a_person):
                continue
            notices = await notices_for(request.team_id)
            if notices is not None and await self.settled(request, notices):
                told.append(request)
        return told
