"""Synthetic histories of subaccount balances, read every 15 minutes.

What a subaccount of an SMS reseller looks like, as far as balances tell:

- commercial traffic in business hours (Mon–Sat 08:00–20:00 Europe/Paris, a daily shape,
  Saturdays lighter), held by the vendor at night, on Sundays and on French public holidays and
  released in one go at the next opening (after a holiday, up to a whole day's volume);
- transactional traffic at all hours (lower at night);
- day-to-day variation (a log-normal factor a day, within ×0.5–×2), a growth trend (−3 % to
  +10 % a week);
- weekly campaigns at a fixed weekday and hour, whose size drifts week to week;
- the app's own credit moves (`moved`), outside top-ups (a balance rise nobody in the app made),
  1 % failed readings (no row), readings a few seconds late;
- optionally an incident: k × the usual business rate for 6 h from any hour. The incident is
  traffic the vendor does not hold (a leaked key or a runaway loop sends at once).

Balances are kept in thousandths of a EUR, as the vendor does.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.services.anomalies.calendar import CLOSE_HOUR, OPEN_HOUR, BusinessCalendar

STEP = 900  # seconds between readings
DAY_SHAPE = (0.6, 1.0, 1.2, 1.2, 0.9, 0.8, 1.1, 1.2, 1.1, 1.0, 0.9, 0.7)  # 08:00 … 19:00
NIGHT_TRANSACTIONAL = (0.3,) * 7 + (0.6,)  # 00:00 … 07:00, against the daytime level
INCIDENT_HOURS = 6


@dataclass(frozen=True)
class Incident:
    start: float  # epoch seconds
    k: float
    hours: float = INCIDENT_HOURS

    @property
    def end(self) -> float:
        return self.start + self.hours * 3600


@dataclass
class Profile:
    """One subaccount's habits; `usual` is its usual business rate in EUR an hour."""

    name: str
    usual: float
    transactional: float  # share of `usual`, flowing at all hours
    shape: tuple[float, ...]
    saturday: float
    held_night: float  # commercial demand per closed night hour, share of `usual`
    held_sunday: float
    held_holiday: float
    day_sigma: float
    growth: float  # per week
    campaigns: list[tuple[int, int, float]] = field(default_factory=list)  # weekday, hour, size
    campaign_drift: float = 0.15

    @classmethod
    def random(cls, name: str, rng: random.Random) -> Profile:
        usual = math.exp(rng.uniform(math.log(0.3), math.log(300)))
        shape = [value * rng.uniform(0.8, 1.2) for value in DAY_SHAPE]
        mean = sum(shape) / len(shape)
        campaigns = [
            (
                rng.randrange(6),
                rng.randrange(OPEN_HOUR + 1, CLOSE_HOUR - 1),
                usual * rng.uniform(1, 6),
            )
            for _ in range(rng.choice((0, 1, 1, 2)))
        ]
        return cls(
            name=name,
            usual=usual,
            transactional=rng.uniform(0.05, 0.4),
            shape=tuple(value / mean for value in shape),
            saturday=rng.uniform(0.3, 0.8),
            held_night=rng.uniform(0.02, 0.2),
            held_sunday=rng.uniform(0.1, 0.6),
            held_holiday=rng.uniform(0.5, 1.2),
            day_sigma=rng.uniform(0.1, 0.3),
            growth=rng.uniform(-0.03, 0.10),
            campaigns=campaigns,
        )


@dataclass(frozen=True)
class Row:
    time: datetime
    subaccount: str
    balance: Decimal
    moved: Decimal

    def csv(self) -> str:
        return f"{self.time:%Y-%m-%dT%H:%M:%SZ},{self.subaccount},{self.balance},{self.moved}"


