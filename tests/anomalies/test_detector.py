"""The detector end to end over deterministic histories (tests/anomalies/vendor.py): the
cold-start floor, one alert per incident and the re-arm, releases after closures, top-ups and
failed readings, campaigns, feedback, and its state surviving JSON."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from bot.services.anomalies import AnomalyDetector, Feedback, Reading
from tests.anomalies.vendor import Vendor, during, no_extra, paris, run

D = Decimal
START = paris("2026-03-02 00:00")  # a Monday
WARM = 14 * 24  # hours of ordinary history before the scenario


def warm(detector: AnomalyDetector, vendor: Vendor, hours: int = WARM) -> datetime:
    assert run(detector, vendor.readings(START, hours)) == [] or hours <= 7 * 24
    return START + timedelta(hours=hours)


@pytest.mark.parametrize(
    ("floor", "extra", "alerts"),
    [
        (None, D(0), 0),  # 42 EUR/h, under the default 50
        (None, D(60), 1),  # 102 EUR/h
        (D(200), D(100), 0),  # 142 EUR/h under a floor of 200
        (D(20), D(0), 1),  # 42 EUR/h over a floor of 20, from the opening: once a day
    ],
)
def test_cold_start_is_judged_against_the_workspace_floor(floor, extra, alerts) -> None:
    detector, vendor = AnomalyDetector(floor_per_hour=floor), Vendor()
    found = run(detector, vendor.readings(START, 48, during(paris("2026-03-03 10:00"), 2, extra)))
    found = [alert for alert in found if alert.time >= paris("2026-03-03 00:00")]  # Tuesday
    assert len(found) == alerts
    assert all(alert.window == "floor" for alert in found)


@pytest.mark.parametrize(
    ("incidents", "alerts"),
    [
        ([(0, 6)], 1),  # six hours of it: one alert
        ([(0, 2), (3.5, 2)], 1),  # back above after 1.5 h of calm: the same incident
        ([(0, 2), (6, 2)], 2),  # after 4 h of calm (2 h of a normal last hour): re-armed
    ],
)
def test_one_alert_per_incident_until_two_hours_back_to_normal(incidents, alerts) -> None:
    detector, vendor = AnomalyDetector(), Vendor()
    at = warm(detector, vendor) + timedelta(hours=34)  # Tuesday 10:00
    spans = [during(at + timedelta(hours=start), hours, D(400)) for start, hours in incidents]
    found = run(detector, vendor.readings(at - timedelta(hours=34), 72, _sum(spans)))
    assert len(found) == alerts
    assert all(alert.window == "1h" and alert.spent > 3 * alert.expected for alert in found)
    assert found[0].time - at <= timedelta(minutes=31)  # the second reading of it


def test_an_alert_says_when_where_and_how_much() -> None:
    detector, vendor = AnomalyDetector(), Vendor()
    at = warm(detector, vendor) + timedelta(hours=34)
    [alert] = run(detector, vendor.readings(at - timedelta(hours=34), 40, during(at, 2, D(400))))
    assert alert.as_json() == {
        "time": "2026-03-17T09:30:05Z",  # Tuesday 10:30 Paris, the second reading of it
        "subaccount": "acme-sms",
        "window": "1h",
        "spent": "242.00",  # 4 × 10.5 of usual + 2 × 100 of the incident
        "expected": "42.00",
        "hours": "1.00",
    }


@pytest.mark.parametrize(
    ("extra", "alerts"),
    [
        (no_extra, 0),  # every opening's release, after nights, Sundays and Easter Monday
        (during(paris("2026-04-08 14:00"), 0.25, D(3200)), 1),  # such a volume mid-afternoon
    ],
)
def test_the_release_after_a_closure_is_expected_traffic(extra, alerts) -> None:
    detector, vendor = AnomalyDetector(), Vendor()
    found = run(detector, vendor.readings(START, 39 * 24, extra))  # to Thursday 9 April
    assert len(found) == alerts


def test_a_whole_day_released_after_a_holiday_is_no_anomaly() -> None:
    """Easter Monday 2026 is the first holiday this subaccount ever sees: Tuesday's opening
    releases the weekend and the holiday at once (36 night hours and two days)."""
    detector, vendor = AnomalyDetector(), Vendor()
    assert run(detector, vendor.readings(START, 35 * 24)) == []  # to Monday 6 April
    tuesday = list(vendor.readings(START + timedelta(days=35), 48))  # Easter Monday, Tuesday
    opening = next(r for r in tuesday if r.time >= paris("2026-04-07 08:15"))
    before = next(r for r in tuesday if r.time >= paris("2026-04-07 08:00"))
    assert before.balance - opening.balance > 12 * 40  # more than a business day's volume
    assert run(detector, iter(tuesday)) == []


@pytest.mark.parametrize(
    ("fail_every", "topup", "alerts"),
    [
        (None, None, 0),
        (7, None, 0),  # one reading in seven fails: its spend merges into the next
        (None, D(5000), 0),  # an outside top-up: that spend is unknown, never an alert
        (None, D("0.001"), 0),
        (3, D(5000), 0),
    ],
)
def test_failed_readings_and_outside_topups_raise_nothing(fail_every, topup, alerts) -> None:
    detector, vendor = AnomalyDetector(), Vendor()
    at = warm(detector, vendor)
    count = iter(range(10**6))
    fail = (lambda _: next(count) % fail_every == 0) if fail_every else (lambda _: False)
    topups = {at + timedelta(hours=h, minutes=15): topup for h in (3, 11, 30)} if topup else {}
    assert len(run(detector, vendor.readings(at, 72, fail=fail, topups=topups))) == alerts
    tuesday_10 = 24 + 10
    assert detector.dump("acme-sms")["week"][tuesday_10] == pytest.approx(42)


def test_failed_readings_across_the_evening_closing_are_business_hours_for_the_most_part() -> None:
    """Three readings fail before 20:00: the next one, past 20:00, carries an hour that was
    three quarters business. Judged at the closed hour's rate, it would look 4× too dear."""
    detector, vendor = AnomalyDetector(), Vendor(transactional=D(0))
    at = warm(detector, vendor)
    evening = paris("2026-03-17 19:00")
    fail = lambda when: evening < when < evening + timedelta(hours=1)  # noqa: E731
    readings = list(vendor.readings(at, 48, fail=fail))
    merged = next(r for r in readings if r.time > evening + timedelta(minutes=1))
    assert merged.time - evening == timedelta(hours=1, seconds=5)
    assert run(detector, iter(readings)) == []


