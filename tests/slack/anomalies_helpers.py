"""What the spend-anomaly tests and the freeze tests share: the alerts channel set up, the
drain rate of the issue's end-to-end check, and the alert cards among a channel's messages."""

from __future__ import annotations

import time
from decimal import Decimal

from bot.services.anomalies import DEFAULT_FLOOR_PER_HOUR
from bot.services.anomalies.calendar import BusinessCalendar
from devkit.emulator import Message
from tests.slack.harness import ADMIN, MEMBER, Harness, reply_text

ALERTS = "C0ALERTS"
STRANGER = "UOTHER"
DRAIN_PER_SECOND = Decimal(50)


async def set_up(h: Harness) -> None:
    h.fake.add_channel(h.team_id, ALERTS, "alerts")
    h.fake.add_user(h.team_id, STRANGER, "otto")
    await h.ask("alert channel", user=ADMIN, channel_id=ALERTS)
    assert "now an approver" in reply_text(
        await h.ask(f"approvers add <@{MEMBER}|max>", user=ADMIN)
    )


def release_allowance_seconds() -> float:
    """At the vendor's opening (08:00 after a night, a Sunday or a holiday) the cold start
    allows the floor × the closed hours on top: the drain needs that long more to show."""
    closure = BusinessCalendar().hour(int(time.time()) // 3600).opening
    if closure is None:
        return 0.0
    hours = closure.night + closure.sunday + closure.holiday
    return float(DEFAULT_FLOOR_PER_HOUR * hours / DRAIN_PER_SECOND) + 4


def cards(messages: list[Message]) -> list[Message]:
    return [
        m for m in messages if any(b.get("block_id", "").startswith("anomaly_") for b in m.blocks)
    ]