def history(
    profile: Profile,
    start: datetime,
    days: int,
    seed: int,
    incident: Incident | None = None,
    calendar: BusinessCalendar | None = None,
    failures: float = 0.01,
) -> Iterator[Row]:
    """The readings of one subaccount from `start` (aware, UTC) for `days` days."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by seed
    calendar = calendar or BusinessCalendar()
    t0 = int(start.timestamp()) // STEP * STEP
    usual = profile.usual
    balance = _millis(usual * 24 * 20 + 200)
    moved = 0
    queue = 0.0
    day_factor: dict[int, float] = {}
    sizes = {campaign: campaign[2] for campaign in profile.campaigns}
    sized_week = -1
    for step in range(1, days * 96 + 1):
        slot = t0 + (step - 1) * STEP
        info = calendar.hour(slot // 3600)
        week = (slot - t0) / (7 * 86400)
        local_day = (slot + 7200) // 86400  # near enough to tell one local day from the next
        factor = day_factor.get(local_day)
        if factor is None:
            factor = math.exp(rng.gauss(0, profile.day_sigma))
            factor = day_factor[local_day] = min(max(factor, 0.5), 2.0)
            day_factor.pop(local_day - 3, None)
        level = usual * factor * (1 + profile.growth) ** week * 0.25  # EUR per slot, at 1×
        hour = info.hour_of_day
        weekday = info.hour_of_week // 24
        daytime = OPEN_HOUR <= hour < CLOSE_HOUR
        trans = profile.transactional * (NIGHT_TRANSACTIONAL[hour] if hour < OPEN_HOUR else 1.0)
        spend = level * trans * _noise(rng)
        if daytime and weekday < 6:
            commercial = level * profile.shape[hour - OPEN_HOUR]
            commercial *= profile.saturday if weekday == 5 else 1.0
            commercial *= profile.held_holiday if info.holiday else 1.0
        elif daytime:
            commercial = level * profile.held_sunday
        else:
            commercial = level * profile.held_night
        commercial *= _noise(rng)
        if int(week) != sized_week:
            sized_week = int(week)
            for campaign in sizes:
                drift = math.exp(rng.gauss(0, profile.campaign_drift))
                sizes[campaign] = min(
                    max(sizes[campaign] * drift, campaign[2] / 3), campaign[2] * 3
                )
        for campaign, size in sizes.items():
            if campaign[0] == weekday and campaign[1] == hour:
                commercial += size / 4 * _noise(rng)
        if info.open:
            spend += commercial
            if info.opening is not None and slot // 3600 * 3600 == slot:
                spend += queue  # the vendor releases what it held, at the opening
                queue = 0.0
        else:
            queue += commercial
        if incident is not None and incident.start <= slot < incident.end:
            spend = max(spend, incident.k * usual * 0.25 * _noise(rng))
        balance -= _millis(spend)
        if rng.random() < 0.01:  # the app moves credit in or out
            amount = _millis(usual * rng.uniform(-4, 12))
            balance += amount
            moved += amount
        if balance < _millis(usual * 48) or rng.random() < 0.0015:  # an outside top-up
            balance += _millis(usual * 24 * rng.uniform(5, 20) + 50)
        if rng.random() < failures:
            continue  # a failed reading: no row, its spend merges into the next
        when = datetime.fromtimestamp(slot + STEP + rng.randint(1, 20), UTC)
        yield Row(when, profile.name, Decimal(balance).scaleb(-3), Decimal(moved).scaleb(-3))
        moved = 0


def _noise(rng: random.Random) -> float:
    return rng.gammavariate(6.0, 1 / 6.0)  # mean 1, coefficient of variation 0.41


def _millis(eur: float) -> int:
    return round(eur * 1000)


def mondays(year: int) -> list[datetime]:
    """Every Monday 00:00 Paris (as UTC, 22:00 or 23:00 the Sunday before) of a year."""
    first = datetime(year, 1, 1, tzinfo=UTC)
    first += timedelta(days=(7 - first.weekday()) % 7)
    return [first + timedelta(weeks=n) - timedelta(hours=2) for n in range(52)]
