"""`python -m bot bench anomalies`: the detector over synthetic histories (docs/anomalies.md).

- False alerts: clean subaccounts, 28 days to learn, then weeks where every alert is false.
- Incidents: for each k, subaccounts with one incident of k × their usual business rate for
  6 h, starting at a random hour of the week after the 28 days; detected when an alert opens
  between its start and its end, the delay counted from its start.
- Replay speed: the CSV of some clean subaccounts (interleaved in time order, as a real export
  would be) through the replay CLI's code, parsing included.
"""

from __future__ import annotations

import argparse
import heapq
import random
import time
from dataclasses import dataclass
from datetime import timedelta

from bot.services.anomalies import AnomalyDetector, Reading
from bot.services.anomalies.calendar import BusinessCalendar
from bot.services.anomalies.replay import replay
from devkit.anomalies.generator import Incident, Profile, history, mondays
from devkit.bench.common import machine, percentile, table

LEARN_DAYS = 28
KS = (3, 5, 10, 20, 50)
TARGET_RATE = 10.0  # EUR an hour: the incidents the targets are about


@dataclass(frozen=True)
class Sizes:
    clean: int  # subaccounts
    weeks: int  # judged weeks each
    incidents: int  # per k
    replayed: int  # subaccounts in the replay-speed CSV
    learn_days: int = LEARN_DAYS


FULL = Sizes(clean=100, weeks=5, incidents=100, replayed=40)
QUICK = Sizes(clean=30, weeks=3, incidents=30, replayed=10)
TINY = Sizes(clean=2, weeks=1, incidents=1, replayed=1, learn_days=8)  # proves it runs


@dataclass
class Outcome:
    k: float
    usual: float
    delay_minutes: float | None  # None: missed


def _profile(index: int, seed: int) -> tuple[Profile, random.Random]:
    rng = random.Random(seed * 1_000_003 + index)  # noqa: S311 - reproducible synthetic data
    return Profile.random(f"sub-{index}", rng), rng


def _start(rng: random.Random):
    return rng.choice(mondays(2026))


def false_alerts(sizes: Sizes, seed: int, calendar: BusinessCalendar) -> tuple[int, int, int]:
    """(subaccount-weeks judged, false alerts, readings)."""
    alerts = readings = 0
    for index in range(sizes.clean):
        profile, rng = _profile(index, seed)
        start = _start(rng)
        judged_from = start + timedelta(days=sizes.learn_days)
        detector = AnomalyDetector()
        detector.calendar = calendar
        for row in history(
            profile, start, sizes.learn_days + 7 * sizes.weeks, index, None, calendar
        ):
            readings += 1
            found = detector.observe(Reading(row.subaccount, row.time, row.balance, row.moved))
            alerts += sum(1 for alert in found if alert.time >= judged_from)
    return sizes.clean * sizes.weeks, alerts, readings


def incidents(sizes: Sizes, seed: int, calendar: BusinessCalendar) -> tuple[list[Outcome], int]:
    outcomes: list[Outcome] = []
    stray = 0
    for k in KS:
        for n in range(sizes.incidents):
            index = 100_000 * int(k) + n
            profile, rng = _profile(index, seed)
            start = _start(rng)
            begins = start + timedelta(days=sizes.learn_days, hours=rng.randrange(168))
            begins += timedelta(minutes=rng.randrange(60))
            incident = Incident(begins.timestamp(), k)
            detector = AnomalyDetector()
            detector.calendar = calendar
            delay = None
            judged_from = start + timedelta(days=sizes.learn_days)
            for row in history(profile, start, sizes.learn_days + 8, index, incident, calendar):
                reading = Reading(row.subaccount, row.time, row.balance, row.moved)
                for alert in detector.observe(reading):
                    at = alert.time.timestamp()
                    if incident.start <= at <= incident.end + 900 and delay is None:
                        delay = (at - incident.start) / 60
                    elif alert.time >= judged_from and not incident.start <= at:
                        stray += 1
            outcomes.append(Outcome(k, profile.usual, delay))
    return outcomes, stray


def replay_speed(sizes: Sizes, seed: int) -> tuple[int, float, float]:
    """(readings, wall-clock seconds, CPU seconds): on a shared machine the CPU time is the
    detector's own cost, the wall clock also counts the other processes' turns."""
    histories = []
    for index in range(sizes.replayed):
        profile, rng = _profile(index, seed)
        histories.append(history(profile, _start(rng), sizes.learn_days + 7 * sizes.weeks, index))
    lines = ["time,subaccount,balance,moved"]
    lines += [row.csv() for row in heapq.merge(*histories, key=lambda row: row.time)]
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in replay(lines, AnomalyDetector()):
        pass
    return len(lines) - 1, time.perf_counter() - wall, time.process_time() - cpu


def report(sizes: Sizes, seed: int) -> str:
    calendar = BusinessCalendar()
    started = time.perf_counter()
    weeks, false, clean_readings = false_alerts(sizes, seed, calendar)
    outcomes, stray = incidents(sizes, seed, calendar)
    readings, seconds, cpu = replay_speed(sizes, seed)
    rows = []
    for k in KS:
        mine = [outcome for outcome in outcomes if outcome.k == k]
        rows.append(_row(f"{k}×", mine))
        eligible = [outcome for outcome in mine if k * outcome.usual >= TARGET_RATE]
        rows.append(_row(f"{k}×, ≥ {TARGET_RATE:g} EUR/h", eligible))
    targeted = [o for o in outcomes if o.k >= 10 and o.k * o.usual >= TARGET_RATE]
    rows.append(_row(f"≥ 10×, ≥ {TARGET_RATE:g} EUR/h", targeted))
    return "\n".join(
        [
            "## bench anomalies",
            "",
            machine(),
            f"seed {seed}; {time.perf_counter() - started:.0f} s in all",
            "",
            table(
                [
                    "subaccount-weeks",
                    "readings",
                    "false alerts",
                    "per subaccount-week",
                    "stray alerts in incident weeks",
                ],
                [[weeks, clean_readings, false, f"{false / max(weeks, 1):.4f}", stray]],
            ),
            "",
            table(
                ["incidents", "count", "detected", "rate", "delay p50 min", "p90 min", "max min"],
                rows,
            ),
            "",
            table(
                ["replay, CSV parsing included", "readings", "seconds", "readings/s"],
                [
                    ["wall clock", readings, f"{seconds:.2f}", f"{readings / seconds:,.0f}"],
                    ["CPU time", readings, f"{cpu:.2f}", f"{readings / max(cpu, 1e-9):,.0f}"],
                ],
            ),
        ]
    )


def _row(label: str, outcomes: list[Outcome]) -> list[str]:
    delays = [o.delay_minutes for o in outcomes if o.delay_minutes is not None]
    rate = f"{len(delays) / len(outcomes):.1%}" if outcomes else "–"
    shown = [percentile(delays, 0.5), percentile(delays, 0.9), max(delays, default=float("nan"))]
    return [
        label,
        str(len(outcomes)),
        str(len(delays)),
        rate,
        *("–" if value != value else f"{value:.0f}" for value in shown),
    ]


def main(args: argparse.Namespace) -> str:
    sizes = TINY if args.tiny else QUICK if args.quick else FULL
    return report(sizes, seed=args.seed)
