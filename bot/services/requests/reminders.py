"""Reminders and escalation of requests still waiting for a decision (`/partner policy remind
<hours>` and `escalate <hours>`).

A request waiting `remind_hours` reminds its approvers, then again at each multiple of it
(2N, 3N…): one reminder per interval, a worker that was down catches up with one, not many.
Waiting `escalate_hours`, it is brought to the admins, once. Each is claimed with a
conditional UPDATE on the request (`RequestStore.claim_reminder` / `claim_escalation`) that
holds only while the request is pending and not past its expiry: any number of processes send
each one once, and none comes after the request is decided, cancelled or expired.

A claim not delivered (no Slack token, Slack refusing or unreachable for every post) is
released, and the next maintenance pass sends it. A process killed between claiming and
sending loses that one (at most once: a reminder is not money, and a duplicate nags everyone);
the next interval's reminder still comes, an escalation does not come again.
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
    previous: datetime | None = None
    """The reminder before this one (REMIND): what a release puts back."""


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
        """Claim what is due now, escalations before reminders: when both fall due at once,
        the admins hear of it and the approvers are reminded, each once."""
        now = utcnow()
        claimed: list[Due] = []
        for w in await self._store.waiting_for_nudges(now):
            escalate = escalation_due(w.created_at, w.escalated_at, w.escalate_hours, now)
            if escalate and await self._store.claim_escalation(w.id, now):
                request = await self._store.get(w.id)
                claimed.append(Due(request, Nudge.ESCALATE, now - w.created_at, now))
            remind = reminder_due(w.created_at, w.reminded_at, w.remind_hours, now)
            if remind and await self._store.claim_reminder(w.id, w.reminded_at, now):
                request = await self._store.get(w.id)
                claimed.append(
                    Due(request, Nudge.REMIND, now - w.created_at, now, previous=w.reminded_at)
                )
        return claimed

    async def release(self, due: Due) -> None:
        """`due` was not delivered: the next pass claims and sends it again."""
        if due.nudge is Nudge.REMIND:
            await self._store.release_reminder(due.request.id, due.claimed_at, due.previous)
        else:
            await self._store.release_escalation(due.request.id, due.claimed_at)
