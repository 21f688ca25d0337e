"""`Subaccount.of_page` makes the very object `Subaccount(...)` makes, still frozen, and a page's
rows read through it as the vendor wrote them."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from decimal import Decimal

import pytest

from bot.partner.documents import Malformed, checked_subaccount, subaccount
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


USUAL = {
    "id": 7,
    "email": "x@example.com",
    "type": "simple",
    "token": "tok",
    "createdAt": "2024-03-01 10:20:30",
    "credits": {"balance": "12.345", "currency": "EUR"},
}


def _with(**changes: object) -> dict[str, object]:
    row = {**USUAL, "credits": dict(USUAL["credits"])}  # type: ignore[arg-type]
    for name, value in changes.items():
        if name in ("balance", "currency"):
            row["credits"][name] = value  # type: ignore[index]
        else:
            row[name] = value
    return row


@pytest.mark.parametrize(
    "row",
    [
        USUAL,
        _with(currency="€"),
        _with(currency=None),
        _with(currency="usd"),
        _with(currency=""),
        _with(balance=" 12.345 "),
        _with(balance="1_000.5"),
        _with(balance="-0.000"),
        _with(balance="NaN"),
        _with(balance="Infinity"),
        _with(balance="twelve"),
        _with(balance=""),
        _with(balance=12),
        _with(balance=Decimal("12.5")),
        _with(balance=12.5),
        _with(balance=True),
        _with(balance=None),
        _with(id="7"),
        _with(id=True),
        _with(id=7.0),
        _with(email=None),
        _with(email=5),
        _with(type=None),
        _with(token=""),
        _with(token=5),
        _with(token=None),
        _with(createdAt=None),
        _with(createdAt="2024-3-1 1:2:3"),
        _with(createdAt=20240301),
        _with(credits=[]),
        _with(credits=None),
        {**USUAL, "credits": {"currency": "EUR"}},
        {key: value for key, value in USUAL.items() if key != "id"},
        ["not", "a", "row"],
    ],
)
def test_the_usual_row_and_the_checked_reading_agree(row: object) -> None:
    """The usual row's quick reading gives exactly what the checked one gives; any other row
    takes the checked reading, so a row the checks refuse is refused all the same."""
    try:
        expected: object = checked_subaccount(row)
    except Malformed as refused:
        with pytest.raises(Malformed, match=re.escape(str(refused))):
            subaccount(row)
        return
    read = subaccount(row)
    assert read == expected
    assert dataclasses.astuple(read) == dataclasses.astuple(expected)  # type: ignore[arg-type]
