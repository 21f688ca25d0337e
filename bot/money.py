"""Money is `Decimal`, end to end: parsing vendor values, checking amounts, writing them out."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.i18n import N_, _, formatting

CENT_OF_CENT = Decimal("0.001")
"""The vendor keeps balances to 3 decimals; no amount may be finer than that."""


class InvalidAmount(ValueError):
    """An amount refused before any request was sent; the text is fit to show a user.

    Worded when shown, not when raised (an amount is parsed before the reader's language is
    known): `str(error)` is the catalog message in the current language, its Decimal fields
    written as money in that language."""

    def __init__(self, message: str, **fields: Any) -> None:
        self.message = message
        self.fields = fields
        super().__init__(message)

    def __str__(self) -> str:
        shown = {
            name: format_money(value) if isinstance(value, Decimal) else value
            for name, value in self.fields.items()
        }
        return _(self.message).format(**shown)


def to_decimal(value: object) -> Decimal:
    """A vendor value (`"10.245"`, `2869.2` parsed as Decimal, `19`) as an exact Decimal.

    Floats are refused on purpose: one would mean somebody parsed JSON without
    `parse_float=Decimal` and the value is already inexact.
    """
    # Tuples, not `bool | float`: isinstance with a union is slower, and this runs for every
    # subaccount of every page read.
    if isinstance(value, (bool, float)):
        raise ValueError(f"not an exact amount: {type(value).__name__}")
    if isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
    elif isinstance(value, (Decimal, int)):
        result = Decimal(value)
    else:
        raise ValueError(f"not an amount: {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    return result


def validate_amount(amount: Decimal | int) -> Decimal:
    """An amount to move: positive, finite, at most 3 decimals. Raises `InvalidAmount`."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise InvalidAmount(
            N_("An amount must be a Decimal, not {kind}."), kind=type(amount).__name__
        )
    value = Decimal(amount)
    if not value.is_finite():
        raise InvalidAmount(N_("The amount must be a finite number."))
    if value <= 0:
        raise InvalidAmount(N_("The amount must be greater than 0."))
    if value != value.quantize(CENT_OF_CENT):
        raise InvalidAmount(N_("The amount can have at most 3 decimals."))
    return value


def api_amount(amount: Decimal) -> str:
    """The amount as the vendor's examples send it: a plain decimal string, no exponent.

    A string keeps the value exact on the wire (a JSON number would pass through the
    vendor's float parsing the same way, but our own encoder cannot write a Decimal as one).
    """
    text = f"{amount.quantize(CENT_OF_CENT):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_money(amount: Decimal, currency: str = "EUR") -> str:
    """`10225.119` → `€10,225.119` (English) / `10 225,119 €` (French), in the current language:
    at least 2 decimals, the 3rd only when it is not 0 (bot.i18n.formatting.money).
    `parse_user_amount` reads back every amount of euros written so."""
    return formatting.money(amount, currency)


MAX_AMOUNT = Decimal("1000000")
"""No single move above this is plausible here; a typo is likelier than a real request."""

MAX_DIGITS = 15
"""More digits than any plausible amount (and than MAX_AMOUNT with 3 decimals) is a paste error."""

# Spaces people put between thousands: plain, no-break (U+00A0, French keyboards), narrow
# no-break (U+202F, French typography), thin (U+2009) and figure (U+2007) spaces.
GROUP_SPACES = " \u00a0\u202f\u2009\u2007"
_SPACES = re.compile(f"[{GROUP_SPACES}]+")
_CURRENCY = re.compile(r"^(?:€|eur(?:os?)?)\s*|\s*(?:€|eur(?:os?)?)$", re.IGNORECASE)
CURRENCY_WORDS = frozenset({"€", "eur", "euro", "euros"})

# The number once the currency is gone. A space groups thousands only before exactly 3 digits
# ("1 000,50"); "." or "," group thousands only in well-formed groups of 3.
_PLAIN = re.compile(r"\d+(?:[.,](\d+))?")
_SPACED = re.compile(r"\d{1,3}(?: \d{3})+(?:[.,](\d+))?")
_GROUPED = re.compile(r"\d{1,3}(?P<sep>[.,])\d{3}(?:(?P=sep)\d{3})*")
_GROUPED_DECIMAL = re.compile(r"\d{1,3}(?P<sep>[.,])\d{3}(?:(?P=sep)\d{3})*(?!(?P=sep))[.,](\d+)")


# The two ways `format_money` writes an amount under 1000 with a 3rd decimal, which typed bare
# would be ambiguous (`5.125`: 5125 or 5.125?): English `€5.125` (the sign glued before, a
# point), French `5,125 €` (a comma, the sign after). The 3rd decimal is never 0 there, as
# format_money drops a 0, so `€1.000` or `1,000 €` stay refused as ambiguous.
_PRINTED_DECIMALS = re.compile(r"€(?P<en>\d{1,3}\.\d{2}[1-9])|(?P<fr>\d{1,3},\d{2}[1-9]) ?€")


