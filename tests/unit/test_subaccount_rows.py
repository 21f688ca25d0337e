"""`Subaccount.of_page` makes the very object `Subaccount(...)` makes, still frozen, and a page's
rows read through it as the vendor wrote them."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal

import pytest

from bot.partner.documents import subaccount
from bot.partner.models import Subaccount

FIELDS = [
    (
        1,
        "a@example.com",
        "simple",
        "tok-a",
        datetime(2024, 3, 1, 10, 20, 30),
        Decimal("1.5"),
        "EUR",
    ),
    (0, "", "", "tok-b", None, Decimal("0"), "EUR"),
    (
        2**40,
        "ÉLODIE@exemple.fr",
        "buyer",
        "t" * 32,
        datetime(1999, 12, 31),
        Decimal("-3.125"),
        "USD",
    ),
]


@pytest.mark.parametrize("values", FIELDS)
def test_of_page_makes_the_same_subaccount(values: tuple[object, ...]) -> None:
    made = Subaccount.of_page(*values)  # type: ignore[arg-type]
    built = Subaccount(*values)  # type: ignore[arg-type]
    assert made == built
    assert hash(made) == hash(built)
    assert repr(made) == repr(built)
    assert dataclasses.astuple(made) == values
    assert type(made) is Subaccount


def test_of_page_is_still_frozen() -> None:
    made = Subaccount.of_page(*FIELDS[0])  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.balance = Decimal("1000000")  # type: ignore[misc]
    assert dataclasses.replace(made, balance=Decimal(2)).balance == Decimal(2)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            {
                "id": 7,
                "email": "x@example.com",
                "type": "simple",
                "token": "tok",
                "apiKey": "secret-of-the-subaccount",
                "createdAt": "2024-03-01 10:20:30",
                "credits": {"balance": " 12.345 ", "currency": "€"},
            },
            Subaccount(
                7,
                "x@example.com",
                "simple",
                "tok",
                datetime(2024, 3, 1, 10, 20, 30),
                Decimal("12.345"),
                "EUR",
            ),
        ),
        (
            {"id": "8", "token": "t8", "createdAt": "2024-3-1 1:2:3", "credits": {"balance": 5}},
            Subaccount(8, "", "", "t8", datetime(2024, 3, 1, 1, 2, 3), Decimal(5), "EUR"),
        ),
        (
            {
                "token": "t9",
                "createdAt": "yesterday",
                "credits": {"balance": Decimal("0.1"), "currency": "usd"},
            },
            Subaccount(0, "", "", "t9", None, Decimal("0.1"), "USD"),
        ),
    ],
    ids=["usual row", "odd shapes", "unreadable date"],
)
def test_a_row_reads_as_the_vendor_wrote_it(row: dict[str, object], expected: Subaccount) -> None:
    assert subaccount(row) == expected
