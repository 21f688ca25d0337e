"""What the app holds about one subaccount beyond the vendor's data: frozen or not, its cap
(bot.services.subaccount_controls). Times are naive UTC."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.base import Base
from bot.db.types import Money


class SubaccountControl(Base):
    """One subaccount's freeze and cap. A row with neither is kept: who unfroze it and when
    stays readable beside the audit trail."""

    __tablename__ = "subaccount_controls"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    product: Mapped[str] = mapped_column(String(8), primary_key=True)
    subaccount: Mapped[str] = mapped_column(String(255), primary_key=True)  # the vendor's token
    email: Mapped[str] = mapped_column(String(320))
    frozen_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    frozen_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    cap: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    cap_set_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    cap_set_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    over_cap_noticed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    """When a reading last told the alerts channel this subaccount was over its cap: one notice
    until it is back under."""
