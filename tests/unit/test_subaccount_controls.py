"""Freeze and cap, the pure rules: what may be added, the room left under a cap, how much a
sweep pass asks to remove, the spend rate between two readings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal as D

import pytest

from bot.partner.models import Product
from bot.services.subaccount_controls import (
    AddRefusal,
    Blocked,
    Control,
    add_refusal,
    plan_pass,
    room_left,
    spend_rate,
)

FROZEN = Control("T", Product.SMS, "tok", "a@b.co", frozen_at=datetime(2026, 12, 6), frozen_by="U")
CAPPED = Control("T", Product.SMS, "tok", "a@b.co", cap=D(100))
BOTH = Control("T", Product.SMS, "tok", "a@b.co", frozen_at=datetime(2026, 12, 6), cap=D(100))
NEITHER = Control("T", Product.SMS, "tok", "a@b.co")


@pytest.mark.parametrize(
    ("cap", "balance", "room"),
    [
        (D(100), D(0), D(100)),
        (D(100), D("87.5"), D("12.5")),
        (D(100), D(100), D(0)),
        (D(100), D("100.001"), D(0)),  # over it (an outside top-up): no room, never negative
        (D("0.001"), D(0), D("0.001")),
    ],
)
def test_room_left(cap: D, balance: D, room: D) -> None:
    assert room_left(cap, balance) == room


@pytest.mark.parametrize(
    ("control", "balance", "amount", "refusal"),
    [
        (None, D(0), D(1_000_000), None),
        (NEITHER, D(0), D(1_000_000), None),
        (FROZEN, D(0), D("0.001"), AddRefusal(Blocked.FROZEN)),
        (BOTH, D(0), D(1), AddRefusal(Blocked.FROZEN)),  # frozen says more than the cap
        (CAPPED, D(80), D(20), None),  # up to the cap exactly
        (CAPPED, D(80), D("20.001"), AddRefusal(Blocked.OVER_CAP, D(100), D(20))),
        (CAPPED, D("87.5"), D(30), AddRefusal(Blocked.OVER_CAP, D(100), D("12.5"))),
        (CAPPED, D(150), D(1), AddRefusal(Blocked.OVER_CAP, D(100), D(0))),
    ],
)
def test_what_may_be_added(
    control: Control | None, balance: D, amount: D, refusal: AddRefusal | None
) -> None:
    assert add_refusal(control, balance, amount) == refusal


@pytest.mark.parametrize(
    ("balance", "keep", "rate", "headroom", "amount"),
    [
        # not spending: all of it, to the thousandth (the vendor's unit)
        (D("4950.123"), D(0), D(0), D(1), D("4950.123")),
        # a cap's sweep keeps the cap
        (D(300), D(100), D(0), D(1), D(200)),
        # draining at 50 a second: a second's spend stays, or the vendor would refuse
        (D(4000), D(0), D(50), D(1), D(3950)),
        (D(4000), D(0), D(50), D(2), D(3900)),
        # all of it would be spent before the call: no removal
        (D(40), D(0), D(50), D(1), None),
        (D(50), D(0), D(50), D(1), None),
        (D(0), D(0), D(0), D(1), None),
        (D("0.0009"), D(0), D(0), D(1), None),
        (D(100), D(100), D(0), D(1), None),  # at the cap: nothing over it
        (D(90), D(100), D(0), D(1), None),
        # a rise (negative spend) never widens the removal past the balance
        (D(500), D(0), D(-20), D(1), D(500)),
    ],
)
def test_how_much_a_pass_removes(
    balance: D, keep: D, rate: D, headroom: D, amount: D | None
) -> None:
    assert plan_pass(balance, keep, rate, headroom) == amount


@pytest.mark.parametrize(
    ("before", "after", "seconds", "moved_out", "rate"),
    [
        (D(5000), D(4950), 1.0, D(0), D(50)),
        (D(5000), D(4975), 0.5, D(0), D(50)),
        (D(5000), D(40), 1.0, D(4950), D(10)),  # what the app removed is not spend
        (D(100), D(300), 1.0, D(0), D(0)),  # an outside top-up: no spend, never negative
        (D(100), D(90), 0.0, D(0), D(0)),  # the same instant: no rate to tell
    ],
)
def test_spend_rate(before: D, after: D, seconds: float, moved_out: D, rate: D) -> None:
    assert spend_rate(before, after, seconds, moved_out) == rate
