from __future__ import annotations

from decimal import Decimal

import pytest

from bot.money import InvalidAmount, format_money, parse_user_amount


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12", "12"),
        ("12.5", "12.5"),
        ("12,50", "12.5"),
        ("12,50 €", "12.5"),
        ("€12", "12"),
        ("12.50 EUR", "12.5"),
        ("0,001", "0.001"),
        ("1 000", "1000"),
        ("+3", "3"),
        ("1000000", "1000000"),
    ],
)
def test_amounts_people_type(typed: str, expected: str) -> None:
    assert parse_user_amount(typed) == Decimal(expected)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "greater than 0"),
        ("-5", "greater than 0"),
        ("1,2345", "at most 3 decimals"),
        ("1000000.001", "more than"),
        ("5e3", "not an amount"),
        ("abc", "not an amount"),
        ("1.2.3", "not an amount"),
        ("", "Give an amount"),
        ("NaN", "not an amount"),
        ("€", "Give an amount"),
    ],
)
def test_amounts_refused_with_a_reason(typed: str, message: str) -> None:
    with pytest.raises(InvalidAmount, match=message):
        parse_user_amount(typed)


def test_format_money() -> None:
    assert format_money(Decimal("10225.119")) == "€10,225.119"
    assert format_money(Decimal("12.5")) == "€12.50"
    assert format_money(Decimal("0")) == "€0.00"
