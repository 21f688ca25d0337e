"""What an anomaly card says beside the verdict: pure figures from the ledger's readings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.i18n import language
from bot.services.anomalies.facts import Point, alert_facts, sparkline
from bot.slack.anomalies.views import time_left

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # a Wednesday
D = Decimal


def history(*steps: tuple[int, str, str]) -> list[Point]:
    """(minutes before NOW, balance, moved) → points in time order."""
    return [Point(NOW - timedelta(minutes=m), D(b), D(moved)) for m, b, moved in steps]


FACTS = [
    # (what, points, high EUR/h, last hour, rate, since (minutes before NOW), empty in)
    (
        "steady 40 EUR/h, then 400 in the last half hour",
        history((90, "1000", "0"), (60, "980", "0"), (45, "970", "0"), (30, "960", "0"),
                (15, "760", "0"), (0, "560", "0")),
        D(40), D("420.00"), D("420.00"), 30, timedelta(hours=560 / 420),
    ),
    (
        "the app's own top-up is not spend, nor a hidden interval",
        history((60, "100", "0"), (30, "250", "200"), (0, "200", "0")),
        D(40), D("100.00"), D("100.00"), 60, timedelta(hours=2),
    ),
    (
        "an outside top-up hides its interval: left out, never negative",
        history((60, "100", "0"), (30, "500", "0"), (0, "450", "0")),
        D(40), D("50.00"), D("100.00"), 30, timedelta(hours=4.5),
    ),
    (
        "nothing spent: no time to empty, since = the fallback",
        history((30, "100", "0"), (0, "100", "0")),
        D(40), D("0.00"), D("0.00"), 60, None,
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("points", "high", "last_hour", "rate", "since", "empty_in"),
    [case[1:] for case in FACTS],
    ids=[case[0] for case in FACTS],
)
def test_alert_facts(
    points: list[Point],
    high: Decimal,
    last_hour: Decimal,
    rate: Decimal,
    since: int,
    empty_in: timedelta | None,
) -> None:
    facts = alert_facts(points, NOW, high, NOW - timedelta(hours=1))
    assert facts.last_hour == last_hour
    assert facts.rate == rate
    assert facts.since == NOW - timedelta(minutes=since)
    if empty_in is None:
        assert facts.empty_in is None
    else:
        assert facts.empty_in is not None
        assert abs(facts.empty_in - empty_in) < timedelta(seconds=1)


def test_the_sparkline_is_24_hours_with_the_spend_in_its_hour() -> None:
    points = [
        Point(NOW - timedelta(hours=h), D(1000 - 10 * (30 - h)), D(0)) for h in range(30, -1, -1)
    ]
    points[-1] = Point(NOW, points[-2].balance - D(80), D(0))  # the last hour spent 80
    facts = alert_facts(points, NOW, D(10), NOW - timedelta(hours=1))
    assert len(facts.hourly) == 24 and facts.hourly[-1] == D("80.00")
    assert set(facts.hourly[:-1]) == {D("10.00")}
    assert facts.sparkline == "▁" * 23 + "█"


SPARKS = [
    ([], ""),
    ([D(0), D(0)], "▁▁"),
    ([D(0), D(7), D(14)], "▁▄█"),
    ([D(5)], "█"),
]


@pytest.mark.parametrize(("values", "drawn"), SPARKS, ids=[s[1] or "empty" for s in SPARKS])
def test_sparkline(values: list[Decimal], drawn: str) -> None:
    assert sparkline(values) == drawn


TIME_LEFT = [
    (timedelta(seconds=20), "about 1 min", "environ 1 min"),
    (timedelta(minutes=95), "about 95 min", "environ 95 min"),
    (timedelta(hours=5, minutes=40), "about 5 h", "environ 5 h"),
    (timedelta(days=1), "about 24 h", "environ 24 h"),
    (timedelta(days=2), "about 2 days", "environ 2 jours"),
    (timedelta(days=400), "about 400 days", "environ 400 jours"),
]


@pytest.mark.parametrize(("left", "english", "french"), TIME_LEFT, ids=[t[1] for t in TIME_LEFT])
def test_time_left(left: timedelta, english: str, french: str) -> None:
    with language("en"):
        assert time_left(left) == english
    with language("fr"):
        assert time_left(left).replace("\u00a0", " ").replace("\u202f", " ") == french
