"""Money on the vendor's wire, exactly: Decimals in and out of JSON, never a float."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

MILLI = Decimal("0.001")
_NUMERIC_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def decimal_literal(value: Decimal) -> str:
    """The shortest exact JSON number for a Decimal: 2869.200 -> 2869.2, 100.000 -> 100."""
    if value == 0:
        return "0"  # also avoids "-0"
    return format(value.normalize(), "f")


def money_text(value: Decimal) -> str:
    """Balances as `/me` and `subaccount/list` show them: a string with 3 decimals."""
    return format(value.quantize(MILLI), "f")


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
"""json.dumps(..., ensure_ascii=False) builds a new encoder at every call: once per leaf here,
most of a subaccount listing's time."""


def to_json(value: Any) -> str:
    """Serialise with Decimals as exact JSON numbers (json.dumps would need a float)."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, Decimal):
        return decimal_literal(value)
    if isinstance(value, int | str):
        return _ENCODE(value)
    if isinstance(value, dict):
        items = (f"{_ENCODE(str(k))}:{to_json(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    raise TypeError(f"cannot serialise {type(value).__name__} (floats are not money)")


def parse_amount(raw: Any) -> Decimal | None:
    """A credit given as a JSON number or a numeric string, or None when it is not one.

    Amounts with more than 3 significant decimals are refused (None): the vendor keeps
    balances to the tenth of a cent.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, Decimal):
        amount = raw
    elif isinstance(raw, str) and _NUMERIC_TEXT.fullmatch(raw.strip()):
        amount = Decimal(raw.strip())
    else:
        return None
    if not amount.is_finite() or amount.normalize().as_tuple().exponent < -3:
        return None
    return amount


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def optional_text(raw: Any) -> str | None:
    if is_blank(raw):
        return None
    return str(raw).strip()
