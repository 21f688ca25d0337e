"""The SQL of every move of batches and their rows (the lists' reads are listing.py's, the
results' lease delivery.py's). Every change of status is one conditional UPDATE
(`WHERE id = :id AND status = :from`) written with its audit entry in one transaction: its row
count says who won, so two processes, two clicks or a click and the worker never both make a
move, and a row's vendor call is made only by whoever moved it waiting → executing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import utcnow
from bot.db.batch_models import Batch, BatchRowState
from bot.db.models import RequestNumbering
from bot.db.session import Database
from bot.services import audit
from bot.services.batches.model import (
    EXECUTED,
    RUNNABLE,
    BatchSnapshot,
    BatchStatus,
    Progress,
    RowSnapshot,
    RowStatus,
)
from bot.services.batches.snapshots import ADD, REMOVE, row_snapshot, snapshot
from bot.services.errors import NotFound


class BatchStore:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def insert(self, values: dict[str, Any], rows: Sequence[dict[str, Any]]) -> int:
        """The batch and its rows (all waiting), numbered in the workspace's one sequence
        (requests and batches share it: `#12` is one thing), and its audit entry."""
        async with self._database.session() as session:
            number = await self._next_number(session, values["team_id"])
            batch = Batch(number=number, **values)
            session.add(batch)
            await session.flush()
            session.add_all(
                BatchRowState(
                    batch_id=batch.id, team_id=batch.team_id, status=RowStatus.WAITING, **row
                )
                for row in rows
            )
            await audit.record(
                session,
                batch.team_id,
                "batch_created",
                batch.requester_id,
                product=batch.product,
                amount=batch.total_add + batch.total_remove,
                batch=number,
                rows=batch.row_count,
                approvals_needed=batch.approvals_needed,
            )
            return batch.id

    async def _next_number(self, session: AsyncSession, team_id: str) -> int:
        insert = sqlite_insert if self._database.is_sqlite else pg_insert
        statement = (
            insert(RequestNumbering)
            .values(team_id=team_id, last_number=1)
            .on_conflict_do_update(
                index_elements=[RequestNumbering.team_id],
                set_={"last_number": RequestNumbering.last_number + 1},
            )
            .returning(RequestNumbering.last_number)
        )
        return int((await session.execute(statement)).scalar_one())

    async def get(self, batch_id: int) -> BatchSnapshot:
        async with self._database.session() as session:
            row = await session.get(Batch, batch_id)
            if row is None:
                raise NotFound("batch", str(batch_id))
            return snapshot(row)

    async def by_number(self, team_id: str, number: int) -> BatchSnapshot:
        async with self._database.session() as session:
            row = await session.scalar(
                select(Batch).where(Batch.team_id == team_id, Batch.number == number)
            )
            if row is None:
                raise NotFound("batch", f"#{number}")
            return snapshot(row)

    async def rows(self, batch_id: int, *, status: RowStatus | None = None) -> list[RowSnapshot]:
        query = select(BatchRowState).where(BatchRowState.batch_id == batch_id)
        if status is not None:
            query = query.where(BatchRowState.status == status.value)
        async with self._database.session() as session:
            found = await session.scalars(query.order_by(BatchRowState.line))
            return [row_snapshot(r) for r in found]

    async def progress(self, batch_id: int) -> Progress:
        async with self._database.session() as session:
            counts = dict(
                (
                    await session.execute(
                        select(BatchRowState.status, func.count())
                        .where(BatchRowState.batch_id == batch_id)
                        .group_by(BatchRowState.status)
                    )
                ).all()
            )
        return Progress(
            total=sum(counts.values()),
            succeeded=counts.get(RowStatus.SUCCEEDED.value, 0),
            failed=counts.get(RowStatus.FAILED.value, 0),
            unknown=counts.get(RowStatus.UNKNOWN.value, 0),
        )

    async def same_content_since(
        self, team_id: str, content_hash: str, since: datetime
    ) -> int | None:
        """The number of a batch with the same rows asked since `since` (not one refused,
        withdrawn or expired: those moved nothing), if any."""
        async with self._database.session() as session:
            return await session.scalar(
                select(Batch.number)
                .where(
                    Batch.team_id == team_id,
                    Batch.content_hash == content_hash,
                    Batch.created_at >= since,
                    Batch.status.not_in(
                        [
                            BatchStatus.DRAFT,
                            BatchStatus.REJECTED,
                            BatchStatus.CANCELLED,
                            BatchStatus.EXPIRED,
                        ]
                    ),
                )
                .order_by(Batch.created_at.desc())
                .limit(1)
            )

    async def row_ids_executed(self, team_id: str, row_ids: Iterable[str]) -> set[str]:
        wanted = sorted(set(row_ids))
        if not wanted:
            return set()
        async with self._database.session() as session:
            found = await session.scalars(
                select(BatchRowState.row_id).where(
                    BatchRowState.team_id == team_id,
                    BatchRowState.row_id.in_(wanted),
                    BatchRowState.status.in_([s.value for s in EXECUTED]),
                )
            )
            return {row_id for row_id in found if row_id is not None}

    # --- moves of a batch -----------------------------------------------------------------------

    async def move(
        self,
        batch_id: int,
        from_: Iterable[BatchStatus],
        to: BatchStatus,
        event: str,
        actor_id: str,
        *,
        values: dict[str, Any] | None = None,
        **details: Any,
    ) -> bool:
        async with self._database.session() as session:
            result = await session.execute(
                update(Batch)
                .where(Batch.id == batch_id, Batch.status.in_([s.value for s in from_]))
                .values(status=to.value, updated_at=utcnow(), **(values or {}))
            )
            if (result.rowcount or 0) != 1:
                return False
            batch = await session.get(Batch, batch_id)
            assert batch is not None
            await audit.record(
                session, batch.team_id, event, actor_id, product=batch.product,
                batch=batch.number, **details,
            )  # fmt: skip
        return True

    async def count_approval(self, batch_id: int, approver_id: str) -> BatchSnapshot | None:
        """Count `approver_id` on a pending batch, and approve it when the count is complete.
        None when the batch is no longer pending or they were counted already. The first
        UPDATE locks the batch's row (the writer lock on SQLite) before its approvers are read,
        so two clicks at once are counted one after the other."""
        async with self._database.session() as session:
            locked = await session.execute(
                update(Batch)
                .where(Batch.id == batch_id, Batch.status == BatchStatus.PENDING.value)
                .values(updated_at=utcnow())
            )
            if (locked.rowcount or 0) != 1:
                return None
            batch = await session.get(Batch, batch_id, populate_existing=True)
            assert batch is not None
            if approver_id in (batch.approvers or []):
                return None
            approvers = [*(batch.approvers or []), approver_id]
            complete = len(approvers) >= batch.approvals_needed
            batch.approvers = approvers
            if complete:
                batch.status = BatchStatus.APPROVED.value
                batch.decided_by = approver_id
            event = "batch_approved" if complete else "batch_approval_counted"
            await audit.record(
                session, batch.team_id, event, approver_id, product=batch.product,
                amount=batch.total_add + batch.total_remove, batch=batch.number,
            )  # fmt: skip
            await session.flush()
            return snapshot(batch)

    async def claim_card(self, batch_id: int, channel_id: str) -> bool:
        """Whoever posts a pending batch's card takes it first (the asking process, or
        maintenance for one a dead process left): one card. Taken and never set, the post was
        cut short and may be in the channel: it is not posted again."""
        async with self._database.session() as session:
            result = await session.execute(
                update(Batch)
                .where(
                    Batch.id == batch_id,
                    Batch.status == BatchStatus.PENDING.value,
                    Batch.card_channel_id.is_(None),
                )
                .values(card_channel_id=channel_id)
            )
            return (result.rowcount or 0) == 1

    async def cards_owed(self, before: datetime) -> list[int]:
        """Pending batches nobody took the card of, made (or confirmed) before `before`."""
        async with self._database.session() as session:
            found = await session.scalars(
                select(Batch.id).where(
                    Batch.status == BatchStatus.PENDING.value,
                    Batch.card_channel_id.is_(None),
                    Batch.updated_at < before,
                )
            )
            return list(found)

    async def set_card(self, batch_id: int, channel_id: str, ts: str) -> None:
        async with self._database.session() as session:
            await session.execute(
                update(Batch)
                .where(Batch.id == batch_id)
                .values(card_channel_id=channel_id, card_ts=ts)
            )

    # --- the run's lease ------------------------------------------------------------------------

    async def take_run(self, batch_id: int, runner: str, until: datetime) -> bool:
        """The run is ours while `until` lasts, if nobody holds it now (or their lease passed)."""
        now = utcnow()
        async with self._database.session() as session:
            result = await session.execute(
                update(Batch)
                .where(
                    Batch.id == batch_id,
                    Batch.status.in_([s.value for s in RUNNABLE]),
                    or_(
                        Batch.runner_until.is_(None),
                        Batch.runner_until < now,
                        Batch.runner == runner,
                    ),
                )
                .values(status=BatchStatus.RUNNING.value, runner=runner, runner_until=until)
            )
            return (result.rowcount or 0) == 1

    async def due_runs(self) -> list[int]:
        """Approved batches nobody runs: never started, or their runner's lease passed."""
        async with self._database.session() as session:
            found = await session.scalars(
                select(Batch.id)
                .where(
                    Batch.status.in_([s.value for s in RUNNABLE]),
                    or_(Batch.runner_until.is_(None), Batch.runner_until < utcnow()),
                )
                .order_by(Batch.id)
            )
            return list(found)

    async def expire_due(self) -> list[int]:
        async with self._database.session() as session:
            found = list(
                await session.scalars(
                    select(Batch.id).where(
                        Batch.status.in_([BatchStatus.PENDING.value, BatchStatus.DRAFT.value]),
                        Batch.expires_at < utcnow(),
                    )
                )
            )
        return [
            batch_id
            for batch_id in found
            if await self.move(
                batch_id,
                [BatchStatus.PENDING, BatchStatus.DRAFT],
                BatchStatus.EXPIRED,
                "batch_expired",
                audit.SYSTEM,
            )
        ]

    # --- moves of a row -------------------------------------------------------------------------

    async def move_row(
        self,
        batch: BatchSnapshot,
        row: RowSnapshot,
        from_: RowStatus,
        to: RowStatus,
        event: str,
        *,
        actor_id: str = audit.SYSTEM,
        values: dict[str, Any] | None = None,
        **details: Any,
    ) -> bool:
        """One row from `from_` to `to`, with its audit entry (the row's line and id, what
        moved): True if this call made the move."""
        values = dict(values or {})
        if to in (RowStatus.SUCCEEDED, RowStatus.FAILED, RowStatus.UNKNOWN):
            values.setdefault("finished_at", utcnow())
        async with self._database.session() as session:
            result = await session.execute(
                update(BatchRowState)
                .where(BatchRowState.id == row.id, BatchRowState.status == from_.value)
                .values(status=to.value, **values)
            )
            if (result.rowcount or 0) != 1:
                return False
            await audit.record(
                session, batch.team_id, event, actor_id, product=batch.product.value,
                amount=row.amount, batch=batch.number, line=row.line, row_id=row.row_id,
                subaccount=row.subaccount_email, request_action=ADD if row.add else REMOVE,
                **details,
            )  # fmt: skip
        return True
