"""Column types of our own."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

_SCALE = 1000


class Money(TypeDecorator[Decimal]):
    """EUR to the vendor's 3 decimals, stored as an integer number of thousandths.

    SQLite has no exact decimal type (SQLAlchemy would go through float); an integer is exact
    on every database and still sums in SQL.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        scaled = Decimal(value) * _SCALE
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than 3 decimals")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / _SCALE).quantize(Decimal("0.001"))
