"""`Batches`: many credit moves under one approval, each row carried out exactly once
(docs/batches.md). The facade the Slack side calls; no Slack here."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.clock import utcnow
from bot.db.session import Database
from bot.partner.models import Product
from bot.services import audit
from bot.services.batches import listing
from bot.services.batches.checking import CheckedBatch, Checking
from bot.services.batches.delivery import ResultsDelivery
from bot.services.batches.errors import ApprovedAlready, BatchDecided, BatchQuestions, OwnBatch
from bot.services.batches.listing import BatchesAwaiting, MyBatch
from bot.services.batches.model import (
    BatchSnapshot,
    BatchStatus,
    Progress,
    RowSnapshot,
    RowStatus,
)
from bot.services.batches.running import BatchNotices, Running
from bot.services.batches.store import ADD, REMOVE, BatchStore
from bot.services.directory import Directory
from bot.services.errors import NotAllowed, NotFound
from bot.services.four_eyes import AppointedByAsker, Eyes, second_eyes
from bot.services.partner_access import PartnerAccess
from bot.services.policy import RequestFacts, decide_route, load_policy
from bot.services.requests.errors import ApprovalsNotSetUp, NotARequester
from bot.services.roles import Role, Roles

log = logging.getLogger(__name__)

DRAFT_LIFETIME = timedelta(hours=1)


class Batches:
    def __init__(
        self, database: Database, partner: PartnerAccess, roles: Roles, *, lease_seconds: float
    ) -> None:
        self._database = database
        self._roles = roles
        self.store = BatchStore(database)
        self._checking = Checking(self.store, partner)
        lease = timedelta(seconds=lease_seconds)
        self.results = ResultsDelivery(database, self.store, lease)
        self.running = Running(self.store, partner, lease, self.results)

    async def ask(
        self,
        team_id: str,
        requester_id: str,
        product: Product,
        text: str,
        source: str,
        directory: Directory,
        *,
        confirmed: bool = False,
    ) -> BatchSnapshot:
        """Check every row, ask what must be confirmed, then make the batch (pending: a batch
        is never auto-approved; the policy's two-approver amount applies to its total).
        Raises BatchInvalid (every problem by row), BatchQuestions, NotARequester,
        ApprovalsNotSetUp; nothing is made unless it returns."""
        async with self._database.session() as session:
            policy = await load_policy(session, team_id)
        access = await self._roles.requester_access(team_id, requester_id, policy, directory)
        if not access.allowed:
            assert policy.requesters_usergroup_id is not None
            raise NotARequester(
                policy.requesters_usergroup_id,
                policy.requesters_usergroup_label,
                locked_out=access.locked_out,
                team_id=team_id,
            )
        if policy.approvals_channel_id is None:
            raise ApprovalsNotSetUp("channel")
        if not await self._roles.members(team_id, Role.APPROVER):
            raise ApprovalsNotSetUp("approvers")
        checked = await self._checking.check(team_id, product, text)
        total = checked.total_add + checked.total_remove
        route = decide_route(
            policy, RequestFacts(requester_allowed=True, is_deletion=False, amount=total)
        )
        draft = bool(checked.questions) and not confirmed
        values = _values(
            checked, team_id, requester_id, source, text, max(1, route.approvers),
            expires_in=timedelta(hours=policy.expiry_hours),
        )  # fmt: skip
        if draft:
            values["status"] = BatchStatus.DRAFT.value
            # A draft nobody confirms goes after an hour (maintenance expires it).
            values["expires_at"] = utcnow() + DRAFT_LIFETIME
        batch = await self.store.get(await self.store.insert(values, _rows(checked)))
        if draft:
            raise BatchQuestions(checked.questions, batch)
        return batch

    async def confirm(self, team_id: str, number: int, requester_id: str) -> BatchSnapshot:
        """The requester said yes to the questions: the draft goes to its approvers."""
        batch = await self.store.by_number(team_id, number)
        if batch.requester_id != requester_id:
            raise NotAllowed("confirm this batch", "its requester")
        if batch.expires_at < utcnow():
            # Past its time: maintenance expires it (and says so); it is not sent on.
            raise BatchDecided(batch)
        policy_hours = await self._expiry_hours(team_id)
        moved = await self.store.move(
            batch.id, [BatchStatus.DRAFT], BatchStatus.PENDING, "batch_confirmed", requester_id,
            values={"expires_at": utcnow() + timedelta(hours=policy_hours)},
        )  # fmt: skip
        if not moved:
            raise BatchDecided(await self.store.get(batch.id))
        return await self.store.get(batch.id)

    async def _expiry_hours(self, team_id: str) -> int:
        async with self._database.session() as session:
            return (await load_policy(session, team_id)).expiry_hours

    async def approve(
        self, team_id: str, number: int, approver_id: str, directory: Directory
    ) -> BatchSnapshot:
        """Count an approver's click (the four-eyes rule of requests); approved once enough
        different approvers clicked. Raises OwnBatch, NotAllowed, AppointedByAsker,
        BatchDecided, ApprovedAlready."""
        batch = await self._pending(team_id, number)
        appointments = await self._roles.approver_appointments(team_id, approver_id, directory)
        match second_eyes(approver_id, batch.requester_id, batch.created_at, appointments):
            case Eyes.ASKER:
                raise OwnBatch(batch)
            case Eyes.NOT_APPROVER:
                raise NotAllowed("approve batches", "approvers")
            case Eyes.APPOINTED_BY_ASKER:
                raise AppointedByAsker(batch.requester_id, batch.number, change=False)
        if approver_id in batch.approvers:
            raise ApprovedAlready(batch)
        counted = await self.store.count_approval(batch.id, approver_id)
        if counted is None:
            raise BatchDecided(await self.store.get(batch.id))
        return counted

    async def reject(
        self, team_id: str, number: int, approver_id: str, reason: str, directory: Directory
    ) -> BatchSnapshot:
        batch = await self._pending(team_id, number)
        if approver_id != batch.requester_id and not await self._roles.is_approver(
            team_id, approver_id, directory
        ):
            raise NotAllowed("reject batches", "approvers")
        # The requester may withdraw their own batch; anyone else rejects it.
        to, event = (
            (BatchStatus.CANCELLED, "batch_cancelled")
            if approver_id == batch.requester_id
            else (BatchStatus.REJECTED, "batch_rejected")
        )
        moved = await self.store.move(
            batch.id, [BatchStatus.PENDING], to, event, approver_id,
            values={"decided_by": approver_id, "rejection_reason": reason,
                    "finished_at": utcnow()},
            reason=reason,
        )  # fmt: skip
        if not moved:
            raise BatchDecided(await self.store.get(batch.id))
        return await self.store.get(batch.id)

    async def mark_unknown(
        self,
        team_id: str,
        number: int,
        approver_id: str,
        done: set[int],
        failed: set[int],
        directory: Directory,
    ) -> list[int]:
        """An approver says, from the vendor's dashboard, which unknown rows went through and
        which did not (the requests' "mark done/failed"). Rows not named stay unknown. Returns
        the lines of rows not unknown (anymore), which were left alone."""
        batch = await self.store.by_number(team_id, number)
        appointments = await self._roles.approver_appointments(team_id, approver_id, directory)
        match second_eyes(approver_id, batch.requester_id, batch.created_at, appointments):
            case Eyes.ASKER:
                raise OwnBatch(batch)
            case Eyes.NOT_APPROVER:
                raise NotAllowed("mark batch rows", "approvers")
            case Eyes.APPOINTED_BY_ASKER:
                raise AppointedByAsker(batch.requester_id, batch.number, change=False)
        left = []
        for row in await self.store.rows(batch.id):
            if row.line not in done | failed:
                continue
            to, event = (
                (RowStatus.SUCCEEDED, "batch_row_marked_done")
                if row.line in done
                else (RowStatus.FAILED, "batch_row_marked_failed")
            )
            if not await self.store.move_row(
                batch, row, RowStatus.UNKNOWN, to, event, actor_id=approver_id,
                values={"outcome_note": f"marked by {approver_id}"},
            ):  # fmt: skip
                left.append(row.line)
        return left

    async def withdraw(self, batch_id: int, why: str) -> None:
        """Nobody can see it (Slack refused its card): a batch nobody can approve does not wait."""
        await self.store.move(
            batch_id, [BatchStatus.PENDING], BatchStatus.CANCELLED, "batch_cancelled",
            audit.SYSTEM, values={"finished_at": utcnow()}, why=why,
        )  # fmt: skip

    async def _pending(self, team_id: str, number: int) -> BatchSnapshot:
        batch = await self.store.by_number(team_id, number)
        # Past its time it is decided already: maintenance expires it and tells the requester.
        if batch.status is not BatchStatus.PENDING or batch.expires_at < utcnow():
            raise BatchDecided(batch)
        return batch

    async def run(self, batch_id: int, notices: BatchNotices | None = None) -> BatchSnapshot:
        return await self.running.run(batch_id, notices)

    async def run_due(
        self, notices_for: Callable[[str], Awaitable[BatchNotices | None]]
    ) -> list[BatchSnapshot]:
        """What nobody clicks for, done here and now: `expire_due`, then each of `due_runs`.
        Safe in any number of processes: one takes each run."""
        await self.expire_due(notices_for)
        ran = []
        for batch_id in await self.due_runs():
            batch = await self.store.get(batch_id)
            ran.append(await self.running.run(batch_id, await notices_for(batch.team_id)))
        return ran

    async def expire_due(
        self, notices_for: Callable[[str], Awaitable[BatchNotices | None]]
    ) -> None:
        """Pending batches and drafts past their time: expired, and said so."""
        for batch_id in await self.store.expire_due():
            batch = await self.store.get(batch_id)
            notices = await notices_for(batch.team_id)
            if notices is not None:
                await notices.expired(batch)

    async def deliver_owed(
        self, notices_for: Callable[[str], Awaitable[BatchNotices | None]]
    ) -> None:
        """Results nobody is sending: a dead sender's (its lease passed), one Slack failed, or
        a run's that had no Slack to send them."""
        for batch_id in await self.results.owed():
            batch = await self.store.get(batch_id)
            notices = await notices_for(batch.team_id)
            if notices is not None:
                await self.results.deliver(batch_id, notices)

    async def due_runs(self) -> list[int]:
        """Approved batches nobody runs: never started, or their runner died (lease passed)."""
        return await self.store.due_runs()

    async def get(self, batch_id: int) -> BatchSnapshot:
        return await self.store.get(batch_id)

    async def find(self, team_id: str, number: int) -> BatchSnapshot | None:
        """The batch numbered `number`, if that number is a batch's (requests share the
        sequence: a typed `/partner approve <n>` is one or the other)."""
        try:
            return await self.store.by_number(team_id, number)
        except NotFound:
            return None

    async def awaiting(self, team_id: str, user_id: str, directory: Directory) -> BatchesAwaiting:
        """Pending batches; those `user_id` may decide by the four-eyes rule of `approve`
        (not one they approved already). Who may see them at all is the caller's check."""
        pending = await listing.pending(self._database, team_id)
        if not pending or not await self._roles.is_approver(team_id, user_id, directory):
            return BatchesAwaiting(tuple(pending), frozenset())
        appointments = await self._roles.approver_appointments(team_id, user_id, directory)
        decidable = frozenset(
            batch.id
            for batch in pending
            if user_id not in batch.approvers
            and second_eyes(user_id, batch.requester_id, batch.created_at, appointments)
            is Eyes.COUNTS
        )
        return BatchesAwaiting(tuple(pending), decidable)

    async def of_requester(self, team_id: str, requester_id: str, limit: int) -> list[MyBatch]:
        mine = await listing.of_requester(self._database, team_id, requester_id, limit)
        return [
            MyBatch(batch, None if _before_run(batch) else await self.store.progress(batch.id))
            for batch in mine
        ]

    async def rows(self, batch_id: int) -> list[RowSnapshot]:
        return await self.store.rows(batch_id)

    async def progress(self, batch_id: int) -> Progress:
        return await self.store.progress(batch_id)

    async def claim_card(self, batch_id: int, channel_id: str) -> bool:
        return await self.store.claim_card(batch_id, channel_id)

    async def cards_owed(self, grace: timedelta) -> list[BatchSnapshot]:
        """Pending batches whose card nobody took `grace` after they were made: their process
        died between making them and posting the card."""
        return [await self.store.get(i) for i in await self.store.cards_owed(utcnow() - grace)]

    async def set_card(self, batch_id: int, channel_id: str, ts: str) -> None:
        await self.store.set_card(batch_id, channel_id, ts)


def _before_run(batch: BatchSnapshot) -> bool:
    """No row moved, nor will: its progress would say nothing."""
    return batch.status not in (BatchStatus.APPROVED, BatchStatus.RUNNING, BatchStatus.DONE)


def _values(
    checked: CheckedBatch,
    team_id: str,
    requester_id: str,
    source: str,
    text: str,
    approvals_needed: int,
    *,
    expires_in: timedelta,
) -> dict[str, object]:
    now = utcnow()
    return {
        "team_id": team_id,
        "product": checked.product.value,
        "requester_id": requester_id,
        "status": BatchStatus.PENDING.value,
        "content_hash": checked.content_hash,
        "source": source[:255],
        "csv_text": text,
        "row_count": len(checked.rows),
        "total_add": checked.total_add,
        "total_remove": checked.total_remove,
        "main_balance_before": checked.main_balance,
        "key_id": checked.key_id,
        "approvals_needed": approvals_needed,
        "approvers": [],
        "confirmed": [],
        "created_at": now,
        "updated_at": now,
        "expires_at": now + expires_in,
    }


def _rows(checked: CheckedBatch) -> list[dict[str, object]]:
    return [
        {
            "line": row.line,
            "subaccount_token": subaccount.token,
            "subaccount_email": subaccount.email,
            "action": ADD if row.add else REMOVE,
            "amount": row.amount,
            "reason": row.reason,
            "row_id": row.row_id,
            "details": {"ref": row.ref},
        }
        for row, subaccount in checked.rows
    ]
