"""One subaccount's memory: compact, and JSON-serialisable (to be stored in the database).

Statistics are floats on purpose: the replay must go through 50,000 readings a second and a
Decimal EWMA costs several times a float one. Money stays Decimal where it is money (the last
balance, the spend rule, the amounts an alert reports); the floats only weigh spend rates
against each other, where a rounding in the 15th digit changes no decision.

Kept per subaccount: 168 hour-of-week rates (weekly campaigns, weekday patterns), 48
hour-of-day rates (open and closed hours apart: growth, day-to-day level), the release rates
per closed hour (nights, Sundays, public holidays), the last 24 h of spend for the windows,
and the incident's bookkeeping. About 2.5 KB of JSON; EWMAs keep far more than 35 days' worth
of evidence in that space (a weekly sample at alpha 0.4 still weighs 5 % after 6 weeks).
"""

from __future__ import annotations

from collections import deque
from decimal import Decimal
from typing import Any

from bot.services.anomalies.calendar import HOURS_A_WEEK

UNKNOWN = -1.0
"""A rate not learnt yet (rates are never negative)."""

STATE_VERSION = 1


class Window:
    """The readings of the last `hours`: sums of spend, expected spend and hours covered
    (intervals of unknown spend are left out), and the queue release expected.

    Every reading of an opening hour carries that opening's expected release, since nobody
    knows which of them the vendor's release lands in; the window counts it once, as long as
    one of them is inside (openings are at least 12 h apart: never two in a window that is
    judged reading by reading)."""

    __slots__ = ("entries", "expected", "hours", "release", "releases", "seconds", "spent")

    def __init__(self, hours: float) -> None:
        self.seconds = hours * 3600.0
        self.entries: deque[tuple[float, float, float, float, float]] = deque()
        self.spent = self.expected = self.release = self.hours = 0.0
        self.releases = 0

    def add(self, t: float, spent: float, expected: float, release: float, hours: float) -> None:
        self.entries.append((t, spent, expected, release, hours))
        self.spent += spent
        self.expected += expected
        if release:
            self.releases += 1
            self.release = release
        self.hours += hours
        horizon = t - self.seconds
        entries = self.entries
        while entries[0][0] <= horizon:  # never empties: the entry just added is inside
            _, spent, expected, release, hours = entries.popleft()
            self.spent -= spent
            self.expected -= expected
            if release:
                self.releases -= 1
                if not self.releases:
                    self.release = 0.0
            self.hours -= hours

    def clear(self) -> None:
        self.entries.clear()
        self.spent = self.expected = self.release = self.hours = 0.0
        self.releases = 0

    def forgive(self, since: float) -> None:
        """An incident is over: from `since` on, count its readings as having spent what was
        expected, so it stops weighing on the windows without losing their coverage."""
        kept = [
            (t, expected if t >= since else spent, expected, release, hours)
            for t, spent, expected, release, hours in self.entries
        ]
        self.clear()
        for entry in kept:
            self.add(*entry)

    def dump(self) -> list[list[float]]:
        return [list(entry) for entry in self.entries]

    def load(self, entries: list[list[float]]) -> None:
        self.clear()
        for t, spent, expected, release, hours in entries:
            self.add(t, spent, expected, release, hours)


class Track:
    """Everything the detector remembers about one subaccount."""

    __slots__ = (
        "alert_open",
        "average",
        "balance",
        "benign",
        "first",
        "hour",
        "hour_expected",
        "hour_hours",
        "hour_known",
        "hour_spent",
        "last",
        "last_abnormal",
        "muted_until",
        "not_an_issue",
        "opened",
        "opened_cold",
        "pending",
        "rates_of_day",
        "rates_of_week",
        "release_due",
        "release_hour",
        "release_known",
        "release_rates",
        "release_spent",
        "staged",
        "tolerance",
        "windows",
    )

    def __init__(self, window_hours: tuple[float, ...]) -> None:
        self.first = self.last = -1.0
        self.balance = Decimal(0)
        self.rates_of_week = [UNKNOWN] * HOURS_A_WEEK
        self.rates_of_day = [UNKNOWN] * 48  # hour_of_day * 2 + open
        self.average = UNKNOWN
        # EUR per closed hour released at the opening: nights, Sunday days, holiday days.
        self.release_rates = [UNKNOWN, UNKNOWN, UNKNOWN]
        self.hour = -1  # the UTC hour being summed, to learn once complete
        self.hour_spent = self.hour_expected = self.hour_hours = 0.0
        self.hour_known = True
        self.release_hour = -1
        self.release_spent = 0.0
        self.release_known = True
        self.release_due = 0.0
        # Hours complete but not learnt yet: [utc_hour, EUR per hour]. One hour waits a
        # further hour (an incident's first minutes must not teach the baseline), and while
        # an alert is open everything waits for the incident's verdict.
        self.staged: list[list[float]] = []
        self.pending: list[list[float]] = []
        self.alert_open = False
        self.benign = False
        self.opened_cold = False
        self.last_abnormal = self.opened = -1.0
        self.muted_until = -1.0
        self.tolerance = 1.0
        self.not_an_issue = 0
        self.windows = [Window(hours) for hours in window_hours]

    def dump(self) -> dict[str, Any]:
        return {
            "v": STATE_VERSION,
            "first": self.first,
            "last": self.last,
            "balance": str(self.balance),
            "week": [round(rate, 4) for rate in self.rates_of_week],
            "day": [round(rate, 4) for rate in self.rates_of_day],
            "average": self.average,
            "release": self.release_rates,
            "hour": [
                self.hour,
                self.hour_spent,
                self.hour_expected,
                self.hour_hours,
                self.hour_known,
            ],
            "release_hour": [
                self.release_hour,
                self.release_spent,
                self.release_known,
                self.release_due,
            ],
            "staged": self.staged,
            "pending": self.pending,
            "alert": [
                self.alert_open,
                self.benign,
                self.opened_cold,
                self.last_abnormal,
                self.muted_until,
                self.opened,
            ],
            "tolerance": self.tolerance,
            "not_an_issue": self.not_an_issue,
            "windows": [window.dump() for window in self.windows],
        }

    @classmethod
    def load(cls, data: dict[str, Any], window_hours: tuple[float, ...]) -> Track:
        if data.get("v") != STATE_VERSION:
            raise ValueError(f"unknown anomaly state version: {data.get('v')!r}")
        track = cls(window_hours)
        track.first, track.last = float(data["first"]), float(data["last"])
        track.balance = Decimal(data["balance"])
        track.rates_of_week = [float(rate) for rate in data["week"]]
        track.rates_of_day = [float(rate) for rate in data["day"]]
        track.average = float(data["average"])
        track.release_rates = [float(rate) for rate in data["release"]]
        hour, spent, expected, hours, known = data["hour"]
        track.hour, track.hour_spent, track.hour_expected = int(hour), spent, expected
        track.hour_hours, track.hour_known = hours, bool(known)
        release_hour, release_spent, release_known, track.release_due = data["release_hour"]
        track.release_hour, track.release_spent = int(release_hour), release_spent
        track.release_known = bool(release_known)
        track.staged = [list(sample) for sample in data["staged"]]
        track.pending = [list(sample) for sample in data["pending"]]
        alert = data["alert"]
        track.alert_open, track.benign, track.opened_cold = (bool(flag) for flag in alert[:3])
        track.last_abnormal, track.muted_until, track.opened = (float(t) for t in alert[3:])
        track.tolerance = float(data["tolerance"])
        track.not_an_issue = int(data["not_an_issue"])
        for window, entries in zip(track.windows, data["windows"], strict=True):
            window.load(entries)
        return track
