"""A batch move's tables: the batch (one approval for all its rows) and its rows, each with its
own state, moved only by conditional UPDATEs (bot/services/batches/store.py)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.clock import utcnow
from bot.db.base import Base
from bot.db.types import Money


class Batch(Base):
    __tablename__ = "batches"
    __table_args__ = (
        UniqueConstraint("team_id", "number", name="uq_batches_number"),
        Index("ix_batches_team_hash", "team_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    number: Mapped[int] = mapped_column(Integer)
    """What people see (`batch #3`), counted per workspace like requests' numbers."""
    product: Mapped[str] = mapped_column(String(8))
    requester_id: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    """sha256 of the rows as read (not of the bytes): the same file saved again is the same."""
    source: Mapped[str] = mapped_column(String(255))
    csv_text: Mapped[str] = mapped_column(Text)
    row_count: Mapped[int] = mapped_column(Integer)
    total_add: Mapped[Decimal] = mapped_column(Money)
    total_remove: Mapped[Decimal] = mapped_column(Money)
    main_balance_before: Mapped[Decimal | None] = mapped_column(Money)
    key_id: Mapped[str | None] = mapped_column(String(64))
    approvals_needed: Mapped[int] = mapped_column(Integer)
    approvers: Mapped[list[str]] = mapped_column(JSON, default=list)
    decided_by: Mapped[str | None] = mapped_column(String(32))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    confirmed: Mapped[list[str]] = mapped_column(JSON, default=list)
    """What the requester said yes to before asking (same file, row ids done, repeated rows)."""
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    runner: Mapped[str | None] = mapped_column(String(32))
    runner_until: Mapped[datetime | None] = mapped_column(DateTime)
    """The run's lease: another process takes the batch over only once it has passed."""
    card_channel_id: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))
    results_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    """The results CSV went everywhere it goes (bot/services/batches/delivery.py)."""
    results_until: Mapped[datetime | None] = mapped_column(DateTime)
    """The lease of whoever sends the results: another sends them once it has passed."""
    results_thread_at: Mapped[datetime | None] = mapped_column(DateTime)
    results_requester_at: Mapped[datetime | None] = mapped_column(DateTime)
    """Each place the results reached (or that refused them): not sent there again."""


class BatchRowState(Base):
    __tablename__ = "batch_rows"
    __table_args__ = (
        UniqueConstraint("batch_id", "line", name="uq_batch_rows_line"),
        Index("ix_batch_rows_team_row_id", "team_id", "row_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("batches.id"), index=True)
    team_id: Mapped[str] = mapped_column(String(32))
    line: Mapped[int] = mapped_column(Integer)
    subaccount_token: Mapped[str] = mapped_column(String(255))
    subaccount_email: Mapped[str] = mapped_column(String(320))
    action: Mapped[str] = mapped_column(String(24))
    amount: Mapped[Decimal] = mapped_column(Money)
    reason: Mapped[str | None] = mapped_column(Text)
    row_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), index=True)
    outcome_note: Mapped[str | None] = mapped_column(Text)
    subaccount_balance_before: Mapped[Decimal | None] = mapped_column(Money)
    subaccount_balance_after: Mapped[Decimal | None] = mapped_column(Money)
    main_balance_after: Mapped[Decimal | None] = mapped_column(Money)
    executing_since: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
