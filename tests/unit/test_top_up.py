"""The top-up an alert suggests: back to the threshold, in whole euros, never nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.services.alerts import top_up_to_threshold


@pytest.mark.parametrize(
    ("balance", "threshold", "suggested"),
    [
        ("1.000", "20", "19"),
        ("3.400", "10", "7"),  # 6.60 missing: 7 lifts it to 10.40
        ("9.999", "10", "1"),
        ("0", "50", "50"),
        ("-2.500", "10", "13"),  # a negative balance is topped up from below zero
        ("19.990", "20", "1"),
        ("20", "20", "1"),  # at the threshold already: still a real amount
    ],
)
def test_suggested_top_up(balance: str, threshold: str, suggested: str) -> None:
    amount = top_up_to_threshold(Decimal(balance), Decimal(threshold))
    assert amount == Decimal(suggested)
    assert Decimal(balance) + amount >= Decimal(threshold)
