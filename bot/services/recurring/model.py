"""What a recurring series is, as every caller sees it (docs/recurring.md).

```
(proposed) ─▶ pending ─approve (1 or 2)─▶ active ◀─resume── paused
                 └─cancel─▶ cancelled        ├─pause──────────▶ paused (also: 3 failures)
                                             ├─cancel─▶ cancelled
                                             └─ past its end / subaccount deleted ─▶ ended
```
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum

from bot.i18n import N_
from bot.partner.models import Product
from bot.services.errors import NotFound, ServiceError
from bot.services.recurring.schedule import Every, Frequency, Schedule, most_per_month


class SeriesState(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    ENDED = "ended"


class RunState(StrEnum):
    RUNNING = "running"
    """Its request is approved, executing, or unknown: the request machinery carries it."""
    WAITING = "waiting"
    """The main balance was too low: another attempt at `retry_at`."""
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"


class Why(StrEnum):
    """Why a run was skipped or failed, or the system paused or ended a series."""

    MISSED = "missed"  # older than 72 h when a worker got to it
    ANOMALY = "anomaly"  # an open spend anomaly on the subaccount
    FROZEN = "frozen"  # the subaccount is frozen
    FULL = "full"  # up-to: the subaccount is at or above the level already
    MONTHLY_MAX = "monthly_max"  # an automatic top-up would pass its monthly maximum
    MAIN_TOO_LOW = "main_too_low"  # the main balance could not pay it, after the retries
    VENDOR = "vendor"  # the vendor refused it or could not be reached
    INTERRUPTED = "interrupted"  # cut short during the vendor call, nothing moved: tried again
    DELETED = "deleted"  # the subaccount is gone
    FAILURES = "failures"  # three failed periods in a row
    KEY_CHANGED = "key_changed"


KIND_SERIES = "series"
KIND_AUTO = "auto"
RETRIES = (1, 6, 24)
"""Hours after the run's time at which a run refused for a low main balance is tried again;
their number is also how often a run cut short with nothing moved is tried again (by the next
pass, without waiting)."""
FAILURES_TO_PAUSE = 3


@dataclass(frozen=True, slots=True)
class Plan:
    """A series as asked (from `/partner recurring add`), before it is stored."""

    product: Product
    ref: str
    amount: Decimal | None
    level: Decimal | None
    frequency: Frequency
    at: time
    zone: str
    until: date | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class Series:
    id: int
    team_id: str
    number: int
    kind: str
    product: Product
    subaccount_token: str
    subaccount_email: str | None
    amount: Decimal | None
    level: Decimal | None
    below: Decimal | None
    monthly_max: Decimal | None
    frequency: Frequency | None
    at: time | None
    zone: str | None
    until: date | None
    reason: str | None
    state: SeriesState
    why: str | None
    approvals_needed: int
    approvers: tuple[str, ...]
    created_by: str
    created_at: datetime
    starts_at: datetime | None
    failures_in_a_row: int
    proposed: dict[str, str] | None
    """A raise waiting for a second person: its figures (`amount` or `level`, `until`), who
    asked (`by`) and when (`at`, ISO; not kept for raises proposed before it was)."""
    key_id: str | None
    last_run: Run | None = None
    card: tuple[str, str] | None = None
    """(channel, ts) of its approval card."""
    armed: bool = True

    @property
    def raised_figures(self) -> dict[str, str]:
        """The figures of the raise waiting, without who asked and when."""
        return {k: v for k, v in (self.proposed or {}).items() if k not in ("by", "at")}

    @property
    def per_run(self) -> Decimal:
        """The most one run can move (what the policy is applied to)."""
        value = self.amount if self.amount is not None else self.level
        assert value is not None
        return value

    @property
    def most_per_month(self) -> Decimal:
        if self.kind == KIND_AUTO:
            return self.monthly_max if self.monthly_max is not None else self.per_run * 31
        assert self.frequency is not None
        return most_per_month(self.per_run, self.frequency)

    def schedule(self, starts: datetime | None = None) -> Schedule:
        assert self.frequency is not None and self.at is not None and self.zone is not None
        begin = starts or self.starts_at or self.created_at
        return Schedule(self.frequency, self.at, self.zone, begin, self.until)


@dataclass(frozen=True, slots=True)
class Run:
    id: int
    series_id: int
    period: str
    due_at: datetime
    state: RunState
    request_id: int | None
    attempt: int
    retry_at: datetime | None
    amount: Decimal | None
    note: str | None


def frequency_of(every: str | None, weekday: int | None, day: int | None) -> Frequency | None:
    return None if every is None else Frequency(Every(every), weekday=weekday, day=day)


class SeriesNotFound(NotFound):
    def __init__(self, number: int) -> None:
        super().__init__(N_("recurring top-up"), f"#{number}")
        self.number = number


class SeriesNotChangeable(ServiceError):
    """The series is not in a state that allows this (a cancelled one resumed…)."""

    def __init__(self, series: Series, wanted: str) -> None:
        super().__init__(f"recurring #{series.number} is {series.state}: cannot {wanted}")
        self.series = series
        self.wanted = wanted
