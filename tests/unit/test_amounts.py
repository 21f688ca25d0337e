"""Amounts as people type them: understood exactly, or refused with the reason — never guessed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.money import InvalidAmount, parse_user_amount
from bot.slack.commands import CommandError
from bot.slack.partner_command import parse_command
from bot.slack.requests.parsing import CreditMove


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1 000,50", "1000.50"),
        ("1\u202f000,50", "1000.50"),  # narrow no-break space, French typography
        ("1\u00a0000,50", "1000.50"),  # no-break space, French keyboards
        ("1 000.50", "1000.50"),
        ("1 000 000", "1000000"),
        ("1.000,50", "1000.50"),
        ("1,000.50", "1000.50"),
        ("12.345,678", "12345.678"),
        ("1.000.000", "1000000"),
        ("1,000,000", "1000000"),
        ("€12", "12"),
        ("€ 12", "12"),
        ("12 EUR", "12"),
        ("12eur", "12"),
        ("12,50 €", "12.50"),
        ("12,50€", "12.50"),
        ("12 euros", "12"),
        ("1 euro", "1"),
        ("EUR 1 000,5", "1000.5"),
        ("0,001", "0.001"),
        ("01,234", "1.234"),  # a leading 0 groups no thousands
        ("1,2340", "1.234"),
        ("1234.567", "1234.567"),  # 4 digits before the mark: no thousands group
        ("12 500", "12500"),  # a space before exactly 3 digits groups thousands
    ],
)
def test_understood_exactly(typed: str, expected: str) -> None:
    assert parse_user_amount(typed) == Decimal(expected)


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("12 50", "ambiguous: a space separates thousands only before exactly 3 digits"),
        ("1 0000", "ambiguous"),
        ("1.000", "ambiguous: is “.” a thousands separator (1000) or the decimal mark?"),
        ("1,000", "ambiguous: is “,” a thousands separator (1000) or the decimal mark?"),
        ("12,340 €", "ambiguous"),  # never printed: the bot drops a 3rd decimal 0
        ("12.345 €", "ambiguous"),  # the French sign with the English mark
        ("²", "digits other than 0–9"),
        ("٣", "digits other than 0–9"),
        ("５", "digits other than 0–9"),
        ("1²", "digits other than 0–9"),
        ("1" * 26, "too many digits"),
        ("0," + "0" * 20 + "1", "too many digits"),
        ("12.3456", "at most 3 decimals"),
        ("0,0001", "at most 3 decimals"),
        ("1000000,01", "more than the €1,000,000.00"),
        ("1,2.3", "is not an amount"),
        ("1.000.50", "is not an amount"),
        ("5e3", "is not an amount"),
        ("NaN", "is not an amount"),
        ("Infinity", "is not an amount"),
        ("0", "greater than 0"),
        ("-5", "greater than 0"),
        ("€", "Give an amount"),
        ("", "Give an amount"),
    ],
)
def test_refused_saying_why(typed: str, why: str) -> None:
    with pytest.raises(InvalidAmount) as refused:
        parse_user_amount(typed)
    assert why in str(refused.value)


@pytest.mark.parametrize(
    ("text", "amount", "reason"),
    [
        ("credit add a@b.co 1 000,50", "1000.50", None),
        ("credit add a@b.co 1 000,50 € top-up", "1000.50", "top-up"),
        ("credit add a@b.co 1\u202f000,50 € top-up", "1000.50", "top-up"),
        ("credit add a@b.co 1\u00a0000,50 top-up", "1000.50", "top-up"),
        ("credit add a@b.co 25,50 € top-up", "25.50", "top-up"),
        ("credit add a@b.co € 25 top-up", "25", "top-up"),
        ("credit add a@b.co 12 € 50 SMS campaigns", "12", "50 SMS campaigns"),
        ("credit add a@b.co 1 000 000", "1000000", None),
        ("credit add a@b.co 1.000,50 for Q3", "1000.50", "for Q3"),
        ("credit add a@b.co 12 EUR R&D <Q3>", "12", "R&D <Q3>"),
    ],
)
def test_the_amount_is_taken_whole_before_the_reason(
    text: str, amount: str, reason: str | None
) -> None:
    parsed = parse_command(text)
    assert isinstance(parsed, CreditMove)
    assert (parsed.amount, parsed.reason) == (Decimal(amount), reason)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("credit add a@b.co 12 50 top-up", "ambiguous"),
        ("credit add a@b.co 1 000,50 7 SMS", "ambiguous"),
        ("credit add a@b.co 1.000 top-up", "ambiguous"),
        ("credit add a@b.co ５ top-up", "digits other than 0–9"),
        ("credit add a@b.co " + "9" * 26, "too many digits"),
        ("credit add a@b.co €", "Write it as"),
    ],
)
def test_an_unclear_amount_is_refused_not_split(text: str, why: str) -> None:
    with pytest.raises(CommandError) as refused:
        parse_command(text)
    assert why in refused.value.message


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("policy auto-approve 1 000,50 €", "1000.50"),
        ("alert subaccounts 1\u00a0000", "1000"),
        ("alert subaccount a@b.co 2 500,5 EUR", "2500.5"),
    ],
)
def test_a_last_amount_may_take_several_words(text: str, amount: str) -> None:
    parsed = parse_command(text)
    assert getattr(parsed, "value", None) == Decimal(amount) or getattr(
        parsed, "warn", None
    ) == Decimal(amount)


@pytest.mark.parametrize(
    "text", ["policy expiry 12 h", "alert subaccounts 12 50", "policy daily-cap 1.000"]
)
def test_other_settings_stay_one_word_and_amounts_stay_clear(text: str) -> None:
    with pytest.raises(CommandError):
        parse_command(text)


@pytest.mark.parametrize(
    ("typed", "suggested", "means"),
    [
        ("1.000", "or 1 if", "1"),
        ("1,500", "or 1,5 if", "1.5"),
        ("12.340", "or 12.34 if", "12.34"),
        ("1.234", "or 1.2340 if", "1.234"),  # three significant decimals: a trailing zero tells
    ],
)
def test_an_ambiguous_amount_suggests_what_is_understood_as_the_decimal(
    typed: str, suggested: str, means: str
) -> None:
    with pytest.raises(InvalidAmount) as refused:
        parse_user_amount(typed)
    assert suggested in str(refused.value)
    written = suggested.split()[1]
    assert parse_user_amount(written) == Decimal(means)  # the suggestion itself is accepted
