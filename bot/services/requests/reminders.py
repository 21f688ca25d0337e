"""Reminders and escalation of requests still waiting for a decision (`/partner policy remind
<hours>` and `escalate <hours>`).

A request waiting `remind_hours` reminds its approvers, then again at each multiple of it
(2N, 3N…): one reminder per interval, a worker that was down catches up with one, not many.
Waiting `escalate_hours`, it is brought to the admins, once.

Each is claimed with a conditional UPDATE that takes a lease on the request (`nudging_until`,
`RequestStore.NUDGE_LEASE`) only while it is pending, not past its expiry, and nobody holds
the lease: any number of processes, one sends it, and none after the request is decided,
cancelled or expired. `reminded_at` / `escalated_at` are set once it was delivered. One that
reached nobody (no Slack token, Slack refusing or unreachable) gives the lease back and is
sent on the next pass; one a killed process left is sent when the lease runs out — twice to
whoever that process had already told (at least once: a missed escalation is worse than a
repeated DM).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.clock import utcnow
from bot.services.requests.model import RequestSnapshot
from bot.services.requests.store import RequestStore


class Nudge(StrEnum):
    REMIND = "remind"
    ESCALATE = "escalate"


@dataclass(frozen=True, slots=True)
class Due:
    """A reminder or an escalation this process claimed: it is the one to send it."""

    request: RequestSnapshot
    nudge: Nudge
    waited: timedelta
    claimed_at: datetime


def reminder_due(
    created_at: datetime, reminded_at: datetime | None, hours: int | None, now: datetime
) -> bool:
    """Whether a new interval of `hours` began since the last reminder (or since the request
    was made: the first one comes after one interval)."""
    if not hours:
        return False
    every = timedelta(hours=hours)
    intervals_now = (now - created_at) // every
    intervals_told = 0 if reminded_at is None else (reminded_at - created_at) // every
    return intervals_now >= 1 and intervals_now > intervals_told


def escalation_due(
    created_at: datetime, escalated_at: datetime | None, hours: int | None, now: datetime
) -> bool:
    return bool(hours) and escalated_at is None and now - created_at >= timedelta(hours=hours or 0)


class Reminders:
    def __init__(self, store: RequestStore) -> None:
        self._store = store

    async def due(self) -> list[Due]:
        """Claim what is due now. The escalation first: a request due both is escalated on
        this pass and reminded on the next (one lease a request)."""
        now = utcnow()
        claimed: list[Due] = []
        for w in await self._store.waiting_for_nudges(now):
            escalate = escalation_due(w.created_at, w.escalated_at, w.escalate_hours, now)
            remind = reminder_due(w.created_at, w.reminded_at, w.remind_hours, now)
            if escalate and await self._store.claim_escalation(w.id, now):
                nudge = Nudge.ESCALATE
            elif remind and await self._store.claim_reminder(w.id, w.reminded_at, now):
                nudge = Nudge.REMIND
            else:
                continue
            claimed.append(Due(await self._store.get(w.id), nudge, now - w.created_at, now))
        return claimed

    async def sent(self, due: Due) -> None:
        """`due` was delivered: it is not due again (until the next interval)."""
        field = "reminded_at" if due.nudge is Nudge.REMIND else "escalated_at"
        await self._store.nudge_sent(due.request.id, due.claimed_at, **{field: due.claimed_at})

    async def release(self, due: Due) -> None:
        """`due` was not delivered: the next pass claims and sends it again."""
        await self._store.release_nudge(due.request.id, due.claimed_at)