def test_an_incident_is_caught_through_failed_readings() -> None:
    detector, vendor = AnomalyDetector(), Vendor()
    at = warm(detector, vendor) + timedelta(hours=34)
    fail = lambda when: at < when < at + timedelta(hours=2) and when.minute != 0  # noqa: E731
    history = vendor.readings(at - timedelta(hours=34), 40, during(at, 3, D(400)), fail)
    found = run(detector, history)
    assert [alert.time.minute for alert in found] == [0]  # the first reading that came


def test_a_weekly_campaign_is_learnt_and_the_same_volume_elsewhere_is_not() -> None:
    detector, vendor = AnomalyDetector(), Vendor()
    campaigns = [paris("2026-03-03 14:00") + timedelta(weeks=n) for n in range(5)]
    elsewhere = paris("2026-04-01 11:00")  # a Wednesday, week 5
    spans = [during(start, 1, D(300)) for start in [*campaigns, elsewhere]]
    found = run(detector, vendor.readings(START, 31 * 24, _sum(spans)))
    judged = [alert for alert in found if alert.time >= START + timedelta(days=7)]
    assert [alert.time.date() for alert in judged] == [elsewhere.date()]


@pytest.mark.parametrize(
    ("feedback", "again_after", "alerts_again"),
    [
        (None, 6, 1),  # no verdict: the next incident is its own alert
        (Feedback.EXPECTED, 6, 0),  # muted for 24 h
        (Feedback.EXPECTED, 26, 1),  # … and no longer
        (Feedback.NOT_AN_ISSUE, 24, 0),  # the same again tomorrow is normal for it now
        (None, 24, 1),
    ],
)
def test_feedback(feedback, again_after, alerts_again) -> None:
    detector, vendor = AnomalyDetector(), Vendor()
    at = warm(detector, vendor) + timedelta(hours=34)  # Tuesday 10:00
    first = run(detector, vendor.readings(at - timedelta(hours=34), 38, during(at, 2, D(160))))
    assert len(first) == 1
    if feedback is not None:
        detector.feedback("acme-sms", feedback, first[0].time)
    again = at + timedelta(hours=again_after)
    found = run(detector, vendor.readings(at + timedelta(hours=4), 48, during(again, 2, D(160))))
    assert len(found) == alerts_again


def test_the_rest_of_an_expected_campaign_opens_nothing_when_the_mute_ends() -> None:
    detector, vendor = AnomalyDetector(), Vendor()
    at = warm(detector, vendor) + timedelta(hours=34)  # Tuesday 10:00
    campaign = during(at, 8, D(160))
    first = run(detector, vendor.readings(at - timedelta(hours=34), 35, campaign))
    assert len(first) == 1
    detector.feedback("acme-sms", Feedback.EXPECTED, first[0].time)
    assert run(detector, vendor.readings(at + timedelta(hours=1), 48, campaign)) == []


def test_feedback_on_a_subaccount_never_read_is_refused() -> None:
    with pytest.raises(ValueError, match="no readings of ghost"):
        AnomalyDetector().feedback("ghost", Feedback.EXPECTED, START)


def test_the_state_survives_json_and_judges_the_same() -> None:
    at = START + timedelta(days=15, hours=10)
    incident = during(at, 3, D(400))
    whole, vendor = AnomalyDetector(), Vendor()
    expected = run(whole, vendor.readings(START, 17 * 24, incident))
    assert len(expected) == 1

    first, vendor = AnomalyDetector(), Vendor()
    found = run(first, vendor.readings(START, 15 * 24 + 11, incident))
    stored = json.loads(json.dumps(first.dump("acme-sms")))
    second = AnomalyDetector()
    second.load("acme-sms", stored)
    rest = vendor.readings(START + timedelta(days=15, hours=11), 2 * 24 - 11, incident)
    found += run(second, rest)
    assert found == expected
    assert len(json.dumps(second.dump("acme-sms"))) < 12_000


def test_readings_out_of_order_are_refused() -> None:
    detector = AnomalyDetector()
    detector.observe(Reading("a", START, D(10)))
    with pytest.raises(ValueError, match="out of order"):
        detector.observe(Reading("a", START, D(9)))


@pytest.mark.parametrize("floor", [D(0), D(-5)])
def test_the_floor_is_positive(floor) -> None:
    with pytest.raises(ValueError, match="positive"):
        AnomalyDetector(floor_per_hour=floor)


def _sum(extras):
    return lambda at: sum((extra(at) for extra in extras), D(0))
