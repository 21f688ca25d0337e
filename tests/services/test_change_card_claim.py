"""The claim on a setting change's card (`SettingsChanges.claim_card`): of any number of
callers at once (the proposing process, maintenance rounds in several processes), exactly one
posts the card. On the real database (SQLite, and PostgreSQL in CI), claimers truly at once."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update

from bot.clock import utcnow
from bot.db.models import SettingChange
from bot.runtime import Runtime
from bot.services.settings_changes import Change, ChangeSnapshot, Setting
from tests.services.request_world import ADMIN, APPROVER, TEAM, People


async def _proposed(runtime: Runtime) -> ChangeSnapshot:
    """A loosening change just stored, its card not taken yet."""
    change = Change(Setting.AUTO_APPROVE_LIMIT, Decimal(0), Decimal(50))
    return await runtime.settings_changes.propose(TEAM, ADMIN, change)


async def _set(runtime: Runtime, change: ChangeSnapshot, **values: Any) -> None:
    async with runtime.database.session() as session:
        await session.execute(
            update(SettingChange).where(SettingChange.id == change.id).values(**values)
        )


async def _claims_at_once(
    runtime: Runtime, change: ChangeSnapshot, claimers: int, retake_before: datetime | None = None
) -> list[bool]:
    claim = runtime.settings_changes.claim_card
    return list(
        await asyncio.gather(
            *(claim(change.id, retake_before=retake_before) for _ in range(claimers))
        )
    )


@pytest.mark.parametrize("claimers", [2, 10])
async def test_of_claimers_at_once_exactly_one_takes_the_card(
    runtime: Runtime, claimers: int
) -> None:
    change = await _proposed(runtime)
    assert sorted(await _claims_at_once(runtime, change, claimers)) == [False] * (claimers - 1) + [
        True
    ]
    assert await _claims_at_once(runtime, change, claimers) == [False] * claimers  # and later


@pytest.mark.parametrize("claimers", [2, 10])
async def test_of_askers_retaking_a_post_that_is_over_exactly_one_posts_again(
    runtime: Runtime, claimers: int
) -> None:
    """The asker typed the command again (in several processes at once, as Slack retries):
    an earlier post that is over is taken again by one of them only."""
    change = await _proposed(runtime)
    assert await runtime.settings_changes.claim_card(change.id)
    await _set(runtime, change, card_claimed_at=utcnow() - timedelta(hours=1))
    over = utcnow() - timedelta(minutes=1)
    wins = await _claims_at_once(runtime, change, claimers, retake_before=over)
    assert sorted(wins) == [False] * (claimers - 1) + [True]
    # The post just taken again is not over: nobody takes it a third time.
    assert (
        await _claims_at_once(runtime, change, claimers, retake_before=over) == [False] * claimers
    )


CLAIMED_NOW, CLAIMED_AN_HOUR_AGO = "claimed now", "claimed an hour ago"


@pytest.mark.parametrize(
    ("state", "retaking", "taken"),
    [
        # (what the row holds, the caller retakes posts over a minute ago, the caller takes it)
        ("never claimed", False, True),
        ("never claimed", True, True),
        (CLAIMED_NOW, False, False),
        (CLAIMED_NOW, True, False),  # a post under way is not over
        (CLAIMED_AN_HOUR_AGO, False, False),  # maintenance never posts a card twice
        (CLAIMED_AN_HOUR_AGO, True, True),  # the asker, asking again, may
        ("card posted", True, False),
        ("rejected", False, False),
        ("rejected", True, False),
    ],
)
async def test_who_may_take_the_card(
    runtime: Runtime, state: str, retaking: bool, taken: bool
) -> None:
    change = await _proposed(runtime)
    changes = runtime.settings_changes
    if state == CLAIMED_NOW:
        assert await changes.claim_card(change.id)
    elif state == CLAIMED_AN_HOUR_AGO:
        await _set(runtime, change, card_claimed_at=utcnow() - timedelta(hours=1))
    elif state == "card posted":
        await changes.set_card(change.id, "C0APPR", "1700000000.000100")
    elif state == "rejected":
        await changes.reject(change.id, TEAM, APPROVER, People())
    retake_before = utcnow() - timedelta(minutes=1) if retaking else None
    assert await changes.claim_card(change.id, retake_before=retake_before) is taken
