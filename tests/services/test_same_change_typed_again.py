"""A loosening asked twice is one pending change, one card (bot.services.settings_changes):
the same amount typed with more or fewer decimals included."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.runtime import Runtime
from bot.services.settings_changes import Change, Setting
from bot.services.settings_changes.model import stored_value
from tests.services.request_world import ADMIN, TEAM


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("50", "50"), ("50.00", "50"), ("12.50", "12.5"), ("1E+2", "100"), ("0.000", "0")],
)
def test_an_amount_is_stored_as_one_text(typed: str, stored: str) -> None:
    assert stored_value(Decimal(typed)) == stored


@pytest.mark.parametrize(
    ("first", "again", "same"),
    [("50", "50.00", True), ("12.5", "12.50", True), ("50", "51", False)],
)
async def test_the_same_amount_typed_again_is_the_same_change(
    runtime: Runtime, first: str, again: str, same: bool
) -> None:
    def limit(typed: str) -> Change:
        return Change(Setting.AUTO_APPROVE_LIMIT, Decimal(0), Decimal(typed))

    asked = await runtime.settings_changes.propose(TEAM, ADMIN, limit(first))
    asked_again = await runtime.settings_changes.propose(TEAM, ADMIN, limit(again))
    assert (asked_again.id == asked.id) is same
    assert len(await runtime.settings_changes.pending(TEAM)) == (1 if same else 2)
