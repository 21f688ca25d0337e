"""Homes published within Slack's limits, end to end: a burst of settings changes while many
admins look at their Home. Each Home ends up showing the latest state, the emulator (which
limits views.publish per workspace as Slack does) never let more than the tier through in any
minute, and a 429 delays a Home without dropping it.

The tier is small (TIER a minute) and the app and the emulator share a simulated clock whose
sleeps move time at once: minutes of pacing take a moment, and the emulator's own accounting
(`busiest_minute`, the tier's refusals) says what Slack would have seen.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.db.session import Database
from devkit.emulator import FakeSlack
from devkit.sandbox import Sandbox
from tests.conftest import SecretsGuard
from tests.slack.conftest import _harness
from tests.slack.harness import ADMIN, TEAM, Harness, running_app, settings_for
from tests.slack.test_home import open_home
from tests.slack.test_home_updates import policy_shown

TIER = 5
VIEWERS = [f"UADMIN{n:02d}" for n in range(12)]
LIMITS = ["90", "80", "70", "60", "50"]  # each a tightening: applied at once


class SimulatedClock:
    """Monotonic seconds that move only when someone sleeps on them."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


@pytest.fixture
async def paced(
    database: Database, fake_slack: FakeSlack, sandbox: Sandbox, secrets_guard: SecretsGuard
) -> AsyncIterator[tuple[Harness, SimulatedClock]]:
    settings = settings_for(fake_slack, sandbox, database.url, home_publishes_per_minute=TIER)
    clock = SimulatedClock()
    fake_slack.tier("views.publish", TIER)
    async for harness in _harness(secrets_guard, running_app(settings, fake_slack, sandbox)):
        yield harness, clock


def publishes(slack: Harness) -> list:
    return slack.fake.calls_to("views.publish")


async def viewers_looking(slack: Harness, clock: SimulatedClock) -> None:
    """Many admins open their Home: more than the tier's worth, so pacing already shows."""
    # The app and the emulator count time on the simulated clock.
    slack.fake.clock = clock
    slack.runtime.homes.clock = clock
    slack.runtime.homes.sleep = clock.sleep
    for user in VIEWERS:
        slack.fake.add_user(TEAM, user, user.lower(), is_admin=True)
    await slack.ask("policy auto-approve 100", user=ADMIN)
    for user in VIEWERS:
        await open_home(slack, user)


async def a_burst_of_changes(slack: Harness) -> None:
    for limit in LIMITS:
        await slack.ask(f"policy auto-approve {limit}", user=ADMIN)


async def every_home_shows_the_latest(slack: Harness) -> None:
    latest = f"{LIMITS[-1]}.00"
    await slack.fake.wait_for(
        lambda: all(latest in policy_shown(slack.fake.home_view(u)) for u in VIEWERS),
        timeout=30,
    )


async def test_a_burst_for_many_viewers_ends_with_the_latest_home_within_the_tier(
    paced: tuple[Harness, SimulatedClock],
) -> None:
    slack, clock = paced
    await viewers_looking(slack, clock)
    before = len(publishes(slack))
    await a_burst_of_changes(slack)
    await every_home_shows_the_latest(slack)
    assert slack.fake.busiest_minute("views.publish", TEAM) <= TIER
    # Paced by the app itself: Slack never had to refuse one.
    assert [c for c in publishes(slack) if c.error] == []
    # Coalesced: far fewer than one publish per viewer per change.
    burst = publishes(slack)[before:]
    assert len(burst) <= 2 * len(VIEWERS) + 1 < len(VIEWERS) * len(LIMITS)


async def test_a_429_delays_a_home_and_never_drops_it(
    paced: tuple[Harness, SimulatedClock],
) -> None:
    slack, clock = paced
    await viewers_looking(slack, clock)
    before, started = len(publishes(slack)), clock.now
    # Slack refuses the next publishes (another app spends the workspace's quota): one change,
    # so a refused Home has no later change to bring it back — only its retry can.
    slack.fake.rate_limit("views.publish", retry_after=45, times=4)
    await slack.ask(f"policy auto-approve {LIMITS[-1]}", user=ADMIN)
    await every_home_shows_the_latest(slack)
    burst = publishes(slack)[before:]
    refused = [c for c in burst if c.error == "ratelimited"]
    assert len(refused) == 4
    for call in refused:  # published again after, successfully
        user = call.args["user_id"]
        retried = [c for c in burst[burst.index(call) + 1 :] if c.args["user_id"] == user]
        assert retried and retried[-1].error is None
    assert clock.now - started >= 45  # waited out the Retry-After before trying again
    assert slack.fake.busiest_minute("views.publish", TEAM) <= TIER
