"""Deciding: approve (one or two approvers), reject, cancel, withdraw, expire, and marking an
unknown outcome. Each is one conditional transition (bot.services.requests.store): of any
number of clicks at once, exactly one wins; the others raise AlreadyDecided."""

from __future__ import annotations

import logging

from bot.clock import utcnow
from bot.i18n import _
from bot.partner.models import Product
from bot.services import audit
from bot.services.directory import Directory
from bot.services.errors import NotAllowed
from bot.services.four_eyes import AppointedByAsker, Eyes, second_eyes
from bot.services.requests.errors import AlreadyApprovedByYou, AlreadyDecided, OwnRequest
from bot.services.requests.model import (
    Approval,
    Awaiting,
    Click,
    RequestSnapshot,
    Status,
    may_decide,
)
from bot.services.requests.store import RequestStore
from bot.services.roles import MANAGERS, Roles

log = logging.getLogger(__name__)


# Refusals are worded at once, in the language of the person acting (the Slack listener set it,
# bot.i18n.use_language): `NotAllowed` carries its words as they are shown.
class Deciding:
    def __init__(self, store: RequestStore, roles: Roles) -> None:
        self._store = store
        self._roles = roles

    async def awaiting(self, team_id: str, user_id: str, directory: Directory) -> Awaiting:
        """What waits for a decision, for admins and approvers; an approver may decide what
        `may_decide` allows them (the click is checked again)."""
        approver = await self._roles.is_approver(team_id, user_id, directory)
        if not approver and not await self._roles.is_admin(team_id, user_id, directory):
            raise NotAllowed(_("see pending approvals"), _(MANAGERS))
        pending = await self._store.pending(team_id)
        decidable = {r.id for r in pending if approver and may_decide(r, user_id)}
        return Awaiting(tuple(pending), frozenset(decidable))

    async def approve(
        self, number: int, team_id: str, approver_id: str, directory: Directory
    ) -> Approval:
        """`number`: the request's number in `team_id` (as a Slack payload names it)."""
        request = await self.decidable(await self._store.by_number(team_id, number))
        appointments = await self._roles.approver_appointments(team_id, approver_id, directory)
        match second_eyes(approver_id, request.requester_id, request.created_at, appointments):
            case Eyes.ASKER:
                raise OwnRequest(request)
            case Eyes.NOT_APPROVER:
                raise NotAllowed(_("approve requests"), _("approvers"))
            case Eyes.APPOINTED_BY_ASKER:
                # Kept: it is what an admin trying to approve through a friend leaves.
                await self._store.refuse_approval(
                    request, approver_id, "appointed by the requester"
                )
                raise AppointedByAsker(request.requester_id, request.number, change=False)
        outcome, counted = await self._store.count_approval(request, approver_id)
        current = counted or await self._store.get(request.id)
        if outcome is Click.LATE:
            raise AlreadyDecided(current)
        if outcome is Click.REPEATED:
            raise AlreadyApprovedByYou(current)
        return Approval(current, complete=outcome is Click.COMPLETED)

    async def may_reject(
        self, number: int, team_id: str, approver_id: str, directory: Directory
    ) -> RequestSnapshot:
        """The request, when `approver_id` may reject it now (before they give a reason)."""
        request = await self._store.by_number(team_id, number)
        if request.status is not Status.PENDING:
            raise AlreadyDecided(request)
        if not await self._roles.is_approver(team_id, approver_id, directory):
            raise NotAllowed(_("reject requests"), _("approvers"))
        return request

    async def reject(
        self, number: int, team_id: str, approver_id: str, reason: str, directory: Directory
    ) -> RequestSnapshot:
        request_id = (await self.decidable(await self._store.by_number(team_id, number))).id
        if not await self._roles.is_approver(team_id, approver_id, directory):
            raise NotAllowed(_("reject requests"), _("approvers"))
        if not await self._store.transition(
            request_id,
            Status.PENDING,
            Status.REJECTED,
            "rejected",
            approver_id,
            values={"decided_by": approver_id, "rejection_reason": reason},
            reason=reason,
        ):
            raise AlreadyDecided(await self._store.get(request_id))
        return await self._store.get(request_id)

    async def cancel(self, number: int, team_id: str, user_id: str) -> RequestSnapshot:
        request = await self._store.by_number(team_id, number)
        request_id = request.id
        if user_id != request.requester_id:
            raise NotAllowed(_("cancel this request"), _("the person who asked"))
        if not await self._store.transition(
            request_id,
            Status.PENDING,
            Status.CANCELLED,
            "cancelled",
            user_id,
            values={"decided_by": user_id},
        ):
            raise AlreadyDecided(await self._store.get(request_id))
        return await self._store.get(request_id)

    async def withdraw(self, request_id: int, note: str) -> RequestSnapshot:
        """Cancel a pending request on the system's behalf (its card could not be shown)."""
        await self._store.transition(
            request_id,
            Status.PENDING,
            Status.CANCELLED,
            "withdrawn",
            audit.SYSTEM,
            values={"outcome_note": note},
            note=note,
        )
        return await self._store.get(request_id)

    async def withdraw_for_key(
        self, team_id: str, product: Product, key_id: str | None
    ) -> list[RequestSnapshot]:
        """Withdraw the pending and approved requests of `product` made with a key other than
        `key_id` (the one in use now; None: none). Returns those this call withdrew."""
        withdrawn = []
        for request_id in await self._store.open_with_other_key(team_id, product, key_id):
            request = await self._store.get(request_id)
            if request.status in (Status.PENDING, Status.APPROVED) and (
                await self._store.withdraw_for_key(request, request.status)
            ):
                withdrawn.append(await self._store.get(request_id))
        if withdrawn:
            log.info(
                "%s key of %s changed: %d request(s) withdrawn",
                product.value,
                team_id,
                len(withdrawn),
            )
        return withdrawn

    async def mark_outcome(
        self, number: int, team_id: str, approver_id: str, done: bool, directory: Directory
    ) -> RequestSnapshot:
        """An approver who checked the vendor's dashboard says what happened."""
        request_id = (await self._store.by_number(team_id, number)).id
        if not await self._roles.is_approver(team_id, approver_id, directory):
            raise NotAllowed(_("settle requests"), _("approvers"))
        word = "done" if done else "failed"
        if not await self._store.transition(
            request_id,
            Status.UNKNOWN,
            Status.SUCCEEDED if done else Status.FAILED,
            f"marked_{word}",
            approver_id,
            values={"decided_by": approver_id, "outcome_note": f"marked {word} by an approver"},
        ):
            raise AlreadyDecided(await self._store.get(request_id))
        return await self._store.get(request_id)

    async def expire_due(self) -> list[RequestSnapshot]:
        """Pending requests past their expiry become expired; returns those this call moved."""
        due = await self._store.due_to_expire()
        return [expired for request_id in due if (expired := await self._expire(request_id))]

    async def _expire(self, request_id: int) -> RequestSnapshot | None:
        if not await self._store.is_past_expiry(request_id) or not await self._store.transition(
            request_id, Status.PENDING, Status.EXPIRED, "expired", audit.SYSTEM
        ):
            return None
        return await self._store.get(request_id)

    async def decidable(self, request: RequestSnapshot) -> RequestSnapshot:
        """The request, if it can still be decided; expired on the spot when its time is up."""
        if request.status is Status.PENDING and request.expires_at <= utcnow():
            expired = await self._expire(request.id)
            if expired is not None:
                raise AlreadyDecided(expired, expired_now=True)
            request = await self._store.get(request.id)
        if request.status is not Status.PENDING:
            raise AlreadyDecided(request)
        return request
