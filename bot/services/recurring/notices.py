"""What a recurring series tells its owner (the Slack layer implements it: a DM)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from bot.services.recurring.model import Series


class Told(StrEnum):
    SKIPPED = "skipped"  # `why`: missed (periods), anomaly, frozen
    FAILED = "failed"  # `why`: main_too_low (after the retries), vendor, key_changed
    PAUSED = "paused"  # three failed periods in a row
    ENDED = "ended"  # `why`: deleted (the subaccount is gone), or past its end
    LOW_MAIN = "low_main"  # the next run will not fit in the main balance (24 h before)


@dataclass(frozen=True, slots=True)
class News:
    told: Told
    why: str | None = None
    periods: tuple[str, ...] = ()
    amount: Decimal | None = None
    main: Decimal | None = None


class RecurringNotices(Protocol):
    async def told(self, series: Series, news: News) -> None: ...
