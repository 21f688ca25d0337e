"""`Requests`: the one door to the credit-request lifecycle.

Each workflow method takes what happened (a command, a click, the clock) and carries the
request through every next step itself, reporting each through `RequestNotices`; the Slack
listeners, the worker, the console and the App Home call the same method and get the same
behaviour. The steps are in asking, deciding, executing and reconciling; the only SQL in the
store.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from typing import TypeVar

from bot.db.session import Database
from bot.money import validate_amount
from bot.partner.models import Product, Subaccount
from bot.services.directory import Directory
from bot.services.partner_access import PartnerAccess
from bot.services.requests.asking import Asking
from bot.services.requests.cards import WITHDRAWN_NOTE, Cards
from bot.services.requests.deciding import Deciding
from bot.services.requests.errors import (
    AlreadyApprovedByYou,
    AlreadyDecided,
    NotARequester,
    SimilarRequest,
)
from bot.services.requests.executing import Executing
from bot.services.requests.model import Approval, Ask, RequestSnapshot, Submitted
from bot.services.requests.notices import CardRefused, RequestNotices
from bot.services.requests.reconciling import Reconciling
from bot.services.requests.reminders import Reminders
from bot.services.requests.store import RequestStore
from bot.services.requests.telling import Telling
from bot.services.roles import Roles
from bot.services.subaccount_controls import SubaccountControls

log = logging.getLogger(__name__)
T = TypeVar("T")

CardAt = tuple[str, str]
"""(channel, ts) of the message a button was clicked on, when it is a channel message."""


class Requests:
    def __init__(
        self,
        database: Database,
        partner: PartnerAccess,
        roles: Roles,
        *,
        lease_seconds: float = 120.0,
        settle_seconds: float = 60.0,
        similar_window_seconds: float = 900.0,
        card_grace_seconds: float = 5.0,
        controls: SubaccountControls | None = None,
    ) -> None:
        self.store = RequestStore(database)
        self.controls = controls or SubaccountControls(database)
        self._partner = partner
        self._asking = Asking(
            self.store,
            database,
            partner,
            roles,
            timedelta(seconds=similar_window_seconds),
            self.controls,
        )
        self._deciding = Deciding(self.store, roles)
        self._reconciling = Reconciling(
            self.store,
            partner,
            lease=timedelta(seconds=lease_seconds),
            settle=timedelta(seconds=settle_seconds),
        )
        self._executing = Executing(self.store, partner, self._reconciling.reconcile, self.controls)
        self._telling = Telling(
            self.store, self._changed, grace=timedelta(seconds=card_grace_seconds)
        )
        self._settled = self._telling.settled
        self._card_changed = self._telling.card_changed
        self._cards = Cards(
            self.store,
            database,
            self._deciding.withdraw,
            grace=timedelta(seconds=card_grace_seconds),
            lease=timedelta(seconds=lease_seconds),
        )
        # The single steps, for callers that drive one step themselves (tests, the console).
        self.request_credit = self._asking.request_credit
        self.request_new_subaccount = self._asking.request_new_subaccount
        self.request_deletion = self._asking.request_deletion
        self.awaiting = self._deciding.awaiting
        self.approve = self._deciding.approve
        self.reject = self._deciding.reject
        self.cancel = self._deciding.cancel
        self.withdraw = self._deciding.withdraw
        self.mark_outcome = self._deciding.mark_outcome
        self.expire_due = self._deciding.expire_due
        self.execute = self._executing.execute
        self.carry_out = self._executing.carry_out
        self.reconcile = self._reconciling.reconcile
        self.reconcile_due = self._reconciling.reconcile_due
        reminders = Reminders(self.store)
        self.nudges_due = reminders.due
        """Reminders and escalations due now, each claimed by this caller (reminders.py)."""
        self.nudge_sent = reminders.sent
        self.release_nudge = reminders.release
        self.get = self.store.get
        self.by_number = self.store.by_number
        self.pending = self.store.pending
        self.of_requester = self.store.of_requester
        self._watchers: list[Callable[[RequestSnapshot], Awaitable[None]]] = []

    def watch(self, watcher: Callable[[RequestSnapshot], Awaitable[None]]) -> None:
        """Call `watcher` after each request this process made or changed (once its card is
        posted or redrawn): for views that show requests elsewhere (the Slack Home). A watcher's
        failure is logged, never the caller's."""
        if watcher not in self._watchers:
            self._watchers.append(watcher)

    async def _changed(self, request: RequestSnapshot) -> None:
        for watcher in self._watchers:
            try:
                await watcher(request)
            except Exception as error:  # the change is made: a view of it must not undo that
                log.warning("request %d: a watcher failed: %s", request.id, type(error).__name__)

    @property
    def lease(self) -> timedelta:
        return self._reconciling.lease

    @property
    def settle(self) -> timedelta:
        return self._reconciling.settle

    @property
    def similar_window(self) -> timedelta:
        return self._asking.similar_window

    async def recover_abandoned(self) -> list[RequestSnapshot]:
        return await self._reconciling.recover_abandoned(self.execute)

    # --- asking -------------------------------------------------------------------------------

    async def ask(
        self,
        team_id: str,
        requester_id: str,
        ask: Ask,
        directory: Directory,
        notices: RequestNotices,
        *,
        origin: str | None = None,
        confirmed_similar: int | None = None,
    ) -> RequestSnapshot | None:
        """Make the request `ask` describes and carry it as far as it goes now (see
        `follow_through`). When the same person asked for the same thing moments ago, nothing
        is made: they are asked whether they mean it twice (`similar_found`), and None comes
        back. A refusal is raised, after telling the admins when it found nobody may ask."""
        try:
            submitted = await self._asking.make(
                team_id, requester_id, ask, directory, origin, confirmed_similar
            )
        except NotARequester as refused:
            if refused.tell_admins:
                await notices.admins_locked_out(refused)
            raise
        except SimilarRequest as similar:
            await notices.similar_found(ask, similar.earlier)
            return None
        if submitted.repeated:
            return submitted.request  # the same form again: its first submission carries it
        return await self.follow_through(submitted, notices)

    async def follow_through(
        self, submitted: Submitted, notices: RequestNotices
    ) -> RequestSnapshot:
        """Run an auto-approved request now; otherwise post its card and tell the requester
        where it went, or withdraw it when the card cannot be posted: a request nobody can see
        must not wait for a decision."""
        request = submitted.request
        if submitted.runs_now:
            done = await self.carry_out(request)
            await self._telling.take(done)  # told in the reply: maintenance does not DM it
            await notices.ran_now(done)
            await self._changed(done)
            return done
        channel = submitted.approvals_channel_id
        assert channel is not None  # asking refuses a request no channel can show
        if not await self.store.claim_card(request.id):
            # This process stalled past the grace and maintenance took the card (it tells
            # the requester too): never a second card.
            await notices.sent_for_approval(request, channel, card_known=True)
            return await self.get(request.id)
        try:
            posted = await notices.card_needed(request, channel)
        except CardRefused as refused:
            withdrawn = await self.withdraw(request.id, WITHDRAWN_NOTE)
            await self._telling.take(withdrawn)
            await notices.withdrawn(withdrawn, channel, refused.reason)
            await self._changed(withdrawn)
            return withdrawn
        if posted is not None:
            await self.store.set_card(request.id, posted.channel_id, posted.ts)
        else:
            await self.store.card_unknown(request.id, channel)  # the requester is told below
        await notices.sent_for_approval(request, channel, card_known=posted is not None)
        current = await self.get(request.id)
        await self._changed(current)
        return current

    async def sweep(
        self,
        team_id: str,
        product: Product,
        subaccount: Subaccount,
        amount: Decimal,
        actor_id: str,
        why: str,
        key_id: str,
    ) -> RequestSnapshot:
        """Remove `amount` now, as a request `actor_id`'s click decided (bot.services.sweeping):
        stored approved, executed exactly once like any other (unknown: reconciled)."""
        made = await self.store.insert_sweep(
            team_id, product, subaccount, validate_amount(amount), actor_id, why, key_id
        )
        done = await self.carry_out(made)
        await self._telling.take(done)  # the clicker is answered where they clicked
        await self._changed(done)
        return done

    # --- deciding -----------------------------------------------------------------------------

    async def approve_clicked(
        self,
        number: int,
        team_id: str,
        approver_id: str,
        directory: Directory,
        notices: RequestNotices,
        *,
        card_at: CardAt | None = None,
    ) -> RequestSnapshot | None:
        """One click on Approve (a card's, the Home's): counted once however often it comes;
        the approval that completes the count carries the request out, once."""
        await self._card_seen(number, team_id, card_at)
        approval: Approval | None = await self._decided(
            notices, self.approve(number, team_id, approver_id, directory)
        )
        if approval is None:
            return None
        request_id = approval.request.id
        await self._card_changed(request_id, notices)
        if not approval.complete:
            await notices.approval_counted(approval.request)
            return approval.request
        done = await self.carry_out(approval.request)
        await self._settled(done, notices)
        return done

    async def reject_clicked(
        self,
        number: int,
        team_id: str,
        approver_id: str,
        directory: Directory,
        notices: RequestNotices,
        *,
        card_at: CardAt | None = None,
    ) -> RequestSnapshot | None:
        """A click on Reject, before the reason is asked: the request when it may be
        rejected; None (the clicker told) when it was decided already."""
        await self._card_seen(number, team_id, card_at)
        try:
            return await self._deciding.may_reject(number, team_id, approver_id, directory)
        except AlreadyDecided as decided:
            await self._already(decided, notices)
            await notices.too_late(decided.request)
            return None

    async def reject_with_reason(
        self,
        number: int,
        team_id: str,
        approver_id: str,
        reason: str,
        directory: Directory,
        notices: RequestNotices,
    ) -> RequestSnapshot | None:
        try:
            rejected = await self.reject(number, team_id, approver_id, reason, directory)
        except AlreadyDecided as decided:
            await notices.too_late(decided.request)
            await self._already(decided, notices)
            return None
        await notices.rejected(rejected)
        await self._settled(rejected, notices)
        return rejected

    async def cancel_clicked(
        self, number: int, team_id: str, user_id: str, notices: RequestNotices
    ) -> RequestSnapshot | None:
        cancelled = await self._decided(notices, self.cancel(number, team_id, user_id))
        if cancelled is None:
            return None
        await self._telling.take(cancelled)
        await notices.cancelled(cancelled)
        await self._card_changed(cancelled.id, notices)
        return cancelled

    async def mark_clicked(
        self,
        number: int,
        team_id: str,
        approver_id: str,
        done: bool,
        directory: Directory,
        notices: RequestNotices,
        *,
        card_at: CardAt | None = None,
    ) -> RequestSnapshot | None:
        """An approver says how an unknown outcome ended (they checked the vendor)."""
        await self._card_seen(number, team_id, card_at)
        marked = await self._decided(
            notices, self.mark_outcome(number, team_id, approver_id, done, directory)
        )
        if marked is None:
            return None
        await self._settled(marked, notices)
        return marked

    # --- a Partner key changed ----------------------------------------------------------------

    async def key_changed(
        self, team_id: str, product: Product, notices: RequestNotices
    ) -> list[RequestSnapshot]:
        """`product`'s key in `team_id` changed: every pending or approved request made with
        another key (maybe another vendor account) is withdrawn, its card redrawn and its
        requester told. Executing checks the key too, for any path that does not call this."""
        current = await self._partner.key_id(team_id, product)
        withdrawn = await self._deciding.withdraw_for_key(team_id, product, current)
        for request in withdrawn:
            await self._settled(request, notices)
        return withdrawn

    # --- the clock ----------------------------------------------------------------------------

    async def run_due(
        self, notices_for: Callable[[str], Awaitable[RequestNotices | None]]
    ) -> list[RequestSnapshot]:
        """What nobody clicks for: expire what is past its time, carry out or reconcile what a
        dead process left, reconcile unknown outcomes whose settle time has passed; each
        settled request is announced through its workspace's notices (`notices_for(team_id)`,
        None when the workspace cannot be told). Safe to run in any number of processes."""
        settled = []
        for step in (self.expire_due, self.recover_abandoned, self.reconcile_due):
            for request in await step():
                settled.append(request)
                notices = await notices_for(request.team_id)
                if notices is None:
                    log.warning("request %d not announced", request.id)
                    continue
                await self._settled(request, notices)
        for shown in await self._cards.recover(notices_for):  # after expiry: no card for those
            await self._changed(shown)
        await self._telling.recover(notices_for)  # what a dead process left untold
        return settled

    # --- the steps shared by the workflows ----------------------------------------------------

    async def _decided(self, notices: RequestNotices, decision: Awaitable[T]) -> T | None:
        """The decision's result; or, when someone got there first, None and the clicker told.
        Other refusals (not an approver, their own request) are raised."""
        try:
            return await decision
        except AlreadyApprovedByYou as mine:
            await notices.already_approved_by_you(mine.request)
        except AlreadyDecided as decided:
            await self._already(decided, notices)
            await notices.too_late(decided.request)
        return None

    async def _already(self, decided: AlreadyDecided, notices: RequestNotices) -> None:
        """Someone got there first: show the card as it is now, and tell the requester when
        the request expired just now (this call then won that transition)."""
        await self._card_changed(decided.request.id, notices)
        if decided.expired_now and await self._telling.take(decided.request):
            await notices.requester_told(decided.request)

    async def _card_seen(self, number: int, team_id: str, card_at: CardAt | None) -> None:
        """A click on a card's button says where the card is, should its post have had no
        known outcome: remembered if nothing was recorded."""
        if card_at is not None and await self.store.adopt_card(number, team_id, *card_at):
            log.info("card of request #%d of %s found through a click", number, team_id)
