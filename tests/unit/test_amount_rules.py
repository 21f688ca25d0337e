"""`parse_user_amount`, rule by rule: every way an amount is understood, and every refusal with
the reason it gives (tests/unit/test_amounts.py holds the separators and ambiguities)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.money import CENT_OF_CENT, InvalidAmount, parse_user_amount

ACCEPTED = [
    # (rule, typed, amount)
    ("whole number", "12", "12"),
    ("decimal point", "12.5", "12.5"),
    ("decimal comma", "12,5", "12.5"),
    ("below one", "0.5", "0.5"),
    ("leading zeros", "00,5", "0.5"),
    ("leading zeros, whole", "007", "7"),
    ("surrounding spaces", "  12  ", "12"),
    ("a plus sign", "+5", "5"),
    ("a plus sign and a space", "+ 12", "12"),
    ("currency word, any case", "12 Euros", "12"),
    ("currency word before", "EUROS 3", "3"),
    ("currency word, singular", "12 euro", "12"),
    ("currency code, lower case", "12,50 eur", "12.50"),
    ("sign glued before", "€12,5", "12.5"),
    ("sign after a no-break space", "€\u00a012", "12"),
    ("sign after a narrow no-break space", "12\u202f€", "12"),
    ("thin space groups thousands", "1\u2009000", "1000"),
    ("figure space groups thousands", "1\u2007000", "1000"),
    ("a run of spaces is one", "1  000", "1000"),
    ("spaced groups with 3 decimals", "999 999,999", "999999.999"),
    ("comma groups, point decimal", "1,234.5", "1234.5"),
    ("comma groups, 3 decimals", "1,000.000", "1000"),
    ("point groups, 3 decimals", "1.000,000", "1000"),
    ("trailing zeros beyond 3 decimals", "1 000,5000", "1000.5"),
    ("the maximum", "1000000", "1000000"),
    ("the maximum, with decimals", "1000000,000", "1000000"),
    ("the maximum, spaced", "1 000 000.00", "1000000"),
]


@pytest.mark.parametrize(("rule", "typed", "amount"), ACCEPTED, ids=[r[0] for r in ACCEPTED])
def test_understood(rule: str, typed: str, amount: str) -> None:
    assert parse_user_amount(typed) == Decimal(amount)


@pytest.mark.parametrize("typed", [typed for _, typed, _ in ACCEPTED])
def test_an_understood_amount_has_the_vendors_three_decimals(typed: str) -> None:
    """Always quantized to 0.001, so what is stored and compared is what the vendor keeps."""
    assert parse_user_amount(typed).as_tuple().exponent == CENT_OF_CENT.as_tuple().exponent


NOTHING = "Give an amount in euros"
FOREIGN_DIGITS = "has digits other than 0–9"
TOO_LONG = "has too many digits"
NOT_POSITIVE = "The amount must be greater than 0."
TOO_FINE = "an amount has at most 3 decimals"
TOO_BIG = "more than the €1,000,000.00 a single request may move"
MISPLACED_MARK = "where no amount has them"
NOT_A_NUMBER = "is not an amount: write it like 12,50."
SPACE_AMBIGUOUS = "a space separates thousands only before exactly 3 digits"

REFUSED = [
    # (rule, typed, reason)
    ("blank", " ", NOTHING),
    ("a currency code only", "EUR", NOTHING),
    ("a currency word only", "euros", NOTHING),
    ("a sign only, spaced", " € ", NOTHING),
    ("full-width digits", "１２", FOREIGN_DIGITS),
    ("16 digits", "1" * 16, TOO_LONG),
    ("leading zeros count as digits", "0" * 15 + "1", TOO_LONG),
    ("15 digits, over the maximum", "1" * 15, TOO_BIG),
    ("zero with a plus sign", "+0", NOT_POSITIVE),
    ("zero with decimals", "0,000", NOT_POSITIVE),
    ("negative, spaced", "- 5", NOT_POSITIVE),
    ("negative below one", "-0,5", NOT_POSITIVE),
    ("negative after the sign", "€ -5", NOT_POSITIVE),
    ("four decimals", "1,0005", TOO_FINE),
    ("a thousandth over the maximum", "1 000 000,001", TOO_BIG),
    ("over the maximum, point groups", "1.000.000,001", TOO_BIG),
    ("over the maximum, comma groups", "1,000,000.5", TOO_BIG),
    ("no digit before the mark", ".5", MISPLACED_MARK),
    ("no digit after the mark", "5.", MISPLACED_MARK),
    ("two marks together", "1..2", MISPLACED_MARK),
    ("two commas together", "1,,2", MISPLACED_MARK),
    ("a mark at the end", "12.50.", MISPLACED_MARK),
    ("letters", "abc", NOT_A_NUMBER),
    ("letters after digits", "12abc", NOT_A_NUMBER),
    ("an exponent", "1e3", NOT_A_NUMBER),
    ("hexadecimal", "0x10", NOT_A_NUMBER),
    ("a dash for cents", "12,-", NOT_A_NUMBER),
    ("a minus before the sign", "-€5", NOT_A_NUMBER),
    ("a space before one digit", "1 0", SPACE_AMBIGUOUS),
    ("a space before two digits, then the sign", "12 50 €", SPACE_AMBIGUOUS),
]


@pytest.mark.parametrize(("rule", "typed", "reason"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_with_its_reason(rule: str, typed: str, reason: str) -> None:
    with pytest.raises(InvalidAmount) as refused:
        parse_user_amount(typed)
    assert reason in str(refused.value)


def test_a_refusal_quotes_at_most_30_characters_of_what_was_typed() -> None:
    with pytest.raises(InvalidAmount) as refused:
        parse_user_amount("x" * 40)
    assert f"“{'x' * 30}…”" in str(refused.value)
    assert "x" * 31 not in str(refused.value)


def test_a_refusal_is_a_value_error() -> None:
    # Callers that only know ValueError (settings, config) still catch it.
    assert issubclass(InvalidAmount, ValueError)
