"""What a subaccount spent between two balance readings (the vendor reports balances only).

    spend = previous balance − current balance + credit the app moved in meanwhile

`moved` is negative when the app took credit out. A failed reading has no row: the interval
simply runs from the last successful reading to the next one, so its spend merges into the
next. A rise nobody in the app made is an outside top-up (someone paid the vendor directly):
the interval's spend is then unknown — whatever was spent is hidden by the top-up — never
negative, and never a reason to alert.
"""

from __future__ import annotations

from decimal import Decimal


def interval_spend(previous: Decimal, current: Decimal, moved: Decimal) -> Decimal | None:
    """The spend between two readings, or None when an outside top-up hides it."""
    spend = previous - current + moved
    if spend < 0:
        return None
    return spend
