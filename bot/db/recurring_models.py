"""Recurring and automatic top-ups (docs/recurring.md). Times are naive UTC.

A series is approved once; each of its periods is one `RecurringRun`, unique per
(series, period), inserted in the same transaction as the already approved credit request it
runs through: two workers due the same period cannot both insert it, so each period moves money
through one request, executed once by the request machinery.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.clock import utcnow
from bot.db.base import Base
from bot.db.types import Money


class RecurringSeries(Base):
    __tablename__ = "recurring_series"
    __table_args__ = (UniqueConstraint("team_id", "number", name="uq_recurring_series_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    number: Mapped[int] = mapped_column(Integer)
    """Its number in its workspace: what `recurring pause 3` names."""
    kind: Mapped[str] = mapped_column(String(16))
    """`series` (a schedule) or `auto` (a top-up when a reading finds the balance low)."""
    product: Mapped[str] = mapped_column(String(8))
    subaccount_token: Mapped[str] = mapped_column(String(255))
    subaccount_email: Mapped[str | None] = mapped_column(String(320))
    key_id: Mapped[str | None] = mapped_column(String(16))
    amount: Mapped[Decimal | None] = mapped_column(Money)
    """Added each run; None when the series tops up to `level`."""
    level: Mapped[Decimal | None] = mapped_column(Money)
    below: Mapped[Decimal | None] = mapped_column(Money)
    """Automatic top-up: the threshold under which a reading adds `amount`."""
    monthly_max: Mapped[Decimal | None] = mapped_column(Money)
    every: Mapped[str | None] = mapped_column(String(8))
    weekday: Mapped[int | None] = mapped_column(Integer)
    day: Mapped[int | None] = mapped_column(Integer)
    at_time: Mapped[str | None] = mapped_column(String(5))
    zone: Mapped[str | None] = mapped_column(String(64))
    until: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), index=True)
    """pending · active · paused · cancelled · ended (see bot.services.recurring.model)."""
    why: Mapped[str | None] = mapped_column(String(32))
    """Why it was paused or ended by the system (three failures, a deleted subaccount)."""
    approvals_needed: Mapped[int] = mapped_column(Integer, default=1)
    approvers: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    starts_at: Mapped[datetime | None] = mapped_column(DateTime)
    """When it was approved: no period before it runs."""
    failures_in_a_row: Mapped[int] = mapped_column(Integer, default=0)
    proposed: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """A raise (amount, level, end) waiting for a second person, and who proposed it."""
    warned_period: Mapped[str | None] = mapped_column(String(32))
    """The period whose low main balance the owner was warned about (once)."""
    card_channel_id: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))
    """Where its approval card is, to redraw it after a decision."""
    card_claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    """When a process took the posting of its card (one conditional UPDATE: one poster). Never
    taken after a while: the asking process died before posting, and maintenance posts it."""
    armed: Mapped[bool] = mapped_column(Boolean, default=True)
    """Automatic top-up: False after a top-up, until a reading finds the balance above again."""


class RecurringRun(Base):
    __tablename__ = "recurring_runs"
    __table_args__ = (UniqueConstraint("series_id", "period", name="uq_recurring_runs_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("recurring_series.id"), index=True)
    period: Mapped[str] = mapped_column(String(32))
    """The local date the run falls on (a series) or the reading's time (automatic)."""
    due_at: Mapped[datetime] = mapped_column(DateTime)
    state: Mapped[str] = mapped_column(String(16), index=True)
    """running · waiting (a retry is due at `retry_at`) · succeeded · failed · skipped."""
    request_id: Mapped[int | None] = mapped_column(ForeignKey("credit_requests.id"))
    """The request of its latest attempt."""
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    retry_at: Mapped[datetime | None] = mapped_column(DateTime)
    amount: Mapped[Decimal | None] = mapped_column(Money)
    note: Mapped[str | None] = mapped_column(String(64))
    """Why it was skipped or failed, a word the texts turn into a sentence."""
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
