"""When a waiting request reminds its approvers and when it is brought to the admins
(bot.services.requests.reminders): one reminder per interval, one escalation."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.services.policy import Policy
from bot.services.requests.reminders import escalation_due, reminder_due
from bot.slack.admin.views import policy_rules, policy_value

MADE = datetime(2026, 12, 1, 9, 0)


def h(hours: float) -> datetime:
    return MADE + timedelta(hours=hours)


@pytest.mark.parametrize(
    ("every", "reminded", "now", "due"),
    [
        (None, None, h(100), False),  # off
        (4, None, h(3.99), False),  # not yet one interval
        (4, None, h(4), True),  # the first interval ends
        (4, h(4), h(4.5), False),  # told for this interval
        (4, h(4), h(7.99), False),
        (4, h(4), h(8), True),  # the second interval
        (4, h(4.2), h(8.1), True),  # a late reminder does not push the next one back
        (4, None, h(13), True),  # a worker down for three intervals sends one…
        (4, h(13), h(15.9), False),  # …and the next comes with the next interval (16 h)
        (4, h(13), h(16), True),
        (1, h(1), h(1.5), False),
    ],
)
def test_reminder_due(
    every: int | None, reminded: datetime | None, now: datetime, due: bool
) -> None:
    assert reminder_due(MADE, reminded, every, now) is due


@pytest.mark.parametrize(
    ("after", "escalated", "now", "due"),
    [
        (None, None, h(100), False),
        (12, None, h(11.9), False),
        (12, None, h(12), True),
        (12, h(12), h(30), False),  # once
        (12, None, h(40), True),  # late, still once
    ],
)
def test_escalation_due(
    after: int | None, escalated: datetime | None, now: datetime, due: bool
) -> None:
    assert escalation_due(MADE, escalated, after, now) is due


def test_the_policy_view_and_the_home_state_reminders_only_when_on() -> None:
    on = " ".join(policy_rules(Policy(remind_hours=2, escalate_hours=5)))
    assert "reminds its approvers every 2 h" in on and "after 5 h is brought to the admins" in on
    off = " ".join(policy_rules(Policy()))
    assert "reminds" not in off and "brought to the admins" not in off
    assert policy_value("remind_hours", None) == "off"
    assert policy_value("escalate_hours", 12) == "12 hours"


@pytest.mark.parametrize(
    ("remind", "escalate", "expiry", "warned"),
    [
        (2, 5, 24, 0),
        (24, None, 24, 1),  # expires the moment it would remind
        (48, None, 24, 1),
        (None, 30, 24, 1),
        (30, 30, 24, 2),
        (30, 30, 48, 0),
    ],
)
def test_reminders_set_past_the_expiry_are_said_never_to_come(
    remind: int | None, escalate: int | None, expiry: int, warned: int
) -> None:
    rules = policy_rules(Policy(remind_hours=remind, escalate_hours=escalate, expiry_hours=expiry))
    warnings = [r for r in rules if "is ever" in r and r.startswith(":warning:")]
    assert len(warnings) == warned
    assert all(f"expire after {expiry} h" in w for w in warnings)
