"""Money is `Decimal`, end to end: parsing vendor values, checking amounts, writing them out."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

CENT_OF_CENT = Decimal("0.001")
"""The vendor keeps balances to 3 decimals; no amount may be finer than that."""


class InvalidAmount(ValueError):
    """An amount refused before any request was sent; the text is fit to show a user."""


def to_decimal(value: object) -> Decimal:
    """A vendor value (`"10.245"`, `2869.2` parsed as Decimal, `19`) as an exact Decimal.

    Floats are refused on purpose: one would mean somebody parsed JSON without
    `parse_float=Decimal` and the value is already inexact.
    """
    if isinstance(value, bool | float):
        raise ValueError(f"not an exact amount: {type(value).__name__}")
    if isinstance(value, Decimal | int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
    else:
        raise ValueError(f"not an amount: {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    return result


def validate_amount(amount: Decimal | int) -> Decimal:
    """An amount to move: positive, finite, at most 3 decimals. Raises `InvalidAmount`."""
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise InvalidAmount(f"An amount must be a Decimal, not {type(amount).__name__}.")
    value = Decimal(amount)
    if not value.is_finite():
        raise InvalidAmount("The amount must be a finite number.")
    if value <= 0:
        raise InvalidAmount("The amount must be greater than 0.")
    if value != value.quantize(CENT_OF_CENT):
        raise InvalidAmount("The amount can have at most 3 decimals.")
    return value


def api_amount(amount: Decimal) -> str:
    """The amount as the vendor's examples send it: a plain decimal string, no exponent.

    A string keeps the value exact on the wire (a JSON number would pass through the
    vendor's float parsing the same way, but our own encoder cannot write a Decimal as one).
    """
    text = f"{amount.quantize(CENT_OF_CENT):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_money(amount: Decimal, currency: str = "EUR") -> str:
    """`10225.119` → `10,225.119 EUR`; at least 2 decimals, the 3rd only when it is not 0."""
    quantized = amount.quantize(CENT_OF_CENT)
    text = f"{quantized:,f}"
    if text.endswith("0"):
        text = text[:-1]
    return f"{text} {currency}"


MAX_AMOUNT = Decimal("1000000")
"""No single move above this is plausible here; a typo is likelier than a real request."""

_CURRENCY_WORDS = ("€", "eur", "euros", "euro")


def parse_user_amount(text: str) -> Decimal:
    """An amount as people type it: `12`, `12.5`, `12,50`, `12,50 €`, `€12`, `12.50 EUR`.

    Refuses zero, negatives, more than 3 decimals, absurdly large and non-numeric amounts with
    a message fit to show the user (`InvalidAmount`).
    """
    raw = text.strip().replace("\u00a0", " ")
    cleaned = raw.lower()
    for word in _CURRENCY_WORDS:
        cleaned = cleaned.replace(word, " ")
    cleaned = cleaned.replace(" ", "")
    shown = raw if len(raw) <= 30 else raw[:30] + "…"
    if not cleaned:
        raise InvalidAmount("Give an amount in euros, e.g. 12,50.")
    if "," in cleaned and "." in cleaned:
        raise InvalidAmount(
            f"“{shown}” mixes “,” and “.”: write the amount without thousands separators, "
            "e.g. 1234,50."
        )
    cleaned = cleaned.replace(",", ".")
    if cleaned.count(".") > 1 or not cleaned.replace(".", "").lstrip("+-").isdigit():
        raise InvalidAmount(f"“{shown}” is not an amount: write it like 12,50.")
    value = Decimal(cleaned)
    if value <= 0:
        raise InvalidAmount("The amount must be greater than 0.")
    if value != value.quantize(CENT_OF_CENT):
        raise InvalidAmount("The amount can have at most 3 decimals.")
    if value > MAX_AMOUNT:
        raise InvalidAmount(
            f"{format_money(value)} is more than the {format_money(MAX_AMOUNT)} a single "
            "request may move."
        )
    return value.quantize(CENT_OF_CENT)
