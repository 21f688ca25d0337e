"""What the spend-anomaly tests and the freeze tests share: the alerts channel set up, the
drain rate of the issue's end-to-end check, and the alert cards among a channel's messages."""

from __future__ import annotations

from decimal import Decimal

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


def cards(messages: list[Message]) -> list[Message]:
    return [
        m for m in messages if any(b.get("block_id", "").startswith("anomaly_") for b in m.blocks)
    ]
