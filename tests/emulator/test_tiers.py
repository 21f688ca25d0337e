"""The emulator's rate-limit tiers: per method and workspace, a sliding minute of the world's
clock, 429 with a Retry-After that says when a call will be let through again."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from devkit.emulator import FakeSlack
from devkit.emulator.tiers import DEFAULT_TIERS, RateTiers


@pytest.mark.parametrize(
    ("per_minute", "calls", "answers"),
    [
        # Times of calls (seconds) → None (let through) or the Retry-After answered.
        (2, [0, 1, 2], [None, None, 58]),
        (2, [0, 1, 59.5, 60, 61], [None, None, 1, None, None]),
        (1, [0, 30, 59, 60], [None, 30, 1, None]),
        (3, [0, 0, 0, 0, 10], [None, None, None, 60, 50]),
    ],
)
def test_a_sliding_minute(per_minute: int, calls: list[float], answers: list) -> None:
    now = [0.0]
    tiers = RateTiers(lambda: now[0])
    tiers.set("views.publish", per_minute)
    seen = []
    for at in calls:
        now[0] = at
        seen.append(tiers.admit("views.publish", "T1"))
    assert seen == answers
    assert tiers.busiest_minute("views.publish", "T1") <= per_minute


def test_workspaces_and_methods_count_apart() -> None:
    tiers = RateTiers(lambda: 0.0)
    tiers.set("views.publish", 1)
    assert tiers.admit("views.publish", "T1") is None
    assert tiers.admit("views.publish", "T2") is None
    assert tiers.admit("chat.postMessage", "T1") is None  # no tier set: not limited
    assert tiers.admit("views.publish", "T1") == 60


def test_views_publish_is_limited_by_default_as_slack_does() -> None:
    assert DEFAULT_TIERS["views.publish"] == 100


async def test_the_fake_answers_429_with_retry_after_past_the_tier() -> None:
    now = [0.0]
    async with FakeSlack(clock=lambda: now[0]) as fake:
        fake.add_team("T1", "One", bot_token="xoxb-1")
        fake.add_user("T1", "U1", "one")
        fake.tier("views.publish", 2)
        client = AsyncWebClient(token="xoxb-1", base_url=fake.api_url)
        view = {"type": "home", "blocks": []}
        for _ in range(2):
            await client.views_publish(user_id="U1", view=view)
        now[0] = 20.0
        with pytest.raises(SlackApiError) as refused:
            await client.views_publish(user_id="U1", view=view)
        assert refused.value.response.status_code == 429
        assert refused.value.response.headers.get("Retry-After") == "40"
        now[0] = 60.0
        await client.views_publish(user_id="U1", view=view)
        assert fake.busiest_minute("views.publish", "T1") == 2
