"""`python -m bot anomalies replay FILE.csv [--tz Europe/Paris]`: the live detector over a
history, one JSON line per alert opened.

The CSV has the header `time,subaccount,balance,moved`: `time` ISO 8601 UTC, `balance` in EUR
with `.` decimals, `moved` the credit the app moved into the subaccount since its previous
reading. One row per successful reading, in time order; a missing row is a failed reading.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from bot.services.anomalies.detector import AnomalyDetector
from bot.services.anomalies.model import Alert, Reading

HEADER = ("time", "subaccount", "balance", "moved")


class BadHistory(ValueError):
    """The CSV cannot be replayed; the text says where and why."""


@dataclass
class ReplaySummary:
    readings: int = 0
    alerts: int = 0
    subaccounts: set[str] = field(default_factory=set)
    first: datetime | None = None
    last: datetime | None = None

    def line(self, seconds: float) -> str:
        speed = self.readings / seconds if seconds > 0 else float("inf")
        span = f"{self.first:%Y-%m-%d} to {self.last:%Y-%m-%d}" if self.first and self.last else "-"
        return (
            f"{self.readings} readings of {len(self.subaccounts)} subaccounts ({span}): "
            f"{self.alerts} alerts, {seconds:.2f} s, {speed:,.0f} readings/s"
        )


def parse_row(line: str, number: int) -> Reading:
    parts = line.rstrip("\r\n").split(",")
    if len(parts) != 4:
        raise BadHistory(f"line {number}: expected 4 fields (time,subaccount,balance,moved)")
    when, subaccount, balance, moved = parts
    try:
        time = datetime.fromisoformat(when)
    except ValueError:
        raise BadHistory(f"line {number}: not an ISO 8601 time: {when!r}") from None
    if time.tzinfo is not UTC:
        if time.tzinfo is None or time.utcoffset():
            raise BadHistory(f"line {number}: the time must be UTC (…Z): {when!r}")
        time = time.astimezone(UTC)
    try:
        left, moved_in = Decimal(balance), Decimal(moved)
    except InvalidOperation:
        raise BadHistory(f"line {number}: not an amount: {balance!r} or {moved!r}") from None
    if not (left.is_finite() and moved_in.is_finite()):
        raise BadHistory(f"line {number}: not a finite amount")
    if not subaccount:
        raise BadHistory(f"line {number}: no subaccount")
    return Reading(subaccount, time, left, moved_in)


def replay(
    lines: Iterable[str], detector: AnomalyDetector, summary: ReplaySummary | None = None
) -> Iterator[Alert]:
    """Every alert the detector opens over the history, in order."""
    summary = summary if summary is not None else ReplaySummary()
    rows = iter(lines)
    header = next(rows, "").strip().lstrip("\ufeff")
    if tuple(header.split(",")) != HEADER:
        raise BadHistory(f"line 1: expected the header {','.join(HEADER)}, got {header[:80]!r}")
    seen = summary.subaccounts
    observe = detector.observe
    for number, line in enumerate(rows, start=2):
        if not line.strip():
            continue
        reading = parse_row(line, number)
        if summary.first is None:
            summary.first = reading.time
        summary.last = reading.time
        seen.add(reading.subaccount)
        summary.readings += 1
        try:
            alerts = observe(reading)
        except ValueError as error:
            raise BadHistory(f"line {number}: {error}") from None
        for alert in alerts:
            summary.alerts += 1
            yield alert


def alert_line(alert: Alert) -> str:
    return json.dumps(alert.as_json(), separators=(",", ":"))
