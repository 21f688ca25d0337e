"""Times in messages are Slack date tokens: each reader sees their own time zone, and places
where tokens do not render get readable UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.services.policy import change_policy
from bot.slack.blocks import slack_date, utc_text
from tests.slack.harness import ADMIN, Harness, reply_text

DATE_TOKEN = re.compile(r"<!date\^(\d+)\^\{date_short_pretty\} \{time\}\|([^>]+)>")


@pytest.mark.parametrize(
    ("moment", "unix", "fallback"),
    [
        # naive datetimes are UTC, as the app stores them
        (datetime(2025, 3, 3, 9, 5), 1740992700, "2025-03-03 09:05 UTC"),
        (datetime(2025, 3, 3, 9, 5, tzinfo=UTC), 1740992700, "2025-03-03 09:05 UTC"),
        # an aware moment elsewhere is the same instant
        (
            datetime(2025, 3, 3, 10, 5, tzinfo=timezone(timedelta(hours=1))),
            1740992700,
            "2025-03-03 09:05 UTC",
        ),
        (datetime(1970, 1, 1, 0, 0, 59), 59, "1970-01-01 00:00 UTC"),
    ],
)
def test_slack_date_and_its_utc_fallback(moment: datetime, unix: int, fallback: str) -> None:
    assert utc_text(moment) == fallback
    assert slack_date(moment) == f"<!date^{unix}^{{date_short_pretty}} {{time}}|{fallback}>"
    assert slack_date(moment, "{date_num}") == f"<!date^{unix}^{{date_num}}|{fallback}>"


async def test_the_next_digest_is_shown_in_the_readers_time_zone(slack: Harness) -> None:
    text = reply_text(await slack.ask("digest subscribe 07:30", user=ADMIN))
    [subscription] = await slack.runtime.digests.subscriptions(slack.team_id)
    unix, fallback = DATE_TOKEN.search(text).groups()  # type: ignore[union-attr]
    due = subscription.next_run_at.replace(tzinfo=UTC)
    assert int(unix) == int(due.timestamp())
    assert fallback == utc_text(due)
    assert DATE_TOKEN.search(reply_text(await slack.ask("digest list")))


async def test_audit_lines_carry_date_tokens(slack: Harness) -> None:
    await change_policy(slack.runtime.database, slack.team_id, ADMIN, expiry_hours=3)
    text = reply_text(await slack.ask("audit", user=ADMIN))
    assert DATE_TOKEN.search(text)
    assert "Times are UTC" not in text
