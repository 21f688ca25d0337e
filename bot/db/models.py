"""Partner Ops' own tables. Times are naive UTC (see bot.clock)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.clock import utcnow
from bot.db.base import Base


class WorkspacePartnerKey(Base):
    """A workspace's API key for one Partner product, encrypted at rest (Fernet)."""

    __tablename__ = "workspace_partner_keys"
    __table_args__ = (UniqueConstraint("team_id", "product"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    product: Mapped[str] = mapped_column(String(8))
    encrypted_key: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(8))
    """The key's last 4 characters: all that is ever shown of it."""
    set_by: Mapped[str | None] = mapped_column(String(32))
    set_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class HandledSlackRequest(Base):
    """Slack deliveries already taken, so a retry (or a second process) does not act twice.

    The primary key is the delivery's identity (event_id, or the trigger_id of a command or
    an interaction); inserting it is the claim, and a duplicate key means "already handled".
    """

    __tablename__ = "handled_slack_requests"

    delivery_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    handled_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
