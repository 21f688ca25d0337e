"""Cards owed: a request is stored, then its card is posted in a second step. A process that
dies in between must not leave the request pending, unseen and untold until it expires.

The posting is taken first, by one conditional UPDATE (`RequestStore.claim_card`), so of the
process that asked and any number of maintenance rounds exactly one posts. Maintenance then
reads what the columns say (`card_step`):
- never taken, once the asking process has had time to take it: nobody posted it, so it is
  posted now and its requester told by DM where it went;
- taken, no card, past the lease: the post was cut short (the process died waiting for Slack's
  answer), so the card may be in the channel. It is never posted again (approvers would see
  two); the requester is told once, as when Slack does not answer (a click on the card that
  did go out tells where it is).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.clock import utcnow
from bot.db.session import Database
from bot.services.policy import get_policy
from bot.services.requests.model import RequestSnapshot
from bot.services.requests.notices import CardRefused, RequestNotices
from bot.services.requests.store import RequestStore

log = logging.getLogger(__name__)

WITHDRAWN_NOTE = "the approval card could not be posted"


class CardStep(enum.Enum):
    WAIT = "wait"
    """Its process may still be posting it."""
    POST = "post"
    """Nobody took the posting: post it now."""
    TELL_UNKNOWN = "tell_unknown"
    """The post was cut short: tell the requester it may not be there."""


def card_step(
    now: datetime,
    created_at: datetime,
    claimed_at: datetime | None,
    *,
    grace: timedelta,
    lease: timedelta,
) -> CardStep:
    """What maintenance does for a pending request with no card and no known outcome."""
    if claimed_at is None:
        # The asking process takes the posting right after the insert; `grace` covers that.
        return CardStep.POST if now - created_at >= grace else CardStep.WAIT
    # A post under way ends within the Slack client's timeout, well inside the lease.
    return CardStep.TELL_UNKNOWN if now - claimed_at >= lease else CardStep.WAIT


class Cards:
    def __init__(
        self,
        store: RequestStore,
        database: Database,
        withdraw: Callable[[int, str], Awaitable[RequestSnapshot]],
        *,
        grace: timedelta,
        lease: timedelta,
    ) -> None:
        self._store = store
        self._database = database
        self._withdraw = withdraw
        self.grace = grace
        self.lease = lease

    async def recover(
        self, notices_for: Callable[[str], Awaitable[RequestNotices | None]]
    ) -> list[RequestSnapshot]:
        """Post the cards nobody posted and tell of the posts cut short, each once; returns
        the requests this call handled."""
        now = utcnow()
        handled = []
        for owed in await self._store.cards_owed():
            step = card_step(
                now, owed.created_at, owed.claimed_at, grace=self.grace, lease=self.lease
            )
            if step is CardStep.WAIT:
                continue
            channel = (await get_policy(self._database, owed.team_id)).approvals_channel_id
            if channel is None:
                continue  # nowhere to show it: it expires, and its requester is told then
            notices = await notices_for(owed.team_id)
            if notices is None:
                continue  # no Slack token: nothing taken, a later round may do it
            if step is CardStep.POST:
                if await self._store.claim_card(owed.request_id):
                    handled.append(await self._post(owed.request_id, channel, notices))
            elif await self._store.card_unknown(owed.request_id, channel):
                request = await self._store.get(owed.request_id)
                log.warning("card of request %d: its post was cut short", request.id)
                await notices.sent_late(request, channel, card_known=False)
                handled.append(request)
        return handled

    async def _post(
        self, request_id: int, channel: str, notices: RequestNotices
    ) -> RequestSnapshot:
        request = await self._store.get(request_id)
        try:
            posted = await notices.card_needed(request, channel)
        except CardRefused as refused:
            withdrawn = await self._withdraw(request_id, WITHDRAWN_NOTE)
            await self._store.claim_telling(request_id, withdrawn.status)  # told right here
            await notices.withdrawn_late(withdrawn, channel, refused.reason)
            return withdrawn
        if posted is None:
            await self._store.card_unknown(request_id, channel)
        else:
            await self._store.set_card(request_id, posted.channel_id, posted.ts)
        log.info("card of request %d posted by maintenance", request_id)
        await notices.sent_late(request, channel, card_known=posted is not None)
        return await self._store.get(request_id)
