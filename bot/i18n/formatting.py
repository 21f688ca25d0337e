"""Numbers, money, counts, durations and dates as the current language writes them (Babel).

Money keeps the vendor's precision: at least 2 decimals, the 3rd when it is not 0 —
`10 225,119 €` in French (narrow no-break space between thousands, no-break space before the
sign, as Babel's CLDR data has it, so Slack never wraps an amount), `€10,225.119` in English.
`bot.money.parse_user_amount` reads both back, those spaces included.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_currency, format_decimal

from bot.i18n import _, current_language

THOUSANDTH = Decimal("0.001")
HUNDREDTH = Decimal("0.01")


def money(amount: Decimal, currency: str = "EUR", lang: str | None = None) -> str:
    """`Decimal("10225.119")` → `€10,225.119` (en) / `10 225,119 €` (fr). Never a float."""
    if not isinstance(amount, Decimal | int) or isinstance(amount, bool):
        raise TypeError(f"money is a Decimal, not {type(amount).__name__}")
    value = Decimal(amount).quantize(THOUSANDTH)
    if value == value.quantize(HUNDREDTH):
        value = value.quantize(HUNDREDTH)
    return _money(str(value), currency, lang or current_language())


def number(value: int | Decimal, lang: str | None = None) -> str:
    """A count or quantity with the language's grouping: `12,345` / `12 345`."""
    return _number(str(value), lang or current_language())


# Babel reads the locale's patterns and rounds on every call: about 50 µs an amount, and a
# balance reply shows five of them, the same ones over and over (the figures change when a
# reading does). The text of the value is the key: it keeps sign and digits exactly as given,
# where Decimal("0") == Decimal("-0") would share one entry.
@lru_cache(maxsize=4096)
def _money(value: str, currency: str, lang: str) -> str:
    return format_currency(Decimal(value), currency, locale=lang, decimal_quantization=False)


@lru_cache(maxsize=4096)
def _number(value: str, lang: str) -> str:
    return format_decimal(Decimal(value), locale=lang, decimal_quantization=False)


def duration(total_seconds: int) -> str:
    """`5 h 55 min 06 s`: the vendor's voice credit, normalised (it may send 66 seconds)."""
    total = max(0, int(total_seconds))
    return _("{hours} h {minutes:02d} min {seconds:02d} s").format(
        hours=number(total // 3600), minutes=total % 3600 // 60, seconds=total % 60
    )


def joined(parts: Iterable[str]) -> str:
    """Items of a list on one line, with the language's separator: `a; b` / `a ; b` (a
    no-break space before the French semicolon, like every catalog text)."""
    # Translators: between the items of a list written on one line.
    return _("; ").join(parts)


def labelled(label: str, value: str) -> str:
    """`Label: value` / `Label : value`."""
    return _("{label}: {value}").format(label=label, value=value)