def parse_user_amount(text: str) -> Decimal:
    """An amount as people type it, understood exactly — or refused, saying why.

    Understood: `12`, `12.5`, `12,50`; a currency sign or word before or after (`€12`, `12 EUR`,
    `12,50 €`, `12 euros`); thousands separated by spaces (also no-break and narrow no-break,
    U+00A0 and U+202F) when each group after a space has exactly 3 digits (`1 000,50`); by `.`
    or `,` when the other mark is the decimal one (`1.000,50` and `1,000.50` are 1000.50) or in
    several groups (`1,000,000`). Every amount of euros `format_money` writes, in either
    language (`€5.125`, `5,125 €`, `€10,225.119`, `10 225,119 €`).

    Refused, never guessed nor truncated: `12 50` (a space before 2 digits groups nothing: is it
    1250 or 12,50?); `1.000` or `1,000` and any 1–3 digits then one mark then exactly 3 digits
    (one thousand, or one with three decimals? — write `1000` or `1,5`); digits other than 0–9
    (`²`, Arabic-Indic `٣`, full-width `５`); more than 15 digits; more than 3 decimals (the
    vendor keeps 3); zero, negative, and above `MAX_AMOUNT`. `InvalidAmount` carries the reason.
    """
    raw = text.strip()
    shown = raw if len(raw) <= 30 else raw[:30] + "…"
    number = _SPACES.sub(" ", raw)
    if printed := _PRINTED_DECIMALS.fullmatch(number):
        return Decimal((printed.group("en") or printed.group("fr")).replace(",", "."))
    number = _CURRENCY.sub("", number, count=1)
    number = _CURRENCY.sub("", number, count=1).strip()
    if not number:
        raise InvalidAmount(N_("Give an amount in euros, e.g. 12,50."))
    if any(char.isdigit() and not "0" <= char <= "9" for char in number):
        raise InvalidAmount(
            N_("“{shown}” has digits other than 0–9: type the amount with 0–9."), shown=shown
        )
    sign = ""
    if number[0] in "+-":
        sign, number = number[0], number[1:].lstrip()
    if sum(char.isdigit() for char in number) > MAX_DIGITS:
        raise InvalidAmount(N_("“{shown}” has too many digits to be an amount."), shown=shown)
    plain = _digits_and_point(number, shown)
    value = Decimal(sign + plain)
    if value <= 0:
        raise InvalidAmount(N_("The amount must be greater than 0."))
    if value != value.quantize(CENT_OF_CENT):
        raise InvalidAmount(
            N_(
                "“{shown}”: an amount has at most 3 decimals, as the vendor keeps them "
                "(e.g. 0,125)."
            ),
            shown=shown,
        )
    if value > MAX_AMOUNT:
        raise InvalidAmount(
            N_("{amount} is more than the {limit} a single request may move."),
            amount=value,
            limit=MAX_AMOUNT,
        )
    return value.quantize(CENT_OF_CENT)


def _unambiguous_decimal(whole: str, mark: str, decimals: str) -> str:
    """How to write `whole` `mark` `decimals` (3 digits) as a decimal nobody reads as
    thousands: `1.000` → `1`, `1.500` → `1.5`; with three significant decimals only a
    trailing zero tells (`1.234` → `1.2340`, accepted since the extra decimal is zero)."""
    significant = decimals.rstrip("0")
    if not significant:
        return whole
    if len(significant) < 3:
        return f"{whole}{mark}{significant}"
    return f"{whole}{mark}{decimals}0"


def _digits_and_point(number: str, shown: str) -> str:
    """`1 000,50` → `1000.50`; raises `InvalidAmount` for what is not exactly one amount."""
    if " " in number:
        if match := _SPACED.fullmatch(number):
            return number.replace(" ", "").replace(",", ".")
        raise InvalidAmount(
            N_(
                "“{shown}” is ambiguous: a space separates thousands only before exactly 3 "
                "digits (1 000,50). Write it without the space (1250) or with a decimal mark "
                "(12,50)."
            ),
            shown=shown,
        )
    if match := _GROUPED_DECIMAL.fullmatch(number):
        thousands = match.group("sep")
        whole, decimals = number.rsplit("," if thousands == "." else ".", 1)
        return whole.replace(thousands, "") + "." + decimals
    if match := _PLAIN.fullmatch(number):
        decimals = match.group(1)
        whole = number[: len(number) - len(decimals) - 1] if decimals is not None else number
        if decimals is not None and len(decimals) == 3 and len(whole) <= 3 and whole[0] != "0":
            mark = number[len(whole)]
            raise InvalidAmount(
                N_(
                    "“{shown}” is ambiguous: is “{mark}” a thousands separator ({thousands}) "
                    "or the decimal mark? Write {thousands} without it, or {decimal} if it is "
                    "the decimal mark."
                ),
                shown=shown,
                mark=mark,
                thousands=f"{whole}{decimals}",
                decimal=_unambiguous_decimal(whole, mark, decimals),
            )
        return number.replace(",", ".")
    if _GROUPED.fullmatch(number):
        return re.sub(r"[.,]", "", number)
    if re.fullmatch(r"[\d.,]+", number) and re.search(r"\d", number):
        raise InvalidAmount(
            N_(
                "“{shown}” is not an amount: it has “,” or “.” where no amount has them. "
                "Write it like 1000,50 or 1.000,50."
            ),
            shown=shown,
        )
    raise InvalidAmount(N_("“{shown}” is not an amount: write it like 12,50."), shown=shown)
