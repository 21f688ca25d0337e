"""The spend ledger's tables (docs/anomalies.md, "The live ledger"). Times are naive UTC.

Readings are kept one row per product reading (every subaccount in one JSON map), not one row
per subaccount: a workspace of 5,000 subaccounts writes 4 rows an hour, not 20,000.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.clock import utcnow
from bot.db.base import Base
from bot.db.types import Money


class LedgerReading(Base):
    """One successful reading of a product's subaccounts, kept 48 h: `balances` maps each
    subaccount's token to [balance, credit the app moved into it since the previous reading]."""

    __tablename__ = "ledger_readings"
    __table_args__ = (Index("ix_ledger_readings_team_time", "team_id", "product", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    product: Mapped[str] = mapped_column(String(8))
    taken_at: Mapped[datetime] = mapped_column(DateTime)
    balances: Mapped[dict[str, Any]] = mapped_column(JSON)


class LedgerHour(Base):
    """One hour of readings, kept 36 days: each subaccount's balance at the hour's last reading
    (`last_at`) and the credit the app moved in during the hour. Replayed, the spend between two
    hours is what the readings between them spent."""

    __tablename__ = "ledger_hours"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    product: Mapped[str] = mapped_column(String(8), primary_key=True)
    hour: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    last_at: Mapped[datetime] = mapped_column(DateTime)
    balances: Mapped[dict[str, Any]] = mapped_column(JSON)


class AnomalyTrack(Base):
    """One subaccount's detector state (`AnomalyDetector.dump`, about 3 KB)."""

    __tablename__ = "anomaly_tracks"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    product: Mapped[str] = mapped_column(String(8), primary_key=True)
    subaccount: Mapped[str] = mapped_column(String(255), primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    read_at: Mapped[datetime] = mapped_column(DateTime)


class AnomalyIncident(Base):
    """An alert the detector opened, and what a person said of it. `ref` is what its buttons
    carry (random: no workspace learns how many incidents others had)."""

    __tablename__ = "anomaly_incidents"
    __table_args__ = (Index("ix_anomaly_incidents_subaccount", "team_id", "product", "subaccount"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    team_id: Mapped[str] = mapped_column(String(32))
    product: Mapped[str] = mapped_column(String(8))
    subaccount: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(320))
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    window: Mapped[str] = mapped_column(String(8))
    spent: Mapped[Decimal] = mapped_column(Money)
    expected: Mapped[Decimal] = mapped_column(Money)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    feedback: Mapped[str | None] = mapped_column(String(16))
    feedback_by: Mapped[str | None] = mapped_column(String(32))
    feedback_at: Mapped[datetime | None] = mapped_column(DateTime)
    feedback_applied: Mapped[bool] = mapped_column(Boolean, default=False)
    """The ledger job hands a verdict to the detector before its next reading: only that job
    writes detector state, so a click never races a reading."""


class AnomalySettings(Base):
    """A workspace's cold-start floor (`/partner anomaly floor`)."""

    __tablename__ = "anomaly_settings"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    floor: Mapped[Decimal] = mapped_column(Money)
    set_by: Mapped[str] = mapped_column(String(32))
    set_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
