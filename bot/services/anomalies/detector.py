"""The anomaly detector: pure and deterministic, fed readings, no I/O (docs/anomalies.md).

Each subaccount is judged against its own history. Every reading gives the spend since the
previous one (`spend.interval_spend`); the detector compares the spend of the last 1 h, 3 h and
24 h with what the subaccount's baseline expects of those hours, and opens one alert per
incident. The baseline of an hour is the larger of its hour-of-week rate (weekly campaigns) and
its hour-of-day rate (open and closed hours apart), both EWMAs that follow growth and drift.
The first hour of business after a closure carries the vendor's queue release: its expected
spend adds the learnt release per closed hour (nights, Sundays and holidays apart).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bot.services.anomalies.calendar import HOURS_A_WEEK, BusinessCalendar, Closure, HourInfo
from bot.services.anomalies.model import DEFAULT_FLOOR_PER_HOUR, Alert, Feedback, Reading, Tuning
from bot.services.anomalies.spend import interval_spend
from bot.services.anomalies.state import UNKNOWN, Track, Window

CENT = Decimal("0.01")
HOURLY_WINDOW_FROM = 6.0
"""Windows this long or longer are kept one entry an hour, not one a reading."""
MAX_PENDING = 48
MERGED_FROM = 0.3
"""Hours: an interval this long merges a failed reading (readings are 15 minutes apart)."""
LEARN_MIN_HOURS = 0.5
"""An hour with less than this covered by known spend teaches nothing."""
CLIP = 4.0
"""One sample moves a rate by at most CLIP × the rate (an outlier never takes a bucket over)."""


def _ewma(old: float, sample: float, alpha: float) -> float:
    if old == UNKNOWN:
        return sample
    if sample > CLIP * old + 1.0:
        sample = CLIP * old + 1.0
    return old + alpha * (sample - old)


def _money(value: float) -> Decimal:
    """Two decimals, for a person to read (an alert's amounts and hours)."""
    return Decimal(repr(max(value, 0.0))).quantize(CENT)


class AnomalyDetector:
    """One workspace's detector. `observe` each reading in time order; it returns the alerts
    the reading opens (at most one)."""

    def __init__(
        self,
        tz: str = "Europe/Paris",
        tuning: Tuning | None = None,
        floor_per_hour: Decimal | None = None,
    ) -> None:
        self.tuning = tuning or Tuning()
        self.set_floor(DEFAULT_FLOOR_PER_HOUR if floor_per_hour is None else floor_per_hour)
        self.calendar = BusinessCalendar(tz)
        self.tracks: dict[str, Track] = {}
        self._window_hours = tuple(hours for hours, _, _ in self.tuning.windows)
        if list(self._window_hours) != sorted(self._window_hours):
            raise ValueError("windows go from the shortest to the longest")
        # Short windows take every reading, long ones an entry an hour.
        self._short = sum(1 for hours in self._window_hours if hours < HOURLY_WINDOW_FROM)
        self._cold_seconds = self.tuning.cold_days * 86400
        self._rearm_seconds = self.tuning.rearm_hours * 3600

    def set_floor(self, floor_per_hour: Decimal) -> None:
        """`/partner anomaly floor <EUR per hour>`: the cold-start floor of this workspace."""
        self.floor = float(floor_per_hour)

    @property
    def floor(self) -> float:
        return self._floor

    @floor.setter
    def floor(self, value: float) -> None:
        if not value > 0:
            raise ValueError("the floor is a positive amount of EUR per hour")
        self._floor = value

    # -- state --------------------------------------------------------------------------

    def dump(self, subaccount: str) -> dict[str, Any]:
        return self.tracks[subaccount].dump()

    def load(self, subaccount: str, state: dict[str, Any]) -> None:
        self.tracks[subaccount] = Track.load(state, self._window_hours)

    # -- readings -----------------------------------------------------------------------

    def observe(self, reading: Reading) -> list[Alert]:
        # The hot path of the replay (50,000 readings a second): kept flat on purpose.
        t = reading.time.timestamp()
        track = self.tracks.get(reading.subaccount)
        if track is None:
            track = self.tracks[reading.subaccount] = Track(self._window_hours)
        if track.last < 0:
            track.first = track.last = t
            track.balance = reading.balance
            return []
        if t <= track.last:
            raise ValueError(f"readings out of order for {reading.subaccount}")
        spent = interval_spend(track.balance, reading.balance, reading.moved)
        dt = (t - track.last) / 3600.0
        track.last = t
        track.balance = reading.balance
        utc_hour = int(t) // 3600
        info = self.calendar.hour(utc_hour)
        if utc_hour != track.hour:
            self._close_hour(track, utc_hour, t)
        if info.opening is not None and track.release_hour != utc_hour:
            track.release_hour, track.release_spent, track.release_known = utc_hour, 0.0, True
            track.release_due = self._expected_release(track, info.opening, t)
            track.hour_expected += track.release_due  # once, for the 24 h window
        if spent is None or dt > self.tuning.longest_interval_hours:
            track.hour_known = False
            if info.opening is not None:
                track.release_known = False
            return []
        amount = float(spent)
        if dt < MERGED_FROM:
            expected = self._rate(track, info) * dt * track.tolerance
        else:
            expected = self._merged_expected(track, t, dt) * track.tolerance
        release = track.release_due
        if info.opening is not None:
            track.release_spent += amount
        if t < track.muted_until:
            # Expected (campaign): the rest of it must not open an alert when the mute ends.
            amount = min(amount, expected)
        track.hour_spent += amount
        track.hour_expected += expected
        track.hour_hours += dt
        for window in track.windows[: self._short]:
            window.add(t, amount, expected, release, dt)
        cold = t - track.first < self._cold_seconds
        if track.alert_open:
            self._follow(track, t, cold)
            return []
        found = self._abnormal(track, cold)
        if found is None or t < track.muted_until:
            return []
        return [self._open(track, reading, t, cold, found)]

    def feedback(self, subaccount: str, kind: Feedback, at: datetime) -> None:
        """What a person said of the subaccount's latest alert."""
        track = self.tracks.get(subaccount)
        if track is None:
            raise ValueError(f"no readings of {subaccount} yet")
        if kind is Feedback.EXPECTED:
            # A one-off campaign: it teaches nothing about ordinary days, and the rest of it
            # should not page anyone.
            track.pending.clear()
            track.staged.clear()
            track.muted_until = at.timestamp() + self.tuning.mute_hours * 3600
            self._rearm(track)
        else:
            # Normal after all: learn the stretch, and widen this subaccount's tolerance.
            track.not_an_issue += 1
            track.tolerance = min(track.tolerance * 1.5, 4.0)
            for sample in track.pending:
                self._learn(track, int(sample[0]), sample[1])
            track.pending.clear()
            track.benign = track.alert_open

    def usual(self, subaccount: str, at: datetime) -> Decimal | None:
        """EUR an hour the subaccount usually spends at this hour of the week, None while its
        history cannot speak yet (the cold start)."""
        track = self.tracks.get(subaccount)
        if track is None or at.timestamp() - track.first < self._cold_seconds:
            return None
        return _money(self._rate(track, self.calendar.at(at)))

    # -- judging ------------------------------------------------------------------------

    def _follow(self, track: Track, t: float, cold: bool) -> None:
        """An incident is open: it ends after 2 h of a normal last hour."""
        if track.opened_cold and not cold:
            self._rearm(track)  # the floor's incident ends with the cold start
            return
        if self._window_abnormal(track, track.windows[0], self.tuning.windows[0], cold):
            track.last_abnormal = t
        elif t - track.last_abnormal >= self._rearm_seconds:
            self._rearm(track)

    def _open(
        self,
        track: Track,
        reading: Reading,
        t: float,
        cold: bool,
        found: tuple[str, float, float, float],
    ) -> Alert:
        track.alert_open, track.last_abnormal, track.opened = True, t, t
        # Before its history can speak, a subaccount learns through the floor's alerts (the
        # floor says nothing of what is normal for it); the feedback still applies.
        track.opened_cold = track.benign = cold
        if not cold:
            # The hour before may hold the incident's start: keep it out of the baseline too.
            track.pending.extend(track.staged)
            track.staged.clear()
        name, spent, expected, hours = found
        return Alert(
            subaccount=reading.subaccount,
            time=reading.time.astimezone(UTC),
            window=name,
            spent=_money(spent),
            expected=_money(expected),
            hours=_money(hours),
        )

    def _abnormal(self, track: Track, cold: bool) -> tuple[str, float, float, float] | None:
        windows = track.windows
        if cold:
            # No history to speak yet: the workspace's floor, beside the queue release.
            window = windows[0]
            allowed = self._floor * window.hours + window.release
            if window.spent > allowed:
                return "floor", window.spent, allowed, window.hours
            return None
        for index, rule in enumerate(self.tuning.windows):
            window = windows[index]
            if index < self._short:
                spent, expected = window.spent, window.expected + window.release
            else:  # complete hours, plus the hour under way
                spent = window.spent + track.hour_spent
                expected = window.expected + track.hour_expected
            if spent > rule[1] * expected + rule[2]:
                return _name(rule[0]), spent, expected, self._sums(track, window)[2]
        return None

    def _window_abnormal(
        self, track: Track, window: Window, rule: tuple[float, float, float], cold: bool
    ) -> bool:
        spent, expected, hours = self._sums(track, window)
        if cold:
            return spent > self.floor * hours + window.release
        return spent > rule[1] * expected + rule[2]

    @staticmethod
    def _sums(track: Track, window: Window) -> tuple[float, float, float]:
        if window.seconds < HOURLY_WINDOW_FROM * 3600:
            return window.spent, window.expected + window.release, window.hours
        # Complete hours, plus the hour under way.
        return (
            window.spent + track.hour_spent,
            window.expected + track.hour_expected,
            window.hours + track.hour_hours,
        )

    def _rearm(self, track: Track) -> None:
        """Back to normal: the next incident gets its own alert. The incident's stretch (from
        an hour before it opened) is forgiven in the windows, or the incident still inside the
        24 h window would open the next alert at once."""
        # No verdict: an incident, kept out of the hour-of-day rates; the hour of the week
        # learns it at half pace, so that a new weekly campaign nobody marks stops alerting
        # after a few weeks, while one incident moves its hour by ×1.6 at most.
        for utc_hour, rate in track.pending:
            self._learn(track, int(utc_hour), rate, weekly_only=True)
        track.pending.clear()
        since = track.opened - 3600
        for window in track.windows:
            window.forgive(since)
        track.hour_spent = min(track.hour_spent, track.hour_expected)
        track.alert_open = track.benign = track.opened_cold = False

    # -- the baseline ---------------------------------------------------------------------

    def _rate(self, track: Track, info: HourInfo) -> float:
        """EUR per hour this hour is expected to spend."""
        if info.opening is not None:
            # The opening hour is never learnt (the release swamps it): the next hour's rate.
            week = track.rates_of_week[(info.hour_of_week + 1) % HOURS_A_WEEK]
            day = track.rates_of_day[info.hour_of_day * 2 + 3]
        else:
            week = track.rates_of_week[info.hour_of_week]
            day = track.rates_of_day[info.hour_of_day * 2 + info.open]
        rate = week if week > day else day
        if rate == UNKNOWN:
            rate = track.average if track.average != UNKNOWN else 0.0
        return rate

    def _merged_expected(self, track: Track, t: float, dt: float) -> float:
        """A failed reading merged two intervals or more: each 15 minutes is expected at the
        rate of the hour its reading would have fallen in (19:30 to 20:00 across the evening
        closing is a quarter of business and a quarter of evening, not an hour of evening)."""
        expected, left, end = 0.0, dt, t
        while left > 0:
            part = min(left, 0.25)
            expected += self._rate(track, self.calendar.hour(int(end) // 3600)) * part
            left -= part
            end -= 900
        return expected

    def _business_rate(self, track: Track) -> float:
        rates = [rate for rate in track.rates_of_day[1::2] if rate != UNKNOWN]
        if rates:
            return sum(rates) / len(rates)
        return track.average if track.average != UNKNOWN else 0.0

    def _expected_release(self, track: Track, closure: Closure, t: float) -> float:
        if t - track.first < self.tuning.cold_days * 86400:
            return self.floor * (closure.night + closure.sunday + closure.holiday)
        business = self._business_rate(track)
        night, sunday, holiday = track.release_rates
        night = night if night != UNKNOWN else business / 2
        sunday = sunday if sunday != UNKNOWN else business
        # A holiday comes a few times a year: never expect less than a business day's volume.
        holiday = max(holiday, business)
        return track.tolerance * (
            night * closure.night + sunday * closure.sunday + holiday * closure.holiday
        )

    def _close_hour(self, track: Track, utc_hour: int, t: float) -> None:
        """A new UTC hour began: the finished one is learnt an hour later, if all stays calm."""
        done = track.hour
        if done >= 0:
            if track.release_hour == done:
                self._learn_release(track, done)
            sample = None
            if track.hour_known and track.hour_hours >= LEARN_MIN_HOURS:
                sample = [float(done), track.hour_spent / track.hour_hours]
            for window in track.windows:
                if window.seconds >= HOURLY_WINDOW_FROM * 3600:
                    window.add(t, track.hour_spent, track.hour_expected, 0.0, track.hour_hours)
            if sample is not None:
                if t < track.muted_until:
                    pass  # Expected (campaign): the stretch stays out of the baseline
                elif track.alert_open and not track.benign:
                    if len(track.pending) < MAX_PENDING:
                        track.pending.append(sample)
                else:
                    for staged in track.staged:
                        self._learn(track, int(staged[0]), staged[1])
                    track.staged = [sample]
        track.hour = utc_hour
        track.release_due = 0.0
        track.hour_spent = track.hour_expected = track.hour_hours = 0.0
        track.hour_known = True

    def _learn(self, track: Track, utc_hour: int, rate: float, weekly_only: bool = False) -> None:
        info = self.calendar.hour(utc_hour)
        if info.opening is not None:
            return  # the release hour: learnt as a release, not as a rate
        if weekly_only:
            if not info.holiday:
                week = track.rates_of_week
                alpha = self.tuning.hour_of_week_alpha / 2
                week[info.hour_of_week] = _ewma(week[info.hour_of_week], rate, alpha)
            return
        alpha = self.tuning.hour_of_day_alpha
        index = info.hour_of_day * 2 + info.open
        track.rates_of_day[index] = _ewma(track.rates_of_day[index], rate, alpha)
        if not info.holiday:
            # A holiday breaks the weekday's pattern: it would teach that hour of the week wrong.
            week = track.rates_of_week
            week[info.hour_of_week] = _ewma(
                week[info.hour_of_week], rate, self.tuning.hour_of_week_alpha
            )
        track.average = _ewma(track.average, rate, alpha / 24)

    def _learn_release(self, track: Track, utc_hour: int) -> None:
        closure = self.calendar.hour(utc_hour).opening
        assert closure is not None
        began = utc_hour - closure.night - closure.sunday - closure.holiday
        if not track.release_known or track.first > began * 3600:
            return  # a top-up hid it, or readings began during the closure: a partial queue
        if track.alert_open and not track.benign and track.opened < utc_hour * 3600:
            return  # an incident under way; an alert the release itself opened teaches it
        excess = max(track.release_spent - self._business_rate(track), 0.0)
        rates = track.release_rates
        night = rates[0] if rates[0] != UNKNOWN else 0.0
        sunday = rates[1] if rates[1] != UNKNOWN else 0.0
        alpha = self.tuning.release_alpha
        if closure.sunday == closure.holiday == 0 and closure.night:
            rates[0] = _ewma(rates[0], excess / closure.night, alpha)
        elif closure.holiday == 0 and closure.sunday:
            rates[1] = _ewma(
                rates[1], max(excess - night * closure.night, 0.0) / closure.sunday, alpha
            )
        elif closure.holiday:
            left = excess - night * closure.night - sunday * closure.sunday
            rates[2] = _ewma(rates[2], max(left, 0.0) / closure.holiday, alpha)


def _name(hours: float) -> str:
    return f"{hours:g}h"
