"""What the detector reads, what it reports, how it is tuned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

DEFAULT_FLOOR_PER_HOUR = Decimal(50)
"""Cold start: EUR an hour a subaccount may spend before its own history can speak."""


class Reading(NamedTuple):
    """One successful balance reading. `moved`: credit the app itself moved into the
    subaccount since its previous reading (negative for a removal). A tuple: the replay makes
    50,000 of them a second."""

    subaccount: str
    time: datetime  # aware, UTC
    balance: Decimal
    moved: Decimal = Decimal(0)


class Feedback(StrEnum):
    EXPECTED = "expected"  # Expected (campaign): kept out of the baseline, muted 24 h
    NOT_AN_ISSUE = "not_an_issue"  # learnt as normal, the subaccount's tolerance widens


@dataclass(frozen=True, slots=True)
class Alert:
    """An incident opened: one per incident, until 2 h back to normal re-arm it."""

    subaccount: str
    time: datetime  # the reading that opened it
    window: str  # "1h", "3h", "24h", or "floor" (cold start)
    spent: Decimal  # EUR over the window
    expected: Decimal  # EUR the baseline allowed for it (for "floor": the floor × hours)
    hours: Decimal  # the hours of readings the window covered

    def as_json(self) -> dict[str, str]:
        return {
            "time": self.time.isoformat().replace("+00:00", "Z"),
            "subaccount": self.subaccount,
            "window": self.window,
            "spent": str(self.spent),
            "expected": str(self.expected),
            "hours": str(self.hours),
        }


@dataclass(frozen=True, slots=True)
class Tuning:
    """The detector's knobs (docs/anomalies.md explains each; the bench measured these)."""

    cold_days: float = 7.0
    rearm_hours: float = 2.0
    mute_hours: float = 24.0
    # Per window: (hours, spent must exceed ratio × expected + margin EUR).
    windows: tuple[tuple[float, float, float], ...] = (
        (1.0, 3.5, 3.0),
        (3.0, 3.0, 6.0),
        (24.0, 2.5, 20.0),
    )
    hour_of_week_alpha: float = 0.4  # one sample a week: follows drifting campaigns
    hour_of_day_alpha: float = 0.12  # one sample a day: follows growth
    release_alpha: float = 0.3
    longest_interval_hours: float = 1.6  # beyond, failed readings hide too much: unknown
