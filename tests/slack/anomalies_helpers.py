"""What the spend-anomaly tests and the freeze tests share: the alerts channel set up, the
drain rate of the issue's end-to-end check and the hour it runs in, and the alert cards among a
channel's messages."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from devkit.emulator import Message
from tests.slack.harness import ADMIN, MEMBER, Harness, reply_text

ALERTS = "C0ALERTS"
STRANGER = "UOTHER"
DRAIN_PER_SECOND = Decimal(50)
AN_OPEN_HOUR = datetime(2026, 12, 2, 10, 5, tzinfo=ZoneInfo("Europe/Paris"))
"""When a drain is to be alerted within 20 s (`time_machine.travel`, ticking): a Wednesday,
10:05 in Paris, an hour the vendor sends in that is no opening, which the minute or two a test
takes stays in. At an opening (the first open hour after a night, a Sunday, a holiday: 08:00)
the detector allows the floor × the closed hours on top, for the queue's release, and the drain
takes that much longer to show; a test started in the seconds before 08:00 saw that hour begin
while it waited."""


async def set_up(h: Harness) -> None:
    h.fake.add_channel(h.team_id, ALERTS, "alerts")
    h.fake.add_user(h.team_id, STRANGER, "otto")
    await h.ask("alert channel", user=ADMIN, channel_id=ALERTS)
    assert "now an approver" in reply_text(
        await h.ask(f"approvers add <@{MEMBER}|max>", user=ADMIN)
    )


def cards(messages: list[Message]) -> list[Message]:
    return [
        m for m in messages if any(b.get("block_id", "").startswith("anomaly_") for b in m.blocks)
    ]
