"""Batches as lists: what waits for an approver (`/partner approvals`, their Home) and a
requester's own (`/partner requests`, their Home). Read-only SQL; every move is store.py's."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.clock import utcnow
from bot.db.batch_models import Batch
from bot.db.session import Database
from bot.services.batches.model import BatchSnapshot, BatchStatus, Progress
from bot.services.batches.snapshots import snapshot


@dataclass(frozen=True, slots=True)
class BatchesAwaiting:
    batches: tuple[BatchSnapshot, ...]
    """Pending batches of the workspace, oldest first."""
    decidable: frozenset[int]
    """Ids of those this person may approve or reject now (the click is checked again)."""


@dataclass(frozen=True, slots=True)
class MyBatch:
    batch: BatchSnapshot
    progress: Progress | None
    """Rows done so far, once approved (None before: nothing ran)."""


async def pending(database: Database, team_id: str, limit: int = 50) -> list[BatchSnapshot]:
    """Pending and not past their time (maintenance expires those: nobody can approve them)."""
    async with database.session() as session:
        found = await session.scalars(
            select(Batch)
            .where(
                Batch.team_id == team_id,
                Batch.status == BatchStatus.PENDING.value,
                Batch.expires_at > utcnow(),
            )
            .order_by(Batch.created_at, Batch.number)
            .limit(limit)
        )
        return [snapshot(row) for row in found]


async def of_requester(
    database: Database, team_id: str, requester_id: str, limit: int
) -> list[BatchSnapshot]:
    """Newest first; not drafts (asked about in the form, shown to nobody until confirmed)."""
    async with database.session() as session:
        found = await session.scalars(
            select(Batch)
            .where(
                Batch.team_id == team_id,
                Batch.requester_id == requester_id,
                Batch.status != BatchStatus.DRAFT.value,
            )
            .order_by(Batch.created_at.desc(), Batch.number.desc())
            .limit(limit)
        )
        return [snapshot(row) for row in found]
