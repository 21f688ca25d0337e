"""Every amount the bot writes can be typed back: `parse_user_amount(format_money(x)) == x`, in
English (`€10,225.119`) and French (`10 225,119 €`), and the forms a 3rd decimal makes
ambiguous when typed bare stay refused unless written exactly as the bot writes them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.i18n import language
from bot.money import CENT_OF_CENT, MAX_AMOUNT, InvalidAmount, format_money, parse_user_amount

amounts = st.decimals(
    min_value=CENT_OF_CENT, max_value=MAX_AMOUNT, places=3, allow_nan=False, allow_infinity=False
)


@given(amount=amounts, lang=st.sampled_from(["en", "fr"]))
def test_what_is_printed_reads_back(amount: Decimal, lang: str) -> None:
    with language(lang):
        printed = format_money(amount)
        assert parse_user_amount(printed) == amount, printed


@pytest.mark.parametrize(
    ("lang", "amount", "printed"),
    [
        ("en", "10225.119", "€10,225.119"),
        ("en", "2480.35", "€2,480.35"),
        ("en", "2480.350", "€2,480.35"),  # a 3rd decimal only when it is not 0
        ("en", "5.125", "€5.125"),
        ("en", "1000000", "€1,000,000.00"),
        ("fr", "10225.119", "10\u202f225,119\u00a0€"),
        ("fr", "2480.35", "2\u202f480,35\u00a0€"),
        ("fr", "5.125", "5,125\u00a0€"),
    ],
)
def test_money_as_each_language_writes_it(lang: str, amount: str, printed: str) -> None:
    with language(lang):
        assert format_money(Decimal(amount)) == printed


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("€5.125", Decimal("5.125")),  # as English prints it
        ("5,125 €", Decimal("5.125")),  # as French prints it
        ("5,125\u00a0€", Decimal("5.125")),
        ("€ 1,250.50", Decimal("1250.5")),
    ],
)
def test_printed_three_decimals_are_understood(typed: str, expected: Decimal) -> None:
    assert parse_user_amount(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "5.125",  # bare: 5125 or 5.125?
        "5,125",
        "€1.000",  # never printed (the bot drops a 3rd decimal 0): still ambiguous
        "1,000 €",
        "€ 5.125",  # not the printed form (a space after the sign)
        "€5,125",  # the English sign with the French mark
        "5.125 €",  # the French sign with the English mark
    ],
)
def test_other_three_decimal_forms_stay_ambiguous(typed: str) -> None:
    with pytest.raises(InvalidAmount, match="ambiguous"):
        parse_user_amount(typed)
